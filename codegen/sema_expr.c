/* Expressions in the semantic pass: literals, positional parameters,
 * variables, operators, casts, tuples and records, field and index
 * access, sizeof, ternaries and block/if expressions. check_expr types a
 * node (n->type) and sends calls, maps and builtins to their own files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "btf.h"
#include "sema_internal.h"

static const struct type type_lit = { .kind = TY_INT, .bits = 64, .is_signed = true,
				      .is_literal = true, .size = 8 };

static const struct type type_lit_u = { .kind = TY_INT, .bits = 64, .is_signed = false,
					.is_literal = true, .size = 8 };

const struct type *arith_result(const struct type *l, const struct type *r)
{
	bool lsig = l->kind == TY_INT && l->is_signed && !l->is_literal;
	bool rsig = r->kind == TY_INT && r->is_signed && !r->is_literal;
	if (l->is_literal && r->is_literal)
		return (l->is_signed && r->is_signed) ? &type_lit : &type_lit_u;
	if (l->is_literal)
		lsig = rsig;
	if (r->is_literal)
		rsig = lsig;
	return (lsig || rsig) ? &type_i64 : &type_u64;
}

/* The text of $N, NULL (after the warning) when it is empty or missing. */
static const char *posparam_text(struct sema *s, struct node *n)
{
	int idx = (int)n->ival;
	const char *text = idx <= s->c->opts->nparams ? s->c->opts->params[idx - 1] : NULL;
	if (text && *text)
		return text;
	/* nodes are rewritten on the first pass, so warn here directly */
	diag_warning(s->c->diags, &n->loc, "Positional parameter $%d is empty or not provided.", idx);
	return NULL;
}

/* $N as a string literal, numbers included: the argument of str($N) */
void posparam_as_string(struct sema *s, struct node *n)
{
	const char *text = posparam_text(s, n);
	n->kind = N_STR;
	n->str = text ? text : "";
	n->str_len = (int)strlen(n->str);
}

static void posparam(struct sema *s, struct node *n)
{
	const char *text = posparam_text(s, n);
	if (!text) {
		n->kind = N_INT;
		n->ival = 0;
		return;
	}
	/* an integer literal (optionally negative, with _ separators) or a string */
	char digits[64];
	size_t j = 0;
	for (const char *p = text; *p && j < sizeof(digits) - 1; p++)
		if (*p != '_')
			digits[j++] = *p;
	digits[j] = 0;
	char *end;
	errno = 0;
	bool neg = digits[0] == '-';
	unsigned long long v = strtoull(neg ? digits + 1 : digits, &end, 0);
	if (j && !*end && errno == 0 && (neg ? digits[1] : digits[0]) >= '0' &&
	    (neg ? digits[1] : digits[0]) <= '9') {
		n->kind = N_INT;
		n->ival = neg ? (uint64_t)(-(int64_t)v) : v;
		if (neg) {
			/* keep the node an integer literal of the negative value */
			n->op = 1;
		}
		return;
	}
	n->kind = N_STR;
	n->str = text;
	n->str_len = (int)strlen(text);
}

/* A division or modulo at n: the runtime warning it gives on a zero
 * divisor. */
void note_divmod(struct sema *s, struct node *n, int op)
{
	if (op != OP_DIV && op != OP_MOD)
		return;
	struct action act = { .kind = ACT_WARNING, .map = -1 };
	act.fmt = diag_render(s->c->diags, DIAG_WARNING, &n->loc,
			      "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.");
	sema_add_action(s, n, act);
}

/* -k: the runtime warning of a failed probe read (probe_read: true) or map
 * lookup at n (§11.3) */
void note_runtime_check(struct sema *s, struct node *n, bool probe_read)
{
	if (!s->c->opts->runtime_checks || !s->c->second_pass)
		return;
	struct action act = { .kind = ACT_WARNING, .map = -1 };
	act.fmt = diag_render(s->c->diags, DIAG_WARNING, &n->loc,
			      probe_read ? "Bad address\nAdditional Info - helper: probe_read, retcode: -14"
					 : "Can't lookup map element because it does not exist.\n"
					   "Additional Info - helper: map_lookup_elem, retcode: 0");
	sema_info(s->c, n)->check_action = compiler_add_action(s->c, act);
}

