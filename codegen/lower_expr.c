/* Lowering of expressions to LLVM IR.
 *
 * Value model: integers, bools, pointers and probe ids are i64 SSA values
 * (canonically sign- or zero-extended from their width); strings and tuples
 * live in per-CPU scratch memory and are passed around as pointers. */
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

bool is_scalar(const struct type *t)
{
	return type_is_integer_like(t) || t->kind == TY_PROBE;
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

/* Scratch memory is 8-byte aligned throughout; the BPF backend expands
 * memset/memcpy inline with at most 128 stores each, so big ones are split
 * into 1 KiB pieces. The memsets are volatile so that LLVM cannot merge
 * neighbouring pieces back into one that the backend cannot expand. */
void emit_memset0(struct lower *l, LLVMValueRef p, size_t size)
{
	LLVMTypeRef params[2] = { l->ptr, l->i64 };
	unsigned id = LLVMLookupIntrinsicID("llvm.memset", 11);
	LLVMValueRef fn = LLVMGetIntrinsicDeclaration(l->mod, id, params, 2);
	LLVMTypeRef fty = LLVMIntrinsicGetType(l->ctx, id, params, 2);
	unsigned align_kind = LLVMGetEnumAttributeKindForName("align", 5);
	for (size_t off = 0; off < size; off += 1024) {
		size_t n = size - off < 1024 ? size - off : 1024;
		LLVMValueRef args[4] = { gep(l, p, off), LLVMConstInt(l->i8, 0, 0), lower_const(l, n),
					 LLVMConstInt(l->i1, 1, 0) };
		LLVMValueRef call = LLVMBuildCall2(l->b, fty, fn, args, 4, "");
		LLVMAddCallSiteAttribute(call, 1, LLVMCreateEnumAttribute(l->ctx, align_kind, 8));
	}
}

void emit_memcpy(struct lower *l, LLVMValueRef dst, LLVMValueRef src, size_t size)
{
	if (size <= 256) {
		LLVMBuildMemCpy(l->b, dst, 8, src, 8, lower_const(l, size));
		return;
	}
	/* large copies through the helper: shorter code than unrolled loads */
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
	if (dt->kind == TY_TUPLE && st->kind == TY_TUPLE && type_equal(dt, st)) {
		emit_memcpy(l, dst, v.v, dt->size);
		return;
	}
	if (dt->kind == TY_TUPLE && st->kind == TY_TUPLE) {
		for (int i = 0; i < dt->nfields && i < st->nfields; i++) {
			struct val f = load_value(l, gep(l, v.v, st->offsets[i]), st->fields[i]);
			store_value(l, gep(l, dst, dt->offsets[i]), dt->fields[i], f, st->fields[i]);
		}
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

/* A copy of a value in fresh scratch memory (for non-scalars). */
static struct val materialize(struct lower *l, struct val v, const struct type *t)
{
	if (is_scalar(t))
		return v;
	LLVMValueRef slot = scratch_alloc(l, type_storage_size(t));
	store_value(l, slot, t, v, t);
	return (struct val){ slot };
}

LLVMValueRef truth(struct lower *l, struct val v)
{
	return LLVMBuildICmp(l->b, LLVMIntNE, v.v, lower_const(l, 0), "");
}

static LLVMValueRef bool_to_i64(struct lower *l, LLVMValueRef b)
{
	return LLVMBuildZExt(l->b, b, l->i64, "");
}

/* ---- strings ---- */

static struct val lower_string_literal(struct lower *l, const char *s, int len, size_t cap)
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
static LLVMValueRef string_equal(struct lower *l, struct node *an, LLVMValueRef a, size_t acap,
				 struct node *bn, LLVMValueRef b, size_t bcap, size_t limit)
{
	if (an && an->kind == N_STR && !(bn && bn->kind == N_STR))
		return string_equal(l, bn, b, bcap, an, a, acap, limit);
	size_t n = acap < bcap ? acap : bcap;
	if (limit < n)
		n = limit;
	LLVMBasicBlockRef done = new_block(l, "streq.done");
	LLVMBasicBlockRef start = LLVMGetInsertBlock(l->b);
	LLVMValueRef result_slot = entry_alloca(l, l->i1);
	(void)start;
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
static struct val read_string(struct lower *l, LLVMValueRef addr, size_t cap, LLVMValueRef len)
{
	LLVMValueRef slot = scratch_alloc(l, cap);
	emit_memset0(l, slot, cap);
	if (!len)
		len = LLVMConstInt(l->i32, cap, 0);
	LLVMValueRef args[3] = { slot, len, LLVMBuildIntToPtr(l->b, addr, l->ptr, "") };
	lower_helper(l, H_PROBE_READ_STR, l->i64, args, 3);
	return (struct val){ slot };
}

/* ---- builtins ---- */

/* The value of the globals map (may be NULL for the verifier's sake). */
LLVMValueRef globals_lookup(struct lower *l)
{
	LLVMValueRef key = entry_alloca(l, l->i32);
	LLVMBuildStore(l->b, LLVMConstInt(l->i32, 0, 0), key);
	LLVMValueRef args[2] = { l->globals, key };
	return lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
}

static LLVMValueRef global_word(struct lower *l, unsigned off)
{
	LLVMValueRef p = globals_lookup(l);
	LLVMValueRef isnull = LLVMBuildICmp(l->b, LLVMIntEQ, p, LLVMConstNull(l->ptr), "");
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

static LLVMValueRef ctx_word(struct lower *l, size_t off)
{
	return LLVMBuildLoad2(l->b, l->i64, gep(l, l->ctx_arg, off), "");
}

/* pt_regs offsets (x86-64) of the first six arguments, the return value and
 * the instruction pointer */
static const size_t arg_regs[] = { 112, 104, 96, 88, 72, 64 };
enum { REG_AX = 80, REG_IP = 128 };

static LLVMValueRef current_tgid(struct lower *l)
{
	return LLVMBuildLShr(l->b, lower_helper(l, H_GET_PID_TGID, l->i64, NULL, 0), lower_const(l, 32), "");
}

/* kstack / ustack: the stack id in the stack map (and the pid whose
 * symbols resolve a user stack). */
static struct val lower_stack(struct lower *l, bool user)
{
	LLVMValueRef slot = scratch_alloc(l, user ? 16 : 8);
	LLVMValueRef args[3] = { l->ctx_arg, l->stacks, lower_const(l, user ? 1u << 8 /* BPF_F_USER_STACK */ : 0) };
	LLVMValueRef id = lower_helper(l, H_GET_STACKID, l->i64, args, 3);
	LLVMBuildStore(l->b, id, slot);
	if (user)
		LLVMBuildStore(l->b, current_tgid(l), gep(l, slot, 8));
	return (struct val){ slot };
}

static struct val lower_symbol(struct lower *l, LLVMValueRef addr, bool user)
{
	LLVMValueRef slot = scratch_alloc(l, user ? 16 : 8);
	LLVMBuildStore(l->b, addr, slot);
	if (user)
		LLVMBuildStore(l->b, current_tgid(l), gep(l, slot, 8));
	return (struct val){ slot };
}

static struct val lower_builtin(struct lower *l, struct node *n)
{
	struct call_info *ci = n->sema;
	switch (ci->builtin) {
	case B_PID:
		return (struct val){ LLVMBuildLShr(l->b, lower_helper(l, H_GET_PID_TGID, l->i64, NULL, 0),
						   lower_const(l, 32), "") };
	case B_TID:
		return (struct val){ LLVMBuildAnd(l->b, lower_helper(l, H_GET_PID_TGID, l->i64, NULL, 0),
						  lower_const(l, 0xffffffff), "") };
	case B_UID:
		return (struct val){ LLVMBuildAnd(l->b, lower_helper(l, H_GET_UID_GID, l->i64, NULL, 0),
						  lower_const(l, 0xffffffff), "") };
	case B_GID:
		return (struct val){ LLVMBuildLShr(l->b, lower_helper(l, H_GET_UID_GID, l->i64, NULL, 0),
						   lower_const(l, 32), "") };
	case B_NSECS:
		return (struct val){ lower_helper(l, H_KTIME_BOOT_NS, l->i64, NULL, 0) };
	case B_ELAPSED:
		return (struct val){ LLVMBuildSub(l->b, lower_helper(l, H_KTIME_BOOT_NS, l->i64, NULL, 0),
						  global_word(l, GLOBAL_START_NS), "") };
	case B_CPID:
		return (struct val){ global_word(l, GLOBAL_CPID) };
	case B_CPU:
		return (struct val){ LLVMBuildZExt(l->b, lower_helper(l, H_GET_SMP_PROCESSOR_ID, l->i32, NULL, 0),
						   l->i64, "") };
	case B_RAND:
		return (struct val){ LLVMBuildZExt(l->b, lower_helper(l, H_GET_PRANDOM, l->i32, NULL, 0), l->i64, "") };
	case B_JIFFIES:
		return (struct val){ lower_helper(l, H_JIFFIES64, l->i64, NULL, 0) };
	case B_CGROUP:
		return (struct val){ lower_helper(l, H_GET_CGROUP_ID, l->i64, NULL, 0) };
	case B_CURTASK:
		return (struct val){ lower_helper(l, H_GET_CURRENT_TASK, l->i64, NULL, 0) };
	case B_NUMAID:
		return (struct val){ LLVMBuildZExt(l->b, lower_helper(l, H_GET_NUMA_NODE, l->i32, NULL, 0), l->i64, "") };
	case B_NCPUS:
		return (struct val){ lower_const(l, (uint64_t)l->c->opts->ncpus) };
	case B_PROBE:
		return (struct val){ lower_const(l, (uint64_t)l->probe_name_index) };
	case B_COMM: {
		LLVMValueRef slot = scratch_alloc(l, 16);
		LLVMValueRef args[2] = { slot, LLVMConstInt(l->i32, 16, 0) };
		lower_helper(l, H_GET_COMM, l->i64, args, 2);
		return (struct val){ slot };
	}
	case B_ARG:
		if (l->spec->kind == PROBE_RAWTRACEPOINT)
			return (struct val){ ctx_word(l, 8 * (size_t)ci->arg_index) };
		return (struct val){ ctx_word(l, arg_regs[ci->arg_index]) };
	case B_RETVAL:
		return (struct val){ ctx_word(l, REG_AX) };
	case B_KSTACK: case B_USTACK:
		return lower_stack(l, ci->builtin == B_USTACK);
	case B_FUNC:
		if (l->spec->kind == PROBE_UPROBE || l->spec->kind == PROBE_URETPROBE)
			return lower_symbol(l, ctx_word(l, REG_IP), true);
		{
			LLVMValueRef args[1] = { l->ctx_arg };
			return lower_symbol(l, lower_helper(l, H_GET_FUNC_IP, l->i64, args, 1), false);
		}
	default:
		break;
	}
	diag_error(l->c->diags, &n->loc, "%s is not supported yet", n->name);
	return (struct val){ lower_const(l, 0) };
}

/* args.FIELD: tracepoint fields are read straight from the context. */
static struct val lower_tp_field(struct lower *l, struct node *n)
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
		LLVMValueRef loc = LLVMBuildZExt(l->b, LLVMBuildLoad2(l->b, l->i32, addr, ""), l->i64, "");
		LLVMValueRef off = LLVMBuildAnd(l->b, loc, lower_const(l, 0xffff), "");
		LLVMValueRef src = LLVMBuildGEP2(l->b, l->i8, l->ctx_arg, &off, 1, "");
		LLVMValueRef slot = scratch_alloc(l, t->size);
		emit_memset0(l, slot, t->size);
		LLVMValueRef args[3] = { slot, LLVMConstInt(l->i32, t->size, 0), src };
		lower_helper(l, H_PROBE_READ_STR, l->i64, args, 3);
		return (struct val){ slot };
	}
	if (t->kind == TY_STRING) {
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

/* ---- operators ---- */

static bool signed_op(const struct node *n)
{
	const struct type *a = n->a->type, *b = n->b->type;
	bool as = a->kind == TY_INT && a->is_signed && !a->is_literal;
	bool bs = b->kind == TY_INT && b->is_signed && !b->is_literal;
	if (a->is_literal && b->is_literal)
		return true;
	return as || bs;
}

/* A located warning printed by the runtime when `cond` holds. */
void emit_runtime_warning(struct lower *l, LLVMValueRef cond, const struct src_loc *loc, const char *msg)
{
	struct action act = { .kind = ACT_WARNING, .map = -1 };
	act.fmt = diag_render(l->c->diags, DIAG_WARNING, loc, msg);
	int id = compiler_add_action(l->c, act);
	LLVMBasicBlockRef warn = new_block(l, "warn"), done = new_block(l, "warn.done");
	LLVMBuildCondBr(l->b, cond, warn, done);
	LLVMPositionBuilderAtEnd(l->b, warn);
	emit_event(l, id);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

/* Division and modulo: BPF cpu v3 has no signed division, and dividing by
 * zero yields 1 (with a runtime warning) as the language specifies. */
static LLVMValueRef emit_divmod(struct lower *l, bool is_div, bool sgn, LLVMValueRef a, LLVMValueRef b,
				const struct src_loc *loc)
{
	LLVMValueRef zero = lower_const(l, 0);
	LLVMValueRef bz = LLVMBuildICmp(l->b, LLVMIntEQ, b, zero, "");
	emit_runtime_warning(l, bz, loc,
			     "Divide or modulo by 0 detected. This can lead to unexpected results. 1 is being used as the result.");
	LLVMValueRef safe_b = LLVMBuildSelect(l->b, bz, lower_const(l, 1), b, "");
	LLVMValueRef r;
	if (sgn) {
		LLVMValueRef an = LLVMBuildICmp(l->b, LLVMIntSLT, a, zero, "");
		LLVMValueRef bn = LLVMBuildICmp(l->b, LLVMIntSLT, safe_b, zero, "");
		LLVMValueRef ua = LLVMBuildSelect(l->b, an, LLVMBuildNeg(l->b, a, ""), a, "");
		LLVMValueRef ub = LLVMBuildSelect(l->b, bn, LLVMBuildNeg(l->b, safe_b, ""), safe_b, "");
		LLVMValueRef q = is_div ? LLVMBuildUDiv(l->b, ua, ub, "") : LLVMBuildURem(l->b, ua, ub, "");
		LLVMValueRef neg = is_div ? LLVMBuildXor(l->b, an, bn, "") : an;
		r = LLVMBuildSelect(l->b, neg, LLVMBuildNeg(l->b, q, ""), q, "");
	} else {
		r = is_div ? LLVMBuildUDiv(l->b, a, safe_b, "") : LLVMBuildURem(l->b, a, safe_b, "");
	}
	return LLVMBuildSelect(l->b, bz, lower_const(l, 1), r, "");
}

/* An arithmetic or bitwise operator on two i64 values. */
LLVMValueRef emit_arith(struct lower *l, int op, bool sgn, LLVMValueRef a, LLVMValueRef b, const struct src_loc *loc)
{
	switch (op) {
	case OP_ADD: return LLVMBuildAdd(l->b, a, b, "");
	case OP_SUB: return LLVMBuildSub(l->b, a, b, "");
	case OP_MUL: return LLVMBuildMul(l->b, a, b, "");
	case OP_DIV: case OP_MOD: return emit_divmod(l, op == OP_DIV, sgn, a, b, loc);
	case OP_SHL: return LLVMBuildShl(l->b, a, b, "");
	case OP_SHR: return sgn ? LLVMBuildAShr(l->b, a, b, "") : LLVMBuildLShr(l->b, a, b, "");
	case OP_BAND: return LLVMBuildAnd(l->b, a, b, "");
	case OP_BOR: return LLVMBuildOr(l->b, a, b, "");
	default: return LLVMBuildXor(l->b, a, b, "");
	}
}

static struct val lower_logical(struct lower *l, struct node *n)
{
	LLVMValueRef res = entry_alloca(l, l->i64);
	struct val a = lower_expr(l, n->a);
	LLVMValueRef at = truth(l, a);
	LLVMBuildStore(l->b, bool_to_i64(l, at), res);
	LLVMBasicBlockRef rhs = new_block(l, "logic.rhs"), done = new_block(l, "logic.done");
	if (n->op == OP_LAND)
		LLVMBuildCondBr(l->b, at, rhs, done);
	else
		LLVMBuildCondBr(l->b, at, done, rhs);
	LLVMPositionBuilderAtEnd(l->b, rhs);
	struct val b = lower_expr(l, n->b);
	LLVMBuildStore(l->b, bool_to_i64(l, truth(l, b)), res);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return (struct val){ LLVMBuildLoad2(l->b, l->i64, res, "") };
}

static struct val lower_binop(struct lower *l, struct node *n)
{
	if (n->op == OP_LAND || n->op == OP_LOR)
		return lower_logical(l, n);
	if ((n->op == OP_EQ || n->op == OP_NE) && n->a->type->kind == TY_STRING) {
		struct val a = lower_expr(l, n->a), b = lower_expr(l, n->b);
		LLVMValueRef eq = string_equal(l, n->a, a.v, n->a->type->size, n->b, b.v, n->b->type->size,
					       (size_t)-1);
		if (n->op == OP_NE)
			eq = LLVMBuildNot(l->b, eq, "");
		return (struct val){ bool_to_i64(l, eq) };
	}
	struct val av = lower_expr(l, n->a), bv = lower_expr(l, n->b);
	LLVMValueRef a = av.v, b = bv.v;
	bool sgn = signed_op(n);
	LLVMIntPredicate pred;
	switch (n->op) {
	case OP_SHR: /* arithmetic shift for a signed left operand */
		return (struct val){ emit_arith(l, n->op, n->a->type->kind == TY_INT && n->a->type->is_signed, a, b, &n->loc) };
	case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_MOD: case OP_SHL:
	case OP_BAND: case OP_BOR: case OP_BXOR:
		return (struct val){ emit_arith(l, n->op, sgn, a, b, &n->loc) };
	case OP_EQ: pred = LLVMIntEQ; break;
	case OP_NE: pred = LLVMIntNE; break;
	case OP_LT: pred = sgn ? LLVMIntSLT : LLVMIntULT; break;
	case OP_LE: pred = sgn ? LLVMIntSLE : LLVMIntULE; break;
	case OP_GT: pred = sgn ? LLVMIntSGT : LLVMIntUGT; break;
	default: pred = sgn ? LLVMIntSGE : LLVMIntUGE; break;
	}
	return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, pred, a, b, "")) };
}

static struct val lower_ternary(struct lower *l, struct node *n)
{
	const struct type *t = n->type;
	struct val c = lower_expr(l, n->a);
	LLVMValueRef slot = is_scalar(t) ? entry_alloca(l, l->i64) : scratch_alloc(l, t->size);
	LLVMBasicBlockRef yes = new_block(l, "tern.yes"), no = new_block(l, "tern.no"),
			  done = new_block(l, "tern.done");
	LLVMBuildCondBr(l->b, truth(l, c), yes, no);
	LLVMPositionBuilderAtEnd(l->b, yes);
	if (n->c)
		store_value(l, slot, t, lower_expr(l, n->b), n->b->type);
	else
		store_value(l, slot, t, c, n->a->type);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, no);
	struct node *other = n->c ? n->c : n->b;
	store_value(l, slot, t, lower_expr(l, other), other->type);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return load_value(l, slot, t);
}

/* Tuples and records (whose elements are N_NAMED nodes). */
static struct val lower_tuple(struct lower *l, struct node *n)
{
	const struct type *t = n->type;
	LLVMValueRef slot = scratch_alloc(l, t->size);
	int i = 0;
	for (struct node *a = n->args; a; a = a->next, i++) {
		struct node *e = a->kind == N_NAMED ? a->a : a;
		store_value(l, gep(l, slot, t->offsets[i]), t->fields[i], lower_expr(l, e), e->type);
	}
	return (struct val){ slot };
}

/* if/else and { } blocks used as values */
static struct val lower_value_block(struct lower *l, struct node *n)
{
	if (n->kind == N_BLOCK_EXPR) {
		lower_statements(l, n->body);
		return n->a ? lower_expr(l, n->a) : (struct val){ lower_const(l, 0) };
	}
	const struct type *t = n->type;
	struct val c = lower_expr(l, n->a);
	LLVMValueRef slot = is_scalar(t) ? entry_alloca(l, l->i64) : scratch_alloc(l, t->size);
	LLVMBasicBlockRef yes = new_block(l, "ifx.then"), no = new_block(l, "ifx.else"), done = new_block(l, "ifx.end");
	LLVMBuildCondBr(l->b, truth(l, c), yes, no);
	LLVMPositionBuilderAtEnd(l->b, yes);
	store_value(l, slot, t, lower_expr(l, n->body), n->body->type);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, no);
	store_value(l, slot, t, lower_expr(l, n->else_body), n->else_body->type);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return load_value(l, slot, t);
}

static struct val lower_cast(struct lower *l, struct node *n)
{
	struct val v = lower_expr(l, n->a);
	return (struct val){ normalize_int(l, v.v, n->type) };
}

static struct val lower_unop(struct lower *l, struct node *n)
{
	struct val v = lower_expr(l, n->a);
	switch (n->op) {
	case OP_NOT:
		return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, LLVMIntEQ, v.v, lower_const(l, 0), "")) };
	case OP_BNOT:
		return (struct val){ normalize_int(l, LLVMBuildNot(l->b, v.v, ""), n->a->type->kind == TY_INT && !n->a->type->is_literal ? n->a->type : &type_i64) };
	default:
		return (struct val){ LLVMBuildNeg(l->b, v.v, "") };
	}
}

