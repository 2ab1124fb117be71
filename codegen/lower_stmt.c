/* Lowering of statements, map operations, asynchronous events and whole
 * probe programs. */
#include <stdio.h>
#include <string.h>

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

/* ---- maps ---- */

static const struct map_desc *desc_of(struct lower *l, struct map_info *m);

/* The BPF key of a map access in scratch memory; extra bytes are left for
 * a histogram's bucket word. */
static LLVMValueRef build_key(struct lower *l, struct map_info *m, struct node *keynode)
{
	const struct map_desc *d = desc_of(l, m);
	LLVMValueRef slot = scratch_alloc(l, d->key_size);
	if (!m->key) {
		LLVMBuildStore(l->b, lower_const(l, 0), slot);
		return slot;
	}
	struct val k = lower_expr(l, keynode);
	store_value(l, slot, m->key, k, keynode->type);
	return slot;
}

static LLVMValueRef map_lookup(struct lower *l, struct map_info *m, LLVMValueRef key)
{
	LLVMValueRef args[2] = { l->map_globals[m->index], key };
	return lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
}

static void map_update(struct lower *l, struct map_info *m, LLVMValueRef key, LLVMValueRef val, uint64_t flags)
{
	LLVMValueRef args[4] = { l->map_globals[m->index], key, val, lower_const(l, flags) };
	lower_helper(l, H_MAP_UPDATE, l->i64, args, 4);
}

/* Sum of one 64-bit word of a per-CPU value over all CPUs. */
static LLVMValueRef percpu_sum(struct lower *l, struct map_info *m, LLVMValueRef key, size_t off)
{
	LLVMValueRef acc = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, 0), acc);
	for (int cpu = 0; cpu < l->c->opts->ncpus; cpu++) {
		LLVMValueRef args[3] = { l->map_globals[m->index], key, LLVMConstInt(l->i32, (unsigned)cpu, 0) };
		LLVMValueRef p = lower_helper(l, H_MAP_LOOKUP_PERCPU, l->ptr, args, 3);
		LLVMBasicBlockRef have = new_block(l, "pcpu.have"), next = new_block(l, "pcpu.next");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, p, LLVMConstNull(l->ptr), ""), next, have);
		LLVMPositionBuilderAtEnd(l->b, have);
		LLVMValueRef v = LLVMBuildLoad2(l->b, l->i64, gep(l, p, off), "");
		LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, acc, ""), v, ""), acc);
		LLVMBuildBr(l->b, next);
		LLVMPositionBuilderAtEnd(l->b, next);
	}
	return LLVMBuildLoad2(l->b, l->i64, acc, "");
}

/* Reading an aggregation in BPF merges the per-CPU values at that moment. */
static struct val read_aggregate(struct lower *l, struct map_info *m, LLVMValueRef key)
{
	switch (m->value->kind) {
	case TY_COUNT: case TY_SUM:
		return (struct val){ percpu_sum(l, m, key, 0) };
	case TY_AVG: {
		LLVMValueRef cnt = percpu_sum(l, m, key, 0), tot = percpu_sum(l, m, key, 8);
		LLVMValueRef z = LLVMBuildICmp(l->b, LLVMIntEQ, cnt, lower_const(l, 0), "");
		LLVMValueRef safe = LLVMBuildSelect(l->b, z, lower_const(l, 1), cnt, "");
		LLVMValueRef q = m->value->is_signed ? LLVMBuildSDiv(l->b, tot, safe, "") : LLVMBuildUDiv(l->b, tot, safe, "");
		return (struct val){ LLVMBuildSelect(l->b, z, lower_const(l, 0), q, "") };
	}
	default: {
		/* min/max: the current CPU's value */
		LLVMValueRef p = map_lookup(l, m, key);
		LLVMValueRef res = entry_alloca(l, l->i64);
		LLVMBuildStore(l->b, lower_const(l, 0), res);
		LLVMBasicBlockRef have = new_block(l, "agg.have"), done = new_block(l, "agg.done");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, p, LLVMConstNull(l->ptr), ""), done, have);
		LLVMPositionBuilderAtEnd(l->b, have);
		LLVMBuildStore(l->b, LLVMBuildLoad2(l->b, l->i64, p, ""), res);
		LLVMBuildBr(l->b, done);
		LLVMPositionBuilderAtEnd(l->b, done);
		return (struct val){ LLVMBuildLoad2(l->b, l->i64, res, "") };
	}
	}
}

