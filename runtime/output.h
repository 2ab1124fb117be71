/* Program output: printf, print(), map printing; text or JSON (§10). */
#ifndef SONDE_OUTPUT_H
#define SONDE_OUTPUT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../codegen/program.h"

enum output_mode { OUTPUT_TEXT, OUTPUT_JSON };

struct output {
	FILE *out;
	enum output_mode mode;
	const struct compiled_program *prog; /* for the probe name table */
	int ncpus;                           /* possible CPUs (per-CPU values) */
};

/* printf: fmt was validated at compile time; args is the tuple type of the
 * arguments and data points to its bytes (layout of types.h). */
void output_printf(struct output *o, const char *fmt, const struct type *args, const void *data);
/* print(value) of a non-map value. */
void output_value(struct output *o, const struct type *t, const void *data);
/* print(@m, top, div) and the exit-time map dump: read the map from the
 * kernel by fd, merge per-CPU values, sort and print it (§10.3, §10.4).
 * top/div 0 = no limit / no division. Prints nothing for an empty map
 * unless `explicit_print` (print() of an empty scalar map prints its zero). */
int output_map(struct output *o, const struct map_desc *m, int map_fd, int64_t top, int64_t div,
	       bool explicit_print);
/* `Attached N probes`: JSON record on stdout in JSON mode; the text line
 * goes to stderr and is printed by the caller. */
void output_attached(struct output *o, int nprobes);
/* time(fmt) */
void output_time(struct output *o, const char *fmt);
/* Text mode writes "\n\n" before the maps at exit; JSON writes nothing. */
void output_exit_separator(struct output *o);

/* Render a value as text (no trailing newline) into f, as §10.2 says. */
void output_render_text(FILE *f, const struct compiled_program *prog, const struct type *t,
			const void *data);

/* Histogram label/bucket helpers, exposed for unit tests. */
void hist_bucket_label(char *buf, size_t len, int bits, uint64_t bucket);
void lhist_bucket_label(char *buf, size_t len, int64_t min, int64_t max, int64_t step,
			uint64_t bucket);

#endif
