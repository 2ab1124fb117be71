/* Lowering of expressions to LLVM IR: the value model and the dispatch.
 *
 * Value model: integers, bools, pointers and probe ids are i64 SSA values
 * (canonically sign- or zero-extended from their width); strings and tuples
 * live in per-CPU scratch memory and are passed around as pointers. This
 * file has the helpers that keep values in that shape (scratch memory,
 * stack slots, loads and stores, memset/memcpy), field access, and
 * lower_expr, which sends every kind of node to the file lowering it. */
#include <errno.h>
#include <string.h>

#include "lower_internal.h"

LLVMValueRef lower_const(struct lower *l, uint64_t v)
{
	return LLVMConstInt(l->i64, v, 0);
}

LLVMValueRef lower_helper(struct lower *l, int id, LLVMTypeRef ret, LLVMValueRef *args, unsigned n)
{
	LLVMTypeRef types[5];
	for (unsigned i = 0; i < n; i++)
		types[i] = LLVMTypeOf(args[i]);
	LLVMTypeRef fty = LLVMFunctionType(ret, types, n, 0);
	LLVMValueRef callee = LLVMConstIntToPtr(lower_const(l, (uint64_t)id), l->ptr);
	return LLVMBuildCall2(l->b, fty, callee, args, n, "");
}

/* Kernel structs count as scalars: a struct value is its address. */
bool is_scalar(const struct type *t)
{
	return type_is_integer_like(t) || t->kind == TY_PROBE || t->kind == TY_STRUCT;
}

size_t scratch_reserve(struct lower *l, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	size_t off = l->scratch_used;
	l->scratch_used += size ? size : 8;
	return off;
}

LLVMValueRef scratch_alloc(struct lower *l, size_t size)
{
	return gep(l, l->scratch_base, scratch_reserve(l, size));
}

LLVMValueRef gep(struct lower *l, LLVMValueRef p, size_t off)
{
	if (!off)
		return p;
	LLVMValueRef idx = lower_const(l, off);
	return LLVMBuildGEP2(l->b, l->i8, p, &idx, 1, "");
}

LLVMBasicBlockRef new_block(struct lower *l, const char *name)
{
	return LLVMAppendBasicBlockInContext(l->ctx, l->fn, name);
}

/* Keep an i64 canonical for an integer of the given type. */
LLVMValueRef normalize_int(struct lower *l, LLVMValueRef v, const struct type *t)
{
	if (t->kind == TY_BOOL)
		return LLVMBuildZExt(l->b, LLVMBuildICmp(l->b, LLVMIntNE, v, lower_const(l, 0), ""), l->i64, "");
	if (t->kind != TY_INT || t->bits == 64)
		return v;
	LLVMTypeRef nt = LLVMIntTypeInContext(l->ctx, (unsigned)t->bits);
	LLVMValueRef tr = LLVMBuildTrunc(l->b, v, nt, "");
	return t->is_signed ? LLVMBuildSExt(l->b, tr, l->i64, "") : LLVMBuildZExt(l->b, tr, l->i64, "");
}

/* Stack slots must be allocated in the entry block: BPF has no dynamic
 * stack allocation. */
LLVMValueRef entry_alloca(struct lower *l, LLVMTypeRef t)
{
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(l->b);
	LLVMPositionBuilderBefore(l->b, LLVMGetBasicBlockTerminator(l->entry_bb));
	LLVMValueRef a = LLVMBuildAlloca(l->b, t, "");
	LLVMPositionBuilderAtEnd(l->b, cur);
	return a;
}

/* Scratch memory is 8-byte aligned throughout. The BPF backend expands
 * memset inline with at most 128 stores, so up to 1 KiB is set with
 * volatile 1 KiB-or-less memsets (volatile: LLVM must not merge them back
 * into one it cannot expand). Larger areas are zeroed by one
 * bpf_probe_read_kernel from address 0: the read fails and the helper
 * zeroes its destination, in a single call instead of thousands of
 * stores that would put branches out of the BPF jump range. */
