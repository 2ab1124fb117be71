/* Types in the semantic pass: scopes of scratch variables, the type a
 * stored value gets, merging the types of successive assignments, types
 * written in casts and declarations, and integer literal arguments. */
#include "btf.h"
#include "sema_internal.h"

const char *tname(struct sema *s, const struct type *t)
{
	return type_name(s->c->arena, t);
}

/* ---- variables and scopes ---- */

struct var_info *scope_find(struct sema *s, const char *name)
{
	for (struct scope *sc = s->scope; sc; sc = sc->parent)
		for (int i = 0; i < sc->nvars; i++)
			if (!strcmp(sc->vars[i]->name, name))
				return sc->vars[i];
	return NULL;
}

/* The variable $x names (n is N_VAR), or NULL after an error. */
struct var_info *use_var(struct sema *s, struct node *n)
{
	struct var_info *v = scope_find(s, n->name);
	if (!v) {
		ERR(s, &n->loc, "Undefined or undeclared variable: $%s", n->name);
		return NULL;
	}
	sema_info(s->c, n)->var = v;
	return v;
}

struct var_info *scope_add(struct sema *s, const char *name, const struct type *t)
{
	struct scope *sc = s->scope;
	sc->vars = grow_array(s->c->arena, sc->vars, sc->nvars, &sc->cap, sizeof(*sc->vars), 8);
	struct var_info *v = arena_alloc(s->c->arena, sizeof(*v));
	v->name = name;
	v->type = t;
	sc->vars[sc->nvars++] = v;
	return v;
}

void scope_push(struct sema *s, struct scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->parent = s->scope;
	s->scope = sc;
}

void scope_pop(struct sema *s)
{
	s->scope = s->scope->parent;
}

/* ---- type merging ---- */

/* The type a stored value gets: literals become int64/uint64. */
const struct type *storage_type(const struct type *t)
{
	if (t->kind == TY_INT && t->is_literal)
		return t->is_signed ? &type_i64 : &type_u64;
	return t;
}

/* Combine the type already held by a variable/map with a newly assigned
 * one: integers widen, strings grow. NULL when incompatible. */
const struct type *merge_types(struct arena *a, const struct type *old, const struct type *new)
{
	if (old->kind == TY_NONE)
		return storage_type(new);
	if (new->kind == TY_NONE)
		return old;
	if (old->kind == TY_INT && new->kind == TY_INT) {
		if (new->is_literal || type_equal(old, new))
			return old; /* an enum type keeps its names */
		int bits = old->bits > new->bits ? old->bits : new->bits;
		return type_int(bits, old->is_signed || new->is_signed);
	}
	if (old->kind != new->kind)
		return NULL;
	if (old->kind == TY_STRING)
		return old->size >= new->size ? old : new;
	if (old->kind == TY_TUPLE) {
		if (old->nfields != new->nfields || (old->names == NULL) != (new->names == NULL))
			return NULL;
		const struct type **f = arena_alloc(a, sizeof(*f) * (size_t)old->nfields);
		bool same = true;
		for (int i = 0; i < old->nfields; i++) {
			f[i] = merge_types(a, old->fields[i], new->fields[i]);
			if (!f[i])
				return NULL;
			same = same && f[i] == old->fields[i];
		}
		return same ? old : type_tuple(a, old->nfields, f, old->names);
	}
	if (old->kind == TY_HIST && old->hist_bits != new->hist_bits)
		return NULL;
	if ((old->kind == TY_LHIST || old->kind == TY_TSERIES) && !type_equal(old, new))
		return NULL;
	if (type_is_aggregate(old) && new->is_signed && !old->is_signed)
		return new;
	return old;
}

/* A pair of tuple fields that == can compare. */
static bool fields_comparable(const struct type *a, const struct type *b)
{
	if (a->kind == TY_TUPLE)
		return tuples_comparable(a, b);
	if (a->kind == TY_STRING)
		return b->kind == TY_STRING;
	return type_is_integer_like(a) && type_is_integer_like(b) &&
	       (a->kind == TY_POINTER) == (b->kind == TY_POINTER);
}

