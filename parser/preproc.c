/* The preprocessor of §1.6, run on the source text before lexing: handles
 * #define (object- and function-like), #undef, #ifdef/#ifndef/#if/#elif/
 * #else/#endif and skips #include <...> (kernel types come from BTF).
 *
 * Every line keeps its line number: directive lines and lines of false
 * branches become empty, so diagnostics still point at the right line.
 * Lines it does not handle (#include "file") are left for the parser,
 * which reports them as not supported. */
#include "preproc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_MACROS = 512, MAX_PARAMS = 16, MAX_COND_DEPTH = 64, MAX_EXPANSION_DEPTH = 32 };
/* Macros can grow exponentially (`#define B A A`, `#define C B B`, ...):
 * past these budgets, far above what any real script needs, expansion
 * stops with an error. */
enum { MAX_EXPANSIONS = 4096, MAX_OUTPUT = 256 << 10 };

struct pp_macro {
	const char *name;
	const char *body;
	int nparams; /* -1: object-like */
	const char *params[MAX_PARAMS];
};

/* A growing text (arena memory, NUL-terminated). */
struct buf {
	struct arena *arena;
	char *out;
	size_t len, cap;
};

struct pp {
	struct arena *arena;
	struct diags *diags;
	struct pp_macro macros[MAX_MACROS];
	int nmacros;
	/* per nesting level: this branch is active / some branch was taken */
	bool active[MAX_COND_DEPTH], taken[MAX_COND_DEPTH];
	int depth;
	bool in_comment; /* inside a block comment spanning lines */
	struct src_loc line_loc; /* the line being expanded */
	int expansions;
	bool too_large; /* a budget was exceeded (and reported) */
	struct buf o;   /* the output */
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *nb = arena_alloc(b->arena, cap);
		if (b->len) /* the first buffer has nothing to copy (out is NULL) */
			memcpy(nb, b->out, b->len);
		b->out = nb;
		b->cap = cap;
	}
	if (n)
		memcpy(b->out + b->len, s, n);
	b->len += n;
	b->out[b->len] = 0;
}

static void emit(struct pp *p, const char *s, size_t n)
{
	buf_add(&p->o, s, n);
}

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static struct pp_macro *find(struct pp *p, const char *name, size_t n)
{
	for (int i = 0; i < p->nmacros; i++)
		if (strlen(p->macros[i].name) == n && !strncmp(p->macros[i].name, name, n))
			return &p->macros[i];
	return NULL;
}

static bool active(const struct pp *p)
{
	return p->depth == 0 || p->active[p->depth - 1];
}

static void define(struct pp *p, const char *name, const char *body)
{
	struct pp_macro *m = find(p, name, strlen(name));
	if (!m) {
		if (p->nmacros == MAX_MACROS)
			return;
		m = &p->macros[p->nmacros++];
	}
	m->name = name;
	m->body = body;
	m->nparams = -1;
}

/* Copy `text` (length n) expanding macros outside strings and comments. */
static void expand(struct pp *p, const char *text, size_t n, int level);

static void too_large(struct pp *p)
{
	if (!p->too_large)
		diag_error(p->diags, &p->line_loc, "macro expansion is too large (over %d expansions or %d KiB)",
			   MAX_EXPANSIONS, MAX_OUTPUT >> 10);
	p->too_large = true;
}

/* May one more macro be expanded? */
static bool within_budget(struct pp *p)
{
	if (++p->expansions > MAX_EXPANSIONS || p->o.len > MAX_OUTPUT)
		too_large(p);
	return !p->too_large;
}