void emit_memset0(struct lower *l, LLVMValueRef p, size_t size)
{
	if (size > 1024) {
		LLVMValueRef args[3] = { p, LLVMConstInt(l->i32, size, 0), LLVMConstNull(l->ptr) };
		lower_helper(l, H_PROBE_READ_KERNEL, l->i64, args, 3);
		return;
	}
	LLVMTypeRef params[2] = { l->ptr, l->i64 };
	unsigned id = LLVMLookupIntrinsicID("llvm.memset", 11);
	LLVMValueRef fn = LLVMGetIntrinsicDeclaration(l->mod, id, params, 2);
	LLVMTypeRef fty = LLVMIntrinsicGetType(l->ctx, id, params, 2);
	unsigned align_kind = LLVMGetEnumAttributeKindForName("align", 5);
	LLVMValueRef args[4] = { p, LLVMConstInt(l->i8, 0, 0), lower_const(l, size), LLVMConstInt(l->i1, 1, 0) };
	LLVMValueRef call = LLVMBuildCall2(l->b, fty, fn, args, 4, "");
	LLVMAddCallSiteAttribute(call, 1, LLVMCreateEnumAttribute(l->ctx, align_kind, 8));
}

void emit_memcpy(struct lower *l, LLVMValueRef dst, LLVMValueRef src, size_t size)
{
	emit_memcpy_aligned(l, dst, src, size, 8);
}

/* The BPF backend expands a memcpy inline only with few enough stores, so
 * at most 32 of the alignment's width; larger copies go through the
 * helper, which is shorter code than unrolled loads anyway. */
void emit_memcpy_aligned(struct lower *l, LLVMValueRef dst, LLVMValueRef src, size_t size, unsigned align)
{
	if (size <= 32 * (size_t)align) {
		LLVMBuildMemCpy(l->b, dst, align, src, align, lower_const(l, size));
		return;
	}
	LLVMValueRef args[3] = { dst, LLVMConstInt(l->i32, size, 0), src };
	lower_helper(l, H_PROBE_READ_KERNEL, l->i64, args, 3);
}

/* Store `v` (of type src) into memory laid out as dst. */
void store_value(struct lower *l, LLVMValueRef dst, const struct type *dt, struct val v,
		 const struct type *st)
{
	if (is_scalar(dt)) {
		LLVMValueRef x = is_scalar(st) ? v.v : lower_const(l, 0);
		LLVMBuildStore(l->b, normalize_int(l, x, dt), dst);
		return;
	}
	if (dt->kind == TY_STRING) {
		/* zero all first: an aligned memset of the tail may be impossible */
		size_t n = st->size < dt->size ? st->size : dt->size;
		if (n < dt->size)
			emit_memset0(l, dst, dt->size);
		emit_memcpy(l, dst, v.v, n);
		return;
	}
	if (dt->kind == st->kind && dt->kind >= TY_KSTACK) {
		emit_memcpy(l, dst, v.v, dt->size);
		return;
	}
	if (dt->kind == TY_TUPLE && st->kind == TY_TUPLE) {
		store_tuple(l, dst, dt, v, st);
		return;
	}
	emit_memset0(l, dst, type_storage_size(dt));
}

struct val load_value(struct lower *l, LLVMValueRef p, const struct type *t)
{
	if (is_scalar(t))
		return (struct val){ LLVMBuildLoad2(l->b, l->i64, p, "") };
	return (struct val){ p };
}

/* A stack slot (scalars) or scratch memory for a value of type t. */
LLVMValueRef value_slot(struct lower *l, const struct type *t)
{
	return is_scalar(t) ? entry_alloca(l, l->i64) : scratch_alloc(l, type_storage_size(t));
}

void store_zero(struct lower *l, LLVMValueRef slot, const struct type *t)
{
	if (is_scalar(t))
		LLVMBuildStore(l->b, lower_const(l, 0), slot);
	else
		emit_memset0(l, slot, type_storage_size(t));
}

LLVMValueRef truth(struct lower *l, struct val v)
{
	return LLVMBuildICmp(l->b, LLVMIntNE, v.v, lower_const(l, 0), "");
}

LLVMValueRef bool_to_i64(struct lower *l, LLVMValueRef b)
{
	return LLVMBuildZExt(l->b, b, l->i64, "");
}

LLVMValueRef is_null(struct lower *l, LLVMValueRef p)
{
	return LLVMBuildICmp(l->b, LLVMIntEQ, p, LLVMConstNull(l->ptr), "");
}

/* Read `bytes` bytes of kernel or user memory into an i64 (zero-extended);
 * a failed read gives 0. */
LLVMValueRef read_memory(struct lower *l, LLVMValueRef addr, uint32_t bytes, int warn_action)
{
	return read_memory_with(l, H_PROBE_READ, addr, bytes, warn_action);
}

