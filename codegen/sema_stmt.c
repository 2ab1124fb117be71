/* Statements in the semantic pass: assignments (which fix the types of
 * variables and maps), ++/--, let, if, while, unroll, for loops over
 * ranges and maps, break/continue/return, blocks with their scopes, and
 * the bodies of inlined fn calls. */
#include "sema_internal.h"

static void check_block(struct sema *s, struct node *body);
static void check_for_map(struct sema *s, struct node *st);

/* $var = a value of type t (an assignment at loc, or find()): declares the
 * variable or widens its type. */
void assign_var(struct sema *s, const struct src_loc *loc, struct node *target, const struct type *t)
{
	if (t->kind == TY_STRUCT) {
		ERR(s, loc, "a struct value ('%s') cannot be stored yet; store a pointer to it instead", t->name);
		return;
	}
	struct var_info *v = scope_find(s, target->name);
	if (!v) {
		/* The final pass starts from the type the first pass ended
		 * with, so that every use sees the variable's storage layout
		 * (a later assignment may widen a string or tuple). */
		const struct type *start = storage_type(t);
		const struct call_info *first = target->sema;
		if (s->c->second_pass && first && first->var) {
			const struct type *m = merge_types(s->c->arena, first->var->type, start);
			if (m)
				start = m;
		}
		v = scope_add(s, target->name, start);
	} else {
		const struct type *m = merge_types(s->c->arena, v->type, t);
		if (!m)
			ERR(s, loc, "Type mismatch for $%s: trying to assign value of type '%s' when variable already has a type '%s'",
			    target->name, tname(s, t), tname(s, v->type));
		else
			v->type = m;
	}
	sema_info(s->c, target)->var = v;
	target->type = v->type;
}

static void check_assign(struct sema *s, struct node *st)
{
	struct node *target = st->a, *value = st->b;
	bool aggregate = value->kind == N_CALL && is_aggregate_fn(value->name);
	if (aggregate && (target->kind != N_MAP || st->op != ASSIGN_EQ)) {
		ERR(s, &value->loc, "%s() should be directly assigned to a map", value->name);
		return;
	}
	if (target->kind == N_MAP) {
		struct map_info *m = use_map_key(s, target, true);
		note_map_update(s, target, &st->loc);
		const struct type *t;
		if (aggregate) {
			t = check_aggregate(s, value);
			value->type = t;
		} else if (st->op != ASSIGN_EQ) {
			note_divmod(s, st, st->op);
			const struct type *v = check_expr(s, value);
			if (v->kind != TY_NONE && !is_int(v))
				ERR(s, &st->loc, "Invalid operands for '%s=': '%s'", binop_str(st->op), tname(s, v));
			t = &type_i64;
			if (m->value->kind == TY_INT)
				t = m->value;
		} else {
			t = check_value(s, value);
		}
		if (t->kind == TY_NONE || t->kind == TY_VOID) {
			if (t->kind == TY_VOID)
				ERR(s, &value->loc, "cannot assign a value of type 'void'");
			return;
		}
		assign_map_value(s, m, t, &st->loc);
		target->type = m->value;
		return;
	}
	if (target->kind == N_VAR) {
		const struct type *t = check_value(s, value);
		if (t->kind == TY_NONE) {
			/* the value's error is reported: later uses of the
			 * variable are not errors of their own */
			if (st->op == ASSIGN_EQ && !scope_find(s, target->name))
				scope_add(s, target->name, &type_none);
			return;
		}
		if (t->kind == TY_VOID) {
			ERR(s, &value->loc, "cannot assign a value of type 'void'");
			return;
		}
		if (st->op != ASSIGN_EQ) {
			struct var_info *v = scope_find(s, target->name);
			if (!v) {
				ERR(s, &target->loc, "Undefined or undeclared variable: $%s", target->name);
				return;
			}
			if (!is_int(t) || v->type->kind != TY_INT) {
				ERR(s, &st->loc, "Invalid operands for '%s='", binop_str(st->op));
				return;
			}
			note_divmod(s, st, st->op);
			t = v->type;
		}
		assign_var(s, &st->loc, target, t);
		return;
	}
	ERR(s, &target->loc, "invalid assignment target");
}

