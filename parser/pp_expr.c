/* #if and #elif: `defined` and `__has_include` are replaced, macros are
 * expanded, then the C integer constant expression is evaluated with
 * intmax/uintmax semantics. */
#include "pp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct val {
	unsigned long long v;
	bool u; /* unsigned */
};

struct cond {
	const char *s;
	bool error;
};

static void skip_ws(struct cond *c)
{
	while (*c->s == ' ' || *c->s == '\t')
		c->s++;
}

static struct val cond_expr(struct cond *c);

static unsigned long long char_value(struct cond *c)
{
	const char *s = c->s + 1; /* after the quote */
	unsigned long long v = 0;
	if (*s == '\\') {
		s++;
		static const char esc[] = "n\nt\tr\ra\ab\bf\fv\v0\0";
		const char *e = *s ? strchr(esc, *s) : NULL;
		if (*s == 'x' || (*s >= '0' && *s <= '7')) {
			char *end;
			v = strtoull(*s == 'x' ? s + 1 : s, &end, *s == 'x' ? 16 : 8);
			s = end;
		} else if (e && (e - esc) % 2 == 0) {
			v = (unsigned char)e[1];
			s++;
		} else {
			v = (unsigned char)*s++;
		}
	} else if (*s) {
		v = (unsigned char)*s++;
	}
	if (*s != '\'')
		c->error = true;
	else
		s++;
	c->s = s;
	return v;
}

static struct val cond_primary(struct cond *c)
{
	skip_ws(c);
	char ch = *c->s;
	if (ch == '(') {
		c->s++;
		struct val v = cond_expr(c);
		skip_ws(c);
		if (*c->s == ')')
			c->s++;
		else
			c->error = true;
		return v;
	}
	if (ch == '!' || ch == '~' || ch == '-' || ch == '+') {
		c->s++;
		struct val v = cond_primary(c);
		if (ch == '!')
			return (struct val){ !v.v, false };
		/* wrapping, as the other operators: no overflow trap */
		v.v = ch == '~' ? ~v.v : ch == '-' ? 0ULL - v.v : v.v;
		return v;
	}
	if (isdigit((unsigned char)ch)) {
		char *end;
		struct val v = { strtoull(c->s, &end, 0), false };
		c->s = end;
		v.u = v.v > (unsigned long long)__LONG_LONG_MAX__;
		while (*c->s == 'u' || *c->s == 'U' || *c->s == 'l' || *c->s == 'L') {
			v.u |= *c->s == 'u' || *c->s == 'U';
			c->s++;
		}
		return v;
	}
	if ((ch == 'L' || ch == 'u' || ch == 'U') && c->s[1] == '\'')
		ch = *++c->s; /* a wide character: its value as a plain one */
	if (ch == '\'')
		return (struct val){ char_value(c), false };
	if (ident_start(ch)) {
		/* Macros were expanded before: what is left, an unknown name or
		 * one that names itself, is 0 as in C; so is an unknown
		 * function-like name with its arguments (__has_attribute(x)). */
		while (ident_char(*c->s))
			c->s++;
		skip_ws(c);
		if (*c->s == '(') {
			int depth = 0;
			do {
				depth += *c->s == '(' ? 1 : *c->s == ')' ? -1 : 0;
				c->s++;
			} while (*c->s && depth);
		}
		return (struct val){ 0, false };
	}
	c->error = true;
	return (struct val){ 0, false };
}

/* Binary operators by precedence; two-character ones before their prefixes. */
static const struct {
	const char *op;
	int prec;
} binops[] = {
	{ "||", 1 }, { "&&", 2 }, { "==", 6 }, { "!=", 6 }, { "<=", 7 }, { ">=", 7 }, { "<<", 8 }, { ">>", 8 },
	{ "|", 3 },  { "^", 4 },  { "&", 5 },  { "<", 7 },  { ">", 7 },  { "+", 9 },  { "-", 9 },  { "*", 10 },
	{ "/", 10 }, { "%", 10 },
};

static int find_op(const char *s)
{
	for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++)
		if (!strncmp(s, binops[i].op, strlen(binops[i].op)))
			return (int)i;
	return -1;
}

static struct val apply(const char *op, struct val a, struct val b)
{
	bool u = a.u || b.u;
	unsigned long long x = a.v, y = b.v;
	long long sx = (long long)x, sy = (long long)y;
	struct val r = { 0, u };
	switch (op[0]) {
	case '|': r.v = op[1] ? (x || y) : x | y; r.u = op[1] ? false : u; break;
	case '&': r.v = op[1] ? (x && y) : x & y; r.u = op[1] ? false : u; break;
	case '^': r.v = x ^ y; break;
	case '+': r.v = x + y; break;
	case '-': r.v = x - y; break;
	case '*': r.v = x * y; break;
	case '/':
	case '%':
		if (!y)
			r.v = 0;
		else if (u)
			r.v = op[0] == '/' ? x / y : x % y;
		else if (sy == -1) /* LLONG_MIN / -1 would trap: wrap instead */
			r.v = op[0] == '/' ? 0ULL - x : 0;
		else
			r.v = (unsigned long long)(op[0] == '/' ? sx / sy : sx % sy);
		break;
	case '=': r = (struct val){ x == y, false }; break;
	case '!': r = (struct val){ x != y, false }; break;
	case '<':
	case '>':
		if (op[1] == op[0]) { /* shifts: the type of the left operand */
			r.u = a.u;
			r.v = y >= 64 ? 0 : op[0] == '<' ? x << y : a.u ? x >> y : (unsigned long long)(sx >> y);
			break;
		}
		bool lt = u ? x < y : sx < sy, eq = x == y;
		bool res = op[0] == '<' ? (op[1] ? lt || eq : lt) : (op[1] ? !lt : !lt && !eq);
		r = (struct val){ res, false };
		break;
	}
	return r;
}

