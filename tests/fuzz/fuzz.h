/* Shared by the fuzz targets: the input as a script, and the checks that
 * every compilation must pass whatever its input. */
#ifndef SONDE_FUZZ_H
#define SONDE_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/arena.h"
#include "../../common/diag.h"

/* Larger inputs are rejected: the lexer and parser limits on huge literals
 * and deep nesting are handled elsewhere, and small inputs fuzz faster. */
#define FUZZ_MAX_LEN 4096

/* The script: the input bytes, NUL-terminated (a NUL inside ends it, as
 * it does for a program given with -e). */
static inline char *fuzz_source(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	if (!src)
		abort();
	memcpy(src, data, size);
	src[size] = '\0';
	return src;
}

/* Diagnostics are rendered, as sonde prints them, into /dev/null. */
static inline FILE *fuzz_sink(void)
{
	static FILE *sink;
	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	return sink;
}

static inline void fuzz_fail(const struct diags *d, const char *why)
{
	fprintf(stderr, "fuzz: %s\n", why);
	diags_print(d, stderr, DIAG_ERROR);
	abort();
}

/* A failed compilation says why; no error is an internal one. */
static inline void fuzz_check(const struct diags *d, int failed)
{
	if (failed && !d->errors)
		fuzz_fail(d, "failed without an error diagnostic");
	for (const struct diag_entry *e = d->head; e; e = e->next)
		if (e->level == DIAG_ERROR && !strncmp(e->msg, "internal error", 14))
			fuzz_fail(d, "internal error diagnostic");
	diags_print(d, fuzz_sink(), DIAG_ERROR);
	diags_print(d, fuzz_sink(), DIAG_WARNING);
}

#endif
