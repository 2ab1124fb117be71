/* A parser for the C declarations sonde understands (§1.6): a recursive
 * descent over a small tokenizer. Declarations that define nothing sonde
 * can use (variables, prototypes, function bodies) are parsed only as far
 * as needed to skip them. Errors unwind with longjmp to the declaration
 * being parsed: strict text reports them, header text skips that one
 * declaration and goes on. */
#include "cdecl.h"

#include "../common/limits.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { T_EOF, T_IDENT, T_NUM, T_STR, T_PUNCT };

struct tok {
	enum tok_kind kind;
	const char *s; /* start in the text */
	size_t n;
	int64_t num;
	struct src_loc loc;
};

struct cparser {
	struct arena *arena;
	struct diags *diags;
	struct c_defs *defs;
	bool strict;
	const char *p;  /* next byte */
	int line, col;
	struct tok tok; /* current token */
	jmp_buf fail;
	int errors;
	int depth; /* of nested brackets and definitions: bounded, as the stack is */
	struct c_def **undo; /* defs->tail before the declaration being parsed */
};

/* ---- tokens ---- */

static void advance_byte(struct cparser *cp)
{
	if (*cp->p == '\n') {
		cp->line++;
		cp->col = 1;
	} else {
		cp->col++;
	}
	cp->p++;
}

static void skip_space(struct cparser *cp)
{
	for (;;) {
		if (*cp->p && isspace((unsigned char)*cp->p)) {
			advance_byte(cp);
		} else if (cp->p[0] == '/' && cp->p[1] == '/') {
			while (*cp->p && *cp->p != '\n')
				advance_byte(cp);
		} else if (cp->p[0] == '/' && cp->p[1] == '*') {
			advance_byte(cp);
			advance_byte(cp);
			while (*cp->p && !(cp->p[0] == '*' && cp->p[1] == '/'))
				advance_byte(cp);
			if (*cp->p) {
				advance_byte(cp);
				advance_byte(cp);
			}
		} else if (*cp->p == '#' && (cp->col == 1 || cp->p[-1] == '\n')) {
			/* a directive left in the text (#line from headers) */
			while (*cp->p && *cp->p != '\n')
				advance_byte(cp);
		} else {
			return;
		}
	}
}

static const char *const puncts[] = { "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "...", "->" };

static void next(struct cparser *cp)
{
	skip_space(cp);
	struct tok *t = &cp->tok;
	t->s = cp->p;
	t->loc.first_line = t->loc.last_line = cp->line;
	t->loc.first_column = cp->col;
	const char *c = cp->p;
	size_t n = 1;
	if (!*c) {
		t->kind = T_EOF;
		n = 0;
	} else if (isalpha((unsigned char)*c) || *c == '_') {
		t->kind = T_IDENT;
		while (isalnum((unsigned char)c[n]) || c[n] == '_')
			n++;
	} else if (isdigit((unsigned char)*c)) {
		char *end;
		t->kind = T_NUM;
		t->num = (int64_t)strtoull(c, &end, 0);
		n = (size_t)(end - c);
		while (isalpha((unsigned char)c[n])) /* suffixes u, l, ul, ull */
			n++;
	} else if (*c == '\'' || *c == '"') {
		t->kind = *c == '"' ? T_STR : T_NUM;
		while (c[n] && c[n] != *c && c[n] != '\n')
			n += c[n] == '\\' && c[n + 1] ? 2 : 1;
		t->num = n > 1 ? (unsigned char)c[1] : 0;
		if (n > 2 && c[1] == '\\') /* '\n', '\0', '\x41': the common escapes */
			t->num = c[2] == 'n' ? '\n' : c[2] == 't' ? '\t' : c[2] == 'x' ? strtol(c + 3, NULL, 16)
				: isdigit((unsigned char)c[2]) ? strtol(c + 2, NULL, 8) : (unsigned char)c[2];
		if (c[n] == *c)
			n++;
	} else {
		t->kind = T_PUNCT;
		for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++)
			if (!strncmp(c, puncts[i], strlen(puncts[i])))
				n = strlen(puncts[i]);
	}
	t->n = n;
	for (size_t i = 0; i < n; i++)
		advance_byte(cp);
	t->loc.last_column = t->loc.first_line == cp->line ? cp->col : t->loc.first_column + 1;
}