static const struct type *check_binop(struct sema *s, struct node *n)
{
	const struct type *l = check_expr(s, n->a);
	const struct type *r = check_expr(s, n->b);
	if (l->kind == TY_NONE || r->kind == TY_NONE)
		return &type_none;
	switch (n->op) {
	case OP_LAND: case OP_LOR:
		if (!is_int(l) || !is_int(r))
			ERR(s, &n->loc, "Invalid operands for '%s': '%s' and '%s'", binop_str(n->op),
			    tname(s, l), tname(s, r));
		return &type_bool;
	case OP_EQ: case OP_NE:
		if ((l->kind == TY_STRING && r->kind == TY_STRING) || tuples_comparable(l, r))
			return &type_bool;
		if (l->kind == TY_ARRAY && type_equal(l, r)) {
			const struct type *e = l;
			while (e->kind == TY_ARRAY)
				e = e->pointee;
			if (type_is_integer_like(e) && l->size / type_field_size(e) <= LIMIT_ARRAY_COMPARE)
				return &type_bool;
			ERR(s, &n->loc, "arrays of '%s' compare only when their elements are integers, at most %d of them",
			    tname(s, l), LIMIT_ARRAY_COMPARE);
			return &type_none;
		}
		if ((l->kind == TY_PROBE) != (r->kind == TY_PROBE) || (!is_int(l) && l->kind != TY_PROBE) ||
		    (!is_int(r) && r->kind != TY_PROBE)) {
			ERR(s, &n->loc, "Type mismatch for '%s': comparing '%s' with '%s'", binop_str(n->op),
			    tname(s, l), tname(s, r));
			return &type_none;
		}
		return &type_bool;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		if (!is_int(l) || !is_int(r)) {
			ERR(s, &n->loc, "Type mismatch for '%s': comparing '%s' with '%s'", binop_str(n->op),
			    tname(s, l), tname(s, r));
			return &type_none;
		}
		return &type_bool;
	default:
		break;
	}
	if (!is_int(l) || !is_int(r)) {
		ERR(s, &n->loc, "Invalid operands for '%s': '%s' and '%s'", binop_str(n->op), tname(s, l),
		    tname(s, r));
		return &type_none;
	}
	if (l->kind == TY_POINTER && (n->op == OP_ADD || n->op == OP_SUB) && r->kind == TY_INT)
		return l;
	if (l->kind == TY_POINTER && r->kind == TY_POINTER && n->op != OP_SUB) {
		/* as in C: only the difference of two pointers means something */
		ERR(s, &n->loc, "Invalid operands for '%s': '%s' and '%s'", binop_str(n->op), tname(s, l), tname(s, r));
		return &type_none;
	}
	note_divmod(s, n, n->op);
	if ((n->op == OP_DIV || n->op == OP_MOD) && l->kind == TY_INT && r->kind == TY_INT &&
	    ((l->is_signed && !l->is_literal) || (r->is_signed && !r->is_literal)))
		WARN(s, &n->loc, "signed operands for '%s' can lead to undefined behavior (cast to unsigned to silence warning)",
		     binop_str(n->op));
	const struct type *res = arith_result(l->kind == TY_INT ? l : &type_u64,
					     r->kind == TY_INT ? r : &type_u64);
	if (n->op == OP_SUB && !res->is_literal)
		res = &type_i64;
	return res;
}

/* *p: reads the integer or pointer p points to */
static const struct type *check_deref(struct sema *s, struct node *n)
{
	const struct type *t = check_expr(s, n->a);
	if (t->kind == TY_NONE)
		return t;
	/* *p of a struct pointer, or a struct (an address) used as a value:
	 * the whole struct is read */
	const struct type *st = t->kind == TY_STRUCT ? t : t->kind == TY_POINTER ? t->pointee : NULL;
	if (st && st->kind == TY_STRUCT) {
		note_runtime_check(s, n, true);
		return btf_struct_value(compiler_btf(s->c), st);
	}
	if (t->kind != TY_POINTER || !t->pointee) {
		ERR(s, &n->loc, "dereferencing a value of type '%s' is not supported yet", tname(s, t));
		return &type_none;
	}
	note_runtime_check(s, n, true);
	return t->pointee;
}

const struct type *check_value(struct sema *s, struct node *n)
{
	const struct type *t = check_expr(s, n);
	if (t->kind != TY_STRUCT)
		return t;
	/* a struct is handled by its address until its value is needed:
	 * then it is read, as if written *(&s) */
	struct node *inner = arena_alloc(s->c->arena, sizeof(*inner));
	*inner = *n;
	memset(n, 0, sizeof(*n));
	n->kind = N_DEREF;
	n->loc = inner->loc;
	n->a = inner;
	n->next = inner->next;
	inner->next = NULL;
	n->type = check_expr(s, n);
	return n->type;
}