const struct type *check_incdec(struct sema *s, struct node *n)
{
	struct node *t = n->a;
	if (t->kind == N_VAR) {
		struct var_info *v = use_var(s, t);
		if (!v)
			return &type_none;
		t->type = v->type;
		if (v->type->kind != TY_INT && v->type->kind != TY_NONE) {
			ERR(s, &n->loc, "The %s operator can only be used on integers", n->op <= OP_PRE_DEC ? "prefix" : "postfix");
			return &type_none;
		}
		return v->type;
	}
	if (t->kind == N_MAP) {
		struct map_info *m = use_map_key(s, t, true);
		note_map_update(s, t, &n->loc);
		assign_map_value(s, m, &type_i64, &n->loc);
		t->type = m->value;
		if (m->value->kind != TY_INT && m->value->kind != TY_NONE) {
			ERR(s, &n->loc, "increment/decrement of %s requires an integer map value", m->name);
			return &type_none;
		}
		return m->value;
	}
	ERR(s, &n->loc, "increment/decrement requires a variable or map");
	return &type_none;
}

static void check_let(struct sema *s, struct node *st)
{
	if (scope_find(s, st->name) && s->scope->parent) {
		struct var_info *v = scope_find(s, st->name);
		for (int i = 0; i < s->scope->nvars; i++)
			if (s->scope->vars[i] == v)
				ERR(s, &st->loc, "Variable $%s was already declared", st->name);
	}
	const struct type *t = st->tspec ? declared_type(s, st->tspec) : NULL;
	if (st->tspec && (!t || t->kind == TY_VOID)) {
		ERR(s, &st->tspec->loc, "declared type is not supported yet");
		return;
	}
	const struct type *vt = st->a ? check_expr(s, st->a) : NULL;
	if (!t)
		t = vt ? storage_type(vt) : &type_none;
	else if (vt && vt->kind != TY_NONE && !merge_types(s->c->arena, t, vt))
		ERR(s, &st->loc, "Type mismatch for $%s: trying to assign value of type '%s' when variable already has a type '%s'",
		    st->name, tname(s, vt), tname(s, t));
	sema_info(s->c, st)->var = scope_add(s, st->name, t);
}

static void check_unroll(struct sema *s, struct node *st)
{
	check_expr(s, st->a);
	int64_t v = 1;
	if (!literal_value(st->a, &v))
		ERR(s, &st->a->loc, "unroll count must be an integer literal");
	else if (v < 1)
		ERR(s, &st->a->loc, "unroll minimum value is 1");
	else if (v > LIMIT_UNROLL)
		ERR(s, &st->a->loc, "unroll maximum value is %d", LIMIT_UNROLL);
	int64_t outer = s->unroll_copies;
	if (v >= 1 && v <= LIMIT_UNROLL && outer * v > LIMIT_UNROLL_COPIES) {
		ERR(s, &st->loc, "nested unrolls make %lld copies of this body, more than the limit of %d",
		    (long long)(outer * v), LIMIT_UNROLL_COPIES);
		v = 1;
	}
	s->unroll_copies = outer * (v >= 1 && v <= LIMIT_UNROLL ? v : 1);
	check_block(s, st->body);
	s->unroll_copies = outer;
}

/* The body of a for loop: break and continue are allowed there, return
 * and exit() are not; a map loop's body has no probe context. */
static void check_for_body(struct sema *s, struct node *body, bool over_map)
{
	s->loop_depth++;
	s->for_depth++;
	s->map_loop_depth += over_map;
	check_block(s, body);
	s->map_loop_depth -= over_map;
	s->for_depth--;
	s->loop_depth--;
}

enum { INLINE_RANGE_MAX = 256 }; /* passes of a range loop lowered inline */