struct val lower_map_read(struct lower *l, struct node *n)
{
	struct map_info *m = ((struct call_info *)n->sema)->map;
	LLVMValueRef key = build_key(l, m, n->a);
	if (type_is_aggregate(m->value))
		return read_aggregate(l, m, key);
	const struct type *t = m->value;
	LLVMValueRef p = map_lookup(l, m, key);
	LLVMValueRef slot = is_scalar(t) ? entry_alloca(l, l->i64) : scratch_alloc(l, t->size);
	if (is_scalar(t))
		LLVMBuildStore(l->b, lower_const(l, 0), slot);
	else
		emit_memset0(l, slot, t->size);
	LLVMBasicBlockRef have = new_block(l, "map.have"), done = new_block(l, "map.done");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, p, LLVMConstNull(l->ptr), ""), done, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	if (is_scalar(t))
		LLVMBuildStore(l->b, LLVMBuildLoad2(l->b, l->i64, p, ""), slot);
	else
		emit_memcpy(l, slot, p, t->size);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return load_value(l, slot, t);
}

static void map_store(struct lower *l, struct map_info *m, LLVMValueRef key, struct val v, const struct type *vt)
{
	const struct map_desc *d = desc_of(l, m);
	LLVMValueRef slot = scratch_alloc(l, d->value_size);
	store_value(l, slot, m->value, v, vt);
	map_update(l, m, key, slot, 0);
}

/* Look up a per-CPU aggregation entry, creating it zeroed when missing.
 * Branches to `skip` when the map is full. */
static LLVMValueRef aggregate_entry(struct lower *l, struct map_info *m, LLVMValueRef key, LLVMBasicBlockRef skip)
{
	const struct map_desc *d = desc_of(l, m);
	LLVMValueRef res = entry_alloca(l, l->ptr);
	LLVMValueRef p = map_lookup(l, m, key);
	LLVMBuildStore(l->b, p, res);
	LLVMBasicBlockRef create = new_block(l, "agg.create"), have = new_block(l, "agg.have");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, p, LLVMConstNull(l->ptr), ""), create, have);
	LLVMPositionBuilderAtEnd(l->b, create);
	LLVMValueRef zero = scratch_alloc(l, d->value_size);
	emit_memset0(l, zero, d->value_size);
	map_update(l, m, key, zero, 1 /* BPF_NOEXIST */);
	LLVMValueRef p2 = map_lookup(l, m, key);
	LLVMBuildStore(l->b, p2, res);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, p2, LLVMConstNull(l->ptr), ""), skip, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	return LLVMBuildLoad2(l->b, l->ptr, res, "");
}

static void add_to(struct lower *l, LLVMValueRef p, LLVMValueRef v)
{
	LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, p, ""), v, ""), p);
}

/* log2 histogram bucket (§9): n < 0 → 0; n < 2^k → n + 1; else
 * ((l + 1) << k) + x + 1 with p = ⌊log2 n⌋, l = p − k, x = (n >> l) & (2^k − 1). */
static LLVMValueRef hist_bucket(struct lower *l, LLVMValueRef n, int k)
{
	LLVMValueRef zero = lower_const(l, 0);
	/* p = floor(log2(n)) by binary search, branch-free */
	LLVMValueRef x = n, p = zero;
	for (int shift = 32; shift >= 1; shift /= 2) {
		LLVMValueRef hi = LLVMBuildLShr(l->b, x, lower_const(l, (uint64_t)shift), "");
		LLVMValueRef has = LLVMBuildICmp(l->b, LLVMIntNE, hi, zero, "");
		x = LLVMBuildSelect(l->b, has, hi, x, "");
		p = LLVMBuildSelect(l->b, has, LLVMBuildAdd(l->b, p, lower_const(l, (uint64_t)shift), ""), p, "");
	}
	LLVMValueRef lsh = LLVMBuildSub(l->b, p, lower_const(l, (uint64_t)k), "");
	LLVMValueRef frac = LLVMBuildAnd(l->b, LLVMBuildLShr(l->b, n, lsh, ""), lower_const(l, (1ull << k) - 1), "");
	LLVMValueRef big = LLVMBuildAdd(l->b,
					LLVMBuildAdd(l->b, LLVMBuildShl(l->b, LLVMBuildAdd(l->b, lsh, lower_const(l, 1), ""),
									lower_const(l, (uint64_t)k), ""),
						     frac, ""),
					lower_const(l, 1), "");
	LLVMValueRef small = LLVMBuildAdd(l->b, n, lower_const(l, 1), "");
	LLVMValueRef is_small = LLVMBuildICmp(l->b, LLVMIntSLT, n, lower_const(l, 1ull << k), "");
	LLVMValueRef r = LLVMBuildSelect(l->b, is_small, small, big, "");
	return LLVMBuildSelect(l->b, LLVMBuildICmp(l->b, LLVMIntSLT, n, zero, ""), zero, r, "");
}

