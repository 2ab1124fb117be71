/* Lowering of tuples and records in their C struct layout (common/types.h):
 * building them, reading a field, converting a tuple to another layout
 * field by field (a variable whose string field grew, a map key of wider
 * integers), and comparing two tuples. Tuple slots are 8-aligned, so a
 * field's alignment follows from its byte offset; fields narrower than 8
 * bytes are loaded and stored at their own width. */
#include "lower_internal.h"

/* The alignment known at byte `off` of an 8-aligned slot. */
static unsigned offset_align(size_t off)
{
	unsigned a = 8;
	while (off % a)
		a /= 2;
	return a;
}

/* Bytes of a scalar in a tuple: kernel structs and probe ids are 8-byte
 * words like pointers. */
static unsigned scalar_width(const struct type *t)
{
	return t->kind == TY_INT || t->kind == TY_BOOL ? (unsigned)type_field_size(t) : 8;
}

/* A bitfield of a struct value: its bytes one by one (it may start and end
 * anywhere), shifted and masked, sign-extended when signed. */
static LLVMValueRef load_bitfield(struct lower *l, LLVMValueRef slot, size_t off, const struct type *t)
{
	unsigned bytes = (unsigned)(t->bit_shift + t->bit_width + 7) / 8;
	LLVMValueRef v = lower_const(l, 0);
	for (unsigned i = 0; i < bytes; i++) {
		LLVMValueRef b = LLVMBuildZExt(l->b, LLVMBuildLoad2(l->b, l->i8, gep(l, slot, off + i), ""), l->i64, "");
		v = LLVMBuildOr(l->b, v, LLVMBuildShl(l->b, b, lower_const(l, 8 * i), ""), "");
	}
	unsigned up = 64 - (unsigned)(t->bit_shift + t->bit_width);
	v = LLVMBuildShl(l->b, v, lower_const(l, up), "");
	LLVMValueRef down = lower_const(l, 64 - (unsigned)t->bit_width);
	return t->is_signed ? LLVMBuildAShr(l->b, v, down, "") : LLVMBuildLShr(l->b, v, down, "");
}

/* A scalar field, extended to the canonical i64. */
static LLVMValueRef load_scalar(struct lower *l, LLVMValueRef slot, size_t off, const struct type *t)
{
	if (t->kind == TY_INT && t->bit_width)
		return load_bitfield(l, slot, off, t);
	unsigned w = scalar_width(t);
	LLVMValueRef v = LLVMBuildLoad2(l->b, LLVMIntTypeInContext(l->ctx, w * 8), gep(l, slot, off), "");
	LLVMSetAlignment(v, offset_align(off));
	if (w == 8)
		return v;
	if (t->kind == TY_INT && t->is_signed)
		return LLVMBuildSExt(l->b, v, l->i64, "");
	return LLVMBuildZExt(l->b, v, l->i64, "");
}

static void store_scalar(struct lower *l, LLVMValueRef slot, size_t off, const struct type *t, LLVMValueRef v)
{
	unsigned w = scalar_width(t);
	v = normalize_int(l, v, t);
	if (w < 8)
		v = LLVMBuildTrunc(l->b, v, LLVMIntTypeInContext(l->ctx, w * 8), "");
	LLVMSetAlignment(LLVMBuildStore(l->b, v, gep(l, slot, off)), offset_align(off));
}

/* Whether some bytes of t belong to no field: they must be zeroed, since
 * a tuple used as a map key is compared byte by byte. */
static bool has_padding(const struct type *t)
{
	size_t used = 0;
	for (int i = 0; i < t->nfields; i++) {
		const struct type *f = t->fields[i];
		if (f->kind == TY_TUPLE && has_padding(f))
			return true;
		used += type_field_size(f);
	}
	return used != t->size;
}

/* The value of type st at byte os of src into the field of type dt at
 * byte od of dst; a field with nothing to take stays as it is (zero). */
static void copy_value(struct lower *l, LLVMValueRef dst, size_t od, const struct type *dt, LLVMValueRef src,
		       size_t os, const struct type *st)
{
	if (is_scalar(dt)) {
		LLVMValueRef v = is_scalar(st) ? load_scalar(l, src, os, st) : lower_const(l, 0);
		store_scalar(l, dst, od, dt, v);
		return;
	}
	if (dt->kind == TY_TUPLE && st->kind == TY_TUPLE && !type_equal(dt, st)) {
		for (int i = 0; i < dt->nfields && i < st->nfields; i++)
			copy_value(l, dst, od + dt->offsets[i], dt->fields[i], src, os + st->offsets[i],
				   st->fields[i]);
		return;
	}
	if (dt->kind != st->kind)
		return;
	size_t n = st->size < dt->size ? st->size : dt->size;
	unsigned da = offset_align(od), sa = offset_align(os);
	emit_memcpy_aligned(l, gep(l, dst, od), gep(l, src, os), n, da < sa ? da : sa);
}

void store_field(struct lower *l, LLVMValueRef slot, size_t off, const struct type *dt, struct val v,
		 const struct type *st)
{
	if (is_scalar(dt))
		store_scalar(l, slot, off, dt, is_scalar(st) ? v.v : lower_const(l, 0));
	else
		copy_value(l, slot, off, dt, v.v, 0, st);
}

void store_tuple(struct lower *l, LLVMValueRef dst, const struct type *dt, struct val v,
		 const struct type *st)
{
	if (!type_equal(dt, st))
		emit_memset0(l, dst, dt->size);
	copy_value(l, dst, 0, dt, v.v, 0, st);
}

