/* The preprocessor of §1.6, run on the source text before lexing: handles
 * #define (object- and function-like), #undef, #ifdef/#ifndef/#if/#elif/
 * #else/#endif and #include. Macros live in pp_macro.c, #if expressions in
 * pp_expr.c, the header search in pp_include.c.
 *
 * Every line of the script keeps its line number: directive lines and
 * lines of false branches become empty, so diagnostics still point at the
 * right line. The text of an included header never reaches the script: it
 * goes, preprocessed, to the list of C headers. */
#include "pp.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

void pp_diag(struct pp *p, enum diag_level level, const struct src_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const struct pp_file *f = p->cur;
	diag_vat(p->diags, level, f && f->header ? f->path : NULL, f && f->header ? f->src : NULL, loc, fmt, ap);
	va_end(ap);
}

static bool active(const struct pp *p)
{
	return p->depth == 0 || p->active[p->depth - 1];
}

/* The text of a directive line without its trailing comment. */
static char *strip_comment(struct arena *a, const char *s, size_t n)
{
	char *t = arena_strndup(a, s, n);
	for (char *q = t; *q; q++) {
		if (*q == '"') {
			for (q++; *q && *q != '"'; q++)
				if (*q == '\\' && q[1])
					q++;
			if (!*q)
				break;
		} else if (q[0] == '/' && (q[1] == '/' || q[1] == '*')) {
			*q = 0;
			break;
		}
	}
	size_t len = strlen(t);
	while (len && isspace((unsigned char)t[len - 1]))
		t[--len] = 0;
	return t;
}

/* One directive line. */
struct dline {
	const char *line; /* the (logical) line and its length */
	size_t n;
	const char *kw; /* the directive's name */
	size_t kwlen;
	char *rest;     /* after the name, without the comment */
	struct src_loc loc;
};

static void do_define(struct pp *p, struct dline *d)
{
	const char *rest = d->rest;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	const char *name = rest;
	while (ident_char(*rest))
		rest++;
	if (rest == name || !ident_start(*name)) {
		pp_diag(p, DIAG_ERROR, &d->loc, "#define needs a macro name");
		return;
	}
	char *nm = arena_strndup(p->arena, name, (size_t)(rest - name));
	if (*rest != '(') {
		while (*rest == ' ' || *rest == '\t')
			rest++;
		pp_define(p, nm, rest);
		return;
	}
	struct pp_macro m = { .nparams = 0 };
	rest++;
	while (*rest && *rest != ')') {
		while (*rest == ' ' || *rest == ',' || *rest == '\t')
			rest++;
		const char *ps = rest;
		while (ident_char(*rest))
			rest++;
		bool dots = !strncmp(rest, "...", 3);
		if (rest == ps && !dots)
			break;
		if (m.nparams < MAX_PARAMS)
			m.params[m.nparams++] = rest == ps ? "__VA_ARGS__" : arena_strndup(p->arena, ps, (size_t)(rest - ps));
		if (dots) {
			m.variadic = true;
			rest += 3;
		}
		while (*rest == ' ' || *rest == '\t')
			rest++;
	}
	if (*rest != ')') {
		pp_diag(p, DIAG_ERROR, &d->loc, "#define %s: missing ')' in the parameter list", nm);
		return;
	}
	rest++;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	struct pp_macro *slot = pp_define(p, nm, rest);
	slot->nparams = m.nparams;
	slot->variadic = m.variadic;
	memcpy(slot->params, m.params, sizeof(m.params));
}

static void do_undef(struct pp *p, struct dline *d)
{
	const char *rest = d->rest;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	size_t n = 0;
	while (ident_char(rest[n]))
		n++;
	pp_undef(p, rest, n);
}

static void push_cond(struct pp *p, bool value, const struct src_loc *loc)
{
	if (p->depth - p->cur->cond_base >= MAX_COND_DEPTH) {
		pp_diag(p, DIAG_ERROR, loc, "conditionals nested too deeply");
		return;
	}
	if (p->depth == p->cond_cap) {
		int cap = p->cond_cap ? p->cond_cap * 2 : 64;
		bool *a = arena_alloc(p->arena, (size_t)cap), *t = arena_alloc(p->arena, (size_t)cap);
		if (p->depth) {
			memcpy(a, p->active, (size_t)p->depth);
			memcpy(t, p->taken, (size_t)p->depth);
		}
		p->active = a;
		p->taken = t;
		p->cond_cap = cap;
	}
	bool outer = active(p);
	p->active[p->depth] = outer && value;
	p->taken[p->depth] = value || !outer;
	p->depth++;
}