static bool is(const struct cparser *cp, const char *s)
{
	return cp->tok.kind != T_EOF && cp->tok.kind != T_STR && cp->tok.n == strlen(s) &&
	       !strncmp(cp->tok.s, s, cp->tok.n);
}

static bool accept(struct cparser *cp, const char *s)
{
	if (!is(cp, s))
		return false;
	next(cp);
	return true;
}

static const char *tok_text(struct cparser *cp)
{
	return cp->tok.kind == T_EOF ? "end of input" : arena_printf(cp->arena, "'%.*s'", (int)cp->tok.n, cp->tok.s);
}

static _Noreturn __attribute__((format(printf, 3, 4))) void fail(struct cparser *cp, const struct src_loc *loc,
								   const char *fmt, ...)
{
	if (cp->strict) {
		char msg[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		diag_error(cp->diags, loc ? loc : &cp->tok.loc, "%s", msg);
		cp->errors++;
	}
	longjmp(cp->fail, 1);
}

static void expect(struct cparser *cp, const char *s)
{
	if (!accept(cp, s))
		fail(cp, NULL, "C definitions: expected '%s', found %s", s, tok_text(cp));
}

static const char *ident(struct cparser *cp)
{
	if (cp->tok.kind != T_IDENT)
		fail(cp, NULL, "C definitions: expected a name, found %s", tok_text(cp));
	const char *s = arena_strndup(cp->arena, cp->tok.s, cp->tok.n);
	next(cp);
	return s;
}

/* One more level of nesting (parentheses, declarators, definitions). */
static void enter(struct cparser *cp)
{
	if (++cp->depth > LIMIT_NESTING)
		fail(cp, NULL, "C definitions: nesting too deep (more than %d levels)", LIMIT_NESTING);
}

/* Skip a balanced (), [] or {} group starting at the current token. */
static void skip_group(struct cparser *cp)
{
	int depth = 0;
	do {
		if (cp->tok.kind == T_EOF)
			fail(cp, NULL, "C definitions: unbalanced brackets, found end of input");
		if (is(cp, "(") || is(cp, "[") || is(cp, "{"))
			depth++;
		else if (is(cp, ")") || is(cp, "]") || is(cp, "}"))
			depth--;
		next(cp);
	} while (depth > 0);
}

/* ---- constant expressions ---- */

static bool word_in(const struct cparser *cp, const char *const *words)
{
	for (; *words; words++)
		if (is(cp, *words))
			return true;
	return false;
}


static int64_t cexpr(struct cparser *cp);

static bool enumerator_value(const struct cparser *cp, const struct tok *t, int64_t *v)
{
	for (const struct c_enumerator *e = cp->defs->consts; e; e = e->next)
		if (strlen(e->name) == t->n && !strncmp(e->name, t->s, t->n)) {
			*v = e->value;
			return true;
		}
	return false;
}

static int64_t cprimary(struct cparser *cp)
{
	struct tok t = cp->tok;
	int64_t v;
	if (accept(cp, "(")) {
		enter(cp);
		v = cexpr(cp);
		expect(cp, ")");
		cp->depth--;
		return v;
	}
	static const char *const unary[] = { "-", "+", "~", "!", NULL };
	if (word_in(cp, unary)) {
		char op = *cp->tok.s;
		next(cp);
		enter(cp);
		v = cprimary(cp);
		cp->depth--;
		return op == '-' ? (int64_t)(0 - (uint64_t)v) : op == '~' ? ~v : op == '!' ? !v : v;
	}
	if (t.kind == T_NUM) {
		next(cp);
		return t.num;
	}
	if (t.kind == T_IDENT && enumerator_value(cp, &t, &v)) {
		next(cp);
		return v;
	}
	fail(cp, &t.loc, "C definitions: expected an integer constant, found %s", tok_text(cp));
}

/* Binary operators by precedence level, lowest first. */
static const struct {
	const char *ops[4];
} levels[] = {
	{ { "||" } }, { { "&&" } }, { { "|" } }, { { "^" } }, { { "&" } }, { { "==", "!=" } },
	{ { "<", ">", "<=", ">=" } }, { { "<<", ">>" } }, { { "+", "-" } }, { { "*", "/", "%" } },
};

static int64_t apply(struct cparser *cp, const char *op, int64_t a, int64_t b, const struct src_loc *loc)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	if ((!strcmp(op, "/") || !strcmp(op, "%")) && b == 0)
		fail(cp, loc, "C definitions: division by zero in a constant");
	static const char *const names[] = { "||", "&&", "|", "^", "&", "==", "!=", "<", ">", "<=", ">=",
					     "<<", ">>", "+", "-", "*", "/", "%" };
	size_t k = 0;
	while (strcmp(names[k], op))
		k++;
	switch (k) {
	case 0: return a || b;
	case 1: return a && b;
	case 2: return a | b;
	case 3: return a ^ b;
	case 4: return a & b;
	case 5: return a == b;
	case 6: return a != b;
	case 7: return a < b;
	case 8: return a > b;
	case 9: return a <= b;
	case 10: return a >= b;
	case 11: return (int64_t)(ua << (ub & 63));
	case 12: return a >> (ub & 63);
	case 13: return (int64_t)(ua + ub);
	case 14: return (int64_t)(ua - ub);
	case 15: return (int64_t)(ua * ub);
	case 16: return b == -1 ? (int64_t)(0 - ua) : a / b;
	default: return b == -1 ? 0 : a % b;
	}
}