static LLVMValueRef lhist_bucket(struct lower *l, LLVMValueRef n, const struct type *t)
{
	int64_t min = t->lh_min, max = t->lh_max, step = t->lh_step;
	LLVMValueRef below = LLVMBuildICmp(l->b, LLVMIntSLT, n, lower_const(l, (uint64_t)min), "");
	LLVMValueRef above = LLVMBuildICmp(l->b, LLVMIntSGE, n, lower_const(l, (uint64_t)max), "");
	LLVMValueRef inner = LLVMBuildAdd(l->b,
					  LLVMBuildUDiv(l->b, LLVMBuildSub(l->b, n, lower_const(l, (uint64_t)min), ""),
							lower_const(l, (uint64_t)step), ""),
					  lower_const(l, 1), "");
	LLVMValueRef r = LLVMBuildSelect(l->b, above, lower_const(l, 1 + (uint64_t)((max - min) / step)), inner, "");
	return LLVMBuildSelect(l->b, below, lower_const(l, 0), r, "");
}

static void lower_aggregate(struct lower *l, struct map_info *m, struct node *target, struct node *call)
{
	const struct map_desc *d = desc_of(l, m);
	LLVMValueRef key = build_key(l, m, target->a);
	struct val v = { lower_const(l, 0) };
	if (call->args)
		v = lower_expr(l, call->args);
	enum type_kind kind = m->value->kind;
	if (kind == TY_HIST || kind == TY_LHIST) {
		LLVMValueRef bucket = kind == TY_HIST ? hist_bucket(l, v.v, m->value->hist_bits)
						      : lhist_bucket(l, v.v, m->value);
		LLVMBuildStore(l->b, bucket, gep(l, key, d->key_size - 8));
	}
	LLVMBasicBlockRef done = new_block(l, "agg.done");
	LLVMValueRef p = aggregate_entry(l, m, key, done);
	switch (kind) {
	case TY_COUNT: case TY_HIST: case TY_LHIST:
		add_to(l, p, lower_const(l, 1));
		break;
	case TY_SUM:
		add_to(l, p, v.v);
		break;
	case TY_AVG: case TY_STATS:
		add_to(l, p, lower_const(l, 1));
		add_to(l, gep(l, p, 8), v.v);
		break;
	case TY_MIN: case TY_MAX: {
		LLVMValueRef cur = LLVMBuildLoad2(l->b, l->i64, p, "");
		LLVMValueRef set = LLVMBuildLoad2(l->b, l->i64, gep(l, p, 8), "");
		bool sgn = m->value->is_signed;
		LLVMIntPredicate pred = kind == TY_MIN ? (sgn ? LLVMIntSLT : LLVMIntULT) : (sgn ? LLVMIntSGT : LLVMIntUGT);
		LLVMValueRef better = LLVMBuildOr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, set, lower_const(l, 0), ""),
						  LLVMBuildICmp(l->b, pred, v.v, cur, ""), "");
		LLVMBasicBlockRef upd = new_block(l, "agg.upd");
		LLVMBuildCondBr(l->b, better, upd, done);
		LLVMPositionBuilderAtEnd(l->b, upd);
		LLVMBuildStore(l->b, v.v, p);
		LLVMBuildStore(l->b, lower_const(l, 1), gep(l, p, 8));
		break;
	}
	default:
		break;
	}
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
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
		map_store(l, m, key, (struct val){ nv }, m->value);
		nv = normalize_int(l, nv, m->value);
	}
	return pre ? (struct val){ nv } : old;
}

/* ---- events ---- */

static void event_send(struct lower *l, LLVMValueRef ev, size_t payload);

/* Fill an event (u64 action index + payload) and send it to user space. */
static LLVMValueRef event_begin(struct lower *l, int action, size_t payload)
{
	LLVMValueRef ev = scratch_alloc(l, 8 + payload);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)action), ev);
	return ev;
}

