/* Lowering of operators: arithmetic and bitwise operators (with BPF-safe
 * signed division and the runtime warning on division by zero),
 * comparisons, short-circuit && and ||, unary operators, casts, and the
 * ternary operator and if expressions, which pick one of two values. */
#include "lower_internal.h"

static bool signed_op(const struct node *n)
{
	const struct type *a = n->a->type, *b = n->b->type;
	bool as = a->kind == TY_INT && a->is_signed && !a->is_literal;
	bool bs = b->kind == TY_INT && b->is_signed && !b->is_literal;
	if (a->is_literal && b->is_literal)
		return true;
	return as || bs;
}

/* Division and modulo: BPF cpu v3 has no signed division, and dividing by
 * zero yields 1 (with a runtime warning) as the language specifies. */
static LLVMValueRef emit_divmod(struct lower *l, bool is_div, bool sgn, LLVMValueRef a, LLVMValueRef b,
				int warn_action)
{
	LLVMValueRef zero = lower_const(l, 0);
	LLVMValueRef bz = LLVMBuildICmp(l->b, LLVMIntEQ, b, zero, "");
	emit_runtime_warning(l, bz, warn_action);
	LLVMValueRef safe_b = LLVMBuildSelect(l->b, bz, lower_const(l, 1), b, "");
	LLVMValueRef r;
	if (sgn) {
		LLVMValueRef an = LLVMBuildICmp(l->b, LLVMIntSLT, a, zero, "");
		LLVMValueRef bn = LLVMBuildICmp(l->b, LLVMIntSLT, safe_b, zero, "");
		LLVMValueRef ua = LLVMBuildSelect(l->b, an, LLVMBuildNeg(l->b, a, ""), a, "");
		LLVMValueRef ub = LLVMBuildSelect(l->b, bn, LLVMBuildNeg(l->b, safe_b, ""), safe_b, "");
		LLVMValueRef q = is_div ? LLVMBuildUDiv(l->b, ua, ub, "") : LLVMBuildURem(l->b, ua, ub, "");
		LLVMValueRef neg = is_div ? LLVMBuildXor(l->b, an, bn, "") : an;
		r = LLVMBuildSelect(l->b, neg, LLVMBuildNeg(l->b, q, ""), q, "");
	} else {
		r = is_div ? LLVMBuildUDiv(l->b, a, safe_b, "") : LLVMBuildURem(l->b, a, safe_b, "");
	}
	return LLVMBuildSelect(l->b, bz, lower_const(l, 1), r, "");
}

/* An arithmetic or bitwise operator on two i64 values. */
LLVMValueRef emit_arith(struct lower *l, int op, bool sgn, LLVMValueRef a, LLVMValueRef b, int warn_action)
{
	switch (op) {
	case OP_ADD: return LLVMBuildAdd(l->b, a, b, "");
	case OP_SUB: return LLVMBuildSub(l->b, a, b, "");
	case OP_MUL: return LLVMBuildMul(l->b, a, b, "");
	case OP_DIV: case OP_MOD: return emit_divmod(l, op == OP_DIV, sgn, a, b, warn_action);
	case OP_SHL: return LLVMBuildShl(l->b, a, b, "");
	case OP_SHR: return sgn ? LLVMBuildAShr(l->b, a, b, "") : LLVMBuildLShr(l->b, a, b, "");
	case OP_BAND: return LLVMBuildAnd(l->b, a, b, "");
	case OP_BOR: return LLVMBuildOr(l->b, a, b, "");
	default: return LLVMBuildXor(l->b, a, b, "");
	}
}

static struct val lower_logical(struct lower *l, struct node *n)
{
	LLVMValueRef res = entry_alloca(l, l->i64);
	struct val a = lower_expr(l, n->a);
	LLVMValueRef at = truth(l, a);
	LLVMBuildStore(l->b, bool_to_i64(l, at), res);
	LLVMBasicBlockRef rhs = new_block(l, "logic.rhs"), done = new_block(l, "logic.done");
	if (n->op == OP_LAND)
		LLVMBuildCondBr(l->b, at, rhs, done);
	else
		LLVMBuildCondBr(l->b, at, done, rhs);
	LLVMPositionBuilderAtEnd(l->b, rhs);
	struct val b = lower_expr(l, n->b);
	LLVMBuildStore(l->b, bool_to_i64(l, truth(l, b)), res);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return (struct val){ LLVMBuildLoad2(l->b, l->i64, res, "") };
}

