/* String functions: str() reads a string from memory (or truncates one),
 * strncmp(), strlen(), strstr() and strcontains(), the last two with
 * counted loops the verifier can bound, and strcap(), a compile-time
 * constant. */
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* str($N + k): the suffix of a positional parameter from byte k. */
static void fold_param_suffix(struct sema *s, struct node *n)
{
	struct node *arg = n->args;
	int64_t k;
	if (!arg || arg->kind != N_BINOP || arg->op != OP_ADD || arg->a->kind != N_POSPARAM ||
	    !literal_value(arg->b, &k))
		return;
	check_expr(s, arg->a);
	if (arg->a->kind != N_STR)
		return;
	if (k < 0 || k > arg->a->str_len) {
		ERR(s, &arg->loc, "str(): offset %lld is outside the parameter (%d bytes)", (long long)k, arg->a->str_len);
		return;
	}
	arg->a->str += k;
	arg->a->str_len -= (int)k;
	arg->a->next = arg->next;
	n->args = arg->a;
}

const struct type *check_str(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (n->args->kind == N_POSPARAM) /* str($1) is the parameter's text, numbers too */
		posparam_as_string(s, n->args);
	fold_param_suffix(s, n);
	const struct type *t = check_expr(s, n->args);
	size_t cap = (size_t)s->c->opts->max_strlen;
	if (n->args->next) {
		want_int(s, n->args->next, "str", "length");
		int64_t v;
		if (literal_value(n->args->next, &v) && v > 0 && (size_t)v < cap)
			cap = (size_t)v;
	}
	if (t->kind == TY_STRING)
		return n->args->next ? type_string(s->c->arena, cap < t->size ? cap : t->size) : t;
	if (t->kind != TY_NONE && !is_int(t))
		ERR(s, &n->args->loc, "str() expects a pointer or integer argument (%s provided)", tname(s, t));
	note_runtime_check(s, n, true);
	return type_string(s->c->arena, cap);
}

/* ---- strings ---- */

const struct type *check_strncmp(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *a = check_expr(s, n->args);
	const struct type *b = check_expr(s, n->args->next);
	struct node *len = n->args->next->next;
	check_expr(s, len);
	int64_t v;
	if (!literal_value(len, &v) || v < 0)
		ERR(s, &len->loc, "strncmp() expects a non-negative integer literal as its length");
	if ((a->kind != TY_STRING && a->kind != TY_NONE) || (b->kind != TY_STRING && b->kind != TY_NONE))
		ERR(s, &n->loc, "strncmp() expects string arguments");
	return &type_i64;
}

const struct type *check_string_fn(struct sema *s, struct node *n, const struct func_def *fn)
{
	for (struct node *a = n->args; a; a = a->next) {
		const struct type *t = check_expr(s, a);
		if (t->kind != TY_NONE && t->kind != TY_STRING) {
			ERR(s, &a->loc, "%s() expects string arguments (%s provided)", n->name, tname(s, t));
			return &type_none;
		}
	}
	return !strcmp(n->name, "strcontains") ? &type_bool : &type_i64;
}

/* strcap(s): the capacity of a string value in bytes, known at compile
 * time */
const struct type *check_strcap(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *t = check_expr(s, n->args);
	if (t->kind == TY_NONE)
		return t;
	if (t->kind != TY_STRING) {
		ERR(s, &n->args->loc, "strcap() expects a string argument (%s provided)", tname(s, t));
		return &type_none;
	}
	if (s->c->second_pass) { /* the argument's errors are reported first */
		n->kind = N_INT;
		n->ival = t->size;
	}
	return &type_i64;
}

/* Read a NUL-terminated string. Without an explicit length one byte more
 * than the capacity is read: a source of `cap` characters or more then
 * leaves no NUL within the capacity, which prints as truncated (§4). */
static struct val read_string(struct lower *l, LLVMValueRef addr, size_t cap, LLVMValueRef len, int warn_action)
{
	LLVMValueRef slot = scratch_alloc(l, cap + 1);
	emit_memset0(l, slot, cap + 1);
	if (!len)
		len = LLVMConstInt(l->i32, cap + 1, 0);
	LLVMValueRef args[3] = { slot, len, LLVMBuildIntToPtr(l->b, addr, l->ptr, "") };
	emit_read_check(l, lower_helper(l, H_PROBE_READ_STR, l->i64, args, 3), warn_action);
	return (struct val){ slot };
}

/* A copy of a value in fresh scratch memory (for non-scalars). */
static struct val materialize(struct lower *l, struct val v, const struct type *t)
{
	if (is_scalar(t))
		return v;
	LLVMValueRef slot = scratch_alloc(l, type_storage_size(t));
	store_value(l, slot, t, v, t);
	return (struct val){ slot };
}

