/* Lowering of small value functions: bswap(), ntop(), and the join()
 * event that copies a user-space string array. */
#include "lower_internal.h"

struct val lower_bswap(struct lower *l, struct node *n)
{
	unsigned bits = (unsigned)n->type->bits;
	LLVMValueRef v = lower_expr(l, n->args).v;
	if (bits == 8)
		return (struct val){ LLVMBuildAnd(l->b, v, lower_const(l, 0xff), "") };
	LLVMTypeRef it = LLVMIntTypeInContext(l->ctx, bits);
	unsigned id = LLVMLookupIntrinsicID("llvm.bswap", 10);
	LLVMValueRef fn = LLVMGetIntrinsicDeclaration(l->mod, id, &it, 1);
	LLVMValueRef narrow = bits < 64 ? LLVMBuildTrunc(l->b, v, it, "") : v;
	LLVMValueRef r = LLVMBuildCall2(l->b, LLVMIntrinsicGetType(l->ctx, id, &it, 1), fn, &narrow, 1, "");
	return (struct val){ bits < 64 ? LLVMBuildZExt(l->b, r, l->i64, "") : r };
}

enum { AF_INET_VALUE = 2, AF_INET6_VALUE = 10 };

/* { u64 family; u8 address[16] }: integers hold an IPv4 address in
 * network byte order as stored in memory, 16-byte values IPv6. */
struct val lower_ntop(struct lower *l, struct node *n)
{
	struct node *addr = n->args->next ? n->args->next : n->args;
	const struct type *t = addr->type;
	LLVMValueRef slot = scratch_alloc(l, 24);
	emit_memset0(l, slot, 24);
	size_t bytes = t->kind == TY_INT ? 4 : t->size;
	LLVMValueRef family = lower_const(l, bytes == 16 ? AF_INET6_VALUE : AF_INET_VALUE);
	if (n->args->next)
		family = lower_expr(l, n->args).v;
	LLVMBuildStore(l->b, family, slot);
	struct val v = lower_expr(l, addr);
	LLVMValueRef dst = gep(l, slot, 8);
	if (t->kind == TY_INT) {
		LLVMBuildStore(l->b, LLVMBuildTrunc(l->b, v.v, l->i32, ""), dst);
	} else if (t->kind == TY_STRUCT) {
		LLVMValueRef args[3] = { dst, LLVMConstInt(l->i32, bytes, 0), LLVMBuildIntToPtr(l->b, v.v, l->ptr, "") };
		lower_helper(l, H_PROBE_READ, l->i64, args, 3);
	} else {
		emit_memcpy(l, dst, v.v, bytes);
	}
	return (struct val){ slot };
}

/* join(argv): up to JOIN_MAX_ELEMS strings of an array of user pointers,
 * stopping at the first NULL. */
void lower_join(struct lower *l, struct node *n, int action)
{
	size_t payload = 8 + (size_t)JOIN_MAX_ELEMS * JOIN_ELEM_SIZE;
	LLVMValueRef ev = scratch_alloc(l, 8 + payload);
	emit_memset0(l, ev, 8 + payload);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)action), ev);
	LLVMValueRef base = lower_expr(l, n->args).v;
	LLVMValueRef count = gep(l, ev, 8);
	LLVMBasicBlockRef done = new_block(l, "join.done");
	for (unsigned i = 0; i < JOIN_MAX_ELEMS; i++) {
		LLVMValueRef p = read_memory(l, LLVMBuildAdd(l->b, base, lower_const(l, 8 * i), ""), 8);
		LLVMBasicBlockRef copy = new_block(l, "join.elem");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, p, lower_const(l, 0), ""), done, copy);
		LLVMPositionBuilderAtEnd(l->b, copy);
		LLVMValueRef args[3] = { gep(l, ev, 16 + (size_t)i * JOIN_ELEM_SIZE), LLVMConstInt(l->i32, JOIN_ELEM_SIZE, 0),
					 LLVMBuildIntToPtr(l->b, p, l->ptr, "") };
		lower_helper(l, H_PROBE_READ_STR, l->i64, args, 3);
		LLVMBuildStore(l->b, lower_const(l, i + 1), count);
	}
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	emit_event_buffer(l, ev, payload);
}
