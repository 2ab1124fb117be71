/* --fmt (source_format.h). Works on the text, not on the syntax tree: the
 * tree has lost comments, and #define'd names are expanded in it. The
 * program is known to parse, so a light tokenizer is enough: top-level
 * items are told apart by their first word, probe headers are split by
 * hand (their attach points are not tokens of the language), and blocks
 * are laid out token by token. */
#include "source_format.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind {
	TK_WORD,      /* identifier, keyword, $var, @map, number */
	TK_STR,       /* "..." as written */
	TK_OP,        /* operators, '?' and ':' included */
	TK_DOT,       /* . and -> */
	TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_LBRACE, TK_RBRACE,
	TK_SEMI, TK_COMMA,
	TK_LINE_COMMENT, TK_BLOCK_COMMENT,
	TK_PREPROC,   /* a #directive line */
};

struct tok {
	enum tok_kind kind;
	const char *s;
	int len;
	int newlines;  /* line breaks between the previous token and this one */
	bool unary;    /* a prefix operator (-x, !x, *p, &v, ++i) */
	bool postfix;  /* i++, i-- */
	bool cast;     /* '(' or ')' of a cast; '*' inside one */
};

struct toks {
	struct tok *v;
	int n, cap;
};

/* Growable output line. */
struct line {
	char *s;
	size_t len, cap;
};

struct formatter {
	FILE *out;
	int indent;
	struct line line;
	int line_indent;  /* the indentation of the line being built */
	bool ok;
	bool after_open;  /* the last line written opened a block */
	bool pending;     /* the line is complete, but a comment may still follow on it */
};

static const char *const operators[] = {
	"<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=",
	"*=", "/=", "%=", "&=", "|=", "^=", "..", NULL,
};

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t && (int)strlen(s) == t->len && !memcmp(t->s, s, (size_t)t->len);
}

/* ---- tokens ---- */

static int push(struct toks *ts, struct tok t)
{
	if (ts->n == ts->cap) {
		int cap = ts->cap ? 2 * ts->cap : 64;
		struct tok *v = realloc(ts->v, sizeof(*v) * (size_t)cap);
		if (!v)
			return -1;
		ts->v = v;
		ts->cap = cap;
	}
	ts->v[ts->n++] = t;
	return 0;
}

/* The end of the string literal starting at s ('"'). */
static const char *string_end(const char *s, const char *end)
{
	for (s++; s < end && *s != '"'; s++)
		if (*s == '\\' && s + 1 < end)
			s++;
	return s < end ? s + 1 : end;
}

/* The end of the comment starting at s ("//" or slash-star), or NULL. */
static const char *comment_end(const char *s, const char *end)
{
	if (s + 1 >= end || s[0] != '/' || (s[1] != '/' && s[1] != '*'))
		return NULL;
	if (s[1] == '/') {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		return nl ? nl : end;
	}
	for (const char *p = s + 2; p + 1 < end; p++)
		if (p[0] == '*' && p[1] == '/')
			return p + 2;
	return end;
}

/* The end of the directive line starting at s ('#'), with continuations. */
static const char *directive_end(const char *s, const char *end)
{
	while (s < end && *s != '\n')
		s += (*s == '\\' && s + 1 < end) ? 2 : 1;
	return s;
}

/* '#' first on its line */
static bool at_line_start(const char *s, const char *start)
{
	while (s > start && (s[-1] == ' ' || s[-1] == '\t'))
		s--;
	return s == start || s[-1] == '\n';
}

static int operator_len(const char *s, const char *end)
{
	for (const char *const *op = operators; *op; op++) {
		size_t n = strlen(*op);
		if ((size_t)(end - s) >= n && !memcmp(s, *op, n))
			return (int)n;
	}
	return 1;
}

static enum tok_kind punct_kind(char c)
{
	switch (c) {
	case '(': return TK_LPAREN;
	case ')': return TK_RPAREN;
	case '[': return TK_LBRACK;
	case ']': return TK_RBRACK;
	case '{': return TK_LBRACE;
	case '}': return TK_RBRACE;
	case ';': return TK_SEMI;
	case ',': return TK_COMMA;
	case '.': return TK_DOT;
	default: return TK_OP;
	}
}