/* `str(p[, n])` */
struct val lower_str(struct lower *l, struct node *n)
{
	struct node *arg = n->args;
	size_t cap = n->type->size;
	LLVMValueRef len = NULL;
	if (arg->next) {
		struct val lv = lower_expr(l, arg->next);
		LLVMValueRef lim = lower_const(l, cap);
		LLVMValueRef v = LLVMBuildSelect(l->b, LLVMBuildICmp(l->b, LLVMIntULT, lv.v, lim, ""), lv.v, lim, "");
		len = LLVMBuildTrunc(l->b, v, l->i32, "");
	}
	if (arg->type->kind == TY_STRING) {
		struct val s = lower_expr(l, arg);
		struct val copy = materialize(l, s, arg->type);
		if (cap < arg->type->size || arg->next) {
			/* truncate to n - 1 characters */
			LLVMValueRef idx = LLVMBuildSub(l->b, LLVMBuildZExt(l->b, len ? len : LLVMConstInt(l->i32, cap, 0), l->i64, ""),
							lower_const(l, 1), "");
			LLVMValueRef okidx = LLVMBuildICmp(l->b, LLVMIntULT, idx, lower_const(l, arg->type->size), "");
			LLVMBasicBlockRef cut = new_block(l, "str.cut"), done = new_block(l, "str.done");
			LLVMBuildCondBr(l->b, okidx, cut, done);
			LLVMPositionBuilderAtEnd(l->b, cut);
			LLVMBuildStore(l->b, LLVMConstInt(l->i8, 0, 0), LLVMBuildGEP2(l->b, l->i8, copy.v, &idx, 1, ""));
			LLVMBuildBr(l->b, done);
			LLVMPositionBuilderAtEnd(l->b, done);
		}
		return copy;
	}
	struct val p = lower_expr(l, arg);
	return read_string(l, p.v, cap, len, node_check(n));
}

struct val lower_strncmp(struct lower *l, struct node *n)
{
	struct node *a = n->args, *b = a->next, *len = b->next;
	struct val av = lower_expr(l, a), bv = lower_expr(l, b);
	size_t limit = (size_t)len->ival;
	LLVMValueRef eq = string_equal(l, a, av.v, a->type->size, b, bv.v, b->type->size, limit);
	return (struct val){ bool_to_i64(l, LLVMBuildNot(l->b, eq, "")) };
}

/* A counted loop `for (i = 0; i < n; i++)`; body_fn emits the body and may
 * branch to `exit` (break). Returns with the builder after the loop. */
struct loop {
	LLVMValueRef ivar;              /* i64 alloca holding i */
	LLVMBasicBlockRef body, step, exit;
};

static void loop_begin(struct lower *l, struct loop *lp, LLVMValueRef start, size_t n)
{
	lp->ivar = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, start, lp->ivar);
	LLVMBasicBlockRef cond = new_block(l, "loop.cond");
	lp->body = new_block(l, "loop.body");
	lp->step = new_block(l, "loop.step");
	lp->exit = new_block(l, "loop.exit");
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, cond);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, lp->ivar, "");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntULT, i, lower_const(l, n), ""), lp->body, lp->exit);
	LLVMPositionBuilderAtEnd(l->b, lp->step);
	LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, lp->ivar, ""), lower_const(l, 1), ""), lp->ivar);
	LLVMBuildBr(l->b, cond);
	LLVMPositionBuilderAtEnd(l->b, lp->body);
}

static LLVMValueRef byte_at(struct lower *l, LLVMValueRef base, LLVMValueRef i)
{
	return LLVMBuildLoad2(l->b, l->i8, LLVMBuildGEP2(l->b, l->i8, base, &i, 1, ""), "");
}

/* The bytes before the NUL of the string at s (cap when there is none). */
static LLVMValueRef string_length(struct lower *l, LLVMValueRef s, size_t cap)
{
	LLVMValueRef res = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, cap), res);
	struct loop lp;
	loop_begin(l, &lp, lower_const(l, 0), cap);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, lp.ivar, "");
	LLVMBasicBlockRef found = new_block(l, "strlen.nul");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, byte_at(l, s, i), LLVMConstInt(l->i8, 0, 0), ""),
			found, lp.step);
	LLVMPositionBuilderAtEnd(l->b, found);
	LLVMBuildStore(l->b, i, res);
	LLVMBuildBr(l->b, lp.exit);
	LLVMPositionBuilderAtEnd(l->b, lp.exit);
	return LLVMBuildLoad2(l->b, l->i64, res, "");
}

struct val lower_strlen(struct lower *l, struct node *n)
{
	return (struct val){ string_length(l, lower_expr(l, n->args).v, n->args->type->size) };
}

/* str_concat(a, b): a new string of both */
const struct type *check_str_concat(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *a = check_expr(s, n->args), *b = check_expr(s, n->args->next);
	if (a->kind == TY_NONE || b->kind == TY_NONE)
		return &type_none;
	if (a->kind != TY_STRING || b->kind != TY_STRING) {
		ERR(s, &n->loc, "str_concat() expects strings (%s and %s provided)", tname(s, a), tname(s, b));
		return &type_none;
	}
	return type_string(s->c->arena, a->size + b->size);
}

