/* tseries(n, interval, count[, "avg|sum|min|max"]) (LANGUAGE.md §9): a
 * per-CPU map entry per key and interval slot, slot = (now / interval) %
 * count, each { u64 epoch; i64 value; u64 count; u64 last_ns } with
 * epoch = now / interval. A slot still holding an older epoch is reset by
 * the next write; user space merges the CPUs per epoch (runtime/tseries.c). */
#include <string.h>

#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

#define TSERIES_MAX_INTERVALS 1000000

/* The 4th argument, in the order of enum tseries_agg (TSERIES_LAST has none). */
static const char *const agg_names[] = { [TSERIES_AVG] = "avg", [TSERIES_SUM] = "sum",
					 [TSERIES_MIN] = "min", [TSERIES_MAX] = "max" };

/* A positive integer literal argument no larger than max; false after an error. */
static bool positive_literal(struct sema *s, struct node *arg, const char *what, int64_t max, int64_t *v)
{
	check_expr(s, arg);
	if (!literal_value(arg, v)) {
		ERR(s, &arg->loc, "tseries() %s must be an integer literal", what);
		return false;
	}
	if (*v < 1) {
		ERR(s, &arg->loc, "tseries() %s must be positive (%lld provided)", what, (long long)*v);
		return false;
	}
	if (*v > max) {
		ERR(s, &arg->loc, "tseries() %s must be at most %lld (%lld provided)", what, (long long)max,
		    (long long)*v);
		return false;
	}
	return true;
}

static bool aggregation_arg(struct sema *s, struct node *arg, enum tseries_agg *agg)
{
	*agg = TSERIES_LAST;
	if (!arg)
		return true;
	if (arg->kind != N_STR) {
		ERR(s, &arg->loc, "tseries() aggregation must be a string literal: \"avg\", \"sum\", \"min\" or \"max\"");
		return false;
	}
	for (int i = TSERIES_AVG; i <= TSERIES_MAX; i++)
		if (!strcmp(arg->str, agg_names[i])) {
			*agg = (enum tseries_agg)i;
			return true;
		}
	ERR(s, &arg->loc, "tseries() aggregation '%s' is not one of avg, sum, min, max", arg->str);
	return false;
}

const struct type *check_tseries(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (s->c->second_pass)
		unstable_feature_use(s->c, UNSTABLE_TSERIES, &n->loc);
	const struct type *vt = check_expr(s, n->args);
	if (vt->kind != TY_NONE && !is_int(vt)) {
		ERR(s, &n->args->loc, "tseries() expects an integer value (%s provided)", tname(s, vt));
		return &type_none;
	}
	struct node *interval = n->args->next, *count = interval->next;
	int64_t interval_ns, intervals;
	enum tseries_agg agg;
	if (!positive_literal(s, interval, "interval", INT64_MAX, &interval_ns) ||
	    !positive_literal(s, count, "number of intervals", TSERIES_MAX_INTERVALS, &intervals) ||
	    !aggregation_arg(s, count->next, &agg))
		return &type_none;
	bool sign = vt->kind == TY_INT && vt->is_signed && !vt->is_literal;
	int64_t v;
	if (vt->is_literal && literal_value(n->args, &v))
		sign = v < 0;
	struct type *t = (struct type *)type_aggregate(s->c->arena, TY_TSERIES, sign);
	t->ts_interval_ns = (uint64_t)interval_ns;
	t->ts_intervals = (uint32_t)intervals;
	t->ts_agg = agg;
	return t;
}

LLVMValueRef tseries_slot(struct lower *l, const struct type *t, LLVMValueRef now, LLVMValueRef *epoch)
{
	*epoch = LLVMBuildUDiv(l->b, now, lower_const(l, t->ts_interval_ns), "");
	return LLVMBuildURem(l->b, *epoch, lower_const(l, t->ts_intervals), "");
}

/* Add v, written at `now` in `epoch`, to this CPU's slot p. */
void tseries_update(struct lower *l, const struct type *t, LLVMValueRef p, LLVMValueRef v, LLVMValueRef now,
		    LLVMValueRef epoch)
{
	LLVMValueRef value = gep(l, p, 8), count = gep(l, p, 16);
	LLVMValueRef cur = LLVMBuildLoad2(l->b, l->i64, value, "");
	LLVMValueRef n = LLVMBuildLoad2(l->b, l->i64, count, "");
	LLVMValueRef stale = LLVMBuildOr(l->b,
					 LLVMBuildICmp(l->b, LLVMIntNE, LLVMBuildLoad2(l->b, l->i64, p, ""), epoch, ""),
					 LLVMBuildICmp(l->b, LLVMIntEQ, n, lower_const(l, 0), ""), "");
	LLVMValueRef combined = v; /* TSERIES_LAST: the newest value */
	bool sgn = t->is_signed;
	switch (t->ts_agg) {
	case TSERIES_AVG: case TSERIES_SUM: /* avg keeps the total; user space divides */
		combined = LLVMBuildAdd(l->b, cur, v, "");
		break;
	case TSERIES_MIN: case TSERIES_MAX: {
		LLVMIntPredicate pred = t->ts_agg == TSERIES_MIN ? (sgn ? LLVMIntSLT : LLVMIntULT)
								 : (sgn ? LLVMIntSGT : LLVMIntUGT);
		combined = LLVMBuildSelect(l->b, LLVMBuildICmp(l->b, pred, v, cur, ""), v, cur, "");
		break;
	}
	case TSERIES_LAST:
		break;
	}
	LLVMBuildStore(l->b, epoch, p);
	LLVMBuildStore(l->b, LLVMBuildSelect(l->b, stale, v, combined, ""), value);
	LLVMValueRef one = lower_const(l, 1);
	LLVMBuildStore(l->b, LLVMBuildSelect(l->b, stale, one, LLVMBuildAdd(l->b, n, one, ""), ""), count);
	LLVMBuildStore(l->b, now, gep(l, p, 24));
}
