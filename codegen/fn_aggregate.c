/* Map aggregations (LANGUAGE.md §9), kept in per-CPU maps: count(),
 * sum(), avg(), min(), max(), stats(), and hist()/lhist() whose bucket is
 * part of the key, as tseries()'s interval slot is (fn_tseries.c). The checks give the map's value type; lowering updates
 * this CPU's value, and reading an aggregation merges the per-CPU values. */
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* hist(n[, bits]) */
const struct type *check_hist(struct sema *s, struct node *n, const struct func_def *fn)
{
	want_int(s, n->args, "hist", "argument");
	int64_t bits = 0;
	if (n->args->next) {
		check_expr(s, n->args->next);
		if (!literal_value(n->args->next, &bits) || bits < 0 || bits > 5) {
			ERR(s, &n->args->next->loc, "hist: bits %lld must be 0..5", (long long)bits);
			return &type_none;
		}
	}
	struct type *t = (struct type *)type_aggregate(s->c->arena, TY_HIST, false);
	t->hist_bits = (int)bits;
	return t;
}

/* lhist(n, min, max, step): literal bounds, at most 1000 buckets */
const struct type *check_lhist(struct sema *s, struct node *n, const struct func_def *fn)
{
	want_int(s, n->args, "lhist", "argument");
	int64_t v[3];
	struct node *arg = n->args->next;
	for (int i = 0; i < 3; i++, arg = arg->next) {
		check_expr(s, arg);
		if (!literal_value(arg, &v[i])) {
			ERR(s, &arg->loc, "lhist() %s must be an integer literal",
			    i == 0 ? "min" : i == 1 ? "max" : "step");
			return &type_none;
		}
	}
	if (v[0] < 0) {
		ERR(s, &n->args->next->loc, "lhist: invalid min value (must be non-negative literal)");
		return &type_none;
	}
	if (v[2] < 1) {
		ERR(s, &n->loc, "lhist() step must be >= 1 (%lld provided)", (long long)v[2]);
		return &type_none;
	}
	if (v[1] <= v[0]) {
		ERR(s, &n->loc, "lhist: max must be greater than min");
		return &type_none;
	}
	if (v[2] > v[1] - v[0] || (v[1] - v[0]) / v[2] > 1000) {
		ERR(s, &n->loc, "lhist: invalid step value (at most 1000 buckets, step <= max - min)");
		return &type_none;
	}
	struct type *t = (struct type *)type_aggregate(s->c->arena, TY_LHIST, false);
	t->lh_min = v[0];
	t->lh_max = v[1];
	t->lh_step = v[2];
	return t;
}

const struct type *check_count(struct sema *s, struct node *n, const struct func_def *fn)
{
	return type_aggregate(s->c->arena, TY_COUNT, false);
}

/* sum(n), avg(n), min(n), max(n), stats(n): the value's signedness is the
 * aggregation's */
const struct type *check_int_aggregate(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *t = check_expr(s, n->args);
	if (t->kind != TY_NONE && !is_int(t)) {
		ERR(s, &n->args->loc, "%s() expects an integer argument (%s provided)", n->name, tname(s, t));
		return &type_none;
	}
	/* a literal's own value says; an expression of literals (`c ? 1 : -1`)
	 * may be negative unless it is beyond INT64_MAX */
	bool sign = t->kind == TY_INT && t->is_signed;
	int64_t v;
	if (t->is_literal && literal_value(n->args, &v))
		sign = v < 0 && t->is_signed; /* 0xffffffffffffffff is unsigned */
	return type_aggregate(s->c->arena, fn->value_kind, sign);
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
		LLVMBuildCondBr(l->b, is_null(l, p), next, have);
		LLVMPositionBuilderAtEnd(l->b, have);
		LLVMValueRef v = LLVMBuildLoad2(l->b, l->i64, gep(l, p, off), "");
		LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, acc, ""), v, ""), acc);
		LLVMBuildBr(l->b, next);
		LLVMPositionBuilderAtEnd(l->b, next);
	}
	return LLVMBuildLoad2(l->b, l->i64, acc, "");
}

