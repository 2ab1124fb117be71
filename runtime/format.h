/* printf format strings (§10.5): parsed at compile time to check argument
 * counts and types, formatted at run time exactly like C printf. */
#ifndef SONDE_FORMAT_H
#define SONDE_FORMAT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../codegen/program.h"

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

/* Parse fmt. Returns the number of conversions, or -1 with a message in err
 * (e.g. "unsupported format specifier: f"). At most `max` specs are stored
 * (specs may be NULL when max is 0); the count returned may exceed max. */
int format_parse(const char *fmt, struct fmt_spec *specs, int max, char *err, size_t errlen);

/* Check argument types against the parsed specs. Returns 0 or -1 with a
 * message in err, e.g. "unsupported format specifier for type 'string[4]': d". */
int format_check_arg(const struct fmt_spec *spec, const struct type *arg, char *err, size_t errlen,
		     struct arena *a);

struct output;

/* Format into f: args is the tuple type of the values (NULL: no values),
 * data its bytes; o supplies the program, stack map and symbolizer for
 * %s of stacks and symbols (o->out is not used). */
void format_print_out(FILE *f, const char *fmt, const struct type *args, const void *data,
		      struct output *o);
/* The same with only the program (no stack map; temporary symbolizer). */
void format_print(FILE *f, const char *fmt, const struct type *args, const void *data,
		  const struct compiled_program *prog);

#endif
