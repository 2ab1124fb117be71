/* The macro table (a hash table: system headers define thousands) and
 * macro expansion with C's rules: arguments are expanded before they are
 * substituted (except next to # and ##), and a macro is not expanded again
 * inside its own expansion. */
#include "pp.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
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

bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)h;
}

struct pp_macro *pp_find(struct pp *p, const char *name, size_t n)
{
	if (!p->nbuckets)
		return NULL;
	for (struct pp_macro *m = p->buckets[hash(name, n) & (p->nbuckets - 1)]; m; m = m->next)
		if (m->len == n && !memcmp(m->name, name, n))
			return m;
	return NULL;
}

static void grow(struct pp *p)
{
	size_t nb = p->nbuckets ? p->nbuckets * 2 : 1024;
	struct pp_macro **b = arena_alloc(p->arena, nb * sizeof(*b));
	for (size_t i = 0; i < p->nbuckets; i++)
		for (struct pp_macro *m = p->buckets[i], *next; m; m = next) {
			next = m->next;
			size_t h = hash(m->name, m->len) & (nb - 1);
			m->next = b[h];
			b[h] = m;
		}
	p->buckets = b;
	p->nbuckets = nb;
}

/* The macro NAME, a new object-like one if it did not exist. */
struct pp_macro *pp_define(struct pp *p, const char *name, const char *body)
{
	size_t n = strlen(name);
	struct pp_macro *m = pp_find(p, name, n);
	if (!m) {
		if (p->nmacros >= p->nbuckets)
			grow(p);
		m = arena_alloc(p->arena, sizeof(*m));
		m->name = name;
		m->len = n;
		size_t h = hash(name, n) & (p->nbuckets - 1);
		m->next = p->buckets[h];
		p->buckets[h] = m;
		p->nmacros++;
	}
	m->body = body;
	m->nparams = -1;
	m->variadic = false;
	return m;
}

void pp_undef(struct pp *p, const char *name, size_t n)
{
	if (!p->nbuckets)
		return;
	for (struct pp_macro **mp = &p->buckets[hash(name, n) & (p->nbuckets - 1)]; *mp; mp = &(*mp)->next)
		if ((*mp)->len == n && !memcmp((*mp)->name, name, n)) {
			*mp = (*mp)->next;
			p->nmacros--;
			return;
		}
}

static void too_large(struct pp *p)
{
	if (!p->too_large)
		pp_diag(p, DIAG_ERROR, &p->line_loc, "macro expansion is too large (over %d expansions or %d KiB)",
			MAX_EXPANSIONS, MAX_OUTPUT >> 10);
	p->too_large = true;
}

/* May one more macro be expanded on this line? */
static bool within_budget(struct pp *p)
{
	if (++p->expansions > MAX_EXPANSIONS || p->line_bytes > MAX_OUTPUT)
		too_large(p);
	return !p->too_large;
}

static void put(struct pp *p, struct buf *out, const char *s, size_t n)
{
	p->line_bytes += n;
	buf_add(out, s, n);
}

/* End of the string or character literal starting at text[i]. */
static size_t skip_literal(const char *text, size_t n, size_t i)
{
	char q = text[i++];
	while (i < n && text[i] != q) {
		if (text[i] == '\\' && i + 1 < n)
			i++;
		i++;
	}
	return i < n ? i + 1 : n;
}

static int param_index(const struct pp_macro *m, const char *s, size_t n)
{
	for (int i = 0; i < m->nparams; i++)
		if (strlen(m->params[i]) == n && !strncmp(m->params[i], s, n))
			return i;
	return -1;
}

static void stringize(struct buf *b, const char *s, size_t n)
{
	buf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_add(b, "\\", 1);
		buf_add(b, s + i, 1);
	}
	buf_add(b, "\"", 1);
}

static bool followed_by_paste(const char *b)
{
	while (*b == ' ' || *b == '\t')
		b++;
	return b[0] == '#' && b[1] == '#';
}

/* The body of m with its parameters replaced by the arguments. */
static void substitute(struct pp *p, struct buf *sub, const struct pp_macro *m, const char **args,
		       const size_t *arglen, int nargs, int level)
{
	bool paste = false;
	for (const char *b = m->body; *b;) {
		if (b[0] == '#' && b[1] == '#') { /* paste: drop the spaces around ## */
			while (sub->len && (sub->out[sub->len - 1] == ' ' || sub->out[sub->len - 1] == '\t'))
				sub->out[--sub->len] = 0;
			for (b += 2; *b == ' ' || *b == '\t'; b++)
				;
			paste = true;
			continue;
		}
		if (*b == '#') { /* #param: the argument as a string */
			const char *s = b + 1;
			while (*s == ' ' || *s == '\t')
				s++;
			const char *e = s;
			while (ident_char(*e))
				e++;
			int k = e > s ? param_index(m, s, (size_t)(e - s)) : -1;
			if (k >= 0) {
				stringize(sub, k < nargs ? args[k] : "", k < nargs ? arglen[k] : 0);
				b = e;
				continue;
			}
		}
		if (*b == '"' || *b == '\'') {
			size_t len = strlen(b), e = skip_literal(b, len, 0);
			buf_add(sub, b, e);
			b += e;
			paste = false;
			continue;
		}
		if (ident_start(*b)) {
			const char *s = b;
			while (ident_char(*b))
				b++;
			int k = param_index(m, s, (size_t)(b - s));
			const char *a = k >= 0 && k < nargs ? args[k] : "";
			size_t alen = k >= 0 && k < nargs ? arglen[k] : 0;
			if (k < 0) {
				buf_add(sub, s, (size_t)(b - s));
			} else if (paste || followed_by_paste(b)) {
				if (paste && !alen && m->variadic && k == m->nparams - 1 && sub->len &&
				    sub->out[sub->len - 1] == ',') /* GNU `, ## __VA_ARGS__` */
					sub->out[--sub->len] = 0;
				buf_add(sub, a, alen);
			} else {
				struct buf ex = { .arena = p->arena };
				pp_expand(p, &ex, a, alen, level + 1);
				buf_add(sub, ex.out ? ex.out : "", ex.len);
			}
			if (sub->len > MAX_OUTPUT) {
				too_large(p);
				return;
			}
			paste = false;
			continue;
		}
		buf_add(sub, b++, 1);
		if (b[-1] != ' ' && b[-1] != '\t')
			paste = false;
	}
}

