/* Lowering of statements: variable storage (stack slots, or scratch
 * memory in probes with map loops), assignments and ++/--, let, if, while,
 * unroll, for loops over ranges, break/continue/return, and inlined fn
 * calls with their own return block. */
#include "lower_internal.h"

LLVMValueRef var_storage(struct lower *l, struct var_info *v)
{
	if (v->owner != l->prog_fn) {
		v->owner = l->prog_fn;
		v->storage = NULL;
		if (is_scalar(v->type) && !l->vars_in_scratch) {
			v->storage = entry_alloca(l, l->i64);
		} else {
			/* assigned before any read (sema), so no zeroing needed */
			v->scratch_off = scratch_reserve(l, type_storage_size(v->type));
		}
	}
	return v->storage ? v->storage : gep(l, l->scratch_base, v->scratch_off);
}

struct val lower_incdec(struct lower *l, struct node *n)
{
	struct node *t = n->a;
	bool inc = n->op == OP_PRE_INC || n->op == OP_POST_INC;
	bool pre = n->op == OP_PRE_INC || n->op == OP_PRE_DEC;
	struct val old = lower_expr(l, t);
	LLVMValueRef nv = inc ? LLVMBuildAdd(l->b, old.v, lower_const(l, 1), "")
			      : LLVMBuildSub(l->b, old.v, lower_const(l, 1), "");
	if (t->kind == N_VAR) {
		struct var_info *v = ((struct call_info *)t->sema)->var;
		nv = normalize_int(l, nv, v->type);
		LLVMBuildStore(l->b, nv, var_storage(l, v));
	} else {
		struct map_info *m = ((struct call_info *)t->sema)->map;
		LLVMValueRef key = build_key(l, m, t->a);
		map_store(l, m, key, (struct val){ nv }, m->value, node_action(t));
		nv = normalize_int(l, nv, m->value);
	}
	return pre ? (struct val){ nv } : old;
}

static void lower_assign(struct lower *l, struct node *st)
{
	struct node *target = st->a, *value = st->b;
	if (target->kind == N_MAP) {
		struct map_info *m = ((struct call_info *)target->sema)->map;
		if (type_is_aggregate(m->value)) {
			lower_aggregate(l, m, target, value);
			return;
		}
		struct val v;
		const struct type *vt = value->type;
		if (st->op != ASSIGN_EQ) {
			struct val old = lower_map_read(l, target);
			struct val rhs = lower_expr(l, value);
			v = (struct val){ emit_arith(l, st->op, m->value->is_signed, old.v, rhs.v, node_action(st)) };
			vt = m->value;
		} else {
			v = lower_expr(l, value);
		}
		LLVMValueRef key = build_key(l, m, target->a);
		map_store(l, m, key, v, vt, node_action(target));
		return;
	}
	struct var_info *var = ((struct call_info *)target->sema)->var;
	struct val v = lower_expr(l, value);
	if (st->op != ASSIGN_EQ) {
		LLVMValueRef old = LLVMBuildLoad2(l->b, l->i64, var_storage(l, var), "");
		v.v = emit_arith(l, st->op, var->type->is_signed, old, v.v, node_action(st));
		store_value(l, var_storage(l, var), var->type, v, var->type);
		return;
	}
	store_value(l, var_storage(l, var), var->type, v, value->type);
}

static void lower_if(struct lower *l, struct node *st)
{
	struct val c = lower_expr(l, st->a);
	LLVMBasicBlockRef yes = new_block(l, "if.then"), no = new_block(l, "if.else"), done = new_block(l, "if.end");
	LLVMBuildCondBr(l->b, truth(l, c), yes, no);
	LLVMPositionBuilderAtEnd(l->b, yes);
	lower_statements(l, st->body);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, no);
	if (st->else_body)
		lower_statements(l, st->else_body);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

void lower_loop_body(struct lower *l, struct node *body, LLVMBasicBlockRef brk, LLVMBasicBlockRef cont)
{
	LLVMBasicBlockRef ob = l->break_bb, oc = l->continue_bb;
	l->break_bb = brk;
	l->continue_bb = cont;
	lower_statements(l, body);
	l->break_bb = ob;
	l->continue_bb = oc;
}

