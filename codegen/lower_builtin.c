/* Lowering of builtins: pid, comm, nsecs, argN, retval, ... from BPF
 * helpers, the probe context (offsets from the probe type) and the globals map;
 * tracepoint fields args.FIELD read from the context; kstack/ustack as
 * stack-map ids and ksym/usym/func as addresses the runtime symbolizes. */
#include <string.h>

#include "lower_internal.h"

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

/* kstack / ustack: the stack id in the stack map (and the pid whose
 * symbols resolve a user stack). */
struct val lower_stack(struct lower *l, bool user)
{
	LLVMValueRef slot = scratch_alloc(l, user ? 16 : 8);
	LLVMValueRef args[3] = { l->ctx_arg, l->stacks, lower_const(l, user ? 1u << 8 /* BPF_F_USER_STACK */ : 0) };
	LLVMValueRef id = lower_helper(l, H_GET_STACKID, l->i64, args, 3);
	LLVMBuildStore(l->b, id, slot);
	if (user)
		LLVMBuildStore(l->b, current_tgid(l), gep(l, slot, 8));
	return (struct val){ slot };
}

struct val lower_symbol(struct lower *l, LLVMValueRef addr, bool user)
{
	LLVMValueRef slot = scratch_alloc(l, user ? 16 : 8);
	LLVMBuildStore(l->b, addr, slot);
	if (user)
		LLVMBuildStore(l->b, current_tgid(l), gep(l, slot, 8));
	return (struct val){ slot };
}

struct val lower_builtin(struct lower *l, struct node *n)
{
	struct call_info *ci = n->sema;
	switch (ci->builtin) {
	case B_PID:
		return (struct val){ current_tgid(l) };
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
	case B_ARG: case B_RETVAL:
		return (struct val){ ctx_word(l, (size_t)ci->ctx_offset) };
	case B_KSTACK: case B_USTACK:
		return lower_stack(l, ci->builtin == B_USTACK);
	case B_FUNC:
		if (ci->ctx_offset >= 0)
			return lower_symbol(l, ctx_word(l, (size_t)ci->ctx_offset), true);
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

/* strftime(fmt, ns): the timestamp, formatted in user space */
struct val lower_strftime(struct lower *l, struct node *n)
{
	LLVMValueRef slot = scratch_alloc(l, 8);
	LLVMBuildStore(l->b, lower_expr(l, n->args->next).v, slot);
	return (struct val){ slot };
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