/* Reading an aggregation in BPF merges the per-CPU values at that moment. */
struct val read_aggregate(struct lower *l, struct map_info *m, LLVMValueRef key)
{
	switch (m->value->kind) {
	case TY_COUNT: case TY_SUM:
		return (struct val){ percpu_sum(l, m, key, 0) };
	case TY_AVG: {
		LLVMValueRef cnt = percpu_sum(l, m, key, 0), tot = percpu_sum(l, m, key, 8);
		LLVMValueRef z = LLVMBuildICmp(l->b, LLVMIntEQ, cnt, lower_const(l, 0), "");
		LLVMValueRef safe = LLVMBuildSelect(l->b, z, lower_const(l, 1), cnt, "");
		LLVMValueRef q = emit_arith(l, OP_DIV, m->value->is_signed, tot, safe, -1); /* BPF has no signed division */
		return (struct val){ LLVMBuildSelect(l->b, z, lower_const(l, 0), q, "") };
	}
	default: {
		/* min/max: the current CPU's value */
		LLVMValueRef p = map_lookup(l, m, key);
		LLVMValueRef res = entry_alloca(l, l->i64);
		LLVMBuildStore(l->b, lower_const(l, 0), res);
		LLVMBasicBlockRef have = new_block(l, "agg.have"), done = new_block(l, "agg.done");
		LLVMBuildCondBr(l->b, is_null(l, p), done, have);
		LLVMPositionBuilderAtEnd(l->b, have);
		LLVMBuildStore(l->b, LLVMBuildLoad2(l->b, l->i64, p, ""), res);
		LLVMBuildBr(l->b, done);
		LLVMPositionBuilderAtEnd(l->b, done);
		return (struct val){ LLVMBuildLoad2(l->b, l->i64, res, "") };
	}
	}
}

/* Look up a per-CPU aggregation entry, creating it zeroed when missing
 * (an array entry always exists). Branches to `skip` when the map is full. */
static LLVMValueRef aggregate_entry(struct lower *l, struct map_info *m, LLVMValueRef key, LLVMBasicBlockRef skip,
				    int full_action)
{
	const struct map_desc *d = desc_of(l, m);
	LLVMValueRef p = map_lookup(l, m, key);
	LLVMBasicBlockRef have = new_block(l, "agg.have");
	if (d->array) {
		LLVMBuildCondBr(l->b, is_null(l, p), skip, have);
		LLVMPositionBuilderAtEnd(l->b, have);
		return p;
	}
	LLVMValueRef res = entry_alloca(l, l->ptr);
	LLVMBuildStore(l->b, p, res);
	LLVMBasicBlockRef create = new_block(l, "agg.create");
	LLVMBuildCondBr(l->b, is_null(l, p), create, have);
	LLVMPositionBuilderAtEnd(l->b, create);
	LLVMValueRef zero = small_slot(l, d->value_size);
	emit_memset0(l, zero, d->value_size);
	map_update(l, m, key, zero, 1 /* BPF_NOEXIST */, full_action);
	LLVMValueRef p2 = map_lookup(l, m, key);
	LLVMBuildStore(l->b, p2, res);
	LLVMBuildCondBr(l->b, is_null(l, p2), skip, have);
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

void lower_aggregate(struct lower *l, struct map_info *m, struct node *target, struct node *call)
{
	const struct map_desc *d = desc_of(l, m);
	struct val v = { lower_const(l, 0) };
	enum type_kind kind = m->value->kind;
	LLVMValueRef now = NULL, epoch = NULL, bucket = NULL;
	LLVMValueRef key = d->array ? NULL : build_key(l, m, target->a);
	if (call->args)
		v = lower_expr(l, call->args);
	if (type_has_bucket_key(m->value)) {
		if (kind == TY_TSERIES) {
			now = lower_helper(l, H_KTIME_BOOT_NS, l->i64, NULL, 0);
			bucket = tseries_slot(l, m->value, now, &epoch);
		} else {
			bucket = kind == TY_HIST ? hist_bucket(l, v.v, m->value->hist_bits) : lhist_bucket(l, v.v, m->value);
		}
	}
	if (d->array) /* the bucket is the array index */
		key = array_key(l, bucket ? bucket : lower_const(l, 0));
	else if (bucket)
		LLVMBuildStore(l->b, bucket, gep(l, key, d->key_size - 8));
	LLVMBasicBlockRef done = new_block(l, "agg.done");
	LLVMValueRef p = aggregate_entry(l, m, key, done, node_action(target));
	switch (kind) {
	case TY_COUNT: case TY_HIST: case TY_LHIST:
		add_to(l, p, lower_const(l, 1));
		break;
	case TY_SUM:
		add_to(l, p, v.v);
		if (d->array) /* a sum of zeros exists too */
			LLVMBuildStore(l->b, lower_const(l, 1), gep(l, p, d->value_size - 8));
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
	case TY_TSERIES:
		tseries_update(l, m->value, p, v.v, now, epoch);
		break;
	default:
		break;
	}
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}