/* Tuples and records (whose elements are N_NAMED nodes). */
struct val lower_tuple(struct lower *l, struct node *n)
{
	const struct type *t = n->type;
	LLVMValueRef slot = scratch_alloc(l, t->size);
	if (has_padding(t))
		emit_memset0(l, slot, t->size);
	int i = 0;
	for (struct node *a = n->args; a; a = a->next, i++) {
		struct node *e = a->kind == N_NAMED ? a->a : a;
		store_field(l, slot, t->offsets[i], t->fields[i], lower_expr(l, e), e->type);
	}
	return (struct val){ slot };
}

void zero_padding(struct lower *l, LLVMValueRef slot, const struct type *t)
{
	if (t->kind == TY_TUPLE && has_padding(t))
		emit_memset0(l, slot, t->size);
}

struct val load_field(struct lower *l, const struct type *t, LLVMValueRef slot, int i)
{
	const struct type *f = t->fields[i];
	size_t off = t->offsets[i];
	if (is_scalar(f))
		return (struct val){ load_scalar(l, slot, off, f) };
	if (off % 8 == 0)
		return (struct val){ gep(l, slot, off) };
	/* every other value is 8-aligned: copy a field that is not */
	LLVMValueRef copy = scratch_alloc(l, f->size);
	emit_memcpy_aligned(l, copy, gep(l, slot, off), f->size, offset_align(off));
	return (struct val){ copy };
}

/* Field by field, at byte offsets ao/bo of the two 8-aligned slots. */
static LLVMValueRef fields_equal(struct lower *l, const struct type *at, LLVMValueRef a, size_t ao,
				 const struct type *bt, LLVMValueRef b, size_t bo)
{
	LLVMValueRef eq = LLVMConstInt(l->i1, 1, 0);
	for (int i = 0; i < at->nfields && i < bt->nfields; i++) {
		const struct type *fa = at->fields[i], *fb = bt->fields[i];
		size_t oa = ao + at->offsets[i], ob = bo + bt->offsets[i];
		LLVMValueRef e;
		if (fa->kind == TY_TUPLE)
			e = fields_equal(l, fa, a, oa, fb, b, ob);
		else if (fa->kind == TY_STRING)
			e = string_equal(l, NULL, gep(l, a, oa), fa->size, NULL, gep(l, b, ob), fb->size, (size_t)-1);
		else
			e = LLVMBuildICmp(l->b, LLVMIntEQ, load_scalar(l, a, oa, fa), load_scalar(l, b, ob, fb), "");
		eq = LLVMBuildAnd(l->b, eq, e, "");
	}
	return eq;
}

LLVMValueRef tuple_equal(struct lower *l, const struct type *at, LLVMValueRef a, const struct type *bt,
			 LLVMValueRef b)
{
	return fields_equal(l, at, a, 0, bt, b, 0);
}

/* a[i] of a C array value: the element, or zero when i is out of bounds */
struct val lower_array_index(struct lower *l, struct node *n)
{
	const struct type *at = n->a->type, *et = at->pointee;
	size_t step = type_field_size(et);
	struct val arr = lower_expr(l, n->a), idx = lower_expr(l, n->b);
	LLVMValueRef res = is_scalar(et) ? entry_alloca(l, l->i64) : scratch_alloc(l, et->size);
	if (is_scalar(et))
		LLVMBuildStore(l->b, lower_const(l, 0), res);
	else
		emit_memset0(l, res, et->size);
	LLVMBasicBlockRef in = new_block(l, "arr.in"), done = new_block(l, "arr.done");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntULT, idx.v, lower_const(l, at->nelems), ""), in, done);
	LLVMPositionBuilderAtEnd(l->b, in);
	LLVMValueRef off = LLVMBuildMul(l->b, idx.v, lower_const(l, step), "");
	LLVMValueRef elem = LLVMBuildGEP2(l->b, l->i8, arr.v, &off, 1, "");
	unsigned align = (unsigned)(type_align(et) < 8 ? type_align(et) : 8);
	if (is_scalar(et)) {
		unsigned w = scalar_width(et);
		LLVMValueRef v = LLVMBuildLoad2(l->b, LLVMIntTypeInContext(l->ctx, w * 8), elem, "");
		LLVMSetAlignment(v, align);
		if (w < 8)
			v = et->kind == TY_INT && et->is_signed ? LLVMBuildSExt(l->b, v, l->i64, "")
								  : LLVMBuildZExt(l->b, v, l->i64, "");
		LLVMBuildStore(l->b, v, res);
	} else {
		emit_memcpy_aligned(l, res, elem, et->size, align);
	}
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return is_scalar(et) ? (struct val){ LLVMBuildLoad2(l->b, l->i64, res, "") } : (struct val){ res };
}

/* a == b of two arrays of one type: element by element (the innermost
 * integers), unrolled */
LLVMValueRef array_equal(struct lower *l, const struct type *t, LLVMValueRef a, LLVMValueRef b)
{
	const struct type *e = t;
	while (e->kind == TY_ARRAY)
		e = e->pointee;
	size_t step = type_field_size(e);
	LLVMValueRef eq = LLVMConstInt(l->i1, 1, 0);
	for (size_t off = 0; off < t->size; off += step)
		eq = LLVMBuildAnd(l->b, eq, LLVMBuildICmp(l->b, LLVMIntEQ, load_scalar(l, a, off, e),
							  load_scalar(l, b, off, e), ""), "");
	return eq;
}
