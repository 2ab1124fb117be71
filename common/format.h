/* printf format strings (§10.5): parsed at compile time to check argument
 * counts and types, formatted at run time exactly like C printf (runtime/printf.h). */
#ifndef SONDE_FORMAT_H
#define SONDE_FORMAT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "types.h"

/* One conversion: %[-][+][ ][#][0][width|*][.prec|.*][len]conv */
struct fmt_spec {
	size_t start, len;   /* the whole `%...conv` text in the format */
	char conv;           /* 'd','i','o','u','x','X','c','s','p'; 'r' for %r/%rx/%rh; 'g' for %gr */
	char conv2;          /* %rx / %rh: 'x' / 'h'; %gr: 'r'; else 0 */
	int len_bits;        /* 8, 16, 32 or 64 from hh/h/none/l.. */
	bool minus, plus, space, hash, zero; /* flags */
	int width;           /* -1 when absent or `*` (ignored) */
	int prec;            /* -1 when absent or `.*` (ignored) */
};

/* What the '%' at fmt[i] starts; for FMT_CONV *s is filled (err gets the
 * message of FMT_ERROR when not NULL). */
enum fmt_item {
	FMT_LITERAL, /* a '%' that starts no conversion: print it as is */
	FMT_PERCENT, /* %% */
	FMT_CONV,
	FMT_ERROR,   /* unsupported conversion (floating point, %n) */
};
enum fmt_item format_item_at(const char *fmt, size_t i, struct fmt_spec *s, char *err, size_t errlen);

/* Parse fmt. Returns the number of conversions, or -1 with a message in err
 * (e.g. "unsupported format specifier: f"). At most `max` specs are stored
 * (specs may be NULL when max is 0); the count returned may exceed max. */
int format_parse(const char *fmt, struct fmt_spec *specs, int max, char *err, size_t errlen);

/* An integer conversion (d i o u x X) of v, narrowed to s->len_bits, as C
 * printf renders it: the length written to out (not NUL-terminated), or -1
 * when the conversion is another one or its width or precision would not
 * fit in FORMAT_INT_MAX bytes (the caller formats it otherwise). */
enum { FORMAT_INT_MAX = 128 };
int format_int(char out[FORMAT_INT_MAX], const struct fmt_spec *s, uint64_t v);

/* Values that integer conversions (%d %x %c %p ...) print as numbers. */
bool format_integer_arg(const struct type *t);

/* Check argument types against the parsed specs. Returns 0 or -1 with a
 * message in err, e.g. "unsupported format specifier for type 'string[4]': d". */
int format_check_arg(const struct fmt_spec *spec, const struct type *arg, char *err, size_t errlen,
		     struct arena *a);

#endif
