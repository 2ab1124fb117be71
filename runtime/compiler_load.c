/* The compiler is loaded on the first compilation, from beside the binary
 * (the build tree) or from the install's library directory
 * (SONDE_COMPILER_RELDIR: relative to the binary's directory), never from
 * the library search path: a binary runs the compiler of its own build. */
#include "compiler_load.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int compiler_path(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0;
	static const char *const dirs[] = { "", "/" SONDE_COMPILER_RELDIR };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int len = snprintf(buf, size, "%s%s/%s", exe, dirs[i], COMPILER_OBJECT);
		if (len > 0 && (size_t)len < size && access(buf, R_OK) == 0)
			return 0;
	}
	return -1;
}

const struct compiler_api *compiler_load(void)
{
	char path[PATH_MAX];
	if (compiler_path(path, sizeof(path)) < 0) {
		fprintf(stderr, "ERROR: the compiler (%s) is missing: it belongs beside the sonde binary "
			"or in its library directory (%s)\n", COMPILER_OBJECT, SONDE_COMPILER_RELDIR);
		return NULL;
	}
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		fprintf(stderr, "ERROR: cannot load the compiler: %s\n", dlerror());
		return NULL;
	}
	const struct compiler_api *api = dlsym(handle, COMPILER_API_SYMBOL);
	if (!api || strcmp(api->version, SONDE_VERSION) != 0 ||
	    api->options_size != sizeof(struct compile_options) ||
	    api->program_size != sizeof(struct compiled_program)) {
		fprintf(stderr, "ERROR: %s is not the compiler of this sonde binary (v%s): reinstall sonde\n",
			path, SONDE_VERSION);
		dlclose(handle);
		return NULL;
	}
	return api; /* stays loaded until exit */
}