static int64_t cbinary(struct cparser *cp, size_t level)
{
	if (level == sizeof(levels) / sizeof(levels[0]))
		return cprimary(cp);
	int64_t v = cbinary(cp, level + 1);
	for (;;) {
		const char *op = NULL;
		for (int i = 0; i < 4 && levels[level].ops[i]; i++)
			if (is(cp, levels[level].ops[i]))
				op = levels[level].ops[i];
		if (!op)
			return v;
		struct src_loc loc = cp->tok.loc;
		next(cp);
		v = apply(cp, op, v, cbinary(cp, level + 1), &loc);
	}
}

static int64_t cexpr(struct cparser *cp)
{
	int64_t v = cbinary(cp, 0);
	if (accept(cp, "?")) {
		enter(cp);
		int64_t a = cexpr(cp);
		expect(cp, ":");
		int64_t b = cexpr(cp);
		cp->depth--;
		return v ? a : b;
	}
	return v;
}

/* ---- types ---- */

static struct c_type *new_type(struct cparser *cp, enum c_kind kind, const struct src_loc *loc)
{
	struct c_type *t = arena_alloc(cp->arena, sizeof(*t));
	t->kind = kind;
	t->loc = *loc;
	return t;
}

/* A new definition appended to the list, in source order. */
static struct c_def *add_def(struct cparser *cp, enum c_def_kind kind, const struct src_loc *loc)
{
	struct c_def *d = arena_alloc(cp->arena, sizeof(*d));
	d->kind = kind;
	d->loc = *loc;
	d->lenient = !cp->strict;
	*cp->defs->tail = d;
	cp->defs->tail = &d->next;
	return d;
}

/* Attributes collected while parsing specifiers and declarators. */
struct attrs {
	bool packed;
	int64_t aligned;
};

/* __attribute__((packed, aligned(8))) and its spellings; others ignored. */
static void attribute_list(struct cparser *cp, struct attrs *at)
{
	expect(cp, "(");
	expect(cp, "(");
	while (!is(cp, ")")) {
		if (cp->tok.kind != T_IDENT) {
			skip_group(cp);
			continue;
		}
		bool packed = is(cp, "packed") || is(cp, "__packed__");
		bool aligned = is(cp, "aligned") || is(cp, "__aligned__");
		next(cp);
		if (packed && at)
			at->packed = true;
		if (is(cp, "(")) {
			if (aligned) {
				next(cp);
				int64_t n = cexpr(cp);
				expect(cp, ")");
				if (at)
					at->aligned = n;
			} else {
				skip_group(cp);
			}
		} else if (aligned && at) {
			at->aligned = 16; /* the target's largest alignment */
		}
		if (!accept(cp, ","))
			break;
	}
	expect(cp, ")");
	expect(cp, ")");
}

/* Qualifiers, storage classes and attributes: nothing for the layout but
 * packed and aligned. */