LLVMValueRef read_memory_with(struct lower *l, int helper, LLVMValueRef addr, uint32_t bytes, int warn_action)
{
	LLVMValueRef tmp = scratch_alloc(l, 8); /* not the stack: reads can be many */
	LLVMBuildStore(l->b, lower_const(l, 0), tmp);
	LLVMValueRef args[3] = { tmp, LLVMConstInt(l->i32, bytes, 0), LLVMBuildIntToPtr(l->b, addr, l->ptr, "") };
	emit_read_check(l, lower_helper(l, helper, l->i64, args, 3), warn_action);
	return LLVMBuildLoad2(l->b, l->i64, tmp, "");
}

void emit_read_check(struct lower *l, LLVMValueRef rc, int warn_action)
{
	emit_runtime_warning(l, LLVMBuildICmp(l->b, LLVMIntEQ, rc, lower_const(l, (uint64_t)-EFAULT), ""), warn_action);
}

LLVMValueRef sign_extend(struct lower *l, LLVMValueRef v, unsigned bits)
{
	LLVMValueRef shift = lower_const(l, 64 - bits);
	return LLVMBuildAShr(l->b, LLVMBuildShl(l->b, v, shift, ""), shift, "");
}

/* `size` bytes of memory at addr copied into scratch memory (zero when the
 * read fails). */
static LLVMValueRef read_bytes(struct lower *l, LLVMValueRef addr, size_t size, int warn_action)
{
	LLVMValueRef slot = scratch_alloc(l, size);
	emit_memset0(l, slot, size);
	LLVMValueRef args[3] = { slot, LLVMConstInt(l->i32, size, 0), LLVMBuildIntToPtr(l->b, addr, l->ptr, "") };
	emit_read_check(l, lower_helper(l, H_PROBE_READ, l->i64, args, 3), warn_action);
	return slot;
}

/* An integer or pointer of type t read from memory at addr. */
static LLVMValueRef read_scalar(struct lower *l, LLVMValueRef addr, const struct type *t, int warn_action)
{
	uint32_t bytes = t->kind == TY_INT ? (uint32_t)t->bits / 8 : t->kind == TY_BOOL ? 1 : 8;
	LLVMValueRef v = read_memory(l, addr, bytes, warn_action);
	if (t->kind == TY_INT && t->is_signed && bytes < 8)
		v = sign_extend(l, v, bytes * 8);
	return v;
}

/* p->f / s.f of a kernel struct: a nested struct stays an address; other
 * members are read from memory (bitfields shifted and masked). */
static struct val lower_member(struct lower *l, struct node *n)
{
	struct call_info *ci = n->sema;
	LLVMValueRef base = lower_expr(l, n->a).v;
	LLVMValueRef addr = LLVMBuildAdd(l->b, base, lower_const(l, ci->member_bit_offset / 8), "");
	const struct type *t = n->type;
	if (t->kind == TY_STRUCT)
		return (struct val){ addr };
	if (t->kind == TY_STRING || t->kind == TY_ARRAY)
		return (struct val){ read_bytes(l, addr, t->size, ci->check_action) };
	if (ci->member_bitfield_bits) {
		uint32_t shift = ci->member_bit_offset % 8, bits = ci->member_bitfield_bits;
		LLVMValueRef v = read_memory(l, addr, (shift + bits + 7) / 8, ci->check_action);
		v = LLVMBuildLShr(l->b, v, lower_const(l, shift), "");
		v = LLVMBuildAnd(l->b, v, lower_const(l, bits >= 64 ? ~0ull : (1ull << bits) - 1), "");
		if (t->kind == TY_INT && t->is_signed)
			v = sign_extend(l, v, bits);
		return (struct val){ v };
	}
	uint32_t bytes = ci->member_bytes ? ci->member_bytes : 8;
	LLVMValueRef v = read_memory(l, addr, bytes, ci->check_action);
	if (t->kind == TY_INT && t->is_signed && bytes < 8)
		v = sign_extend(l, v, bytes * 8);
	return (struct val){ normalize_int(l, v, t) };
}

/* *p of an integer or pointer; of a struct, its whole value */
static struct val lower_deref(struct lower *l, struct node *n)
{
	const struct type *t = n->type;
	LLVMValueRef addr = lower_expr(l, n->a).v;
	if (!is_scalar(t))
		return (struct val){ read_bytes(l, addr, t->size, node_check(n)) };
	return (struct val){ read_scalar(l, addr, t, node_check(n)) };
}

