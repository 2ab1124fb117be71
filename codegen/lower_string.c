/* Lowering of strings: literals in scratch memory, (in)equality and
 * strncmp() (unrolled against a literal side), str() reads and
 * truncation, s[i], strlen(), strstr() and strcontains(), the last two
 * with counted loops the verifier can bound. */
#include "lower_internal.h"

struct val lower_string_literal(struct lower *l, const char *s, int len, size_t cap)
{
	LLVMValueRef slot = scratch_alloc(l, cap);
	for (size_t off = 0; off < cap; off += 8) {
		uint64_t w = 0;
		for (size_t i = 0; i < 8 && off + i < cap; i++) {
			unsigned char ch = off + i < (size_t)len ? (unsigned char)s[off + i] : 0;
			w |= (uint64_t)ch << (8 * i);
		}
		LLVMBuildStore(l->b, lower_const(l, w), gep(l, slot, off));
	}
	return (struct val){ slot };
}

/* Byte-wise equality of two NUL-terminated strings within n bytes. When
 * one side is a literal the comparison is unrolled against constants. */
LLVMValueRef string_equal(struct lower *l, struct node *an, LLVMValueRef a, size_t acap,
				 struct node *bn, LLVMValueRef b, size_t bcap, size_t limit)
{
	if (an && an->kind == N_STR && !(bn && bn->kind == N_STR))
		return string_equal(l, bn, b, bcap, an, a, acap, limit);
	size_t n = acap < bcap ? acap : bcap;
	if (limit < n)
		n = limit;
	LLVMBasicBlockRef done = new_block(l, "streq.done");
	LLVMValueRef result_slot = entry_alloca(l, l->i1);
	LLVMBuildStore(l->b, LLVMConstInt(l->i1, 1, 0), result_slot);
	if (bn && bn->kind == N_STR) {
		/* unrolled: compare bytes up to and including the literal's NUL */
		size_t upto = (size_t)bn->str_len + 1 < n ? (size_t)bn->str_len + 1 : n;
		for (size_t i = 0; i < upto; i++) {
			LLVMValueRef ca = LLVMBuildLoad2(l->b, l->i8, gep(l, a, i), "");
			unsigned char cb = i < (size_t)bn->str_len ? (unsigned char)bn->str[i] : 0;
			LLVMValueRef ne = LLVMBuildICmp(l->b, LLVMIntNE, ca, LLVMConstInt(l->i8, cb, 0), "");
			LLVMBasicBlockRef next = new_block(l, "streq.next");
			LLVMBasicBlockRef fail = new_block(l, "streq.fail");
			LLVMBuildCondBr(l->b, ne, fail, next);
			LLVMPositionBuilderAtEnd(l->b, fail);
			LLVMBuildStore(l->b, LLVMConstInt(l->i1, 0, 0), result_slot);
			LLVMBuildBr(l->b, done);
			LLVMPositionBuilderAtEnd(l->b, next);
		}
		LLVMBuildBr(l->b, done);
		LLVMPositionBuilderAtEnd(l->b, done);
		return LLVMBuildLoad2(l->b, l->i1, result_slot, "");
	}
	/* loop: i in [0, n) */
	LLVMValueRef islot = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, 0), islot);
	LLVMBasicBlockRef loop = new_block(l, "streq.loop");
	LLVMBasicBlockRef fail = new_block(l, "streq.fail");
	LLVMBasicBlockRef check0 = new_block(l, "streq.nul");
	LLVMBasicBlockRef cont = new_block(l, "streq.cont");
	LLVMBuildBr(l->b, loop);
	LLVMPositionBuilderAtEnd(l->b, loop);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, islot, "");
	LLVMValueRef ca = LLVMBuildLoad2(l->b, l->i8, LLVMBuildGEP2(l->b, l->i8, a, &i, 1, ""), "");
	LLVMValueRef cb = LLVMBuildLoad2(l->b, l->i8, LLVMBuildGEP2(l->b, l->i8, b, &i, 1, ""), "");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, ca, cb, ""), fail, check0);
	LLVMPositionBuilderAtEnd(l->b, check0);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, ca, LLVMConstInt(l->i8, 0, 0), ""), done, cont);
	LLVMPositionBuilderAtEnd(l->b, cont);
	LLVMValueRef i1 = LLVMBuildAdd(l->b, i, lower_const(l, 1), "");
	LLVMBuildStore(l->b, i1, islot);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntULT, i1, lower_const(l, n), ""), loop, done);
	LLVMPositionBuilderAtEnd(l->b, fail);
	LLVMBuildStore(l->b, LLVMConstInt(l->i1, 0, 0), result_slot);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return LLVMBuildLoad2(l->b, l->i1, result_slot, "");
}

/* Read a NUL-terminated string from an arbitrary (kernel or user) address. */
/* Read a NUL-terminated string. Without an explicit length one byte more
 * than the capacity is read: a source of `cap` characters or more then
 * leaves no NUL within the capacity, which prints as truncated (§4). */
static struct val read_string(struct lower *l, LLVMValueRef addr, size_t cap, LLVMValueRef len)
{
	LLVMValueRef slot = scratch_alloc(l, cap + 1);
	emit_memset0(l, slot, cap + 1);
	if (!len)
		len = LLVMConstInt(l->i32, cap + 1, 0);
	LLVMValueRef args[3] = { slot, len, LLVMBuildIntToPtr(l->b, addr, l->ptr, "") };
	lower_helper(l, H_PROBE_READ_STR, l->i64, args, 3);
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
	return read_string(l, p.v, cap, len);
}

struct val lower_strncmp(struct lower *l, struct node *n)
{
	struct node *a = n->args, *b = a->next, *len = b->next;
	struct val av = lower_expr(l, a), bv = lower_expr(l, b);
	size_t limit = (size_t)len->ival;
	LLVMValueRef eq = string_equal(l, a, av.v, a->type->size, b, bv.v, b->type->size, limit);
	return (struct val){ bool_to_i64(l, LLVMBuildNot(l->b, eq, "")) };
}

/* $s[i]: a byte of a string, 0 when i is out of bounds. */
struct val lower_string_index(struct lower *l, struct node *n)
{
	size_t cap = n->a->type->size;
	struct val str = lower_expr(l, n->a), idx = lower_expr(l, n->b);
	LLVMValueRef res = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, 0), res);
	LLVMBasicBlockRef in = new_block(l, "idx.in"), done = new_block(l, "idx.done");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntULT, idx.v, lower_const(l, cap), ""), in, done);
	LLVMPositionBuilderAtEnd(l->b, in);
	LLVMValueRef byte = LLVMBuildLoad2(l->b, l->i8, LLVMBuildGEP2(l->b, l->i8, str.v, &idx.v, 1, ""), "");
	LLVMBuildStore(l->b, LLVMBuildSExt(l->b, byte, l->i64, ""), res);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return (struct val){ LLVMBuildLoad2(l->b, l->i64, res, "") };
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

struct val lower_strlen(struct lower *l, struct node *n)
{
	size_t cap = n->args->type->size;
	struct val s = lower_expr(l, n->args);
	LLVMValueRef res = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, cap), res);
	struct loop lp;
	loop_begin(l, &lp, lower_const(l, 0), cap);
	LLVMValueRef i = LLVMBuildLoad2(l->b, l->i64, lp.ivar, "");
	LLVMBasicBlockRef found = new_block(l, "strlen.nul");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, byte_at(l, s.v, i), LLVMConstInt(l->i8, 0, 0), ""),
			found, lp.step);
	LLVMPositionBuilderAtEnd(l->b, found);
	LLVMBuildStore(l->b, i, res);
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