/* p->f / s.f on a kernel struct: the member's offset and type from BTF */
static const struct type *check_struct_member(struct sema *s, struct node *n, const struct type *st)
{
	struct btf_member_ref m;
	if (!btf_find_member(compiler_btf(s->c), st, n->name, &m)) {
		if (!s->c->second_pass)
			return &type_none;
		struct diag_entry *e = diag_error(s->c->diags, &n->loc,
						  "Struct/union of type '%s' does not contain a field named '%s'",
						  st->name, n->name);
		const char *close = btf_member_suggestion(compiler_btf(s->c), st, n->name);
		if (close)
			diag_hint(s->c->diags, e, "Did you mean '%s'?", close);
		return &type_none;
	}
	if (!m.type) {
		ERR(s, &n->loc, "the type of field '%s' of '%s' is not supported yet", n->name, st->name);
		return &type_none;
	}
	struct call_info *ci = sema_info(s->c, n);
	ci->is_member = true;
	if (m.type->kind != TY_STRUCT) /* a nested struct is an address: nothing is read */
		note_runtime_check(s, n, true);
	ci->member_bit_offset = m.bit_offset;
	ci->member_bitfield_bits = m.bitfield_bits;
	ci->member_bytes = m.byte_size;
	return m.type;
}

static const struct type *check_field(struct sema *s, struct node *n)
{
	if (n->a->kind == N_IDENT && !strcmp(n->a->name, "args"))
		return check_args_field(s, n);
	const struct type *t = check_expr(s, n->a);
	if (t->kind == TY_NONE)
		return t;
	if (t->kind == TY_TUPLE) {
		for (int i = 0; i < t->nfields; i++) {
			char idx[16];
			snprintf(idx, sizeof(idx), "%d", i);
			if ((t->names && !strcmp(t->names[i], n->name)) || (!t->names && !strcmp(idx, n->name))) {
				n->ival = (uint64_t)i;
				const struct type *f = t->fields[i];
				/* a bitfield read out of a struct value is a plain integer */
				return f->kind == TY_INT && f->bit_width ? type_int(f->bits, f->is_signed) : f;
			}
		}
		ERR(s, &n->loc, "Invalid tuple index: %s", n->name);
		return &type_none;
	}
	if (t->kind == TY_POINTER && t->pointee && t->pointee->kind == TY_STRUCT)
		t = t->pointee;
	if (t->kind == TY_STRUCT)
		return check_struct_member(s, n, t);
	if (t->kind == TY_POINTER && !t->pointee && !btf_types_kernel(compiler_btf(s->c))) {
		ERR(s, &n->loc, "no kernel types: BTF could not be read (%s), so '%s' cannot be resolved",
		    btf_path() ? btf_path() : "/sys/kernel/btf/vmlinux", n->name);
		return &type_none;
	}
	ERR(s, &n->loc, "field access on a value of type '%s' is not supported yet", tname(s, t));
	return &type_none;
}

/* &p->f, &s.f, &p[i]: the address of a member or element, read from
 * nowhere */
static const struct type *check_addrof(struct sema *s, struct node *n)
{
	const struct type *t = check_expr(s, n->a);
	if (t->kind == TY_NONE)
		return t;
	const struct call_info *ci = n->a->sema;
	bool member = n->a->kind == N_FIELD && ci && ci->is_member && !ci->member_bitfield_bits;
	bool element = n->a->kind == N_INDEX && n->a->a->type->kind == TY_POINTER;
	if (!member && !element) {
		ERR(s, &n->loc, "the address-of operator is supported on struct members and pointer elements only");
		return &type_none;
	}
	return type_pointer(s->c->arena, t->kind == TY_STRUCT || t->kind == TY_INT ? t : NULL);
}