/* p[i]: the element at p + i * its size (a struct element stays an address) */
static struct val lower_pointer_index(struct lower *l, struct node *n)
{
	const struct type *t = n->type;
	size_t step = t->kind == TY_STRUCT ? t->size : type_field_size(t);
	LLVMValueRef p = lower_expr(l, n->a).v, i = lower_expr(l, n->b).v;
	LLVMValueRef addr = LLVMBuildAdd(l->b, p, LLVMBuildMul(l->b, i, lower_const(l, step), ""), "");
	if (t->kind == TY_STRUCT)
		return (struct val){ addr };
	if (!is_scalar(t))
		return (struct val){ read_bytes(l, addr, t->size, node_check(n)) };
	return (struct val){ read_scalar(l, addr, t, node_check(n)) };
}

/* &p->f or &p[i]: the address the operand would be read from */
static struct val lower_addrof(struct lower *l, struct node *n)
{
	struct node *e = n->a;
	LLVMValueRef base = lower_expr(l, e->a).v;
	if (e->kind == N_FIELD) {
		const struct call_info *ci = e->sema;
		return (struct val){ LLVMBuildAdd(l->b, base, lower_const(l, ci->member_bit_offset / 8), "") };
	}
	const struct type *t = e->type;
	size_t step = t->kind == TY_STRUCT ? t->size : type_field_size(t);
	LLVMValueRef i = lower_expr(l, e->b).v;
	return (struct val){ LLVMBuildAdd(l->b, base, LLVMBuildMul(l->b, i, lower_const(l, step), ""), "") };
}

static struct val lower_index(struct lower *l, struct node *n)
{
	switch (n->a->type->kind) {
	case TY_ARRAY:
		return lower_array_index(l, n);
	case TY_POINTER:
		return lower_pointer_index(l, n);
	default:
		return lower_string_index(l, n);
	}
}

static struct val lower_field(struct lower *l, struct node *n)
{
	if (n->sema && ((struct call_info *)n->sema)->is_member)
		return lower_member(l, n);
	return load_field(l, n->a->type, lower_expr(l, n->a).v, (int)n->ival);
}

/* { stmts; value } */
static struct val lower_block_expr(struct lower *l, struct node *n)
{
	lower_statements(l, n->body);
	return n->a ? lower_expr(l, n->a) : (struct val){ lower_const(l, 0) };
}

struct val lower_expr(struct lower *l, struct node *n)
{
	switch (n->kind) {
	case N_INT:
		return (struct val){ lower_const(l, n->ival) };
	case N_BOOL:
		return (struct val){ lower_const(l, n->ival ? 1 : 0) };
	case N_STR:
		return lower_string_literal(l, n->str, n->str_len, n->type->size);
	case N_VAR: {
		struct var_info *v = ((struct call_info *)n->sema)->var;
		return load_value(l, var_storage(l, v), v->type);
	}
	case N_MAP:
		return lower_map_read(l, n);
	case N_IDENT:
		return lower_builtin(l, n);
	case N_BINOP:
		return lower_binop(l, n);
	case N_UNOP:
		return lower_unop(l, n);
	case N_TERNARY:
		return lower_ternary(l, n);
	case N_TUPLE: case N_RECORD:
		return lower_tuple(l, n);
	case N_BLOCK_EXPR:
		return lower_block_expr(l, n);
	case N_IF_EXPR:
		return lower_if_expr(l, n);
	case N_INLINE_FN:
		return lower_inline_fn(l, n);
	case N_INDEX:
		return lower_index(l, n);
	case N_CAST:
		return lower_cast(l, n);
	case N_INCDEC:
		return lower_incdec(l, n);
	case N_FIELD:
		if (n->a->kind == N_IDENT && !strcmp(n->a->name, "args"))
			return l->probe->flags & (PF_DWARF_ARGS | PF_BTF_ARGS) ? lower_func_arg(l, n) : lower_tp_field(l, n);
		return lower_field(l, n);
	case N_CALL:
		return lower_call(l, n);
	case N_DEREF:
		return lower_deref(l, n);
	case N_ADDROF:
		return lower_addrof(l, n);
	default:
		diag_error(l->c->diags, &n->loc, "this expression is not supported yet");
		return (struct val){ lower_const(l, 0) };
	}
}