static void expand_macro(struct pp *p, const struct pp_macro *m, const char **args, const size_t *arglen,
			 int level)
{
	if (m->nparams < 0) {
		expand(p, m->body, strlen(m->body), level + 1);
		return;
	}
	/* substitute parameters textually, then expand the result */
	struct buf sub = { .arena = p->arena };
	const char *b = m->body;
	while (*b) {
		if (ident_start(*b)) {
			const char *s = b;
			while (ident_char(*b))
				b++;
			int k = -1;
			for (int i = 0; i < m->nparams; i++)
				if (strlen(m->params[i]) == (size_t)(b - s) && !strncmp(m->params[i], s, (size_t)(b - s)))
					k = i;
			if (k >= 0 && sub.len + arglen[k] > MAX_OUTPUT) {
				too_large(p);
				return;
			}
			if (k >= 0)
				buf_add(&sub, args[k], arglen[k]);
			else
				buf_add(&sub, s, (size_t)(b - s));
		} else {
			buf_add(&sub, b++, 1);
		}
	}
	if (sub.out)
		expand(p, sub.out, sub.len, level + 1);
}

/* After a function-like macro's name at *pos: parse `( args )`. */
static bool parse_args(const char *text, size_t n, size_t *pos, const char **args, size_t *arglen, int *nargs)
{
	size_t i = *pos;
	while (i < n && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i >= n || text[i] != '(')
		return false;
	i++;
	int depth = 0, k = 0;
	size_t start = i;
	for (; i < n; i++) {
		char c = text[i];
		if (c == '"') {
			for (i++; i < n && text[i] != '"'; i++)
				if (text[i] == '\\')
					i++;
			continue;
		}
		if (c == '(') {
			depth++;
		} else if ((c == ',' && depth == 0) || (c == ')' && depth == 0)) {
			if (k < MAX_PARAMS) {
				args[k] = text + start;
				arglen[k] = i - start;
				k++;
			}
			start = i + 1;
			if (c == ')') {
				*nargs = (k == 1 && arglen[0] == 0) ? 0 : k;
				*pos = i + 1;
				return true;
			}
		} else if (c == ')') {
			depth--;
		}
	}
	return false;
}

static void expand(struct pp *p, const char *text, size_t n, int level)
{
	size_t i = 0;
	while (i < n) {
		char c = text[i];
		if (p->in_comment) {
			const char *end = strstr(text + i, "*/");
			size_t stop = end && (size_t)(end - text) < n ? (size_t)(end - text) + 2 : n;
			emit(p, text + i, stop - i);
			if (stop < n || (end && (size_t)(end - text) + 2 == n))
				p->in_comment = false;
			i = stop;
			continue;
		}
		if (c == '/' && i + 1 < n && text[i + 1] == '*') {
			p->in_comment = true;
			emit(p, text + i, 2);
			i += 2;
			continue;
		}
		if (c == '/' && i + 1 < n && text[i + 1] == '/') {
			emit(p, text + i, n - i);
			return;
		}
		if (c == '"') {
			size_t s = i++;
			while (i < n && text[i] != '"') {
				if (text[i] == '\\' && i + 1 < n)
					i++;
				i++;
			}
			i = i < n ? i + 1 : n;
			emit(p, text + s, i - s);
			continue;
		}
		if (ident_start(c) && (i == 0 || !ident_char(text[i - 1]))) {
			size_t s = i;
			while (i < n && ident_char(text[i]))
				i++;
			struct pp_macro *m = level < MAX_EXPANSION_DEPTH ? find(p, text + s, i - s) : NULL;
			if (m && !within_budget(p))
				m = NULL;
			const char *args[MAX_PARAMS];
			size_t arglen[MAX_PARAMS];
			int nargs = 0;
			size_t after = i;
			if (m && m->nparams < 0) {
				expand_macro(p, m, NULL, NULL, level);
			} else if (m && parse_args(text, n, &after, args, arglen, &nargs) && nargs == m->nparams) {
				expand_macro(p, m, args, arglen, level);
				i = after;
			} else {
				emit(p, text + s, i - s);
			}
			continue;
		}
		emit(p, text + i, 1);
		i++;
	}
}

/* ---- #if expressions: integers, defined(X), macros, ! && || comparisons,
 * + - * / ( ) ---- */

struct cond {
	struct pp *p;
	const char *s;
	bool error;
};

static long long cond_or(struct cond *c);

static void skip_ws(struct cond *c)
{
	while (*c->s == ' ' || *c->s == '\t')
		c->s++;
}

