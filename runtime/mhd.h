/* libmicrohttpd, opened only when --metrics serves: it and the TLS library
 * it links cost every run 3 MiB of memory otherwise. */
#ifndef SONDE_MHD_H
#define SONDE_MHD_H
#include <microhttpd.h>

struct mhd_api {
	struct MHD_Daemon *(*start_daemon)(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
					   void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...);
	void (*stop_daemon)(struct MHD_Daemon *daemon);
	struct MHD_Response *(*create_response_from_buffer)(size_t size, void *buffer,
							    enum MHD_ResponseMemoryMode mode);
	enum MHD_Result (*add_response_header)(struct MHD_Response *r, const char *header, const char *content);
	enum MHD_Result (*queue_response)(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r);
	void (*destroy_response)(struct MHD_Response *r);
};

/* 0, or -1 after printing why to stderr. */
int mhd_load(struct mhd_api *api);

#endif
