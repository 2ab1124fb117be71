/* Located diagnostics: collected during a compilation, printed together in
 * the `FILE:L:C1-C2: ERROR: msg` + source line + `~~~` format. */
#ifndef SONDE_DIAG_H
#define SONDE_DIAG_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "arena.h"

/* Layout-compatible with bison's YYLTYPE; columns are 1-based bytes and
 * last_column is one past the last marked byte. */
struct src_loc {
	int first_line, first_column;
	int last_line, last_column;
};

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag_entry {
	struct diag_entry *next;
	enum diag_level level;
	bool has_loc;
	struct src_loc loc;
	const char *msg;
	const char *hint; /* may be NULL */
	const char *file, *src; /* another file than the script (a header), or NULL */
};

/* Several source files (the script and the files it imports) share one
 * line space: the lines of source k are numbered k * DIAG_LINE_SPACE + 1,
 * ..., so a src_loc says by itself which file it is in. The script is
 * source 0. */
enum { DIAG_LINE_SPACE = 1 << 20, DIAG_MAX_SOURCES = 2000 };

struct diag_source {
	struct diag_source *next;
	int base;          /* its first line is base + 1 */
	const char *name;  /* as shown in messages */
	const char *src;
};

struct diags {
	struct arena *arena;
	const char *filename; /* as shown in messages: path or "stdin" */
	const char *src;      /* whole source text (NUL-terminated) */
	struct diag_source *sources; /* the other source files */
	int nsources;         /* including the script */
	struct diag_entry *head, **tail;
	int errors, warnings;
};

void diags_init(struct diags *d, struct arena *a, const char *filename, const char *src);
/* Register another source file: returns the line base its locations use
 * (see DIAG_LINE_SPACE), or -1 when there are too many. */
int diags_add_source(struct diags *d, const char *name, const char *src);
/* The line of a location within its own file. */
static inline int diag_file_line(int line)
{
	return line % DIAG_LINE_SPACE;
}
struct diag_entry *diag_error(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct diag_entry *diag_warning(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A diagnostic in another file than the script (an included header);
 * file NULL means the script. */
struct diag_entry *diag_vat(struct diags *d, enum diag_level level, const char *file, const char *src,
			    const struct src_loc *loc, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
void diag_hint(struct diags *d, struct diag_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* One diagnostic rendered as it would be printed (arena string). */
const char *diag_render(struct diags *d, enum diag_level level, const struct src_loc *loc, const char *msg);
/* Print errors then warnings of the given level set to f. */
void diags_print(const struct diags *d, FILE *f, enum diag_level level);

#endif