/* A full ring buffer drops the event: count it for the exit warning. */
static void event_send(struct lower *l, LLVMValueRef ev, size_t payload)
{
	LLVMValueRef args[4] = { l->ringbuf, ev, lower_const(l, 8 + ((payload + 7) & ~(size_t)7)), lower_const(l, 0) };
	LLVMValueRef rc = lower_helper(l, H_RINGBUF_OUTPUT, l->i64, args, 4);
	LLVMBasicBlockRef lost = new_block(l, "event.lost"), done = new_block(l, "event.done");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntSLT, rc, lower_const(l, 0), ""), lost, done);
	LLVMPositionBuilderAtEnd(l->b, lost);
	LLVMValueRef g = globals_lookup(l);
	LLVMBasicBlockRef have = new_block(l, "event.count");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, g, LLVMConstNull(l->ptr), ""), done, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	LLVMBuildAtomicRMW(l->b, LLVMAtomicRMWBinOpAdd, gep(l, g, GLOBAL_LOST_EVENTS), lower_const(l, 1),
			   LLVMAtomicOrderingMonotonic, 0);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

static void lower_printf(struct lower *l, struct node *n, int action)
{
	const struct type *t = l->c->actions[action].type;
	LLVMValueRef ev = event_begin(l, action, t->size);
	int i = 0;
	for (struct node *a = n->args->next; a; a = a->next, i++)
		store_value(l, gep(l, ev, 8 + t->offsets[i]), t->fields[i], lower_expr(l, a), a->type);
	event_send(l, ev, t->size);
}

static void lower_print(struct lower *l, struct node *n, int action)
{
	const struct action *act = &l->c->actions[action];
	if (act->kind == ACT_PRINT_MAP) {
		LLVMValueRef ev = event_begin(l, action, 16);
		struct node *top = n->args->next, *div = top ? top->next : NULL;
		LLVMBuildStore(l->b, top ? lower_expr(l, top).v : lower_const(l, 0), gep(l, ev, 8));
		LLVMBuildStore(l->b, div ? lower_expr(l, div).v : lower_const(l, 0), gep(l, ev, 16));
		event_send(l, ev, 16);
		return;
	}
	LLVMValueRef ev = event_begin(l, action, act->type->size);
	store_value(l, gep(l, ev, 8), act->type, lower_expr(l, n->args), n->args->type);
	event_send(l, ev, act->type->size);
}

static void lower_delete(struct lower *l, struct node *n)
{
	struct node *mapnode = n->args;
	struct map_info *m = ((struct call_info *)mapnode->sema)->map;
	const struct map_desc *d = desc_of(l, m);
	if (m->value->kind == TY_HIST || m->value->kind == TY_LHIST) {
		diag_error(l->c->diags, &n->loc, "delete() of a histogram entry is not supported yet");
		return;
	}
	(void)d;
	LLVMValueRef key = build_key(l, m, mapnode->a);
	LLVMValueRef args[2] = { l->map_globals[m->index], key };
	lower_helper(l, H_MAP_DELETE, l->i64, args, 2);
}

static void emit_return(struct lower *l)
{
	LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
	/* code after a return goes into an unreachable block */
	LLVMPositionBuilderAtEnd(l->b, new_block(l, "dead"));
}

/* An event without payload. */
void emit_event(struct lower *l, int action)
{
	event_send(l, event_begin(l, action, 0), 0);
}

struct val lower_call_stmt(struct lower *l, struct node *n)
{
	struct call_info *ci = n->sema;
	const char *f = n->name;
	if (!strcmp(f, "printf") || !strcmp(f, "system")) {
		lower_printf(l, n, ci->action);
	} else if (!strcmp(f, "print")) {
		lower_print(l, n, ci->action);
	} else if (!strcmp(f, "exit")) {
		LLVMValueRef ev = event_begin(l, ci->action, 8);
		LLVMBuildStore(l->b, n->args ? lower_expr(l, n->args).v : lower_const(l, 0), gep(l, ev, 8));
		event_send(l, ev, 8);
		emit_return(l);
	} else if (!strcmp(f, "clear") || !strcmp(f, "zero") || !strcmp(f, "time")) {
		emit_event(l, ci->action);
	} else if (!strcmp(f, "delete")) {
		lower_delete(l, n);
		return (struct val){ lower_const(l, 1) };
	} else if (!strcmp(f, "has_key")) {
		struct node *mapnode = n->args;
		struct map_info *m = ((struct call_info *)mapnode->sema)->map;
		LLVMValueRef p = map_lookup(l, m, build_key(l, m, mapnode->a));
		return (struct val){ LLVMBuildZExt(l->b, LLVMBuildICmp(l->b, LLVMIntNE, p, LLVMConstNull(l->ptr), ""), l->i64, "") };
	} else {
		diag_error(l->c->diags, &n->loc, "%s() is not supported yet", f);
	}
	return (struct val){ lower_const(l, 0) };
}