/* The name after #ifdef / #ifndef. */
static const char *cond_name(struct dline *d, size_t *len)
{
	const char *name = d->rest;
	while (*name == ' ' || *name == '\t')
		name++;
	*len = 0;
	while (ident_char(name[*len]))
		(*len)++;
	return name;
}

static void do_ifdef(struct pp *p, struct dline *d)
{
	size_t len;
	const char *name = cond_name(d, &len);
	bool def = pp_find(p, name, len) != NULL;
	push_cond(p, d->kw[2] == 'd' ? def : !def, &d->loc);
}

static void do_if(struct pp *p, struct dline *d)
{
	push_cond(p, active(p) && pp_eval_cond(p, d->rest, &d->loc), &d->loc);
}

static void do_else_endif(struct pp *p, struct dline *d)
{
	if (p->depth <= p->cur->cond_base) {
		pp_diag(p, DIAG_ERROR, &d->loc, "#%.*s without #if", (int)d->kwlen, d->kw);
		return;
	}
	int i = p->depth - 1;
	bool outer = i == 0 || p->active[i - 1];
	if (d->kw[1] == 'n') { /* endif */
		p->depth--;
	} else if (d->kw[1] == 'l' && d->kw[2] == 's') { /* else */
		p->active[i] = outer && !p->taken[i];
		p->taken[i] = true;
	} else {
		bool v = outer && !p->taken[i] && pp_eval_cond(p, d->rest, &d->loc);
		p->active[i] = v;
		p->taken[i] |= v;
	}
}

static void do_include(struct pp *p, struct dline *d)
{
	pp_include(p, d->line, d->n, d->rest, &d->loc, d->kwlen > 7);
}

static void do_error(struct pp *p, struct dline *d)
{
	const char *msg = d->rest;
	while (*msg == ' ' || *msg == '\t')
		msg++;
	pp_diag(p, d->kw[0] == 'e' ? DIAG_ERROR : DIAG_WARNING, &d->loc, "#%.*s %s", (int)d->kwlen, d->kw, msg);
}

static void do_pragma(struct pp *p, struct dline *d)
{
	size_t len;
	const char *w = cond_name(d, &len);
	if (len == 4 && !strncmp(w, "once", 4) && p->cur->header)
		p->cur->guard_state = -1;
}

static void do_ignore(struct pp *p, struct dline *d)
{
	(void)p;
	(void)d;
}

enum { IN_INACTIVE = 1, HEADERS_ONLY = 2 };
static const struct {
	const char *name;
	void (*run)(struct pp *, struct dline *);
	unsigned flags;
} directives[] = {
	{ "ifdef", do_ifdef, IN_INACTIVE },
	{ "ifndef", do_ifdef, IN_INACTIVE },
	{ "if", do_if, IN_INACTIVE },
	{ "elif", do_else_endif, IN_INACTIVE },
	{ "else", do_else_endif, IN_INACTIVE },
	{ "endif", do_else_endif, IN_INACTIVE },
	{ "define", do_define, 0 },
	{ "undef", do_undef, 0 },
	{ "include", do_include, 0 },
	{ "include_next", do_include, 0 },
	{ "error", do_error, 0 },
	{ "warning", do_error, 0 },
	{ "pragma", do_pragma, HEADERS_ONLY },
	{ "line", do_ignore, HEADERS_ONLY },
	{ "ident", do_ignore, HEADERS_ONLY },
	{ "sccs", do_ignore, HEADERS_ONLY },
	{ "assert", do_ignore, HEADERS_ONLY },
	{ "unassert", do_ignore, HEADERS_ONLY },
};

/* Include guards: a header whose first directive is #ifndef X, whose
 * matching #endif ends it and which has nothing outside them needs no
 * second reading once X is defined. guard_state: 0 nothing seen yet,
 * 1 inside the guard, 2 after its #endif, 3 not guarded, -1 #pragma once. */
static void note_guard(struct pp *p, struct pp_file *f, const struct dline *d)
{
	if (!f->header || f->guard_state < 0 || f->guard_state == 3)
		return;
	bool endif = d && d->kwlen == 5 && !strncmp(d->kw, "endif", 5);
	bool ifndef = d && d->kwlen == 6 && !strncmp(d->kw, "ifndef", 6);
	if (f->guard_state == 0 && ifndef) {
		size_t len;
		const char *name = cond_name((struct dline *)d, &len);
		f->guard = arena_strndup(p->arena, name, len);
		f->guard_state = 1;
	} else if (f->guard_state == 1 && d) {
		bool at_guard = p->depth == f->cond_base + (endif ? 0 : 1);
		if (at_guard && (endif || d->kw[0] == 'e')) /* its #endif, or an #else/#elif */
			f->guard_state = endif ? 2 : 3;
	} else if (f->guard_state != 1) {
		f->guard_state = 3;
	}
}

