#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diags_init(struct diags *d, struct arena *a, const char *filename, const char *src)
{
	memset(d, 0, sizeof(*d));
	d->arena = a;
	d->filename = filename;
	d->src = src;
	d->tail = &d->head;
	d->nsources = 1;
}

int diags_add_source(struct diags *d, const char *name, const char *src)
{
	if (d->nsources >= DIAG_MAX_SOURCES)
		return -1;
	struct diag_source *s = arena_alloc(d->arena, sizeof(*s));
	s->base = d->nsources++ * DIAG_LINE_SPACE;
	s->name = name;
	s->src = src;
	s->next = d->sources;
	d->sources = s;
	return s->base;
}

/* The file a location of the shared line space is in. */
static void source_of(const struct diags *d, int line, const char **name, const char **src)
{
	int base = line - diag_file_line(line);
	for (const struct diag_source *s = d->sources; s && base; s = s->next)
		if (s->base == base) {
			*name = s->name;
			*src = s->src;
			return;
		}
}

/* An entry already reported with the same level, place and text: the
 * copies of a macro body repeat the problems of the body. */
static struct diag_entry *find_same(const struct diags *d, enum diag_level level, const char *file,
				    const struct src_loc *loc, const char *msg)
{
	for (struct diag_entry *e = d->head; e; e = e->next)
		if (e->level == level && e->has_loc == (loc != NULL) && !strcmp(e->msg, msg) &&
		    (e->file == file || (e->file && file && !strcmp(e->file, file))) &&
		    (!loc || !memcmp(&e->loc, loc, sizeof(*loc))))
			return e;
	return NULL;
}

static struct diag_entry *add(struct diags *d, enum diag_level level, const char *file, const char *src,
			      const struct src_loc *loc, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *msg = arena_alloc(d->arena, (size_t)n + 1);
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	struct diag_entry *e = find_same(d, level, file, loc, msg);
	if (e)
		return e;
	e = arena_alloc(d->arena, sizeof(*e));
	e->msg = msg;
	e->file = file;
	e->src = src;
	e->level = level;
	if (loc) {
		e->has_loc = true;
		e->loc = *loc;
	}
	*d->tail = e;
	d->tail = &e->next;
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	return e;
}

struct diag_entry *diag_error(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag_entry *e = add(d, DIAG_ERROR, NULL, NULL, loc, fmt, ap);
	va_end(ap);
	return e;
}

struct diag_entry *diag_warning(struct diags *d, const struct src_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct diag_entry *e = add(d, DIAG_WARNING, NULL, NULL, loc, fmt, ap);
	va_end(ap);
	return e;
}

struct diag_entry *diag_vat(struct diags *d, enum diag_level level, const char *file, const char *src,
			    const struct src_loc *loc, const char *fmt, va_list ap)
{
	return add(d, level, file, src, loc, fmt, ap);
}

void diag_hint(struct diags *d, struct diag_entry *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *h = arena_alloc(d->arena, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(h, (size_t)n + 1, fmt, ap);
	va_end(ap);
	e->hint = h;
}

/* Start of 1-based line `line` in src, and its length without newline. */
static const char *find_line(const char *src, int line, size_t *len)
{
	const char *p = src;
	for (int l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	const char *end = strchr(p, '\n');
	*len = end ? (size_t)(end - p) : strlen(p);
	return p;
}

/* Long lines are cut to a window around the start of the marker. */
enum { EXCERPT_WIDTH = 160, EXCERPT_BEFORE = 40, SPAN_LINES = 10 };

/* The source line with tabs expanded to 4 spaces, then the marker line;
 * "..." stands for what a long line's window leaves out. */
static void print_excerpt(FILE *f, const char *line, size_t len, int col1, int col2)
{
	size_t from = 0, to = len;
	if (len > EXCERPT_WIDTH) {
		size_t c1 = (size_t)col1 - 1;
		from = c1 > EXCERPT_BEFORE ? c1 - EXCERPT_BEFORE : 0;
		to = from + EXCERPT_WIDTH < len ? from + EXCERPT_WIDTH : len;
	}
	fputs(from ? "..." : "", f);
	for (size_t i = from; i < to; i++) {
		if (line[i] == '\t')
			fputs("    ", f);
		else
			fputc(line[i], f);
	}
	fputs(to < len ? "...\n" : "\n", f);
	fputs(from ? "   " : "", f);
	/* past the end of the line only when it is shown whole (errors at
	 * the end of input) */
	for (size_t c = from + 1; c < (size_t)col2 && (to == len || c <= to); c++) {
		char ch = c < (size_t)col1 ? ' ' : '~';
		int reps = c - 1 < len && line[c - 1] == '\t' ? 4 : 1;
		for (int r = 0; r < reps; r++)
			fputc(ch, f);
	}
	fputc('\n', f);
}

static void print_entry(const struct diags *d, FILE *f, const struct diag_entry *e)
{
	const char *label = e->level == DIAG_ERROR ? "ERROR" : "WARNING";
	const char *filename = e->file ? e->file : d->filename, *src = e->file ? e->src : d->src;
	struct src_loc loc = e->loc;
	if (e->has_loc && !e->file) {
		source_of(d, loc.first_line, &filename, &src);
		loc.first_line = diag_file_line(loc.first_line);
		loc.last_line = diag_file_line(loc.last_line);
	}
	if (!e->has_loc) {
		fprintf(f, "%s: %s\n", label, e->msg);
	} else if (loc.last_line > loc.first_line) {
		fprintf(f, "%s:%d-%d: %s: %s\n", filename, loc.first_line, loc.last_line,
			label, e->msg);
		int last = loc.last_line - loc.first_line < SPAN_LINES
				   ? loc.last_line : loc.first_line + SPAN_LINES - 1;
		for (int l = loc.first_line; l <= last; l++) {
			size_t len;
			const char *line = find_line(src, l, &len);
			if (line)
				fprintf(f, "%.*s%s\n", len > EXCERPT_WIDTH ? EXCERPT_WIDTH : (int)len, line,
					len > EXCERPT_WIDTH ? "..." : "");
		}
		if (last < loc.last_line)
			fprintf(f, "... (%d more lines)\n", loc.last_line - last);
	} else {
		int c1 = loc.first_column, c2 = loc.last_column;
		if (c2 <= c1)
			c2 = c1 + 1;
		fprintf(f, "%s:%d:%d-%d: %s: %s\n", filename, loc.first_line, c1, c2, label,
			e->msg);
		size_t len;
		const char *line = find_line(src, loc.first_line, &len);
		if (line)
			print_excerpt(f, line, len, c1, c2);
	}
	if (e->hint)
		fprintf(f, "HINT: %s\n", e->hint);
}

void diags_print(const struct diags *d, FILE *f, enum diag_level level)
{
	for (const struct diag_entry *e = d->head; e; e = e->next)
		if (e->level == level)
			print_entry(d, f, e);
}

const char *diag_render(struct diags *d, enum diag_level level, const struct src_loc *loc, const char *msg)
{
	struct diag_entry e = { .level = level, .msg = msg };
	if (loc) {
		e.has_loc = true;
		e.loc = *loc;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return msg;
	print_entry(d, f, &e);
	fclose(f);
	const char *out = arena_strndup(d->arena, buf ? buf : "", len);
	free(buf);
	return out;
}