/* ---- statements ---- */

static void lower_block(struct lower *l, struct node *st);

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
			v = (struct val){ emit_arith(l, st->op, m->value->is_signed, old.v, rhs.v, &st->loc) };
			vt = m->value;
		} else {
			v = lower_expr(l, value);
		}
		LLVMValueRef key = build_key(l, m, target->a);
		map_store(l, m, key, v, vt);
		return;
	}
	struct var_info *var = ((struct call_info *)target->sema)->var;
	struct val v = lower_expr(l, value);
	if (st->op != ASSIGN_EQ) {
		LLVMValueRef old = LLVMBuildLoad2(l->b, l->i64, var_storage(l, var), "");
		v.v = emit_arith(l, st->op, var->type->is_signed, old, v.v, &st->loc);
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
	lower_block(l, st->body);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, no);
	if (st->else_body)
		lower_block(l, st->else_body);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

static void lower_loop_body(struct lower *l, struct node *body, LLVMBasicBlockRef brk, LLVMBasicBlockRef cont)
{
	LLVMBasicBlockRef ob = l->break_bb, oc = l->continue_bb;
	l->break_bb = brk;
	l->continue_bb = cont;
	lower_block(l, body);
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

static void lower_for_range(struct lower *l, struct node *st)
{
	struct var_info *v = ((struct call_info *)st->sema)->var;
	LLVMValueRef iv = var_storage(l, v);
	LLVMValueRef end = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_expr(l, st->a).v, iv);
	LLVMBuildStore(l->b, lower_expr(l, st->b).v, end);
	LLVMBasicBlockRef cond = new_block(l, "for.cond"), body = new_block(l, "for.body"),
			  step = new_block(l, "for.step"), done = new_block(l, "for.end");
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, cond);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, iv, "");
	LLVMValueRef e = LLVMBuildLoad2(l->b, l->i64, end, "");
	LLVMIntPredicate pred = v->type->is_signed ? LLVMIntSLT : LLVMIntULT;
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, pred, i, e, ""), body, done);
	LLVMPositionBuilderAtEnd(l->b, body);
	lower_loop_body(l, st->body, done, step);
	LLVMBuildBr(l->b, step);
	LLVMPositionBuilderAtEnd(l->b, step);
	LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, iv, ""), lower_const(l, 1), ""), iv);
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, done);
}

/* The callback counting map entries for len(): ctx points to a u64 on the
 * caller's stack. One per module. */
static LLVMValueRef count_callback(struct lower *l)
{
	LLVMValueRef cb = LLVMGetNamedFunction(l->mod, "sonde_count_entry");
	if (cb)
		return cb;
	struct lower saved = *l;
	LLVMBasicBlockRef caller_bb = LLVMGetInsertBlock(l->b);
	LLVMTypeRef params[4] = { l->ptr, l->ptr, l->ptr, l->ptr };
	cb = LLVMAddFunction(l->mod, "sonde_count_entry", LLVMFunctionType(l->i64, params, 4, 0));
	LLVMSetLinkage(cb, LLVMInternalLinkage);
	LLVMSetSection(cb, ".text");
	static const char *const pnames[4] = { "map", "key", "value", "ctx" };
	l->sp = emit_di_function_params(l, "sonde_count_entry", 1, pnames, 4, true);
	LLVMSetSubprogram(cb, l->sp);
	LLVMSetCurrentDebugLocation2(l->b, LLVMDIBuilderCreateDebugLocation(l->ctx, 1, 1, l->sp, NULL));
	LLVMPositionBuilderAtEnd(l->b, LLVMAppendBasicBlockInContext(l->ctx, cb, "entry"));
	LLVMValueRef counter = LLVMGetParam(cb, 3);
	LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, counter, ""), lower_const(l, 1), ""), counter);
	LLVMBuildRet(l->b, lower_const(l, 0));
	*l = saved;
	LLVMPositionBuilderAtEnd(l->b, caller_bb);
	return cb;
}