/* `str(p[, n])` */
static struct val lower_str(struct lower *l, struct node *n)
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

static struct val lower_strncmp(struct lower *l, struct node *n)
{
	struct node *a = n->args, *b = a->next, *len = b->next;
	struct val av = lower_expr(l, a), bv = lower_expr(l, b);
	size_t limit = (size_t)len->ival;
	LLVMValueRef eq = string_equal(l, a, av.v, a->type->size, b, bv.v, b->type->size, limit);
	return (struct val){ bool_to_i64(l, LLVMBuildNot(l->b, eq, "")) };
}

/* $s[i]: a byte of a string, 0 when i is out of bounds. */
static struct val lower_string_index(struct lower *l, struct node *n)
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

static struct val lower_strlen(struct lower *l, struct node *n)
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
static struct val lower_strstr(struct lower *l, struct node *n)
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
	case N_BLOCK_EXPR: case N_IF_EXPR:
		return lower_value_block(l, n);
	case N_INLINE_FN:
		return lower_inline_fn(l, n);
	case N_INDEX:
		return lower_string_index(l, n);
	case N_CAST:
		return lower_cast(l, n);
	case N_INCDEC:
		return lower_incdec(l, n);
	case N_FIELD:
		if (n->a->kind == N_IDENT && !strcmp(n->a->name, "args"))
			return lower_tp_field(l, n);
		{
			struct val t = lower_expr(l, n->a);
			const struct type *tt = n->a->type;
			return load_value(l, gep(l, t.v, tt->offsets[n->ival]), tt->fields[n->ival]);
		}
	case N_CALL:
		if (!strcmp(n->name, "str"))
			return lower_str(l, n);
		if (!strcmp(n->name, "strncmp"))
			return lower_strncmp(l, n);
		if (!strcmp(n->name, "strlen"))
			return lower_strlen(l, n);
		if (!strcmp(n->name, "strstr") || !strcmp(n->name, "strcontains"))
			return lower_strstr(l, n);
		if (!strcmp(n->name, "len"))
			return lower_map_len(l, n);
		if (!strcmp(n->name, "reg"))
			return (struct val){ ctx_word(l, (size_t)n->ival) };
		if (!strcmp(n->name, "kstack") || !strcmp(n->name, "ustack"))
			return lower_stack(l, n->name[0] == 'u');
		if (!strcmp(n->name, "strftime")) {
			LLVMValueRef slot = scratch_alloc(l, 8);
			LLVMBuildStore(l->b, lower_expr(l, n->args->next).v, slot);
			return (struct val){ slot };
		}
		if (!strcmp(n->name, "ksym") || !strcmp(n->name, "usym"))
			return lower_symbol(l, lower_expr(l, n->args).v, n->name[0] == 'u');
		return lower_call_stmt(l, n);
	default:
		diag_error(l->c->diags, &n->loc, "this expression is not supported yet");
		return (struct val){ lower_const(l, 0) };
	}
}