static void check_for_range(struct sema *s, struct node *st)
{
	const struct type *a = check_expr(s, st->a), *b = check_expr(s, st->b);
	if ((a->kind != TY_NONE && a->kind != TY_INT) || (b->kind != TY_NONE && b->kind != TY_INT))
		ERR(s, &st->loc, "for-range bounds must be integers");
	struct scope sc;
	scope_push(s, &sc);
	const struct type *it = a->kind == TY_INT && b->kind == TY_INT ? storage_type(arith_result(a, b)) : &type_i64;
	struct call_info *ci = sema_info(s->c, st);
	ci->var = scope_add(s, st->name, it);
	/* the verifier walks an inline loop pass by pass, so only a small
	 * constant count is inline; other loops run the body as a bpf_loop
	 * callback, checked once */
	int64_t from, to;
	ci->runtime_bounds = !literal_value(st->a, &from) || !literal_value(st->b, &to) ||
			     (to > from && (uint64_t)to - (uint64_t)from > INLINE_RANGE_MAX);
	s->probe->has_map_loop |= ci->runtime_bounds;
	check_for_body(s, st->body, false);
	scope_pop(s);
}

static void check_return(struct sema *s, struct node *st)
{
	if (s->for_depth)
		ERR(s, &st->loc, "'return' statement is not allowed in a for-loop");
	if (s->fn_ret) {
		const struct type *t = st->a ? check_expr(s, st->a) : &type_void;
		if (t->kind != TY_NONE && ((s->fn_ret->kind == TY_VOID) != (t->kind == TY_VOID) ||
					   (t->kind != TY_VOID && !merge_types(s->c->arena, s->fn_ret, t))))
			ERR(s, &st->loc, "return of '%s' in a function returning '%s'", tname(s, t), tname(s, s->fn_ret));
	} else if (st->a) {
		want_int(s, st->a, "return", "value");
	}
}

void check_stmt(struct sema *s, struct node *st)
{
	switch (st->kind) {
	case S_EXPR: case S_DISCARD:
		check_expr(s, st->a);
		break;
	case S_ASSIGN:
		check_assign(s, st);
		break;
	case S_LET:
		check_let(s, st);
		break;
	case S_IF:
		check_condition(s, st->a, "if()");
		check_block(s, st->body);
		if (st->else_body)
			check_block(s, st->else_body);
		break;
	case S_WHILE:
		WARN(s, &st->loc, "While loops are deprecated and may be removed in the future.");
		check_condition(s, st->a, "while()");
		s->loop_depth++;
		check_block(s, st->body);
		s->loop_depth--;
		break;
	case S_UNROLL:
		check_unroll(s, st);
		break;
	case S_FOR_RANGE:
		check_for_range(s, st);
		break;
	case S_FOR_MAP:
		check_for_map(s, st);
		break;
	case S_BREAK: case S_CONTINUE:
		if (!s->loop_depth)
			ERR(s, &st->loc, "'%s' statement is not allowed in a probe",
			    st->kind == S_BREAK ? "break" : "continue");
		break;
	case S_RETURN:
		check_return(s, st);
		break;
	case S_BLOCK:
		check_block(s, st->body);
		break;
	case S_IMPORT:
		ERR(s, &st->loc, "import is only allowed at the top of a file, before probes and functions "
		    "(root imports): import \"%s\"; inside a block is not supported", st->str);
		break;
	default:
		check_expr(s, st);
		break;
	}
}

/* The value a `for ($kv : @m)` loop sees for a map value. */
static const struct type *loop_value_type(struct sema *s, const struct map_info *m, const struct src_loc *loc)
{
	switch (m->value->kind) {
	case TY_COUNT: case TY_SUM: case TY_MIN: case TY_MAX:
		return m->value->is_signed ? &type_i64 : &type_u64;
	case TY_AVG: case TY_STATS: case TY_HIST: case TY_LHIST: case TY_TSERIES:
		ERR(s, loc, "for loops over maps of type '%s' are not supported yet", tname(s, m->value));
		return NULL;
	default:
		return m->value;
	}
}