static void directive(struct pp *p, const char *line, size_t n, int lineno, int width)
{
	const char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	s++; /* '#' */
	while (*s == ' ' || *s == '\t')
		s++;
	struct dline d = { .line = line, .n = n, .kw = s, .loc = { lineno, 1, lineno, width + 1 } };
	while (ident_char(*s))
		s++;
	d.kwlen = (size_t)(s - d.kw);
	if (!d.kwlen && s == line + n)
		return; /* `#` alone: the null directive */
	bool header = p->cur->header;
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
		if (strlen(directives[i].name) != d.kwlen || strncmp(directives[i].name, d.kw, d.kwlen))
			continue;
		if (!(directives[i].flags & IN_INACTIVE) && !active(p))
			return;
		if ((directives[i].flags & HEADERS_ONLY) && !header)
			break;
		d.rest = strip_comment(p->arena, s, n - (size_t)(s - line));
		directives[i].run(p, &d);
		if (directives[i].flags & IN_INACTIVE)
			note_guard(p, p->cur, &d);
		else
			note_guard(p, p->cur, NULL);
		return;
	}
	if (!active(p))
		return;
	note_guard(p, p->cur, NULL);
	if (!header) /* headers hold directives of other compilers; they are ignored */
		pp_diag(p, DIAG_WARNING, &d.loc, "ignoring unknown preprocessor directive #%.*s", (int)d.kwlen, d.kw);
}

/* A header line without its comments (each one a space); f->in_comment
 * carries a block comment to the next line. */
static const char *strip_c_comments(struct pp *p, struct pp_file *f, const char *s, size_t n, size_t *len)
{
	if (!f->in_comment && !memchr(s, '/', n)) {
		*len = n;
		return s;
	}
	struct buf b = { .arena = p->arena };
	size_t i = 0;
	while (i < n) {
		if (f->in_comment) {
			while (i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/'))
				i++;
			if (i < n) {
				f->in_comment = false;
				i += 2;
			}
			buf_add(&b, " ", 1);
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			f->in_comment = true;
			i += 2;
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
			break;
		} else if (s[i] == '"' || s[i] == '\'') {
			size_t st = i++;
			while (i < n && s[i] != s[st]) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				i++;
			}
			i = i < n ? i + 1 : n;
			buf_add(&b, s + st, i - st);
		} else {
			buf_add(&b, s + i++, 1);
		}
	}
	*len = b.len;
	return b.out ? b.out : "";
}

static bool is_directive(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < n && s[i] == '#';
}

void pp_process(struct pp *p, struct pp_file *f)
{
	struct buf *out = f->header ? &f->out : NULL;
	/* the script's lines are numbered in its part of the diagnostics'
	 * line space (an imported file's is not the script's) */
	int base = f->header ? 0 : p->opts.line_base, lineno = base;
	for (const char *line = f->src; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		int first = ++lineno, width = (int)n;
		bool shebang = !f->header && lineno == base + 1 && n >= 2 && line[0] == '#' && line[1] == '!';
		bool dir = !shebang && (f->header ? !f->in_comment : !p->in_comment) && is_directive(line, n);
		const char *text = line;
		size_t len = n;
		/* backslash-newline joins lines: always in headers, in directives of the script */
		if ((f->header || dir) && end && n && line[n - 1] == '\\') {
			struct buf j = { .arena = p->arena };
			while (end && n && line[n - 1] == '\\') {
				buf_add(&j, line, n - 1);
				line = end + 1;
				end = strchr(line, '\n');
				n = end ? (size_t)(end - line) : strlen(line);
				lineno++;
			}
			buf_add(&j, line, n);
			text = j.out;
			len = j.len;
		}
		if (f->header) {
			text = strip_c_comments(p, f, text, len, &len);
			dir = dir && is_directive(text, len);
		}
		p->line_loc = (struct src_loc){ first, 1, first, width + 1 };
		p->expansions = 0;
		p->line_bytes = 0;
		p->too_large = false;
		if (dir) {
			directive(p, text, len, first, width);
		} else if (active(p)) {
			if (f->header) {
				for (size_t i = 0; i < len; i++)
					if (!isspace((unsigned char)text[i])) {
						note_guard(p, f, NULL);
						break;
					}
				pp_expand(p, out, text, len, 0);
			} else if (shebang) {
				buf_add(&p->script_out, text, len);
			} else {
				pp_expand(p, &p->script_out, text, len, 0);
			}
		}
		for (int i = first; i <= lineno; i++)
			buf_add(f->header ? out : &p->script_out, "\n", end || i < lineno ? 1 : 0);
		if (!end)
			break;
		line = end + 1;
	}
	if (p->depth > f->cond_base) {
		struct src_loc loc = { lineno, 1, lineno, 2 };
		pp_diag(p, DIAG_ERROR, &loc, "unterminated #if/#ifdef/#ifndef");
		p->depth = f->cond_base;
	}
}

