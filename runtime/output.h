/* Program output: printf, print(), map printing; text or JSON (§10). */
#ifndef SONDE_OUTPUT_H
#define SONDE_OUTPUT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/program.h"
#include "symbols.h"

enum output_mode { OUTPUT_TEXT, OUTPUT_JSON };

struct output {
	FILE *out;
	enum output_mode mode;
	const struct compiled_program *prog; /* for the probe name table */
	int ncpus;                           /* possible CPUs (per-CPU values) */
	int stack_fd;                        /* kernel stack trace map, -1 if none */
	int ustack_fd;                       /* user (build-id) stack trace map, -1 if none */
	struct source_frames *frames;        /* source lines of user frames, made when needed */
	struct symbolizer *syms;             /* symbol caches, NULL until needed */
	bool folded;                         /* -f folded: maps print as folded stacks */
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

/* A C array value as [a,b,c] (no spaces, in text and JSON alike), each
 * element written by write_element (output_text or output_json). */
void output_array(struct output *o, FILE *f, const struct type *t, const void *data,
		  void (*write_element)(struct output *, FILE *, const struct type *, const void *));
/* kstack/ustack text (§10.6): "\n" and one line per frame; without the
 * leading newline when `json`. An unreadable stack renders as no frames. */
void output_stack_text(struct output *o, FILE *f, const struct type *t, const void *data,
		       bool json);
/* The function names of a stack's frames, leaf first, one per line, without
 * offsets (what flame graphs group frames by): malloc'ed, "" for an
 * unreadable stack, NULL if out of memory. */
char *output_stack_names(struct output *o, const struct type *t, const void *data);

/* The same without stack map or symbolizer context (stacks print empty,
 * symbols are resolved with a temporary symbolizer): for callers that only
 * have the program. */
char *output_render_text_alloc(const struct compiled_program *prog, const struct type *t,
			       const void *data, size_t *len);

/* ---- Internal to the runtime/output*.c renderers ----
 * Lowest first: values.c (value words, per-CPU merge, averages), json.c
 * (the JSON writer), hist.c and output_sym.c (stack, symbol, time text);
 * then the two renderers, output_text.c and output_json.c, which do not
 * use each other; then output_map.c (maps) and output.c (records). */

struct map_entry;

/* The rendering context with only the program: no stack map (stacks print
 * empty), the symbolizer created at first use. output_free() it. */
void output_init_bare(struct output *o, const struct compiled_program *prog);
/* The text of a stack, symbol, timestamp or inet address value (what
 * output_text() prints for them); false for other kinds. */
bool output_sym_text(struct output *o, FILE *f, const struct type *t, const void *data);
/* Bytes as %r prints them (printable ASCII, else \xNN); mode 'x': all as
 * \xNN (%rx); 'h': hex pairs separated by spaces (%rh). */
void output_bytes(FILE *f, char mode, const unsigned char *b, size_t n);
/* The value part of a map entry that is not a histogram, counts and
 * numbers divided by div (div <= 1: not divided); JSON also renders
 * histograms (hist_print_json). */
void output_text_entry(struct output *o, FILE *f, const struct type *vt,
		       const struct map_entry *e, int64_t div);
void output_json_entry(struct output *o, FILE *f, const struct type *vt,
		       const struct map_entry *e, int64_t div);
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