struct val lower_map_len(struct lower *l, struct node *n)
{
	struct map_info *m = ((struct call_info *)n->args->sema)->map;
	LLVMValueRef cb = count_callback(l);
	emit_set_loc(l, &n->loc);
	LLVMValueRef counter = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, 0), counter);
	LLVMValueRef args[4] = { l->map_globals[m->index], cb, counter, lower_const(l, 0) };
	lower_helper(l, H_FOR_EACH_MAP_ELEM, l->i64, args, 4);
	return (struct val){ LLVMBuildLoad2(l->b, l->i64, counter, "") };
}

/* `for ($kv : @m) { body }` runs the body as a bpf_for_each_map_elem
 * callback: a static function of its own that finds the same per-CPU
 * scratch memory, where all of the probe's variables live. */
static void lower_for_map(struct lower *l, struct node *st)
{
	struct map_info *m = ((struct call_info *)st->a->sema)->map;
	struct var_info *kv = ((struct call_info *)st->sema)->var;
	const struct type *kvt = kv->type;
	var_storage(l, kv); /* reserve its slot while still in the probe */

	struct lower saved = *l;
	LLVMBasicBlockRef caller_bb = LLVMGetInsertBlock(l->b);
	const char *name = arena_printf(l->c->arena, "%s_loop%d", LLVMGetValueName(l->prog_fn), l->loop_callbacks++);
	LLVMTypeRef params[4] = { l->ptr, l->ptr, l->ptr, l->ptr };
	LLVMValueRef cb = LLVMAddFunction(l->mod, name, LLVMFunctionType(l->i64, params, 4, 0));
	LLVMSetLinkage(cb, LLVMInternalLinkage);
	LLVMSetSection(cb, ".text");
	unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
	LLVMAddAttributeAtIndex(cb, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(l->ctx, nounwind, 0));
	static const char *const pnames[4] = { "map", "key", "value", "ctx" };
	l->sp = emit_di_function_params(l, name, (unsigned)st->loc.first_line, pnames, 4, true);
	LLVMSetSubprogram(cb, l->sp);
	l->fn = cb;
	emit_set_loc(l, &st->loc);

	l->entry_bb = LLVMAppendBasicBlockInContext(l->ctx, cb, "entry");
	LLVMBasicBlockRef body = new_block(l, "body"), stop = new_block(l, "stop"), next = new_block(l, "next");
	LLVMPositionBuilderAtEnd(l->b, l->entry_bb);
	LLVMValueRef cpu_key = LLVMBuildAlloca(l->b, l->i32, "");
	LLVMBuildStore(l->b, lower_helper(l, H_GET_SMP_PROCESSOR_ID, l->i32, NULL, 0), cpu_key);
	LLVMValueRef args[2] = { l->scratch, cpu_key };
	l->scratch_base = lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, l->scratch_base, LLVMConstNull(l->ptr), ""), stop, body);
	LLVMPositionBuilderAtEnd(l->b, stop);
	LLVMBuildRet(l->b, lower_const(l, 1));
	LLVMPositionBuilderAtEnd(l->b, next);
	LLVMBuildRet(l->b, lower_const(l, 0));

	LLVMPositionBuilderAtEnd(l->b, body);
	LLVMValueRef slot = var_storage(l, kv);
	LLVMValueRef key = LLVMGetParam(cb, 1), value = LLVMGetParam(cb, 2);
	store_value(l, gep(l, slot, kvt->offsets[0]), kvt->fields[0], load_value(l, key, m->key), m->key);
	const struct type *vt = kvt->fields[1];
	if (type_is_aggregate(m->value)) /* this CPU's count/sum/min/max */
		LLVMBuildStore(l->b, LLVMBuildLoad2(l->b, l->i64, value, ""), gep(l, slot, kvt->offsets[1]));
	else
		store_value(l, gep(l, slot, kvt->offsets[1]), vt, load_value(l, value, vt), vt);
	lower_loop_body(l, st->body, stop, next);
	LLVMBuildBr(l->b, next);

	size_t used = l->scratch_used;
	*l = saved;
	l->scratch_used = used;
	LLVMPositionBuilderAtEnd(l->b, caller_bb);
	emit_set_loc(l, &st->loc);
	LLVMValueRef call_args[4] = { l->map_globals[m->index], cb, LLVMConstNull(l->ptr), lower_const(l, 0) };
	lower_helper(l, H_FOR_EACH_MAP_ELEM, l->i64, call_args, 4);
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
		else if (is_scalar(v->type))
			LLVMBuildStore(l->b, lower_const(l, 0), p);
		else
			emit_memset0(l, p, type_storage_size(v->type));
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
			lower_block(l, st->body);
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
		emit_return(l);
		break;
	case S_BLOCK:
		lower_block(l, st->body);
		break;
	default:
		lower_expr(l, st);
		break;
	}
}