static long long cond_primary(struct cond *c)
{
	skip_ws(c);
	if (*c->s == '(') {
		c->s++;
		long long v = cond_or(c);
		skip_ws(c);
		if (*c->s == ')')
			c->s++;
		else
			c->error = true;
		return v;
	}
	if (*c->s == '!') {
		c->s++;
		return !cond_primary(c);
	}
	if (*c->s == '-') {
		c->s++;
		/* wrapping, as the other operators: no overflow trap */
		return (long long)(0ULL - (unsigned long long)cond_primary(c));
	}
	if (isdigit((unsigned char)*c->s)) {
		char *end;
		long long v = strtoll(c->s, &end, 0);
		c->s = end;
		while (*c->s == 'u' || *c->s == 'U' || *c->s == 'l' || *c->s == 'L')
			c->s++;
		return v;
	}
	if (ident_start(*c->s)) {
		const char *s = c->s;
		while (ident_char(*c->s))
			c->s++;
		size_t n = (size_t)(c->s - s);
		if (n == 7 && !strncmp(s, "defined", 7)) {
			skip_ws(c);
			bool paren = *c->s == '(';
			if (paren)
				c->s++;
			skip_ws(c);
			const char *name = c->s;
			while (ident_char(*c->s))
				c->s++;
			bool def = find(c->p, name, (size_t)(c->s - name)) != NULL;
			skip_ws(c);
			if (paren && *c->s == ')')
				c->s++;
			return def;
		}
		/* Macros were expanded before: what is left, an unknown name or
		 * one that names itself, is 0 as in C. */
		return 0;
	}
	c->error = true;
	return 0;
}

static long long cond_mul(struct cond *c)
{
	long long v = cond_primary(c);
	for (;;) {
		skip_ws(c);
		char op = *c->s;
		if (op != '*' && op != '/' && op != '%')
			return v;
		c->s++;
		long long r = cond_primary(c);
		if (op == '*')
			v = (long long)((unsigned long long)v * (unsigned long long)r);
		else if (r == 0)
			v = 0;
		else if (r == -1) /* LLONG_MIN / -1 would trap: wrap instead */
			v = op == '/' ? (long long)(0ULL - (unsigned long long)v) : 0;
		else
			v = op == '/' ? v / r : v % r;
	}
}

static long long cond_add(struct cond *c)
{
	long long v = cond_mul(c);
	for (;;) {
		skip_ws(c);
		if (*c->s != '+' && *c->s != '-')
			return v;
		char op = *c->s++;
		long long r = cond_mul(c);
		unsigned long long a = (unsigned long long)v, b = (unsigned long long)r;
		v = (long long)(op == '+' ? a + b : a - b);
	}
}

static long long cond_cmp(struct cond *c)
{
	long long v = cond_add(c);
	for (;;) {
		skip_ws(c);
		const char *s = c->s;
		if (!strncmp(s, "==", 2) || !strncmp(s, "!=", 2) || !strncmp(s, "<=", 2) || !strncmp(s, ">=", 2)) {
			c->s += 2;
			long long r = cond_add(c);
			v = s[0] == '=' ? v == r : s[0] == '!' ? v != r : s[0] == '<' ? v <= r : v >= r;
		} else if ((*s == '<' || *s == '>') && s[1] != s[0]) {
			c->s++;
			long long r = cond_add(c);
			v = *s == '<' ? v < r : v > r;
		} else {
			return v;
		}
	}
}

static long long cond_and(struct cond *c)
{
	long long v = cond_cmp(c);
	for (;;) {
		skip_ws(c);
		if (strncmp(c->s, "&&", 2))
			return v;
		c->s += 2;
		long long r = cond_cmp(c);
		v = v && r;
	}
}

static long long cond_or(struct cond *c)
{
	long long v = cond_and(c);
	for (;;) {
		skip_ws(c);
		if (strncmp(c->s, "||", 2))
			return v;
		c->s += 2;
		long long r = cond_and(c);
		v = v || r;
	}
}