static void check_for_map(struct sema *s, struct node *st)
{
	struct node *mapnode = st->a;
	struct map_info *m = map_get(s->c, map_name(s, mapnode), false);
	sema_info(s->c, mapnode)->map = m;
	struct scope sc;
	scope_push(s, &sc);
	const struct type *kv = &type_none;
	if (!m || !m->assigned) {
		ERR(s, &mapnode->loc, "Undefined map: %s", map_name(s, mapnode));
	} else if (!m->key) {
		ERR(s, &mapnode->loc, "%s is a scalar map: for loops need a map with keys", m->name);
	} else {
		const struct type *vt = loop_value_type(s, m, &mapnode->loc);
		if (vt) {
			const struct type *f[2] = { m->key, vt };
			kv = type_tuple(s->c->arena, 2, f, NULL);
		}
	}
	s->probe->has_map_loop = true;
	sema_info(s->c, st)->var = scope_add(s, st->name, kv);
	check_for_body(s, st->body, true);
	scope_pop(s);
}

/* A statement after which the rest of its block never runs. */
static bool ends_block(const struct node *st)
{
	if (st->kind == S_RETURN || st->kind == S_BREAK || st->kind == S_CONTINUE)
		return true;
	return st->kind == S_EXPR && st->a->kind == N_CALL && !strcmp(st->a->name, "exit");
}

void check_statements(struct sema *s, struct node *first)
{
	bool ended = false, warned = false;
	for (struct node *st = first; st; st = st->next) {
		if (ended && !warned) {
			WARN(s, &st->loc, "Unreachable statement."); /* once per block */
			warned = true;
		}
		check_stmt(s, st);
		ended = ended || ends_block(st);
	}
}

static void check_block(struct sema *s, struct node *body)
{
	struct scope sc;
	scope_push(s, &sc);
	check_statements(s, body);
	scope_pop(s);
}

/* An inlined `fn` call: arguments in the caller's scope, the body in a
 * scope of its own that sees only the parameters. */
const struct type *check_inline_fn(struct sema *s, struct node *n)
{
	int nargs = count_args(n->args), nparams = count_args(n->else_body);
	if (nargs != nparams) {
		ERR(s, &n->loc, "%s() requires %d argument%s (%d provided)", n->name, nparams, nparams == 1 ? "" : "s",
		    nargs);
		return &type_none;
	}
	const struct type *ret = n->tspec ? declared_type(s, n->tspec) : &type_void;
	if (!ret) {
		ERR(s, &n->tspec->loc, "return type of %s is not supported yet", n->name);
		return &type_none;
	}
	struct scope *caller = s->scope, own;
	const struct type *caller_ret = s->fn_ret;
	int loops = s->loop_depth, fors = s->for_depth;
	struct node *arg = n->args;
	for (struct node *p = n->else_body; p; p = p->next, arg = arg->next)
		check_expr(s, arg);
	s->scope = NULL;
	scope_push(s, &own);
	s->fn_ret = ret;
	s->loop_depth = s->for_depth = 0;
	arg = n->args;
	for (struct node *p = n->else_body; p; p = p->next, arg = arg->next) {
		const struct type *pt = declared_type(s, p->tspec);
		if (!pt || pt->kind == TY_VOID) {
			ERR(s, &p->loc, "parameter $%s: type not supported yet", p->name);
			pt = &type_none;
		} else if (arg->type->kind != TY_NONE && !merge_types(s->c->arena, pt, arg->type)) {
			ERR(s, &arg->loc, "%s(): argument $%s has type '%s', expected '%s'", n->name, p->name,
			    tname(s, arg->type), tname(s, pt));
		}
		sema_info(s->c, p)->var = scope_add(s, p->name, pt);
	}
	check_statements(s, n->body);
	s->scope = caller;
	s->fn_ret = caller_ret;
	s->loop_depth = loops;
	s->for_depth = fors;
	return ret;
}