static bool qualifier(struct cparser *cp, struct attrs *at)
{
	static const char *const words[] = { "const", "volatile", "restrict", "__restrict", "__restrict__",
					     "__const", "__const__", "__volatile__", "__extension__", "static",
					     "extern", "register", "inline", "__inline", "__inline__", "auto",
					     "_Noreturn", "__signed", "__user", "__kernel", "__iomem", "__rcu",
					     "__percpu", "_Thread_local", "__thread", NULL };
	if (is(cp, "__attribute__") || is(cp, "__attribute")) {
		next(cp);
		attribute_list(cp, at);
		return true;
	}
	if (is(cp, "_Alignas") || is(cp, "alignas")) {
		next(cp);
		expect(cp, "(");
		int64_t n = cexpr(cp);
		expect(cp, ")");
		if (at)
			at->aligned = n;
		return true;
	}
	if (is(cp, "__asm__") || is(cp, "__asm") || is(cp, "asm") || is(cp, "__declspec")) {
		next(cp);
		skip_group(cp);
		return true;
	}
	if (word_in(cp, words)) {
		next(cp);
		return true;
	}
	return false;
}

static const struct c_type *specifiers(struct cparser *cp, struct attrs *at, bool *is_typedef);

static struct c_member *member_list(struct cparser *cp, struct c_record *r);

static const struct c_type *record_spec(struct cparser *cp, const struct src_loc *loc)
{
	bool is_union = is(cp, "union");
	next(cp);
	enter(cp);
	struct attrs at = { 0 };
	while (qualifier(cp, &at))
		;
	struct c_record *r = arena_alloc(cp->arena, sizeof(*r));
	r->is_union = is_union;
	r->loc = *loc;
	if (cp->tok.kind == T_IDENT)
		r->tag = ident(cp);
	if (!r->tag && !is(cp, "{"))
		fail(cp, NULL, "C definitions: expected a %s name or '{', found %s", is_union ? "union" : "struct",
		     tok_text(cp));
	if (is(cp, "{")) {
		next(cp);
		r->complete = true;
		r->members = member_list(cp, r);
		expect(cp, "}");
		while (qualifier(cp, &at))
			;
		r->packed = at.packed;
		r->aligned = at.aligned;
		add_def(cp, CDEF_RECORD, loc)->record = r;
	}
	struct c_type *t = new_type(cp, C_RECORD, loc);
	t->record = r;
	t->name = r->tag;
	cp->depth--;
	return t;
}

static void add_enumerator(struct cparser *cp, struct c_enum *e, struct c_enumerator ***tail, const char *name,
			   int64_t value, const struct src_loc *loc)
{
	struct c_enumerator *it = arena_alloc(cp->arena, sizeof(*it));
	it->name = name;
	it->value = value;
	it->loc = *loc;
	**tail = it;
	*tail = &it->next;
	if (value < 0)
		e->is_signed = true;
	if (value < INT32_MIN || value > (int64_t)UINT32_MAX)
		e->size = 8;
	/* a second list, of every enumerator, for later constants */
	struct c_enumerator *c = arena_alloc(cp->arena, sizeof(*c));
	*c = *it;
	c->next = cp->defs->consts;
	cp->defs->consts = c;
}

static const struct c_type *enum_spec(struct cparser *cp, const struct src_loc *loc)
{
	next(cp);
	while (qualifier(cp, NULL))
		;
	struct c_enum *e = arena_alloc(cp->arena, sizeof(*e));
	e->loc = *loc;
	e->size = 4;
	if (cp->tok.kind == T_IDENT)
		e->tag = ident(cp);
	if (accept(cp, ":")) { /* C23 fixed underlying type */
		struct attrs at = { 0 };
		const struct c_type *u = specifiers(cp, &at, NULL);
		if (u->kind == C_INT && u->size)
			e->size = u->size;
	}
	if (!e->tag && !is(cp, "{"))
		fail(cp, NULL, "C definitions: expected an enum name or '{', found %s", tok_text(cp));
	if (accept(cp, "{")) {
		e->complete = true;
		struct c_enumerator **tail = &e->items;
		int64_t value = 0;
		while (!is(cp, "}")) {
			struct src_loc nloc = cp->tok.loc;
			const char *name = ident(cp);
			while (qualifier(cp, NULL))
				;
			if (accept(cp, "="))
				value = cexpr(cp);
			add_enumerator(cp, e, &tail, name, value, &nloc);
			value = (int64_t)((uint64_t)value + 1);
			if (!accept(cp, ","))
				break;
		}
		expect(cp, "}");
		add_def(cp, CDEF_ENUM, loc)->enumdef = e;
	}
	struct c_type *t = new_type(cp, C_ENUM, loc);
	t->enumdef = e;
	t->name = e->tag;
	return t;
}