/* ---- directives ---- */

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

static void do_define(struct pp *p, const char *rest, const struct src_loc *loc)
{
	while (*rest == ' ' || *rest == '\t')
		rest++;
	const char *name = rest;
	while (ident_char(*rest))
		rest++;
	if (rest == name || !ident_start(*name)) {
		diag_error(p->diags, loc, "#define needs a macro name");
		return;
	}
	char *nm = arena_strndup(p->arena, name, (size_t)(rest - name));
	if (*rest == '(') {
		struct pp_macro m = { .name = nm, .nparams = 0 };
		rest++;
		while (*rest && *rest != ')') {
			while (*rest == ' ' || *rest == ',' || *rest == '\t')
				rest++;
			const char *ps = rest;
			while (ident_char(*rest))
				rest++;
			if (rest == ps)
				break;
			if (m.nparams < MAX_PARAMS)
				m.params[m.nparams++] = arena_strndup(p->arena, ps, (size_t)(rest - ps));
		}
		if (*rest != ')') {
			diag_error(p->diags, loc, "#define %s: missing ')' in the parameter list", nm);
			return;
		}
		rest++;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		m.body = rest;
		struct pp_macro *slot = find(p, nm, strlen(nm));
		if (!slot && p->nmacros < MAX_MACROS)
			slot = &p->macros[p->nmacros++];
		if (slot)
			*slot = m;
		return;
	}
	while (*rest == ' ' || *rest == '\t')
		rest++;
	define(p, nm, rest);
}

static void do_undef(struct pp *p, const char *rest)
{
	while (*rest == ' ' || *rest == '\t')
		rest++;
	size_t n = 0;
	while (ident_char(rest[n]))
		n++;
	struct pp_macro *m = find(p, rest, n);
	if (m)
		*m = p->macros[--p->nmacros];
}

static bool push_cond(struct pp *p, bool value, const struct src_loc *loc)
{
	if (p->depth == MAX_COND_DEPTH) {
		diag_error(p->diags, loc, "conditionals nested too deeply");
		return false;
	}
	bool outer = active(p);
	p->active[p->depth] = outer && value;
	p->taken[p->depth] = value || !outer;
	p->depth++;
	return true;
}

/* Is s (in expr) the word `defined`? */
static bool defined_word(const char *expr, const char *s)
{
	return !strncmp(s, "defined", 7) && !ident_char(s[7]) && (s == expr || !ident_char(s[-1]));
}

/* `defined X` / `defined(X)` become 1 or 0, then macros are expanded. */
static const char *expand_condition(struct pp *p, const char *expr)
{
	/* expanded into a buffer of its own, then the output is restored */
	struct buf saved = p->o;
	bool in_comment = p->in_comment;
	p->o = (struct buf){ .arena = p->arena };
	p->in_comment = false;
	const char *s = expr;
	while (*s) {
		if (defined_word(expr, s)) {
			s += 7;
			while (*s == ' ' || *s == '\t')
				s++;
			bool paren = *s == '(';
			if (paren)
				s++;
			while (*s == ' ' || *s == '\t')
				s++;
			const char *name = s;
			while (ident_char(*s))
				s++;
			bool def = find(p, name, (size_t)(s - name)) != NULL;
			while (*s == ' ' || *s == '\t')
				s++;
			if (paren && *s == ')')
				s++;
			emit(p, def ? " 1 " : " 0 ", 3);
			continue;
		}
		/* up to the next `defined` that is a word of its own (one inside
		 * a longer identifier, `definedx`, is part of the text) */
		const char *start = s;
		while (*s && !defined_word(expr, s))
			s++;
		expand(p, start, (size_t)(s - start), 0);
	}
	const char *out = p->o.out ? p->o.out : "";
	p->o = saved;
	p->in_comment = in_comment;
	return out;
}

static bool eval_cond(struct pp *p, const char *expr, const struct src_loc *loc)
{
	while (*expr == ' ' || *expr == '\t')
		expr++;
	struct cond c = { .p = p, .s = expand_condition(p, expr) };
	long long v = cond_or(&c);
	skip_ws(&c);
	if (c.error || *c.s)
		diag_error(p->diags, loc, "invalid #if expression: %s", expr);
	return v != 0;
}