/* What a C compiler for this target predefines and headers test. */
static const char *const predefined[][2] = {
	{ "BPFTRACE_HAVE_BTF", "1" },
	{ "SONDE_HAVE_BTF", "1" },
#if defined(__x86_64__)
	{ "__TARGET_ARCH_x86", "1" },
	{ "__x86_64__", "1" },
	{ "__x86_64", "1" },
	{ "__amd64__", "1" },
	{ "__amd64", "1" },
#elif defined(__aarch64__)
	{ "__TARGET_ARCH_arm64", "1" },
	{ "__aarch64__", "1" },
#endif
	{ "__linux__", "1" },
	{ "__linux", "1" },
	{ "__gnu_linux__", "1" },
	{ "__unix__", "1" },
	{ "__unix", "1" },
	{ "__ELF__", "1" },
	{ "__LP64__", "1" },
	{ "_LP64", "1" },
	{ "__CHAR_BIT__", "8" },
	{ "__SIZEOF_SHORT__", "2" },
	{ "__SIZEOF_INT__", "4" },
	{ "__SIZEOF_LONG__", "8" },
	{ "__SIZEOF_LONG_LONG__", "8" },
	{ "__SIZEOF_POINTER__", "8" },
	{ "__SIZEOF_SIZE_T__", "8" },
	{ "__SIZEOF_WCHAR_T__", "4" },
	{ "__SIZEOF_INT128__", "16" },
	{ "__SCHAR_MAX__", "0x7f" },
	{ "__SHRT_MAX__", "0x7fff" },
	{ "__INT_MAX__", "0x7fffffff" },
	{ "__LONG_MAX__", "0x7fffffffffffffffL" },
	{ "__LONG_LONG_MAX__", "0x7fffffffffffffffLL" },
	{ "__WCHAR_MAX__", "0x7fffffff" },
	{ "__SIZE_TYPE__", "long unsigned int" },
	{ "__PTRDIFF_TYPE__", "long int" },
	{ "__WCHAR_TYPE__", "int" },
	{ "__ORDER_LITTLE_ENDIAN__", "1234" },
	{ "__ORDER_BIG_ENDIAN__", "4321" },
	{ "__ORDER_PDP_ENDIAN__", "3412" },
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	{ "__BYTE_ORDER__", "__ORDER_BIG_ENDIAN__" },
#else
	{ "__BYTE_ORDER__", "__ORDER_LITTLE_ENDIAN__" },
#endif
	{ "__STDC__", "1" },
	{ "__STDC_VERSION__", "201112L" },
	{ "__STDC_HOSTED__", "1" },
	{ "__GNUC__", "12" },
	{ "__GNUC_MINOR__", "2" },
	{ "__GNUC_PATCHLEVEL__", "0" },
};

const char *preprocess(struct arena *a, struct diags *d, const char *src, const struct pp_options *o,
		       struct c_header **headers)
{
	struct pp *p = arena_alloc(a, sizeof(*p));
	p->arena = a;
	p->diags = d;
	if (o)
		p->opts = *o;
	p->script_out.arena = a;
	p->headers_tail = &p->headers;
	for (size_t i = 0; i < sizeof(predefined) / sizeof(predefined[0]); i++)
		pp_define(p, predefined[i][0], predefined[i][1]);
	pp_search_init(p);
	struct pp_file script = { .src = src, .dir = p->opts.script_dir ? p->opts.script_dir : ".", .found_at = -1 };
	p->cur = &script;
	/* --include F: as if `#include "F"` came first, looked up from the
	 * working directory first (as -include does in C compilers) */
	struct pp_file cwd = { .dir = ".", .found_at = -1 };
	for (int i = 0; i < p->opts.ninclude_files; i++) {
		p->cur = &cwd;
		int found;
		const char *path = pp_search(p, p->opts.include_files[i], true, 0, &found);
		p->cur = &script;
		if (!path)
			diag_error(d, NULL, "--include: '%s' file not found", p->opts.include_files[i]);
		else
			pp_include_file(p, path, found, NULL);
	}
	pp_process(p, &script);
	if (headers)
		*headers = p->headers;
	return p->script_out.out ? p->script_out.out : "";
}