/* After a function-like macro's name at *pos: parse `( args )`. */
static bool parse_args(const struct pp_macro *m, const char *text, size_t n, size_t *pos, const char **args,
		       size_t *arglen, int *nargs)
{
	size_t i = *pos;
	while (i < n && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i >= n || text[i] != '(')
		return false;
	i++;
	int depth = 0, k = 0;
	size_t start = i;
	while (i < n) {
		char c = text[i];
		if (c == '"' || c == '\'') {
			i = skip_literal(text, n, i);
			continue;
		}
		bool rest = m->variadic && k == m->nparams - 1; /* commas belong to __VA_ARGS__ */
		if (c == '(') {
			depth++;
		} else if ((c == ',' && depth == 0 && !rest) || (c == ')' && depth == 0)) {
			if (k < MAX_PARAMS) { /* without the spaces around it */
				size_t s0 = start, e0 = i;
				while (s0 < e0 && (text[s0] == ' ' || text[s0] == '\t'))
					s0++;
				while (e0 > s0 && (text[e0 - 1] == ' ' || text[e0 - 1] == '\t'))
					e0--;
				args[k] = text + s0;
				arglen[k] = e0 - s0;
				k++;
			}
			start = i + 1;
			if (c == ')') {
				*nargs = (k == 1 && arglen[0] == 0 && m->nparams == 0) ? 0 : k;
				*pos = i + 1;
				return true;
			}
		} else if (c == ')') {
			depth--;
		}
		i++;
	}
	return false;
}

static bool arity_ok(const struct pp_macro *m, int nargs)
{
	if (m->variadic)
		return nargs >= m->nparams - 1;
	return nargs == m->nparams || (m->nparams == 1 && nargs == 0);
}

static void expand_macro(struct pp *p, struct buf *out, struct pp_macro *m, const char **args,
			 const size_t *arglen, int nargs, int level)
{
	struct buf sub = { .arena = p->arena };
	if (m->nparams < 0)
		buf_add(&sub, m->body, strlen(m->body));
	else
		substitute(p, &sub, m, args, arglen, nargs, level);
	if (p->too_large || !sub.out)
		return;
	m->busy = true;
	pp_expand(p, out, sub.out, sub.len, level + 1);
	m->busy = false;
}

void pp_expand(struct pp *p, struct buf *out, const char *text, size_t n, int level)
{
	size_t i = 0;
	while (i < n) {
		char c = text[i];
		if (p->in_comment) {
			const char *end = strstr(text + i, "*/");
			size_t stop = end && (size_t)(end - text) < n ? (size_t)(end - text) + 2 : n;
			put(p, out, text + i, stop - i);
			if (stop < n || (end && (size_t)(end - text) + 2 == n))
				p->in_comment = false;
			i = stop;
			continue;
		}
		if (c == '/' && i + 1 < n && text[i + 1] == '*') {
			p->in_comment = true;
			put(p, out, text + i, 2);
			i += 2;
			continue;
		}
		if (c == '/' && i + 1 < n && text[i + 1] == '/') {
			put(p, out, text + i, n - i);
			return;
		}
		if (c == '"' || (c == '\'' && memchr(text + i + 1, '\'', n - i - 1))) {
			size_t s = i;
			i = skip_literal(text, n, i);
			put(p, out, text + s, i - s);
			continue;
		}
		if (ident_start(c) && (i == 0 || !ident_char(text[i - 1]))) {
			size_t s = i;
			while (i < n && ident_char(text[i]))
				i++;
			struct pp_macro *m = level < MAX_EXPANSION_DEPTH ? pp_find(p, text + s, i - s) : NULL;
			if (m && m->busy)
				m = NULL;
			const char *args[MAX_PARAMS];
			size_t arglen[MAX_PARAMS];
			int nargs = 0;
			size_t after = i;
			if (m && m->nparams >= 0 &&
			    !(parse_args(m, text, n, &after, args, arglen, &nargs) && arity_ok(m, nargs)))
				m = NULL;
			if (m && !within_budget(p))
				m = NULL;
			if (m) {
				expand_macro(p, out, m, args, arglen, nargs, level);
				i = after;
			} else {
				put(p, out, text + s, i - s);
			}
			continue;
		}
		put(p, out, text + i, 1);
		i++;
	}
}