static void lower_block(struct lower *l, struct node *st)
{
	for (; st; st = st->next)
		lower_stmt(l, st);
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
		l->fn_result = is_scalar(ret) ? entry_alloca(l, l->i64) : scratch_alloc(l, type_storage_size(ret));
		if (is_scalar(ret))
			LLVMBuildStore(l->b, lower_const(l, 0), l->fn_result);
		else
			emit_memset0(l, l->fn_result, type_storage_size(ret));
	}
	LLVMValueRef result = l->fn_result;
	lower_block(l, n->body);
	LLVMBuildBr(l->b, l->fn_return_bb);
	LLVMPositionBuilderAtEnd(l->b, l->fn_return_bb);
	l->fn_return_bb = saved_bb;
	l->fn_result = saved_result;
	l->fn_result_type = saved_type;
	return result ? load_value(l, result, ret) : (struct val){ lower_const(l, 0) };
}

void lower_statements(struct lower *l, struct node *first)
{
	lower_block(l, first);
}

/* ---- programs ---- */

static const struct map_desc *desc_of(struct lower *l, struct map_info *m)
{
	return &l->out->maps[m->index];
}

static int lower_function(struct lower *l, struct probe_info *pi, const struct attach_spec *spec, int idx,
			  struct prog_desc *pd)
{
	struct arena *a = l->c->arena;
	const char *name = arena_printf(a, "probe_%d", idx);
	LLVMTypeRef pt = l->ptr;
	LLVMTypeRef fty = LLVMFunctionType(l->i32, &pt, 1, 0);
	l->fn = LLVMAddFunction(l->mod, name, fty);
	/* no unwind tables (.eh_frame) in BPF objects */
	unsigned kind = LLVMGetEnumAttributeKindForName("nounwind", 8);
	LLVMAddAttributeAtIndex(l->fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(l->ctx, kind, 0));
	const char *colon = strchr(spec->canonical, ':');
	const char *provider = colon ? arena_strndup(a, spec->canonical, (size_t)(colon - spec->canonical))
				     : spec->canonical;
	const struct probe_ops *ops = probe_ops_find(provider);
	const char *section = NULL;
	if (ops && ops->section)
		section = ops->section(a, spec);
	if (!section) {
		diag_error(l->c->diags, &pi->ast->loc, "probe type of %s is not supported yet", spec->canonical);
		return -1;
	}
	LLVMSetSection(l->fn, section);
	l->sp = emit_di_function(l, name, (unsigned)pi->ast->loc.first_line);
	LLVMSetSubprogram(l->fn, l->sp);
	l->ctx_arg = LLVMGetParam(l->fn, 0);
	l->prog_fn = l->fn;
	l->vars_in_scratch = pi->has_map_loop;
	l->loop_callbacks = 0;
	l->probe = pi;
	l->spec = spec;
	l->scratch_used = 0;
	l->probe_name_index = compiler_probe_name(l->c, spec->canonical);
	memset(&l->spec_tp, 0, sizeof(l->spec_tp));
	if (spec->kind == PROBE_TRACEPOINT && tracepoint_format(a, spec->target, spec->func, &l->spec_tp) < 0) {
		diag_error(l->c->diags, &pi->ast->points->loc, "Cannot read the format of tracepoint %s",
			   spec->canonical);
		return -1;
	}

	pd->kind = spec->kind;
	pd->fn_name = name;
	pd->section = section;
	pd->canonical = spec->canonical;
	pd->target = spec->target;
	pd->func = spec->func;
	pd->period_ns = spec->period_ns;
	pd->freq_hz = spec->freq_hz;