/* The words of a base type and what they add up to. */
struct base_words {
	int nshort, nlong, nchar, nint, nsigned, nunsigned, nbool, nfloat, ndouble, nvoid;
};

static const struct {
	const char *word;
	size_t field;
} base_word_table[] = {
	{ "short", offsetof(struct base_words, nshort) }, { "long", offsetof(struct base_words, nlong) },
	{ "char", offsetof(struct base_words, nchar) }, { "int", offsetof(struct base_words, nint) },
	{ "signed", offsetof(struct base_words, nsigned) }, { "__signed__", offsetof(struct base_words, nsigned) },
	{ "unsigned", offsetof(struct base_words, nunsigned) }, { "_Bool", offsetof(struct base_words, nbool) },
	{ "float", offsetof(struct base_words, nfloat) }, { "double", offsetof(struct base_words, ndouble) },
	{ "void", offsetof(struct base_words, nvoid) }, { "__int128", offsetof(struct base_words, nlong) },
};

static bool base_word(struct cparser *cp, struct base_words *w)
{
	for (size_t i = 0; i < sizeof(base_word_table) / sizeof(base_word_table[0]); i++)
		if (is(cp, base_word_table[i].word)) {
			(*(int *)((char *)w + base_word_table[i].field))++;
			next(cp);
			return true;
		}
	return false;
}

static const struct c_type *base_type(struct cparser *cp, const struct base_words *w, const struct src_loc *loc)
{
	if (w->nvoid)
		return new_type(cp, C_VOID, loc);
	if (w->nbool) {
		struct c_type *t = new_type(cp, C_BOOL, loc);
		t->size = 1;
		return t;
	}
	if (w->nfloat || w->ndouble) {
		struct c_type *t = new_type(cp, C_FLOAT, loc);
		t->size = w->nfloat ? 4 : w->nlong ? 16 : 8;
		return t;
	}
	struct c_type *t = new_type(cp, C_INT, loc);
	t->is_signed = !w->nunsigned;
	const char *base;
	if (w->nchar) {
		t->size = 1;
		base = "char";
	} else if (w->nshort) {
		t->size = 2;
		base = "short";
	} else if (w->nlong >= 2) {
		t->size = 8;
		base = "long long";
	} else if (w->nlong) {
		t->size = 8;
		base = "long";
	} else {
		t->size = 4;
		base = "int";
	}
	t->name = w->nunsigned ? arena_printf(cp->arena, "unsigned %s", base)
		  : w->nsigned && w->nchar ? "signed char" : base;
	return t;
}

/* Declaration specifiers: the base type with its qualifiers. */
static const struct c_type *specifiers(struct cparser *cp, struct attrs *at, bool *is_typedef)
{
	struct src_loc loc = cp->tok.loc;
	struct base_words w = { 0 };
	const struct c_type *t = NULL;
	bool any_word = false;
	for (;;) {
		if (qualifier(cp, at))
			continue;
		if (is(cp, "typedef") && is_typedef) {
			*is_typedef = true;
			next(cp);
			continue;
		}
		if (!t && base_word(cp, &w)) {
			any_word = true;
			continue;
		}
		if (!t && !any_word && (is(cp, "struct") || is(cp, "union"))) {
			t = record_spec(cp, &cp->tok.loc);
			continue;
		}
		if (!t && !any_word && is(cp, "enum")) {
			t = enum_spec(cp, &cp->tok.loc);
			continue;
		}
		if (!t && !any_word && (is(cp, "__typeof__") || is(cp, "typeof") || is(cp, "__typeof")))
			fail(cp, NULL, "C definitions: typeof is not supported in C declarations");
		if (!t && !any_word && cp->tok.kind == T_IDENT) {
			struct c_type *n = new_type(cp, C_NAMED, &cp->tok.loc);
			n->name = ident(cp);
			t = n;
			continue;
		}
		break;
	}
	if (t)
		return t;
	if (!any_word)
		fail(cp, NULL, "C definitions: expected a type, found %s", tok_text(cp));
	return base_type(cp, &w, &loc);
}