struct val lower_binop(struct lower *l, struct node *n)
{
	if (n->op == OP_LAND || n->op == OP_LOR)
		return lower_logical(l, n);
	if ((n->op == OP_EQ || n->op == OP_NE) && n->a->type->kind == TY_STRING) {
		struct val a = lower_expr(l, n->a), b = lower_expr(l, n->b);
		LLVMValueRef eq = string_equal(l, n->a, a.v, n->a->type->size, n->b, b.v, n->b->type->size,
					       (size_t)-1);
		if (n->op == OP_NE)
			eq = LLVMBuildNot(l->b, eq, "");
		return (struct val){ bool_to_i64(l, eq) };
	}
	struct val av = lower_expr(l, n->a), bv = lower_expr(l, n->b);
	LLVMValueRef a = av.v, b = bv.v;
	if ((n->op == OP_EQ || n->op == OP_NE) && (n->a->type->kind == TY_TUPLE || n->a->type->kind == TY_ARRAY)) {
		LLVMValueRef eq = n->a->type->kind == TY_ARRAY ? array_equal(l, n->a->type, a, b)
							       : tuple_equal(l, n->a->type, a, n->b->type, b);
		return (struct val){ bool_to_i64(l, n->op == OP_NE ? LLVMBuildNot(l->b, eq, "") : eq) };
	}
	bool sgn = signed_op(n);
	LLVMIntPredicate pred;
	switch (n->op) {
	case OP_SHR: /* arithmetic shift for a signed left operand */
		return (struct val){ emit_arith(l, n->op, n->a->type->kind == TY_INT && n->a->type->is_signed, a, b, node_action(n)) };
	case OP_ADD: case OP_SUB:
		/* p + i moves by i elements, as in C */
		if (n->a->type->kind == TY_POINTER && n->a->type->pointee && n->b->type->kind == TY_INT)
			b = LLVMBuildMul(l->b, b, lower_const(l, type_field_size(n->a->type->pointee)), "");
		return (struct val){ emit_arith(l, n->op, sgn, a, b, node_action(n)) };
	case OP_MUL: case OP_DIV: case OP_MOD: case OP_SHL:
	case OP_BAND: case OP_BOR: case OP_BXOR:
		return (struct val){ emit_arith(l, n->op, sgn, a, b, node_action(n)) };
	case OP_EQ: pred = LLVMIntEQ; break;
	case OP_NE: pred = LLVMIntNE; break;
	case OP_LT: pred = sgn ? LLVMIntSLT : LLVMIntULT; break;
	case OP_LE: pred = sgn ? LLVMIntSLE : LLVMIntULE; break;
	case OP_GT: pred = sgn ? LLVMIntSGT : LLVMIntUGT; break;
	default: pred = sgn ? LLVMIntSGE : LLVMIntUGE; break;
	}
	return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, pred, a, b, "")) };
}

/* cond ? yes : no, each side lowered in a block of its own (names: the
 * two sides and the join); yes NULL: the condition's value itself (a ?: b). */
static struct val lower_choice(struct lower *l, const struct type *t, struct node *cond, struct node *yes,
			       struct node *no, const char *const names[3])
{
	struct val c = lower_expr(l, cond);
	LLVMValueRef slot = value_slot(l, t);
	LLVMBasicBlockRef yes_bb = new_block(l, names[0]), no_bb = new_block(l, names[1]),
			  done = new_block(l, names[2]);
	LLVMBuildCondBr(l->b, truth(l, c), yes_bb, no_bb);
	LLVMPositionBuilderAtEnd(l->b, yes_bb);
	if (yes)
		store_value(l, slot, t, lower_expr(l, yes), yes->type);
	else
		store_value(l, slot, t, c, cond->type);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, no_bb);
	store_value(l, slot, t, lower_expr(l, no), no->type);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return load_value(l, slot, t);
}

struct val lower_ternary(struct lower *l, struct node *n)
{
	static const char *const names[3] = { "tern.yes", "tern.no", "tern.done" };
	if (!n->c) /* a ?: b */
		return lower_choice(l, n->type, n->a, NULL, n->b, names);
	return lower_choice(l, n->type, n->a, n->b, n->c, names);
}

/* if/else used as a value */
struct val lower_if_expr(struct lower *l, struct node *n)
{
	static const char *const names[3] = { "ifx.then", "ifx.else", "ifx.end" };
	return lower_choice(l, n->type, n->a, n->body, n->else_body, names);
}

struct val lower_cast(struct lower *l, struct node *n)
{
	struct val v = lower_expr(l, n->a);
	if (n->type->kind == TY_ARRAY) { /* the integer's bytes, in memory */
		LLVMValueRef slot = scratch_alloc(l, 8);
		LLVMBuildStore(l->b, v.v, slot);
		return (struct val){ slot };
	}
	if (n->a->type->kind == TY_ARRAY) {
		LLVMTypeRef it = LLVMIntTypeInContext(l->ctx, (unsigned)n->type->bits);
		LLVMValueRef x = LLVMBuildLoad2(l->b, it, v.v, "");
		x = n->type->bits == 64 ? x : n->type->is_signed ? LLVMBuildSExt(l->b, x, l->i64, "")
								 : LLVMBuildZExt(l->b, x, l->i64, "");
		return (struct val){ x };
	}
	return (struct val){ normalize_int(l, v.v, n->type) };
}

struct val lower_unop(struct lower *l, struct node *n)
{
	struct val v = lower_expr(l, n->a);
	switch (n->op) {
	case OP_NOT:
		return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, LLVMIntEQ, v.v, lower_const(l, 0), "")) };
	case OP_BNOT:
		return (struct val){ normalize_int(l, LLVMBuildNot(l->b, v.v, ""), n->a->type->kind == TY_INT && !n->a->type->is_literal ? n->a->type : &type_i64) };
	default:
		return (struct val){ LLVMBuildNeg(l->b, v.v, "") };
	}
}