	/* entry: find this CPU's scratch memory */
	l->entry_bb = LLVMAppendBasicBlockInContext(l->ctx, l->fn, "entry");
	l->init_bb = new_block(l, "init");
	LLVMBasicBlockRef body = new_block(l, "body"), bail = new_block(l, "bail");
	LLVMPositionBuilderAtEnd(l->b, l->entry_bb);
	emit_set_loc(l, &pi->ast->loc);
	LLVMValueRef cpu_key = LLVMBuildAlloca(l->b, l->i32, "");
	LLVMBuildStore(l->b, lower_helper(l, H_GET_SMP_PROCESSOR_ID, l->i32, NULL, 0), cpu_key);
	LLVMValueRef args[2] = { l->scratch, cpu_key };
	l->scratch_base = lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, l->scratch_base, LLVMConstNull(l->ptr), ""), bail,
			l->init_bb);
	LLVMPositionBuilderAtEnd(l->b, bail);
	LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
	LLVMPositionBuilderAtEnd(l->b, l->init_bb);
	LLVMBuildBr(l->b, body);

	LLVMPositionBuilderAtEnd(l->b, body);
	if (l->c->opts->pid > 0 && (spec->kind == PROBE_TRACEPOINT || spec->kind == PROBE_RAWTRACEPOINT ||
				    spec->kind == PROBE_KPROBE || spec->kind == PROBE_KRETPROBE)) {
		/* -p: kernel probes see every process; keep only the traced one */
		LLVMValueRef tgid = LLVMBuildLShr(l->b, lower_helper(l, H_GET_PID_TGID, l->i64, NULL, 0),
						  lower_const(l, 32), "");
		LLVMBasicBlockRef mine = new_block(l, "pid.match"), other = new_block(l, "pid.other");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, tgid, lower_const(l, (uint64_t)l->c->opts->pid), ""),
				mine, other);
		LLVMPositionBuilderAtEnd(l->b, other);
		LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
		LLVMPositionBuilderAtEnd(l->b, mine);
	}
	if (pi->ast->filter) {
		emit_set_loc(l, &pi->ast->filter->loc);
		struct val f = lower_expr(l, pi->ast->filter);
		LLVMBasicBlockRef pass = new_block(l, "filter.pass"), skip = new_block(l, "filter.skip");
		LLVMBuildCondBr(l->b, truth(l, f), pass, skip);
		LLVMPositionBuilderAtEnd(l->b, skip);
		LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
		LLVMPositionBuilderAtEnd(l->b, pass);
	}
	lower_block(l, pi->ast->body);
	LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
	if (l->scratch_used > l->scratch_size)
		l->scratch_size = l->scratch_used;
	if (l->scratch_used > 4u << 20) {
		diag_error(l->c->diags, &pi->ast->loc, "probe needs %zu bytes of scratch memory (limit 4 MiB)",
			   l->scratch_used);
		return -1;
	}
	return l->c->diags->errors ? -1 : 0;
}

int lower_program(struct compiler *c, struct compiled_program *out)
{
	struct lower l = { .c = c, .out = out };
	struct arena *a = c->arena;
	int ret = -1;
	out->ringbuf_name = "sonde_events";
	out->scratch_name = "sonde_scratch";
	out->nmaps = c->nmaps;
	out->maps = arena_alloc(a, sizeof(*out->maps) * (size_t)(c->nmaps ? c->nmaps : 1));
	for (int i = 0; i < c->nmaps; i++)
		map_layout(c->maps[i], &out->maps[i], a);
	if (emit_init(&l) < 0)
		goto done;
	emit_define_maps(&l, out);

	int nprogs = 0;
	for (int i = 0; i < c->nprobes; i++)
		nprogs += c->probes[i].nspecs;
	out->progs = arena_alloc(a, sizeof(*out->progs) * (size_t)(nprogs ? nprogs : 1));
	int idx = 0;
	/* begin probes first, in source order, then the rest */
	for (int i = 0; i < c->nprobes; i++)
		for (int k = 0; k < c->probes[i].nspecs; k++, idx++)
			if (lower_function(&l, &c->probes[i], &c->probes[i].specs[k], idx, &out->progs[idx]) < 0)
				goto done;
	out->nprogs = idx;
	emit_define_scratch(&l);
	if (emit_object(&l, out) < 0)
		goto done;
	out->actions = c->actions;
	out->nactions = c->nactions;
	out->probe_names = c->probe_names;
	out->nprobe_names = c->nprobe_names;
	ret = 0;
done:
	emit_dispose(&l);
	return ret;
}