static void lower_while(struct lower *l, struct node *st)
{
	LLVMBasicBlockRef cond = new_block(l, "while.cond"), body = new_block(l, "while.body"),
			  done = new_block(l, "while.end");
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, cond);
	LLVMBuildCondBr(l->b, truth(l, lower_expr(l, st->a)), body, done);
	LLVMPositionBuilderAtEnd(l->b, body);
	lower_loop_body(l, st->body, done, cond);
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, done);
}

/* bpf_loop(count, callback, ctx, 0) runs at most this many times */
enum { BPF_LOOP_MAX = 1 << 23 };

/* A range loop with bounds known only at run time, or with many passes,
 * runs its body as a bpf_loop callback, which the verifier checks once: $i
 * is a + index. The callback gets the probe's context through its ctx
 * argument (a stack slot holding it), so the body may read it as the probe
 * does. A count beyond what bpf_loop takes runs no pass. */
static void lower_for_range_callback(struct lower *l, struct node *st)
{
	struct var_info *v = ((struct call_info *)st->sema)->var;
	var_storage(l, v); /* reserve its slot while still in the probe */
	LLVMValueRef start = lower_expr(l, st->a).v, end = lower_expr(l, st->b).v;
	size_t start_off = scratch_reserve(l, 8);
	LLVMBuildStore(l->b, start, gep(l, l->scratch_base, start_off));
	LLVMIntPredicate lt = v->type->is_signed ? LLVMIntSLT : LLVMIntULT;
	LLVMValueRef count = LLVMBuildSelect(l->b, LLVMBuildICmp(l->b, lt, start, end, ""),
					     LLVMBuildSub(l->b, end, start, ""), lower_const(l, 0), "");
	LLVMValueRef too_many = LLVMBuildICmp(l->b, LLVMIntUGT, count, lower_const(l, BPF_LOOP_MAX), "");
	count = LLVMBuildSelect(l->b, too_many, lower_const(l, 0), count, "");
	LLVMValueRef ctx_slot = entry_alloca(l, l->ptr);
	LLVMBuildStore(l->b, l->ctx_arg ? l->ctx_arg : LLVMConstNull(l->ptr), ctx_slot); /* none in a map loop */

	struct loop_callback cb;
	static const char *const pnames[2] = { "index", "ctx" };
	loop_callback_begin(l, &cb, st, pnames, 2);
	l->ctx_arg = LLVMBuildLoad2(l->b, l->ptr, LLVMGetParam(cb.fn, 1), "");
	LLVMValueRef index = LLVMBuildPtrToInt(l->b, LLVMGetParam(cb.fn, 0), l->i64, "");
	LLVMValueRef first = LLVMBuildLoad2(l->b, l->i64, gep(l, l->scratch_base, start_off), "");
	LLVMBuildStore(l->b, LLVMBuildAdd(l->b, first, index, ""), var_storage(l, v));
	lower_loop_body(l, st->body, cb.stop, cb.next);
	loop_callback_end(l, &cb, st);

	LLVMValueRef args[4] = { count, cb.fn, ctx_slot, lower_const(l, 0) };
	lower_helper(l, H_LOOP, l->i64, args, 4);
}

/* Constant bounds: an inline loop. The counter lives in a stack slot of
 * its own, copied into $i at the top of each pass: the verifier bounds the
 * loop only by tracking the counter, and it cannot track a value kept in
 * scratch map memory (where $i is in probes with map loops). */
static void lower_for_range(struct lower *l, struct node *st)
{
	struct var_info *v = ((struct call_info *)st->sema)->var;
	if (((struct call_info *)st->sema)->runtime_bounds) {
		lower_for_range_callback(l, st);
		return;
	}
	LLVMValueRef counter = entry_alloca(l, l->i64);
	LLVMValueRef end = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_expr(l, st->a).v, counter);
	LLVMBuildStore(l->b, lower_expr(l, st->b).v, end);
	LLVMBasicBlockRef cond = new_block(l, "for.cond"), body = new_block(l, "for.body"),
			  step = new_block(l, "for.step"), done = new_block(l, "for.end");
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, cond);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, counter, "");
	LLVMValueRef e = LLVMBuildLoad2(l->b, l->i64, end, "");
	LLVMIntPredicate pred = v->type->is_signed ? LLVMIntSLT : LLVMIntULT;
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, pred, i, e, ""), body, done);
	LLVMPositionBuilderAtEnd(l->b, body);
	LLVMBuildStore(l->b, i, var_storage(l, v));
	lower_loop_body(l, st->body, done, step);
	LLVMBuildBr(l->b, step);
	LLVMPositionBuilderAtEnd(l->b, step);
	LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, counter, ""), lower_const(l, 1), ""), counter);
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, done);
}

