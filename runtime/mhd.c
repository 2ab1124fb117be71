/* The libmicrohttpd functions the metrics server calls, found by name in
 * the library of the version sonde was built against (MHD_SONAME). */
#include "mhd.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

static const struct {
	const char *name;
	size_t offset;
} symbols[] = {
	{ "MHD_start_daemon", offsetof(struct mhd_api, start_daemon) },
	{ "MHD_stop_daemon", offsetof(struct mhd_api, stop_daemon) },
	{ "MHD_create_response_from_buffer", offsetof(struct mhd_api, create_response_from_buffer) },
	{ "MHD_add_response_header", offsetof(struct mhd_api, add_response_header) },
	{ "MHD_queue_response", offsetof(struct mhd_api, queue_response) },
	{ "MHD_destroy_response", offsetof(struct mhd_api, destroy_response) },
};

int mhd_load(struct mhd_api *api)
{
	void *lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "ERROR: --metrics needs libmicrohttpd: %s\n", dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *fn = dlsym(lib, symbols[i].name);
		if (!fn) {
			fprintf(stderr, "ERROR: --metrics: %s has no %s\n", MHD_SONAME, symbols[i].name);
			dlclose(lib);
			return -1;
		}
		*(void **)((char *)api + symbols[i].offset) = fn;
	}
	return 0; /* stays open until exit */
}
