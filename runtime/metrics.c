/* The --metrics HTTP server: address parsing, the listening socket, and
 * libmicrohttpd answering GET /metrics from its internal thread. That
 * thread has its own rendering context (struct output, with its own
 * symbolizer) and its own copy of the map fds; the compiled program is
 * read-only after compilation, and map reads are syscalls on the fds, so
 * it shares no mutable state with the event loop. Requests are served one
 * at a time by that single thread. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mhd.h"
#include "symbols.h"

#define CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

struct metrics_server {
	struct mhd_api mhd;
	struct MHD_Daemon *daemon;
	struct metrics_source src;
	int *map_fds;       /* src.map_fds points here */
	struct output out;  /* used by the server thread only */
};

static int bad_address(const char *arg, const char *why)
{
	fprintf(stderr, "ERROR: --metrics '%s': %s (expected PORT, ADDR:PORT or [IPV6]:PORT, e.g. "
		"127.0.0.1:9100)\n", arg, why);
	return -1;
}

static int parse_port(const char *arg, const char *text, uint16_t *port)
{
	char *end;
	errno = 0;
	unsigned long p = strtoul(text, &end, 10);
	if (!*text || *end || errno || p > 65535 || text[0] == '-' || text[0] == '+')
		return bad_address(arg, "the port is not a number from 0 to 65535");
	*port = (uint16_t)p;
	return 0;
}

int metrics_parse_address(const char *arg, struct metrics_address *out)
{
	memset(out, 0, sizeof(*out));
	out->arg = arg;
	const char *colon = strrchr(arg, ':');
	const char *port_text = colon ? colon + 1 : arg;
	size_t host_len = colon ? (size_t)(colon - arg) : 0;
	char host[64];
	uint16_t port;

	if (host_len >= sizeof(host))
		return bad_address(arg, "the address is too long");
	memcpy(host, arg, host_len);
	host[host_len] = '\0';
	if (parse_port(arg, port_text, &port) < 0)
		return -1;
	if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->addr;
		host[host_len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return bad_address(arg, "not a numeric IPv6 address");
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		out->len = sizeof(*a6);
		return 0;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)&out->addr;
	const char *v4 = host_len == 0 || !strcmp(host, "localhost") ? "127.0.0.1" : host;
	if (strchr(v4, ':'))
		return bad_address(arg, "an IPv6 address goes in brackets");
	if (inet_pton(AF_INET, v4, &a4->sin_addr) != 1)
		return bad_address(arg, "not a numeric IPv4 address, [IPv6] address or localhost");
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	out->len = sizeof(*a4);
	return 0;
}

/* A bound, listening socket, or -1 after printing why. */
static int listen_on(const struct metrics_address *a)
{
	int fd = socket(a->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0) {
		fprintf(stderr, "ERROR: --metrics '%s': cannot create a socket: %s\n", a->arg, strerror(errno));
		return -1;
	}
	/* a restarted sonde may bind the port while old connections linger */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (a->addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (const struct sockaddr *)&a->addr, a->len) < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "ERROR: --metrics '%s': cannot listen there: %s\n", a->arg, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* "http://ADDR:PORT/metrics" of the bound socket. */
static void bound_url(int fd, char *url, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
		port = ntohs(a6->sin6_port);
		snprintf(url, size, "http://[%s]:%u/metrics", host, port);
		return;
	}
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&ss;
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host));
		port = ntohs(a4->sin_port);
	}
	snprintf(url, size, "http://%s:%u/metrics", host, port);
}

static enum MHD_Result reply(const struct metrics_server *s, struct MHD_Connection *c, unsigned status,
			     const char *type, char *body, size_t n)
{
	struct MHD_Response *r = s->mhd.create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	enum MHD_Result ok = s->mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (ok == MHD_YES)
		ok = s->mhd.queue_response(c, status, r);
	s->mhd.destroy_response(r);
	return ok;
}

static enum MHD_Result reply_text(const struct metrics_server *s, struct MHD_Connection *c, unsigned status,
				  const char *text)
{
	char *body = strdup(text);
	return body ? reply(s, c, status, "text/plain; charset=utf-8", body, strlen(body)) : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct metrics_server *s = cls;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(s, c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/metrics"))
		return reply_text(s, c, MHD_HTTP_NOT_FOUND, "sonde serves its maps at /metrics\n");
	char *body = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&body, &n);
	if (!f)
		return MHD_NO;
	metrics_write(f, &s->out, &s->src);
	if (fclose(f)) {
		free(body);
		return MHD_NO;
	}
	return reply(s, c, MHD_HTTP_OK, CONTENT_TYPE, body, n);
}

static struct metrics_server *server_new(const struct metrics_source *src)
{
	struct metrics_server *s = calloc(1, sizeof(*s));
	int n = src->prog->nmaps;

	if (!s || !(s->map_fds = calloc((size_t)(n ? n : 1), sizeof(int)))) {
		free(s);
		fprintf(stderr, "ERROR: out of memory\n");
		return NULL;
	}
	memcpy(s->map_fds, src->map_fds, (size_t)n * sizeof(int));
	s->src = *src;
	s->src.map_fds = s->map_fds;
	output_init_bare(&s->out, src->prog);
	s->out.stack_fd = src->stack_fd;
	s->out.ustack_fd = src->ustack_fd;
	s->out.ncpus = src->ncpus;
	/* made now, before the server thread runs: that thread then owns it */
	if (src->cmd_path)
		symbolizer_add_binary(output_symbolizer(&s->out), src->cmd_path);
	return s;
}

static void server_free(struct metrics_server *s)
{
	output_free(&s->out);
	free(s->map_fds);
	free(s);
}

struct metrics_server *metrics_start(const struct metrics_address *a, const struct metrics_source *src,
				     char *url, size_t url_size)
{
	struct metrics_server *s = server_new(src);
	if (s && mhd_load(&s->mhd) < 0) {
		server_free(s);
		return NULL;
	}
	int fd = s ? listen_on(a) : -1;
	sigset_t all, old;

	if (fd < 0) {
		if (s)
			server_free(s);
		return NULL;
	}
	bound_url(fd, url, url_size);
	/* the server thread inherits the mask: signals stay with the main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->daemon = s->mhd.start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | (a->addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				       0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->daemon) {
		fprintf(stderr, "ERROR: --metrics '%s': the HTTP server did not start\n", a->arg);
		close(fd);
		server_free(s);
		return NULL;
	}
	return s;
}

void metrics_stop(struct metrics_server *s)
{
	if (!s)
		return;
	s->mhd.stop_daemon(s->daemon); /* joins its thread and closes the socket */
	server_free(s);
}