static const struct type *check_cast(struct sema *s, struct node *n)
{
	const struct type *from = check_expr(s, n->a);
	const struct type *to = cast_type(s, n->tspec);
	if (!to) {
		const char *name = n->tspec && n->tspec->name ? n->tspec->name : "?";
		if (!strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6))
			ERR(s, &n->tspec->loc, "Unknown struct/union: '%s'", name);
		else
			ERR(s, &n->loc, "cast to '%s' is not supported yet", name);
		return &type_none;
	}
	if (to->kind == TY_STRUCT) {
		ERR(s, &n->loc, "cannot cast to the struct value '%s'; cast to a pointer: (%s *)", to->name, to->name);
		return &type_none;
	}
	if (from->kind == TY_NONE)
		return to;
	/* an integer as an array of its bytes (native order), and back */
	size_t from_bytes = from->kind == TY_INT ? (size_t)from->bits / 8 : from->size;
	if (to->kind == TY_ARRAY && from->kind == TY_INT && !to->nelems && from_bytes % type_field_size(to->pointee) == 0)
		to = type_array(s->c->arena, to->pointee, from_bytes / type_field_size(to->pointee));
	if ((to->kind == TY_ARRAY && from->kind == TY_INT) || (to->kind == TY_INT && from->kind == TY_ARRAY)) {
		size_t to_bytes = to->kind == TY_INT ? (size_t)to->bits / 8 : to->size;
		if (to_bytes != from_bytes) {
			ERR(s, &n->loc, "Cannot cast from '%s' to '%s': the sizes differ (%zu and %zu bytes)",
			    tname(s, from), tname(s, to), from_bytes, to_bytes);
			return &type_none;
		}
		return to;
	}
	if (!is_int(from) || to->kind == TY_ARRAY) {
		ERR(s, &n->loc, "Cannot cast from '%s' to '%s'", tname(s, from), tname(s, to));
		return &type_none;
	}
	return to;
}

/* A condition (if, while, ?:): any integer-like value. */
const struct type *check_condition(struct sema *s, struct node *n, const char *what)
{
	const struct type *t = check_expr(s, n);
	if (t->kind != TY_NONE && !is_int(t))
		ERR(s, &n->loc, "Invalid condition in %s: %s", what, tname(s, t));
	return t;
}

/* A negative literal, also as the value of a block (`{ -3 }`). */
static bool negative_literal(struct node *n)
{
	while (n && n->kind == N_BLOCK_EXPR)
		n = n->a;
	int64_t v;
	return n && literal_value(n, &v) && v < 0;
}

/* An unsigned value of fewer than 64 bits: a 64-bit signed one holds it. */
static bool narrow_unsigned(const struct type *t)
{
	return t->kind == TY_INT && !t->is_signed && !t->is_literal && t->bits < 64;
}

/* The type of a value that is either l (of node ln) or r (the branches of
 * ?: and of if expressions): NULL when they do not agree. */
static const struct type *either_type(struct sema *s, struct node *ln, const struct type *l, struct node *rn,
				      const struct type *r)
{
	if (l->kind == TY_NONE || r->kind == TY_NONE)
		return &type_none;
	/* as in C, `c ? -5 : (uint8)x` is signed: int64 holds both */
	if ((negative_literal(ln) && narrow_unsigned(r)) || (negative_literal(rn) && narrow_unsigned(l)))
		return &type_i64;
	if (l->kind == TY_INT && r->kind == TY_INT)
		return arith_result(l, r);
	return merge_types(s->c->arena, storage_type(l), r);
}

static const struct type *check_ternary(struct sema *s, struct node *n)
{
	const struct type *c = check_condition(s, n->a, "ternary");
	if (!n->c) {
		/* a ?: b */
		const struct type *b = check_expr(s, n->b);
		if (c->kind == TY_INT && b->kind == TY_INT)
			return arith_result(c, b);
		return c;
	}
	const struct type *l = check_expr(s, n->b);
	const struct type *r = check_expr(s, n->c);
	const struct type *m = either_type(s, n->b, l, n->c, r);
	if (!m) {
		ERR(s, &n->loc, "Ternary operator must return the same type: have '%s' and '%s'", tname(s, l),
		    tname(s, r));
		return &type_none;
	}
	return m;
}

/* { stmts; value }: statements in a scope of their own, then the value */
static const struct type *check_block_expr(struct sema *s, struct node *n)
{
	struct scope sc;
	scope_push(s, &sc);
	check_statements(s, n->body);
	const struct type *t = n->a ? check_expr(s, n->a) : &type_void;
	scope_pop(s);
	return t;
}

/* if (c) { ... v1 } else { ... v2 } used as a value */
static const struct type *check_if_expr(struct sema *s, struct node *n)
{
	check_condition(s, n->a, "if()");
	const struct type *l = check_expr(s, n->body);
	if (!n->else_body) {
		ERR(s, &n->loc, "an if expression needs an else branch");
		return &type_none;
	}
	const struct type *r = check_expr(s, n->else_body);
	const struct type *m = either_type(s, n->body, l, n->else_body, r);
	if (!m || m->kind == TY_VOID) {
		ERR(s, &n->loc, "if expression branches must have the same type: have '%s' and '%s'", tname(s, l),
		    tname(s, r));
		return &type_none;
	}
	return m;
}