static int tokenize(const char *s, const char *end, const char *text_start, struct toks *ts)
{
	int newlines = 0;
	while (s < end) {
		if (isspace((unsigned char)*s)) {
			newlines += *s++ == '\n';
			continue;
		}
		struct tok t = { .s = s, .newlines = newlines };
		const char *e = comment_end(s, end);
		if (e) {
			t.kind = s[1] == '/' ? TK_LINE_COMMENT : TK_BLOCK_COMMENT;
		} else if (*s == '#' && at_line_start(s, text_start)) {
			t.kind = TK_PREPROC;
			e = directive_end(s, end);
		} else if (*s == '"') {
			t.kind = TK_STR;
			e = string_end(s, end);
		} else if (is_word_char(*s) || *s == '$' || *s == '@') {
			t.kind = TK_WORD;
			e = s + 1;
			if (*s == '$' && e < end && *e == '#')
				e++;
			while (e < end && is_word_char(*e))
				e++;
		} else {
			int n = operator_len(s, end);
			t.kind = n > 1 ? (tok_is(&(struct tok){ .s = s, .len = n }, "->") ? TK_DOT : TK_OP) : punct_kind(*s);
			e = s + n;
		}
		t.len = (int)(e - s);
		if (push(ts, t))
			return -1;
		s = e;
		newlines = 0;
	}
	return 0;
}

/* ---- roles: prefix/postfix operators and casts ---- */

static bool is_keyword(const struct tok *t)
{
	static const char *const keywords[] = { "if", "else", "while", "for", "unroll", "return", "let", NULL };
	for (const char *const *k = keywords; *k; k++)
		if (tok_is(t, *k))
			return true;
	return false;
}

/* Does a value end with t (so that a following '-' is binary)? */
static bool ends_value(const struct tok *t)
{
	return (t->kind == TK_WORD && !is_keyword(t)) || t->kind == TK_STR || t->kind == TK_RPAREN ||
	       t->kind == TK_RBRACK || t->postfix;
}

static bool is_int_type(const struct tok *t)
{
	static const char *const names[] = { "int8", "int16", "int32", "int64", "uint8", "uint16",
					     "uint32", "uint64", "bool", NULL };
	for (const char *const *n = names; *n; n++)
		if (tok_is(t, *n))
			return true;
	return false;
}

/* The ')' matching the '(' at i, or -1. */
static int matching_paren(const struct toks *ts, int i)
{
	int depth = 0;
	for (int k = i; k < ts->n; k++) {
		depth += ts->v[k].kind == TK_LPAREN;
		if (ts->v[k].kind == TK_RPAREN && --depth == 0)
			return k;
	}
	return -1;
}

/* `(uint8 *)`, `(struct task_struct *)`, `(int64)`: words and stars that
 * name a type, followed by an operand */
static bool is_cast(const struct toks *ts, int open, int close)
{
	if (close <= open + 1 || close + 1 >= ts->n)
		return false;
	for (int k = open + 1; k < close; k++)
		if (ts->v[k].kind != TK_WORD && !tok_is(&ts->v[k], "*"))
			return false;
	const struct tok *first = &ts->v[open + 1], *last = &ts->v[close - 1];
	bool typed = tok_is(first, "struct") || tok_is(first, "union") || tok_is(first, "enum") ||
		     tok_is(last, "*") || (close == open + 2 && is_int_type(first));
	const struct tok *next = &ts->v[close + 1];
	return typed && (next->kind == TK_WORD || next->kind == TK_LPAREN || next->kind == TK_OP);
}

static void mark_roles(struct toks *ts)
{
	for (int i = 0; i < ts->n; i++) {
		struct tok *t = &ts->v[i];
		const struct tok *prev = i ? &ts->v[i - 1] : NULL;
		if (t->kind == TK_LPAREN) {
			int close = matching_paren(ts, i);
			if (close > 0 && is_cast(ts, i, close)) {
				for (int k = i; k <= close; k++)
					ts->v[k].cast = true;
			}
		}
		if (t->kind != TK_OP)
			continue;
		if ((tok_is(t, "++") || tok_is(t, "--")) && prev && ends_value(prev))
			t->postfix = true;
		else if (strchr("-+!~*&", t->s[0]) && (t->len == 1 || tok_is(t, "++") || tok_is(t, "--")))
			t->unary = !t->cast && (!prev || !ends_value(prev));
	}
}