bool tuples_comparable(const struct type *a, const struct type *b)
{
	if (a->kind != TY_TUPLE || b->kind != TY_TUPLE || a->nfields != b->nfields ||
	    (a->names == NULL) != (b->names == NULL))
		return false;
	for (int i = 0; i < a->nfields; i++) {
		if (a->names && strcmp(a->names[i], b->names[i]))
			return false;
		if (!fields_comparable(a->fields[i], b->fields[i]))
			return false;
	}
	return true;
}

/* ---- written types ---- */

/* typeof(expr) or typeof(T), with the spec's own * and [N] suffixes; the
 * expression is typed, never evaluated. */
static const struct type *typeof_type(struct sema *s, struct type_spec *ts)
{
	struct node *of = ts->typeof_of;
	const struct type *t = of->kind == N_TYPEOF ? cast_type(s, of->tspec) : storage_type(check_expr(s, of));
	if (!t || t->kind == TY_NONE)
		return NULL;
	for (int i = 0; i < ts->pointer_depth; i++)
		t = type_pointer(s->c->arena, t);
	if (ts->array_len > 0)
		t = type_array(s->c->arena, t, (size_t)ts->array_len);
	return t;
}

const struct type *cast_type(struct sema *s, struct type_spec *ts)
{
	static const struct {
		const char *name;
		int bits;
		bool sign;
	} ints[] = {
		{ "int8", 8, 1 }, { "int16", 16, 1 }, { "int32", 32, 1 }, { "int64", 64, 1 },
		{ "uint8", 8, 0 }, { "uint16", 16, 0 }, { "uint32", 32, 0 }, { "uint64", 64, 0 },
		{ "u8", 8, 0 }, { "u16", 16, 0 }, { "u32", 32, 0 }, { "u64", 64, 0 },
		{ "s8", 8, 1 }, { "s16", 16, 1 }, { "s32", 32, 1 }, { "s64", 64, 1 },
		{ "int8_t", 8, 1 }, { "int16_t", 16, 1 }, { "int32_t", 32, 1 }, { "int64_t", 64, 1 },
		{ "uint8_t", 8, 0 }, { "uint16_t", 16, 0 }, { "uint32_t", 32, 0 }, { "uint64_t", 64, 0 },
		{ "char", 8, 1 }, { "short", 16, 1 }, { "int", 32, 1 }, { "long", 64, 1 },
		{ "pid_t", 32, 1 }, { "size_t", 64, 0 },
	};
	if (ts && ts->typeof_of)
		return typeof_type(s, ts);
	if (!ts || !ts->name)
		return NULL;
	if (ts->array_len >= 0) {
		/* T[N]: an array of T ([] only in casts: its length comes from the
		 * value cast) */
		struct type_spec elem = *ts;
		elem.array_len = -1;
		const struct type *e = cast_type(s, &elem);
		return e ? type_array(s->c->arena, e, (size_t)ts->array_len) : NULL;
	}
	if (ts->pointer_depth > 0) {
		struct type_spec base = *ts;
		base.pointer_depth = 0;
		const struct type *pointee = cast_type(s, &base);
		if (!pointee && (!strncmp(ts->name, "struct ", 7) || !strncmp(ts->name, "union ", 6)))
			return NULL; /* unknown struct: reported by the caller */
		return type_pointer(s->c->arena, pointee);
	}
	if (!strcmp(ts->name, "bool"))
		return &type_bool;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (!strcmp(ints[i].name, ts->name))
			return type_int(ints[i].bits, ints[i].sign);
	struct btf_types *bt = compiler_btf(s->c);
	return bt ? btf_named_type(bt, ts->name) : NULL;
}

/* A type written in a declaration: `let $x: T`, fn parameters and results. */
const struct type *declared_type(struct sema *s, struct type_spec *ts)
{
	if (ts && ts->name && !ts->pointer_depth) {
		if (!strcmp(ts->name, "void") && ts->array_len < 0)
			return &type_void;
		if (!strcmp(ts->name, "string"))
			return type_string(s->c->arena, ts->array_len > 0 ? (size_t)ts->array_len
									  : (size_t)s->c->opts->max_strlen);
	}
	return cast_type(s, ts);
}

/* An integer literal argument, possibly negated. */
bool literal_value(struct node *n, int64_t *v)
{
	if (n->kind == N_INT) {
		*v = (int64_t)n->ival;
		return true;
	}
	if (n->kind == N_UNOP && n->op == OP_NEG && n->a->kind == N_INT) {
		*v = -(int64_t)n->a->ival;
		return true;
	}
	return false;
}