static struct val cond_binary(struct cond *c, int min_prec)
{
	struct val v = cond_primary(c);
	for (;;) {
		skip_ws(c);
		int k = find_op(c->s);
		if (k < 0 || binops[k].prec < min_prec)
			return v;
		c->s += strlen(binops[k].op);
		struct val r = cond_binary(c, binops[k].prec + 1);
		v = apply(binops[k].op, v, r);
	}
}

static struct val cond_expr(struct cond *c)
{
	struct val v = cond_binary(c, 1);
	skip_ws(c);
	if (*c->s != '?')
		return v;
	c->s++;
	struct val a = cond_expr(c);
	skip_ws(c);
	if (*c->s != ':') {
		c->error = true;
		return v;
	}
	c->s++;
	struct val b = cond_expr(c);
	struct val r = v.v ? a : b;
	r.u = a.u || b.u;
	return r;
}

/* Is s (in expr) the word w? */
static bool word_at(const char *expr, const char *s, const char *w)
{
	size_t n = strlen(w);
	return !strncmp(s, w, n) && !ident_char(s[n]) && (s == expr || !ident_char(s[-1]));
}

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* `defined X` / `defined(X)` at s: 1 or 0; *s moves past it. */
static bool eval_defined(struct pp *p, const char **sp)
{
	const char *s = skip_blank(*sp + 7);
	bool paren = *s == '(';
	s = skip_blank(s + paren);
	const char *name = s;
	while (ident_char(*s))
		s++;
	size_t n = (size_t)(s - name);
	bool def = pp_find(p, name, n) != NULL || (n == 13 && !strncmp(name, "__has_include", 13)) ||
		   (n == 18 && !strncmp(name, "__has_include_next", 18));
	s = skip_blank(s);
	if (paren && *s == ')')
		s++;
	*sp = s;
	return def;
}

/* `__has_include(<f.h>)` / `("f.h")` at s: is there such a header? */
static bool eval_has_include(struct pp *p, const char **sp, bool next)
{
	const char *s = skip_blank(*sp + (next ? 18 : 13));
	bool paren = *s == '(';
	s = skip_blank(s + paren);
	char close = *s == '<' ? '>' : *s == '"' ? '"' : 0;
	const char *end = close ? strchr(s + 1, close) : NULL;
	bool found = false;
	if (end) {
		char *name = arena_strndup(p->arena, s + 1, (size_t)(end - s - 1));
		int at;
		int from = next && p->cur->found_at >= 0 ? p->cur->found_at + 1 : 0;
		found = pp_search(p, name, close == '"' && !next, from, &at) != NULL;
		s = skip_blank(end + 1);
	}
	if (paren && *s == ')')
		s++;
	*sp = s;
	return found;
}

static const char *expand_condition(struct pp *p, const char *expr)
{
	struct buf out = { .arena = p->arena };
	bool in_comment = p->in_comment;
	p->in_comment = false;
	const char *s = expr;
	while (*s) {
		int v = -1;
		if (word_at(expr, s, "defined"))
			v = eval_defined(p, &s);
		else if (word_at(expr, s, "__has_include"))
			v = eval_has_include(p, &s, false);
		else if (word_at(expr, s, "__has_include_next"))
			v = eval_has_include(p, &s, true);
		if (v >= 0) {
			buf_add(&out, v ? " 1 " : " 0 ", 3);
			continue;
		}
		/* up to the next of those words that is a word of its own (one
		 * inside a longer identifier, `definedx`, is part of the text) */
		const char *start = s;
		while (*s && !word_at(expr, s, "defined") && !word_at(expr, s, "__has_include") &&
		       !word_at(expr, s, "__has_include_next"))
			s++;
		pp_expand(p, &out, start, (size_t)(s - start), 0);
	}
	p->in_comment = in_comment;
	return out.out ? out.out : "";
}

bool pp_eval_cond(struct pp *p, const char *expr, const struct src_loc *loc)
{
	expr = skip_blank(expr);
	struct cond c = { .s = expand_condition(p, expr) };
	struct val v = cond_expr(&c);
	skip_ws(&c);
	if (c.error || *c.s)
		pp_diag(p, DIAG_ERROR, loc, "invalid #if expression: %s", expr);
	return v.v != 0;
}
