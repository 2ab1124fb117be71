/* Program output: printf, print(), map printing; text or JSON (§10). */
#ifndef SONDE_OUTPUT_H
#define SONDE_OUTPUT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/program.h"
#include "../common/arena.h"
#include "symbols.h"
#include "values.h"

enum output_mode { OUTPUT_TEXT, OUTPUT_JSON };

struct output {
	FILE *out;
	enum output_mode mode;
	const struct compiled_program *prog; /* for the probe name table */
	int ncpus;                           /* possible CPUs (per-CPU values) */
	int stack_fd;                        /* stack trace map, -1 if none */
	struct symbolizer *syms;             /* symbol caches, NULL until needed */
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

/* Free what the output holds (the symbolizer); call once at exit. */
void output_free(struct output *o);
/* The symbolizer of o, created at first use (NULL if out of memory). The
 * event loop may call symbolizer_prefetch_pid(output_symbolizer(o), pid)
 * when a record carrying a ustack/usym arrives (runtime/symbols.h). */
struct symbolizer *output_symbolizer(struct output *o);

/* Render a value as text (no trailing newline) into f, as §10.2 says; o
 * gives the probe names, the stack map and the symbolizer (o->out is not
 * used). */
void output_text(struct output *o, FILE *f, const struct type *t, const void *data);
/* Same, into a malloc'ed NUL-terminated buffer (NULL on failure); *len
 * gets the length when len is not NULL. */
char *output_text_alloc(struct output *o, const struct type *t, const void *data, size_t *len);
/* Render a value as JSON (§10.7) into f. */
void output_json(struct output *o, FILE *f, const struct type *t, const void *data);
/* kstack/ustack text (§10.6): "\n" and one line per frame; without the
 * leading newline when `json`. An unreadable stack renders as no frames. */
void output_stack_text(struct output *o, FILE *f, const struct type *t, const void *data,
		       bool json);

/* The same without stack map or symbolizer context (stacks print empty,
 * symbols are resolved with a temporary symbolizer): for callers that only
 * have the program. */
void output_render_text(FILE *f, const struct compiled_program *prog, const struct type *t,
			const void *data);
char *output_render_text_alloc(const struct compiled_program *prog, const struct type *t,
			       const void *data, size_t *len);
void output_render_json(FILE *f, const struct compiled_program *prog, const struct type *t,
			const void *data);

void render_timestamp(FILE *f, const char *fmt, uint64_t boot_ns);
void render_inet(FILE *f, const unsigned char *d);

/* Histogram label/bucket helpers, exposed for unit tests. */
void hist_bucket_label(char *buf, size_t len, int bits, uint64_t bucket);
void lhist_bucket_label(char *buf, size_t len, int64_t min, int64_t max, int64_t step,
			uint64_t bucket);

/* ---- Internal to runtime/output*.c, map_read.c and hist.c ---- */

/* One printed entry of a map, after merging the per-CPU values and (for
 * hist/lhist) grouping the buckets of one user key. */
struct map_entry {
	const unsigned char *key;   /* user key bytes; NULL for a scalar map */
	const unsigned char *value; /* plain (non-aggregate) value bytes */
	struct agg_value agg;       /* merged aggregate; hist/lhist: agg.count */
	uint64_t *buckets;          /* hist/lhist: count per bucket index */
	size_t nbuckets;
};

struct map_snapshot {
	struct arena arena;         /* keys, values, buckets */
	struct map_entry *entries;  /* malloc'ed */
	size_t n, cap;
};

/* Read every entry of the BPF map fd. Returns 0 or -errno. Free the snapshot
 * with map_snapshot_free() whatever the result. */
int map_snapshot_read(struct map_snapshot *s, const struct map_desc *m, int fd, int ncpus);
/* Add the zero value of a scalar map (print() of an empty map). */
int map_snapshot_add_zero(struct map_snapshot *s, const struct map_desc *m);
/* Sort in print order (§10.3): ascending by value, ties by key. */
void map_snapshot_sort(struct map_snapshot *s, const struct map_desc *m);
void map_snapshot_free(struct map_snapshot *s);
/* Whole-map key comparison used for sorting: <0, 0, >0. */
int map_key_compare(const struct type *t, const void *a, const void *b);

bool map_is_hist(const struct map_desc *m);
/* Number of bucket indexes a hist/lhist value type can produce. */
size_t hist_max_buckets(const struct type *vt);
/* Histogram rows (§10.4), counts divided by div (hist only, not lhist). */
void hist_print_text(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
		     int64_t div);
/* The JSON bucket array of §10.7. */
void hist_print_json(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
		     int64_t div);

/* Print entries [first, n) of a sorted snapshot to o->out. */
void output_map_text(struct output *o, const struct map_desc *m, const struct map_snapshot *s,
		     size_t first, int64_t div);
void output_map_json(struct output *o, const struct map_desc *m, const struct map_snapshot *s,
		     size_t first, int64_t div);
/* Map key text: the §10.2 rendering without outer tuple parentheses; in
 * JSON form also without any spaces (a stack key: its JSON string text).
 * malloc'ed, NULL on failure. */
char *output_map_key(struct output *o, const struct type *t, const void *key, bool json);
/* The same without stack/symbol context. */
char *output_key_text(const struct compiled_program *prog, const struct type *t, const void *key,
		      bool json);

/* Appended to a string value that filled its capacity (str_trunc_trailer). */
#define OUTPUT_TRUNC_TRAILER ".."

#endif
