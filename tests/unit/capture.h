/* Program output captured in memory, for the output and symbol tests.
 * Include after check.h. */
#ifndef SONDE_TEST_CAPTURE_H
#define SONDE_TEST_CAPTURE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/output.h"

struct capture {
	struct output o;
	char *buf;
	size_t len;
};

static inline void capture_open(struct capture *c, enum output_mode mode, const struct compiled_program *prog,
				int ncpus, int stack_fd)
{
	memset(c, 0, sizeof(*c));
	c->o.out = open_memstream(&c->buf, &c->len);
	if (!c->o.out) {
		perror("open_memstream");
		exit(2);
	}
	c->o.mode = mode;
	c->o.prog = prog;
	c->o.ncpus = ncpus;
	c->o.stack_fd = stack_fd;
}

/* Close, compare with want (unless NULL) and free. */
static inline void capture_check(struct capture *c, const char *what, const char *want)
{
	fclose(c->o.out);
	if (want)
		check_str(what, c->buf, want);
	free(c->buf);
	output_free(&c->o);
}

#endif