static const struct type *check_unop(struct sema *s, struct node *n)
{
	const struct type *t = check_expr(s, n->a);
	if (t->kind == TY_NONE)
		return t;
	if (!is_int(t)) {
		ERR(s, &n->loc, "Invalid operand for unary operator: '%s'", tname(s, t));
		return &type_none;
	}
	if (n->op == OP_NOT)
		return &type_bool;
	if (n->op == OP_NEG)
		return t->is_literal ? &type_lit : &type_i64;
	return t->kind == TY_INT ? (t->is_literal ? t : type_int(64, t->is_signed)) : &type_u64;
}

/* (a, b, ...) and records (name = a, ...), a tuple whose fields have names */
static const struct type *check_tuple(struct sema *s, struct node *n)
{
	bool record = n->kind == N_RECORD;
	int cnt = count_args(n->args), i = 0;
	const struct type **f = arena_alloc(s->c->arena, sizeof(*f) * (size_t)(cnt ? cnt : 1));
	const char **names = record ? arena_alloc(s->c->arena, sizeof(*names) * (size_t)(cnt ? cnt : 1)) : NULL;
	for (struct node *a = n->args; a; a = a->next, i++) {
		if (record)
			for (struct node *b = n->args; b != a; b = b->next)
				if (!strcmp(a->name, b->name)) {
					ERR(s, &a->loc, "duplicate record field '%s'", a->name);
					return &type_none;
				}
		const struct type *t = check_value(s, record ? a->a : a);
		if (t->kind == TY_NONE)
			return t;
		if (type_is_aggregate(t) || t->kind == TY_VOID) {
			ERR(s, &a->loc, "%s cannot be part of a %s", tname(s, t), record ? "record" : "tuple");
			return &type_none;
		}
		a->type = t;
		f[i] = storage_type(t);
		if (record)
			names[i] = a->name;
	}
	return type_tuple(s->c->arena, cnt, f, names);
}

/* t[literal] of a tuple, s[i] of a string */
static const struct type *check_index(struct sema *s, struct node *n)
{
	const struct type *t = check_expr(s, n->a);
	check_expr(s, n->b);
	int64_t idx;
	if (t->kind == TY_TUPLE && literal_value(n->b, &idx)) {
		if (idx < 0 || idx >= t->nfields) {
			ERR(s, &n->b->loc, "Invalid tuple index: %lld", (long long)idx);
			return &type_none;
		}
		n->kind = N_FIELD;
		n->name = arena_printf(s->c->arena, "%lld", (long long)idx);
		n->ival = (uint64_t)idx;
		return t->fields[idx];
	}
	if (t->kind == TY_STRING) {
		if (n->b->type->kind != TY_INT) {
			ERR(s, &n->b->loc, "string index must be an integer");
			return &type_none;
		}
		if (literal_value(n->b, &idx) && (idx < 0 || (uint64_t)idx >= t->size)) {
			ERR(s, &n->b->loc, "index %lld is out of bounds of '%s'", (long long)idx, tname(s, t));
			return &type_none;
		}
		return &type_i8;
	}
	if (t->kind == TY_ARRAY || (t->kind == TY_POINTER && t->pointee)) {
		if (n->b->type->kind != TY_INT) {
			ERR(s, &n->b->loc, "the index of '%s' must be an integer", tname(s, t));
			return &type_none;
		}
		if (t->kind == TY_ARRAY && literal_value(n->b, &idx) && (idx < 0 || (uint64_t)idx >= t->nelems)) {
			ERR(s, &n->b->loc, "the index %lld is out of bounds for array of size %zu", (long long)idx,
			    t->nelems);
			return &type_none;
		}
		if (t->kind == TY_POINTER)
			note_runtime_check(s, n, t->pointee->kind != TY_STRUCT);
		return t->pointee;
	}
	if (t->kind != TY_NONE)
		ERR(s, &n->loc, "indexing a value of type '%s' is not supported yet", tname(s, t));
	return &type_none;
}

/* The type of sizeof/offsetof's argument: an expression (never
 * evaluated) or a type; NULL after an error. */
static const struct type *operand_type(struct sema *s, struct node *n, const char *fn)
{
	if (n->a)
		return check_expr(s, n->a);
	const struct type *t = cast_type(s, n->tspec);
	const char *name = n->tspec && n->tspec->name ? n->tspec->name : "?";
	if (!t && (!strncmp(name, "struct ", 7) || !strncmp(name, "union ", 6)))
		ERR(s, &n->tspec->loc, "Unknown struct/union: '%s'", name);
	else if (!t)
		ERR(s, &n->loc, "%s of this type is not supported yet", fn);
	return t;
}