/* ---- output ---- */

static void line_add(struct formatter *f, const char *s, size_t n)
{
	if (!f->line.len)
		f->line_indent = f->indent;
	if (f->line.len + n + 1 > f->line.cap) {
		size_t cap = (f->line.len + n + 1) * 2;
		char *p = realloc(f->line.s, cap);
		if (!p) {
			f->ok = false;
			return;
		}
		f->line.s = p;
		f->line.cap = cap;
	}
	memcpy(f->line.s + f->line.len, s, n);
	f->line.len += n;
}

static void emit_line(struct formatter *f, const char *s, size_t n, int indent)
{
	for (int i = 0; i < indent; i++)
		fputc('\t', f->out);
	fwrite(s, 1, n, f->out);
	fputc('\n', f->out);
	f->after_open = n && s[n - 1] == '{';
}

static void flush(struct formatter *f)
{
	if (f->line.len)
		emit_line(f, f->line.s, f->line.len, f->line_indent);
	f->line.len = 0;
}

/* Lines of their own: a directive as written, a comment at the current
 * indentation (the later lines of a block comment aligned under its
 * first: ` * text`). */
static void emit_verbatim(struct formatter *f, const struct tok *t, int indent)
{
	flush(f);
	const char *s = t->s, *end = t->s + t->len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		if (s == t->s || t->kind != TK_BLOCK_COMMENT) {
			emit_line(f, s, (size_t)(e - s), s == t->s ? indent : 0);
		} else {
			const char *b = s + strspn(s, " \t");
			line_add(f, " ", *b == '*');
			line_add(f, b, (size_t)(e - b));
			flush(f);
		}
		s = nl ? nl + 1 : end;
	}
}

struct context {
	int ternary;     /* '?' waiting for their ':' */
	int for_parens;  /* in the parentheses of for ( ... ) */
	int parens;
};

static bool space_before(const struct tok *prev, const struct tok *t, const struct context *cx)
{
	if (!prev)
		return false;
	switch (t->kind) {
	case TK_RPAREN: case TK_RBRACK: case TK_COMMA: case TK_SEMI: case TK_DOT:
		return false;
	case TK_LPAREN:
		return !(prev->kind == TK_WORD && !is_keyword(prev)) && !prev->unary && prev->kind != TK_LPAREN &&
		       prev->kind != TK_LBRACK && prev->kind != TK_DOT && !(prev->cast && prev->kind == TK_RPAREN);
	case TK_LBRACK:
		return !ends_value(prev) && !prev->unary && prev->kind != TK_LPAREN;
	default:
		break;
	}
	if (prev->kind == TK_LPAREN || prev->kind == TK_LBRACK || prev->kind == TK_DOT || prev->unary)
		return false;
	if (prev->kind == TK_RPAREN && prev->cast)
		return false;
	if (t->postfix || tok_is(t, "..") || tok_is(prev, ".."))
		return false;
	if (t->cast && tok_is(t, "*") && tok_is(prev, "*"))
		return false;
	if (prev->cast && tok_is(prev, "*"))
		return false;
	if (tok_is(t, ":")) /* ternary and for ($k : @m) spaced; declarations `$a: T` not */
		return (cx->ternary > 0 || cx->for_parens) && !(tok_is(prev, "?") && prev->s + 1 == t->s);
	return true;
}

static void track(struct context *cx, const struct tok *prev, const struct tok *t)
{
	if (tok_is(t, "?"))
		cx->ternary++;
	else if (tok_is(t, ":") && cx->ternary > 0)
		cx->ternary--;
	if (t->kind == TK_LPAREN) {
		cx->parens++;
		if (tok_is(prev, "for") && !cx->for_parens)
			cx->for_parens = cx->parens;
	} else if (t->kind == TK_RPAREN) {
		if (cx->for_parens == cx->parens)
			cx->for_parens = 0;
		cx->parens--;
	}
}

