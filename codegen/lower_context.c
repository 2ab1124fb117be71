/* What a probe program reads besides helpers: words of the probe context,
 * words of the globals map the runtime fills, the current tgid, and
 * tracepoint fields args.FIELD straight from the context. */
#include <string.h>

#include "lower_internal.h"

/* The value of the globals map (may be NULL for the verifier's sake). The
 * key is the function's shared stack word: every event site looks the map
 * up (to count lost events), and a stack slot each would exhaust the
 * 512-byte stack. */
LLVMValueRef globals_lookup(struct lower *l)
{
	LLVMValueRef key = shared_word(l);
	LLVMBuildStore(l->b, LLVMConstInt(l->i32, 0, 0), key);
	LLVMValueRef args[2] = { l->globals, key };
	return lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
}

LLVMValueRef global_word(struct lower *l, unsigned off)
{
	LLVMValueRef p = globals_lookup(l);
	LLVMValueRef isnull = is_null(l, p);
	LLVMBasicBlockRef have = new_block(l, "glob.have"), done = new_block(l, "glob.done");
	LLVMBasicBlockRef from = LLVMGetInsertBlock(l->b);
	LLVMBuildCondBr(l->b, isnull, done, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	LLVMValueRef v = LLVMBuildLoad2(l->b, l->i64, gep(l, p, off), "");
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	LLVMValueRef phi = LLVMBuildPhi(l->b, l->i64, "");
	LLVMValueRef vals[2] = { lower_const(l, 0), v };
	LLVMBasicBlockRef bbs[2] = { from, have };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return phi;
}

LLVMValueRef ctx_word(struct lower *l, size_t off)
{
	return LLVMBuildLoad2(l->b, l->i64, gep(l, l->ctx_arg, off), "");
}

LLVMValueRef current_tgid(struct lower *l)
{
	return LLVMBuildLShr(l->b, lower_helper(l, H_GET_PID_TGID, l->i64, NULL, 0), lower_const(l, 32), "");
}

/* args.FIELD: tracepoint fields are read straight from the context. */
struct val lower_tp_field(struct lower *l, struct node *n)
{
	const struct tp_field *f = NULL;
	for (int i = 0; i < l->spec_tp.nfields; i++)
		if (!strcmp(l->spec_tp.fields[i].name, n->name))
			f = &l->spec_tp.fields[i];
	if (!f) {
		diag_error(l->c->diags, &n->loc, "tracepoint %s has no field named '%s'", l->spec->canonical,
			   n->name);
		return (struct val){ lower_const(l, 0) };
	}
	LLVMValueRef addr = gep(l, l->ctx_arg, (size_t)f->offset);
	const struct type *t = n->type;
	if (f->is_data_loc) {
		/* the u32 holds (length << 16 | offset from the record start).
		 * Read at most the length, and like str() at most one byte more
		 * than the capacity: a longer string prints as truncated. */
		LLVMValueRef loc = LLVMBuildZExt(l->b, LLVMBuildLoad2(l->b, l->i32, addr, ""), l->i64, "");
		LLVMValueRef off = LLVMBuildAnd(l->b, loc, lower_const(l, 0xffff), "");
		LLVMValueRef len = LLVMBuildLShr(l->b, loc, lower_const(l, 16), "");
		LLVMValueRef cap = lower_const(l, t->size + 1);
		LLVMValueRef n = LLVMBuildSelect(l->b, LLVMBuildICmp(l->b, LLVMIntULT, len, cap, ""), len, cap, "");
		LLVMValueRef src = LLVMBuildGEP2(l->b, l->i8, l->ctx_arg, &off, 1, "");
		LLVMValueRef slot = scratch_alloc(l, t->size + 1);
		emit_memset0(l, slot, t->size + 1);
		LLVMValueRef args[3] = { slot, LLVMBuildTrunc(l->b, n, l->i32, ""), src };
		lower_helper(l, H_PROBE_READ_STR, l->i64, args, 3);
		return (struct val){ slot };
	}
	if (t->kind == TY_STRING || t->kind == TY_ARRAY) {
		LLVMValueRef slot = scratch_alloc(l, t->size);
		LLVMValueRef args[3] = { slot, LLVMConstInt(l->i32, (unsigned)f->size, 0), addr };
		if ((size_t)f->size < t->size)
			emit_memset0(l, slot, t->size);
		lower_helper(l, H_PROBE_READ_KERNEL, l->i64, args, 3);
		return (struct val){ slot };
	}
	int bytes = f->size;
	LLVMTypeRef it = bytes == 1 ? l->i8 : bytes == 2 ? LLVMInt16TypeInContext(l->ctx) : bytes == 4 ? l->i32 : l->i64;
	LLVMValueRef v = LLVMBuildLoad2(l->b, it, addr, "");
	if (bytes < 8)
		v = f->is_signed ? LLVMBuildSExt(l->b, v, l->i64, "") : LLVMBuildZExt(l->b, v, l->i64, "");
	return (struct val){ normalize_int(l, v, t) };
}