/* offsetof(T, a.b.c): the byte offset of a (nested) member, a constant */
static const struct type *check_offsetof(struct sema *s, struct node *n)
{
	const struct type *t = operand_type(s, n, "offsetof");
	uint64_t off;
	if (!t || t->kind == TY_NONE || !member_offset(s, &n->loc, t, n->name, &off))
		return &type_none;
	n->kind = N_INT;
	n->ival = off;
	return &type_lit;
}

bool member_offset(struct sema *s, const struct src_loc *loc, const struct type *t, const char *member,
		   uint64_t *out)
{
	uint64_t off = 0;
	char *path = arena_strdup(s->c->arena, member);
	for (char *save = NULL, *f = strtok_r(path, ".", &save); f; f = strtok_r(NULL, ".", &save)) {
		struct btf_member_ref m;
		if (!t || t->kind != TY_STRUCT) {
			ERR(s, loc, "a member offset needs a struct or union, not '%s'", t ? tname(s, t) : "?");
			return false;
		}
		if (!btf_find_member(compiler_btf(s->c), t, f, &m)) {
			ERR(s, loc, "Struct/union of type '%s' does not contain a field named '%s'", t->name, f);
			return false;
		}
		if (m.bitfield_bits) {
			ERR(s, loc, "the bitfield '%s' of '%s' has no byte offset", f, t->name);
			return false;
		}
		off += m.bit_offset / 8;
		t = m.type;
	}
	*out = off;
	return true;
}

static const struct type *check_sizeof(struct sema *s, struct node *n)
{
	const struct type *t = operand_type(s, n, "sizeof");
	if (!t || t->kind == TY_NONE)
		return &type_none;
	n->kind = N_INT;
	n->ival = type_field_size(t);
	return &type_lit;
}

static const struct type *check_expr_inner(struct sema *s, struct node *n)
{
	switch (n->kind) {
	case N_INT:
		if (n->op == 1) /* negative positional parameter */
			return &type_lit;
		return n->ival > INT64_MAX ? &type_lit_u : &type_lit;
	case N_STR:
		return type_string(s->c->arena, (size_t)n->str_len + 1);
	case N_BOOL:
		return &type_bool;
	case N_POSPARAM:
		posparam(s, n);
		return check_expr_inner(s, n);
	case N_POSCOUNT:
		n->kind = N_INT;
		n->ival = (uint64_t)s->c->opts->nparams;
		return &type_lit;
	case N_VAR: {
		struct var_info *v = use_var(s, n);
		return v ? v->type : &type_none;
	}
	case N_MAP:
		return check_map_read(s, n);
	case N_IDENT:
		return check_builtin(s, n);
	case N_CALL:
		return check_call(s, n);
	case N_BINOP:
		return check_binop(s, n);
	case N_UNOP:
		return check_unop(s, n);
	case N_INCDEC:
		return check_incdec(s, n);
	case N_TERNARY:
		return check_ternary(s, n);
	case N_FIELD:
		return check_field(s, n);
	case N_TUPLE: case N_RECORD:
		return check_tuple(s, n);
	case N_CAST:
		return check_cast(s, n);
	case N_INDEX:
		return check_index(s, n);
	case N_SIZEOF:
		return check_sizeof(s, n);
	case N_OFFSETOF:
		return check_offsetof(s, n);
	case N_INLINE_FN:
		return check_inline_fn(s, n);
	case N_BLOCK_EXPR:
		return check_block_expr(s, n);
	case N_IF_EXPR:
		return check_if_expr(s, n);
	case N_DEREF:
		return check_deref(s, n);
	case N_ADDROF:
		return check_addrof(s, n);
	case N_NAMED: case N_TYPEOF: case N_COMPTIME: {
		static const char *const what[] = {
			[N_NAMED] = "named arguments are",
			[N_TYPEOF] = "typeof is", [N_COMPTIME] = "comptime is",
		};
		ERR(s, &n->loc, "%s not supported yet", what[n->kind]);
		return &type_none;
	}
	default:
		ERR(s, &n->loc, "this statement cannot be used as an expression");
		return &type_none;
	}
}

const struct type *check_expr(struct sema *s, struct node *n)
{
	const struct type *t = check_expr_inner(s, n);
	n->type = t;
	return t;
}