/* A declarator around `base`: pointers, the name, arrays, functions. C
 * reads it inside out, so the parts are collected and applied in order. */
struct declarator {
	const char *name;
	struct src_loc loc;
};

static const struct c_type *declarator(struct cparser *cp, const struct c_type *base, struct declarator *out,
				       struct attrs *at);

static const struct c_type *suffixes(struct cparser *cp, const struct c_type *t)
{
	if (accept(cp, "[")) {
		enter(cp);
		int64_t n = -1;
		if (!is(cp, "]")) {
			struct src_loc loc = cp->tok.loc;
			n = cexpr(cp);
			if (n < 0)
				fail(cp, &loc, "C definitions: array size is negative: %lld", (long long)n);
		}
		expect(cp, "]");
		const struct c_type *inner = suffixes(cp, t);
		cp->depth--;
		struct c_type *a = new_type(cp, C_ARRAY, &inner->loc);
		a->target = inner;
		a->nelems = n;
		return a;
	}
	if (is(cp, "(")) {
		skip_group(cp); /* parameters: not needed */
		enter(cp);
		struct c_type *f = new_type(cp, C_FUNC, &t->loc);
		f->target = t;
		const struct c_type *r = suffixes(cp, f);
		cp->depth--;
		return r;
	}
	return t;
}

static const struct c_type *declarator(struct cparser *cp, const struct c_type *base, struct declarator *out,
				       struct attrs *at)
{
	const struct c_type *t = base;
	int stars = 0; /* each a level of the type: bounded like nesting */
	while (is(cp, "*") || qualifier(cp, at)) {
		if (accept(cp, "*")) {
			struct c_type *p = new_type(cp, C_POINTER, &t->loc);
			p->target = t;
			t = p;
			enter(cp);
			stars++;
		}
	}
	cp->depth -= stars;
	if (is(cp, "(")) {
		/* `(*name)(args)` or `(*name)[N]`: the inner declarator applies
		 * to what the suffixes make of t; parse the inner part against a
		 * placeholder, then splice */
		next(cp);
		enter(cp);
		struct c_type *hole = new_type(cp, C_VOID, &cp->tok.loc);
		const struct c_type *inner = declarator(cp, hole, out, at);
		expect(cp, ")");
		cp->depth--;
		const struct c_type *outer = suffixes(cp, t);
		*hole = *outer;
		return inner;
	}
	if (cp->tok.kind == T_IDENT) {
		out->loc = cp->tok.loc;
		out->name = ident(cp);
	}
	t = suffixes(cp, t);
	while (qualifier(cp, at))
		;
	return t;
}

/* ---- members and declarations ---- */

static struct c_member *member_list(struct cparser *cp, struct c_record *r)
{
	struct c_member *first = NULL, **tail = &first;
	while (!is(cp, "}") && cp->tok.kind != T_EOF) {
		if (accept(cp, ";"))
			continue;
		struct attrs sat = { 0 };
		const struct c_type *base = specifiers(cp, &sat, NULL);
		bool any = false;
		while (!is(cp, ";")) {
			struct c_member *m = arena_alloc(cp->arena, sizeof(*m));
			struct attrs at = sat;
			struct declarator d = { 0 };
			m->loc = cp->tok.loc;
			m->type = is(cp, ":") ? base : declarator(cp, base, &d, &at);
			m->name = d.name;
			if (d.name)
				m->loc = d.loc;
			m->bits = -1;
			if (accept(cp, ":")) {
				struct src_loc bloc = cp->tok.loc;
				int64_t bits = cexpr(cp);
				if (bits < 0 || bits > 64)
					fail(cp, &bloc, "C definitions: invalid bitfield width %lld", (long long)bits);
				m->bits = (int)bits;
			}
			while (qualifier(cp, &at))
				;
			m->aligned = at.aligned;
			m->packed = at.packed;
			if (!m->name && m->bits < 0 && m->type->kind != C_RECORD)
				fail(cp, &m->loc, "C definitions: a member of %s %s needs a name",
				     r->is_union ? "union" : "struct", r->tag ? r->tag : "(anonymous)");
			*tail = m;
			tail = &m->next;
			any = true;
			if (!accept(cp, ","))
				break;
		}
		if (!any && base->kind != C_RECORD)
			fail(cp, NULL, "C definitions: expected a member name, found %s", tok_text(cp));
		if (!any) { /* an anonymous struct/union member */
			struct c_member *m = arena_alloc(cp->arena, sizeof(*m));
			m->type = base;
			m->bits = -1;
			m->loc = base->loc;
			*tail = m;
			tail = &m->next;
		}
		if (is(cp, "}")) /* a missing last ';' is forgiven, as by gcc */
			break;
		expect(cp, ";");
	}
	return first;
}

