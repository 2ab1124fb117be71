/* --metrics ADDR:PORT: the live maps served over HTTP in the OpenMetrics
 * text format (GET /metrics), for a Prometheus server to scrape while the
 * script runs. libmicrohttpd serves it from its own thread. */
#ifndef SONDE_METRICS_H
#define SONDE_METRICS_H
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "../common/program.h"
#include "output.h"

/* Where to listen: 127.0.0.1 unless an address is given. */
struct metrics_address {
	struct sockaddr_storage addr;
	socklen_t len;
	const char *arg; /* as given, for messages */
};

/* Parse "PORT", ":PORT", "localhost:PORT", "IPV4:PORT" or "[IPV6]:PORT"
 * (numeric addresses only: nothing is resolved). Returns 0, or -1 after
 * printing why. */
int metrics_parse_address(const char *arg, struct metrics_address *out);

/* What the server reads: the program's maps by fd. Copied by
 * metrics_start; the fds must stay open until metrics_stop. */
struct metrics_source {
	const struct compiled_program *prog;
	const int *map_fds;   /* by map index */
	int stack_fd, ustack_fd;
	int ncpus;
	const char *cmd_path; /* -c executable, for its symbols; may be NULL */
};

struct metrics_server;
/* Listen and start serving; NULL after printing why (the address in use,
 * not available here, ...). *url gets "http://ADDR:PORT/metrics" with the
 * port bound (port 0 picks a free one). */
struct metrics_server *metrics_start(const struct metrics_address *a, const struct metrics_source *src,
				     char *url, size_t url_size);
/* Stop serving (waits for a scrape in progress) and free the server. */
void metrics_stop(struct metrics_server *s);

/* The OpenMetrics exposition of every map of src, `# EOF` included; o is
 * the rendering context of the calling thread. Exposed for the server and
 * unit tests. */
void metrics_write(FILE *f, struct output *o, const struct metrics_source *src);

#endif