/* Handle one directive line; returns false to leave the line to the parser. */
static bool directive(struct pp *p, const char *line, size_t n, int lineno)
{
	const char *s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	s++; /* '#' */
	while (*s == ' ' || *s == '\t')
		s++;
	const char *kw = s;
	while (isalpha((unsigned char)*s))
		s++;
	size_t kwlen = (size_t)(s - kw);
	char *rest = strip_comment(p->arena, s, n - (size_t)(s - line));
	struct src_loc loc = { lineno, 1, lineno, (int)n + 1 };
#define IS(word) (kwlen == sizeof(word) - 1 && !strncmp(kw, word, kwlen))
	if (IS("ifdef") || IS("ifndef")) {
		const char *name = rest;
		while (*name == ' ' || *name == '\t')
			name++;
		size_t len = 0;
		while (ident_char(name[len]))
			len++;
		bool def = find(p, name, len) != NULL;
		push_cond(p, IS("ifdef") ? def : !def, &loc);
		return true;
	}
	if (IS("if")) {
		push_cond(p, active(p) && eval_cond(p, rest, &loc), &loc);
		return true;
	}
	if (IS("elif") || IS("else") || IS("endif")) {
		if (p->depth == 0) {
			diag_error(p->diags, &loc, "#%.*s without #if", (int)kwlen, kw);
			return true;
		}
		int d = p->depth - 1;
		bool outer = d == 0 || p->active[d - 1];
		if (IS("endif")) {
			p->depth--;
		} else if (IS("else")) {
			p->active[d] = outer && !p->taken[d];
			p->taken[d] = true;
		} else {
			bool v = outer && !p->taken[d] && eval_cond(p, rest, &loc);
			p->active[d] = v;
			p->taken[d] |= v;
		}
		return true;
	}
	if (!active(p))
		return true;
	if (IS("define")) {
		do_define(p, rest, &loc);
		return true;
	}
	if (IS("undef")) {
		do_undef(p, rest);
		return true;
	}
	if (IS("include")) {
		const char *q = rest;
		while (*q == ' ' || *q == '\t')
			q++;
		return *q == '<'; /* <...>: kernel types come from BTF */
	}
	diag_warning(p->diags, &loc, "ignoring unknown preprocessor directive #%.*s", (int)kwlen, kw);
	return true;
#undef IS
}

const char *preprocess(struct arena *a, struct diags *d, const char *src)
{
	struct pp *p = arena_alloc(a, sizeof(*p));
	p->arena = a;
	p->diags = d;
	p->o.arena = a;
	define(p, "BPFTRACE_HAVE_BTF", "1");
	define(p, "SONDE_HAVE_BTF", "1");
#if defined(__x86_64__)
	define(p, "__TARGET_ARCH_x86", "1");
#elif defined(__aarch64__)
	define(p, "__TARGET_ARCH_arm64", "1");
#endif
	int lineno = 0;
	for (const char *line = src; *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		lineno++;
		p->line_loc = (struct src_loc){ lineno, 1, lineno, (int)n + 1 };
		const char *first = line;
		while (first < line + n && (*first == ' ' || *first == '\t'))
			first++;
		bool shebang = lineno == 1 && n >= 2 && line[0] == '#' && line[1] == '!';
		if (!p->in_comment && !shebang && first < line + n && *first == '#') {
			if (!directive(p, line, n, lineno))
				emit(p, line, n);
		} else if (active(p)) {
			if (shebang)
				emit(p, line, n);
			else
				expand(p, line, n, 0);
		}
		if (!end)
			break;
		emit(p, "\n", 1);
		line = end + 1;
	}
	if (p->depth) {
		struct src_loc loc = { lineno, 1, lineno, 2 };
		diag_error(d, &loc, "unterminated #if/#ifdef/#ifndef");
	}
	return p->o.out ? p->o.out : "";
}
