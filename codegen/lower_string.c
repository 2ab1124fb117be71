/* Lowering of string values: literals in scratch memory, (in)equality
 * (unrolled against a literal side) and s[i]. The string functions are in
 * fn_strings.c. */
#include "lower_internal.h"

/* A literal is stored word by word. Long ones are stored with volatile
 * stores: LLVM would merge a run of equal words into a memset that the
 * BPF backend cannot expand. */
struct val lower_string_literal(struct lower *l, const char *s, int len, size_t cap)
{
	LLVMValueRef slot = scratch_alloc(l, cap);
	for (size_t off = 0; off < cap; off += 8) {
		uint64_t w = 0;
		for (size_t i = 0; i < 8 && off + i < cap; i++) {
			unsigned char ch = off + i < (size_t)len ? (unsigned char)s[off + i] : 0;
			w |= (uint64_t)ch << (8 * i);
		}
		LLVMValueRef st = LLVMBuildStore(l->b, lower_const(l, w), gep(l, slot, off));
		if (cap > 256)
			LLVMSetVolatile(st, 1);
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