void emit_return(struct lower *l, LLVMValueRef value)
{
	LLVMBuildRet(l->b, probe_result(l, value));
	/* code after a return goes into an unreachable block */
	LLVMPositionBuilderAtEnd(l->b, new_block(l, "dead"));
}

static void lower_stmt(struct lower *l, struct node *st)
{
	emit_set_loc(l, &st->loc);
	switch (st->kind) {
	case S_EXPR: case S_DISCARD:
		lower_expr(l, st->a);
		break;
	case S_ASSIGN:
		lower_assign(l, st);
		break;
	case S_LET: {
		struct var_info *v = ((struct call_info *)st->sema)->var;
		LLVMValueRef p = var_storage(l, v);
		if (st->a)
			store_value(l, p, v->type, lower_expr(l, st->a), st->a->type);
		else
			store_zero(l, p, v->type);
		break;
	}
	case S_IF:
		lower_if(l, st);
		break;
	case S_WHILE:
		lower_while(l, st);
		break;
	case S_FOR_RANGE:
		lower_for_range(l, st);
		break;
	case S_FOR_MAP:
		lower_for_map(l, st);
		break;
	case S_UNROLL:
		for (uint64_t i = 0; i < st->a->ival; i++)
			lower_statements(l, st->body);
		break;
	case S_BREAK: case S_CONTINUE:
		LLVMBuildBr(l->b, st->kind == S_BREAK ? l->break_bb : l->continue_bb);
		LLVMPositionBuilderAtEnd(l->b, new_block(l, "dead"));
		break;
	case S_RETURN:
		if (l->fn_return_bb) {
			if (st->a && l->fn_result)
				store_value(l, l->fn_result, l->fn_result_type, lower_expr(l, st->a), st->a->type);
			LLVMBuildBr(l->b, l->fn_return_bb);
			LLVMPositionBuilderAtEnd(l->b, new_block(l, "dead"));
			break;
		}
		/* `return N` is the result of a test: or bench: probe */
		emit_return(l, st->a && (l->spec->flags & PF_RESULT)
				       ? LLVMBuildIntCast(l->b, lower_expr(l, st->a).v, l->i32, "") : NULL);
		break;
	case S_BLOCK:
		lower_statements(l, st->body);
		break;
	default:
		lower_expr(l, st);
		break;
	}
}

struct val lower_inline_fn(struct lower *l, struct node *n)
{
	const struct type *ret = n->type;
	/* arguments first, in the caller's context */
	struct node *arg = n->args;
	for (struct node *p = n->else_body; p; p = p->next, arg = arg->next) {
		struct var_info *v = ((struct call_info *)p->sema)->var;
		store_value(l, var_storage(l, v), v->type, lower_expr(l, arg), arg->type);
	}
	LLVMBasicBlockRef saved_bb = l->fn_return_bb;
	LLVMValueRef saved_result = l->fn_result;
	const struct type *saved_type = l->fn_result_type;
	l->fn_return_bb = new_block(l, "fn.return");
	l->fn_result = NULL;
	l->fn_result_type = ret;
	if (ret->kind != TY_VOID) {
		l->fn_result = value_slot(l, ret);
		store_zero(l, l->fn_result, ret);
	}
	LLVMValueRef result = l->fn_result;
	lower_statements(l, n->body);
	LLVMBuildBr(l->b, l->fn_return_bb);
	LLVMPositionBuilderAtEnd(l->b, l->fn_return_bb);
	l->fn_return_bb = saved_bb;
	l->fn_result = saved_result;
	l->fn_result_type = saved_type;
	return result ? load_value(l, result, ret) : (struct val){ lower_const(l, 0) };
}

void lower_statements(struct lower *l, struct node *first)
{
	for (struct node *st = first; st; st = st->next)
		lower_stmt(l, st);
}