/* The statement or block opening on the line is complete: a comment on
 * the same line may follow. */
static void end_line(struct formatter *f)
{
	f->pending = true;
}

/* Lay out tokens [from, to): statements one per line, blocks indented.
 * inline_only: the tokens continue the current line (a predicate). */
static void format_tokens(struct formatter *f, const struct toks *ts, int from, int to, bool inline_only)
{
	struct context cx = { 0 };
	const struct tok *prev = NULL;
	for (int i = from; i < to; i++) {
		const struct tok *t = &ts->v[i];
		bool comment = t->kind == TK_LINE_COMMENT || t->kind == TK_BLOCK_COMMENT;
		if (f->pending) {
			f->pending = false;
			if (comment && !t->newlines) {
				line_add(f, " ", 1);
				line_add(f, t->s, (size_t)t->len);
				flush(f);
				continue;
			}
			flush(f);
		}
		bool new_line = !f->line.len;
		if (t->newlines >= 2 && new_line && !f->after_open && i > from && t->kind != TK_RBRACE)
			emit_line(f, "", 0, 0);
		switch (t->kind) {
		case TK_PREPROC:
			emit_verbatim(f, t, 0);
			prev = NULL;
			continue;
		case TK_LINE_COMMENT:
		case TK_BLOCK_COMMENT:
			if (t->newlines || !f->line.len) {
				emit_verbatim(f, t, f->indent);
			} else {
				line_add(f, " ", 1);
				line_add(f, t->s, (size_t)t->len);
				flush(f);
			}
			prev = NULL;
			continue;
		case TK_LBRACE:
			if (f->line.len)
				line_add(f, " ", 1);
			line_add(f, "{", 1);
			end_line(f);
			f->indent++;
			prev = NULL;
			continue;
		case TK_RBRACE:
			flush(f);
			if (f->indent > 0)
				f->indent--;
			line_add(f, "}", 1);
			prev = t;
			if (i + 1 < to && (tok_is(&ts->v[i + 1], "else") || ts->v[i + 1].kind == TK_SEMI ||
					   ts->v[i + 1].kind == TK_COMMA || ts->v[i + 1].kind == TK_RPAREN))
				continue;
			end_line(f);
			prev = NULL;
			continue;
		default:
			break;
		}
		if (f->line.len && (space_before(prev, t, &cx) || (prev && prev->kind == TK_RBRACE && t->kind == TK_WORD)))
			line_add(f, " ", 1);
		line_add(f, t->s, (size_t)t->len);
		track(&cx, prev, t);
		prev = t;
		if (t->kind == TK_SEMI && !cx.parens) {
			end_line(f);
			prev = NULL;
		}
	}
	if (!inline_only) {
		f->pending = false;
		flush(f);
	}
}

/* ---- top level ---- */

enum item_kind { ITEM_LINE, ITEM_BLOCK };

static const char *skip_string_or_comment(const char *s, const char *end)
{
	if (*s == '"')
		return string_end(s, end);
	const char *e = comment_end(s, end);
	return e ? e : s + 1;
}

/* The first c at nesting depth 0 from s (strings and comments skipped),
 * or end. A comment starts a word: the slash and star of a path wildcard
 * in an attach point ("usdt:/usr/lib/" then "*:p:n") start none. */
static const char *find_top(const char *s, const char *end, char c)
{
	const char *start = s;
	int depth = 0;
	while (s < end) {
		bool word_start = s == start || isspace((unsigned char)s[-1]) || strchr(";{}(),", s[-1]);
		if (*s == '"' || (*s == '/' && word_start && comment_end(s, end))) {
			s = skip_string_or_comment(s, end);
			continue;
		}
		if (*s == c && depth == 0)
			return s;
		depth += *s == '{' || *s == '(';
		depth -= *s == '}' || *s == ')';
		s++;
	}
	return end;
}