struct val lower_str_concat(struct lower *l, struct node *n)
{
	size_t acap = n->args->type->size, bcap = n->args->next->type->size;
	struct val a = lower_expr(l, n->args), b = lower_expr(l, n->args->next);
	LLVMValueRef slot = scratch_alloc(l, n->type->size);
	emit_memset0(l, slot, n->type->size);
	emit_memcpy(l, slot, a.v, acap);
	/* b goes after a's text: at most acap bytes in, so it fits */
	LLVMValueRef len = string_length(l, slot, acap);
	LLVMValueRef at = LLVMBuildGEP2(l->b, l->i8, slot, &len, 1, "");
	LLVMValueRef args[3] = { at, LLVMConstInt(l->i32, bcap, 0), b.v };
	lower_helper(l, H_PROBE_READ_KERNEL, l->i64, args, 3);
	return (struct val){ slot };
}

/* memcmp(a, b, n): 0 when the first n bytes (a literal) of the two strings
 * are equal, else the difference of the first bytes that are not */
const struct type *check_memcmp(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *a = n->args, *b = a->next, *len = b->next;
	const struct type *ta = check_expr(s, a), *tb = check_expr(s, b);
	check_expr(s, len);
	int64_t v;
	if (!literal_value(len, &v) || v < 0) {
		ERR(s, &len->loc, "memcmp() expects a non-negative integer literal length");
		return &type_none;
	}
	if ((ta->kind != TY_STRING && ta->kind != TY_NONE) || (tb->kind != TY_STRING && tb->kind != TY_NONE)) {
		ERR(s, &n->loc, "memcmp() expects string or buffer arguments");
		return &type_none;
	}
	if (ta->kind == TY_STRING && tb->kind == TY_STRING && ((uint64_t)v > ta->size || (uint64_t)v > tb->size)) {
		ERR(s, &len->loc, "memcmp(): %lld bytes are more than the arguments hold", (long long)v);
		return &type_none;
	}
	len->ival = (uint64_t)v;
	return &type_i64;
}

struct val lower_memcmp(struct lower *l, struct node *n)
{
	struct val a = lower_expr(l, n->args), b = lower_expr(l, n->args->next);
	size_t count = (size_t)n->args->next->next->ival;
	LLVMValueRef res = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, 0), res);
	struct loop lp;
	loop_begin(l, &lp, lower_const(l, 0), count);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, lp.ivar, "");
	LLVMValueRef x = LLVMBuildZExt(l->b, byte_at(l, a.v, i), l->i64, "");
	LLVMValueRef y = LLVMBuildZExt(l->b, byte_at(l, b.v, i), l->i64, "");
	LLVMBasicBlockRef differ = new_block(l, "memcmp.differ");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, x, y, ""), differ, lp.step);
	LLVMPositionBuilderAtEnd(l->b, differ);
	LLVMBuildStore(l->b, LLVMBuildSub(l->b, x, y, ""), res);
	LLVMBuildBr(l->b, lp.exit);
	LLVMPositionBuilderAtEnd(l->b, lp.exit);
	return (struct val){ LLVMBuildLoad2(l->b, l->i64, res, "") };
}

/* strstr(h, n): index of the first n in h, or -1; strcontains: found. */
struct val lower_strstr(struct lower *l, struct node *n)
{
	struct node *hn = n->args, *nn = hn->next;
	size_t hcap = hn->type->size, ncap = nn->type->size;
	struct val h = lower_expr(l, hn), ndl = lower_expr(l, nn);
	LLVMValueRef res = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)-1), res);
	struct loop outer, inner;
	loop_begin(l, &outer, lower_const(l, 0), hcap);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, outer.ivar, "");
	loop_begin(l, &inner, lower_const(l, 0), ncap);
	LLVMValueRef j = LLVMBuildLoad2(l->b, l->i64, inner.ivar, "");
	LLVMValueRef nc = byte_at(l, ndl.v, j);
	LLVMBasicBlockRef match = new_block(l, "strstr.match"), cmp = new_block(l, "strstr.cmp"),
			  inrange = new_block(l, "strstr.inrange");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, nc, LLVMConstInt(l->i8, 0, 0), ""), match, cmp);
	LLVMPositionBuilderAtEnd(l->b, cmp);
	LLVMValueRef ij = LLVMBuildAdd(l->b, i, j, "");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntULT, ij, lower_const(l, hcap), ""), inrange, inner.exit);
	LLVMPositionBuilderAtEnd(l->b, inrange);
	LLVMValueRef hc = byte_at(l, h.v, ij);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, hc, nc, ""), inner.step, inner.exit);
	LLVMPositionBuilderAtEnd(l->b, match);
	LLVMBuildStore(l->b, i, res);
	LLVMBuildBr(l->b, outer.exit);
	LLVMPositionBuilderAtEnd(l->b, inner.exit);
	/* stop at the end of the haystack */
	LLVMValueRef hi = byte_at(l, h.v, i);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, hi, LLVMConstInt(l->i8, 0, 0), ""), outer.exit, outer.step);
	LLVMPositionBuilderAtEnd(l->b, outer.exit);
	LLVMValueRef r = LLVMBuildLoad2(l->b, l->i64, res, "");
	if (n->name[3] == 'c') /* strcontains */
		r = LLVMBuildZExt(l->b, LLVMBuildICmp(l->b, LLVMIntSGE, r, lower_const(l, 0), ""), l->i64, "");
	return (struct val){ r };
}