/* One top-level declaration. */
static void declaration(struct cparser *cp)
{
	if (accept(cp, ";"))
		return;
	bool is_typedef = false;
	struct attrs at = { 0 };
	const struct c_type *base = specifiers(cp, &at, &is_typedef);
	while (!is(cp, ";") && cp->tok.kind != T_EOF) {
		struct declarator d = { 0 };
		const struct c_type *t = declarator(cp, base, &d, &at);
		if (is(cp, "{")) { /* a function body */
			if (cp->strict)
				fail(cp, NULL, "C definitions: function definitions are not supported");
			skip_group(cp);
			return;
		}
		if (accept(cp, "=")) { /* an initialiser: skipped up to the next , or ; */
			if (cp->strict)
				fail(cp, NULL, "C definitions: variable declarations are not supported");
			while (!is(cp, ",") && !is(cp, ";") && cp->tok.kind != T_EOF)
				if (is(cp, "(") || is(cp, "{") || is(cp, "["))
					skip_group(cp);
				else
					next(cp);
		}
		if (is_typedef) {
			if (!d.name)
				fail(cp, NULL, "C definitions: typedef needs a name, found %s", tok_text(cp));
			struct c_def *def = add_def(cp, CDEF_TYPEDEF, &d.loc);
			def->name = d.name;
			def->type = t;
		} else if (cp->strict) {
			fail(cp, &d.loc, "C definitions: only struct, union, enum and typedef definitions are supported; "
					 "'%s' declares a %s", d.name ? d.name : "this",
			     t->kind == C_FUNC ? "function" : "variable");
		}
		if (!accept(cp, ","))
			break;
	}
	/* the trailing ';' is optional at the end of the script's definitions */
	if (!accept(cp, ";") && (!cp->strict || cp->tok.kind != T_EOF))
		fail(cp, NULL, "C definitions: expected ';', found %s", tok_text(cp));
}

/* After a failed declaration in a header: skip to the next top-level ';'
 * or past a '}' that closes at depth 0. */
static void recover(struct cparser *cp)
{
	int depth = 0;
	while (cp->tok.kind != T_EOF) {
		if (is(cp, "{") || is(cp, "(") || is(cp, "[")) {
			depth++;
		} else if (is(cp, "}") || is(cp, ")") || is(cp, "]")) {
			if (--depth <= 0 && is(cp, "}")) {
				next(cp);
				accept(cp, ";");
				return;
			}
			if (depth < 0)
				depth = 0;
		} else if (is(cp, ";") && depth == 0) {
			next(cp);
			return;
		}
		next(cp);
	}
}

void c_defs_init(struct c_defs *defs)
{
	memset(defs, 0, sizeof(*defs));
	defs->tail = &defs->first;
}

int cdecl_parse(struct arena *a, struct diags *d, const char *text, const struct src_loc *start, bool strict,
		struct c_defs *defs)
{
	/* in the arena, not on the stack: it changes between setjmp and
	 * longjmp, so a local would be indeterminate after the jump */
	struct cparser *cp = arena_alloc(a, sizeof(*cp));
	*cp = (struct cparser){ .arena = a, .diags = d, .defs = defs, .strict = strict, .p = text,
				.line = start ? start->first_line : 1, .col = start ? start->first_column : 1 };
	/* a failed declaration may have appended definitions: keep them only
	 * when the whole declaration parsed */
	cp->undo = defs->tail;
	if (setjmp(cp->fail)) {
		cp->depth = 0;
		*cp->undo = NULL;
		defs->tail = cp->undo;
		if (strict)
			return cp->errors;
		recover(cp);
	} else {
		next(cp);
	}
	while (cp->tok.kind != T_EOF) {
		cp->undo = defs->tail;
		declaration(cp);
	}
	return cp->errors;
}