/* The '}' that closes the '{' at open (or end). */
static const char *block_end(const char *open, const char *end)
{
	const char *close = find_top(open + 1, end, '}');
	return close < end ? close + 1 : end;
}

/* Tokens of [s, e) laid out from the current indentation (inline_only:
 * on the current line). */
static void format_span(struct formatter *f, const char *s, const char *e, const char *text_start,
			bool inline_only)
{
	struct toks ts = { 0 };
	if (tokenize(s, e, text_start, &ts)) {
		f->ok = false;
		return;
	}
	mark_roles(&ts);
	format_tokens(f, &ts, 0, ts.n, inline_only);
	free(ts.v);
}

/* A probe's attach points, one per line, then its predicate. */
static void format_probe_header(struct formatter *f, const char *s, const char *e, const char *text_start)
{
	for (;;) {
		while (s < e && isspace((unsigned char)*s))
			s++;
		const char *p = s;
		while (p < e && !isspace((unsigned char)*p) && *p != ',')
			p = *p == '"' ? string_end(p, e) : p + 1;
		const char *q = p;
		while (q < e && isspace((unsigned char)*q))
			q++;
		bool more = q < e && *q == ',';
		line_add(f, s, (size_t)(p - s));
		if (more)
			line_add(f, ",", 1);
		flush(f);
		s = more ? q + 1 : q;
		if (!more)
			break;
	}
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (e - s >= 2 && *s == '/' && e[-1] == '/') {
		const char *first = s + 1;
		while (first < e - 1 && isspace((unsigned char)*first))
			first++;
		/* a predicate that starts with `*` (a dereference): a slash just
		 * before it would open a comment */
		line_add(f, *first == '*' ? "/ " : "/", *first == '*' ? 2 : 1);
		format_span(f, s + 1, e - 1, text_start, true);
		line_add(f, "/", 1);
		flush(f);
	}
}

int source_format(const char *src, FILE *out)
{
	struct formatter f = { .out = out, .ok = true };
	const char *s = src, *end = src + strlen(src);
	enum item_kind last = ITEM_LINE;
	bool first = true;

	while (s < end) {
		int newlines = 0;
		while (s < end && isspace((unsigned char)*s))
			newlines += *s++ == '\n';
		if (s >= end)
			break;
		const char *word_end = s;
		while (word_end < end && is_word_char(*word_end))
			word_end++;
		size_t wlen = (size_t)(word_end - s);
#define WORD_IS(w) (wlen == strlen(w) && !memcmp(s, w, wlen))
		const char *e;
		enum item_kind kind = ITEM_BLOCK;
		if (*s == '#' || comment_end(s, end)) {
			kind = ITEM_LINE;
			e = *s == '#' ? directive_end(s, end) : comment_end(s, end);
		} else if (WORD_IS("let") || WORD_IS("import")) {
			kind = ITEM_LINE;
			e = find_top(s, end, ';');
			e = e < end ? e + 1 : end;
		} else if (WORD_IS("struct") || WORD_IS("union") || WORD_IS("enum") || WORD_IS("typedef")) {
			e = find_top(s, end, ';');
			e = e < end ? e + 1 : end;
		} else {
			const char *open = find_top(s, end, '{');
			e = block_end(open, end);
		}
		if (!first && (newlines >= 2 || last == ITEM_BLOCK))
			emit_line(&f, "", 0, 0);
		if (*s == '#' || comment_end(s, end) || WORD_IS("struct") || WORD_IS("union") || WORD_IS("enum") ||
		    WORD_IS("typedef")) {
			emit_verbatim(&f, &(struct tok){ .kind = TK_PREPROC, .s = s, .len = (int)(e - s) }, 0);
		} else if (kind == ITEM_LINE || WORD_IS("config") || WORD_IS("fn") || WORD_IS("macro")) {
			format_span(&f, s, e, src, false);
		} else {
			const char *open = find_top(s, end, '{');
			format_probe_header(&f, s, open, src);
			format_span(&f, open, e, src, false);
		}
#undef WORD_IS
		last = kind;
		first = false;
		s = e;
	}
	free(f.line.s);
	return f.ok && !ferror(out) ? 0 : -1;
}
