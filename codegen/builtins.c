/* The builtin identifiers (builtins.def): the type each has, what it needs
 * of the probe, and how it is read: from BPF helpers (pid, comm, nsecs,
 * ...), the probe context at the offsets the probe type gives (argN,
 * retval, func), the globals map (elapsed, cpid) or compile-time constants
 * (probetype, ncpus, probe). Also args.FIELD of tracepoints, and kernel
 * enum constants, which are identifiers too. */
#include "btf.h"
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* "kprobe", "tracepoint", ...; "special" for begin/end (the probetype). */
static const char *provider_of(const struct probe_info *pi)
{
	return pi->ops->probetype ? pi->ops->probetype : pi->ops->name;
}

static LLVMValueRef helper0(struct lower *l, int id)
{
	return lower_helper(l, id, l->i64, NULL, 0);
}

static LLVMValueRef helper0_u32(struct lower *l, int id)
{
	return LLVMBuildZExt(l->b, lower_helper(l, id, l->i32, NULL, 0), l->i64, "");
}

static LLVMValueRef low32(struct lower *l, LLVMValueRef v)
{
	return LLVMBuildAnd(l->b, v, lower_const(l, 0xffffffff), "");
}

static LLVMValueRef high32(struct lower *l, LLVMValueRef v)
{
	return LLVMBuildLShr(l->b, v, lower_const(l, 32), "");
}

struct val lower_pid(struct lower *l, struct node *n)
{
	return (struct val){ current_tgid(l) };
}

struct val lower_tid(struct lower *l, struct node *n)
{
	return (struct val){ low32(l, helper0(l, H_GET_PID_TGID)) };
}

struct val lower_uid(struct lower *l, struct node *n)
{
	return (struct val){ low32(l, helper0(l, H_GET_UID_GID)) };
}

struct val lower_gid(struct lower *l, struct node *n)
{
	return (struct val){ high32(l, helper0(l, H_GET_UID_GID)) };
}

struct val lower_nsecs(struct lower *l, struct node *n)
{
	return (struct val){ helper0(l, H_KTIME_BOOT_NS) };
}

struct val lower_elapsed(struct lower *l, struct node *n)
{
	return (struct val){ LLVMBuildSub(l->b, helper0(l, H_KTIME_BOOT_NS), global_word(l, GLOBAL_START_NS), "") };
}

struct val lower_cpid(struct lower *l, struct node *n)
{
	return (struct val){ global_word(l, GLOBAL_CPID) };
}

/* has_cpid: documented as "cpid is set", but bpftrace computes cpid == 0
 * (LANGUAGE.md §7); sonde does what bpftrace does */
struct val lower_has_cpid(struct lower *l, struct node *n)
{
	LLVMValueRef none = LLVMBuildICmp(l->b, LLVMIntEQ, global_word(l, GLOBAL_CPID), lower_const(l, 0), "");
	return (struct val){ LLVMBuildZExt(l->b, none, l->i64, "") };
}

struct val lower_cpu(struct lower *l, struct node *n)
{
	return (struct val){ helper0_u32(l, H_GET_SMP_PROCESSOR_ID) };
}

struct val lower_rand(struct lower *l, struct node *n)
{
	return (struct val){ helper0_u32(l, H_GET_PRANDOM) };
}

struct val lower_jiffies(struct lower *l, struct node *n)
{
	return (struct val){ helper0(l, H_JIFFIES64) };
}

struct val lower_cgroup(struct lower *l, struct node *n)
{
	return (struct val){ helper0(l, H_GET_CGROUP_ID) };
}

struct val lower_numaid(struct lower *l, struct node *n)
{
	return (struct val){ helper0_u32(l, H_GET_NUMA_NODE) };
}

struct val lower_ncpus(struct lower *l, struct node *n)
{
	return (struct val){ lower_const(l, (uint64_t)l->c->opts->ncpus) };
}

/* probe: the index of its name; a uprobe_multi or kprobe_multi program has
 * it as the BPF cookie of the function that fired, a raw_syscalls program by
 * the number of the system call */
struct val lower_probe(struct lower *l, struct node *n)
{
	if (l->probe_value && l->fn != l->prog_fn) /* a map-loop callback: the same scratch memory */
		return (struct val){ LLVMBuildLoad2(l->b, l->i64, gep(l, l->scratch_base, l->probe_value_off), "") };
	if (l->probe_value)
		return (struct val){ l->probe_value };
	if (l->spec->nmulti)
		return (struct val){ lower_helper(l, H_GET_ATTACH_COOKIE, l->i64, &l->ctx_arg, 1) };
	return (struct val){ lower_const(l, (uint64_t)l->probe_name_index) };
}

const struct type *check_comm(struct sema *s, struct node *n, const struct builtin_def *b)
{
	return type_string(s->c->arena, 16);
}

struct val lower_comm(struct lower *l, struct node *n)
{
	LLVMValueRef slot = scratch_alloc(l, 16);
	LLVMValueRef args[2] = { slot, LLVMConstInt(l->i32, 16, 0) };
	lower_helper(l, H_GET_COMM, l->i64, args, 2);
	return (struct val){ slot };
}

/* probetype: a string constant */
const struct type *check_probetype(struct sema *s, struct node *n, const struct builtin_def *b)
{
	n->kind = N_STR;
	n->str = provider_of(s->probe);
	n->str_len = (int)strlen(n->str);
	return type_string(s->c->arena, (size_t)n->str_len + 1);
}

const struct type *check_curtask(struct sema *s, struct node *n, const struct builtin_def *b)
{
	struct btf_types *bt = compiler_btf(s->c);
	return type_pointer(s->c->arena, bt ? btf_named_type(bt, "struct task_struct") : NULL);
}

struct val lower_curtask(struct lower *l, struct node *n)
{
	return (struct val){ helper0(l, H_GET_CURRENT_TASK) };
}

/* ctx of an iterator: a pointer to its context, struct bpf_iter__NAME */
const struct type *check_ctx(struct sema *s, struct node *n, const struct builtin_def *b)
{
	struct btf_types *bt = compiler_btf(s->c);
	const char *name = arena_printf(s->c->arena, "struct bpf_iter__%s", s->probe->specs[0].func);
	const struct type *ctx = bt ? btf_named_type(bt, name) : NULL;
	if (!ctx) {
		ERR(s, &n->loc, "ctx: the kernel's BTF has no %s", name);
		return &type_none;
	}
	return type_pointer(s->c->arena, ctx);
}

struct val lower_ctx(struct lower *l, struct node *n)
{
	return (struct val){ LLVMBuildPtrToInt(l->b, l->ctx_arg, l->i64, "") };
}

/* call_info.ctx_offset of a `func` known by name, and of one a uprobe_multi
 * program names by the attach point that fired (its BPF cookie) */
enum { FUNC_BY_NAME = -2, FUNC_BY_COOKIE = -3 };

/* The longest function name of the probe's attach points, 0 when one of
 * them has none (an address probe). */
static size_t longest_func_name(const struct probe_info *pi)
{
	size_t longest = 0;
	for (int k = 0; k < pi->nspecs; k++) {
		if (!pi->specs[k].func_name)
			return 0;
		size_t len = strlen(pi->specs[k].func_name);
		longest = len > longest ? len : longest;
	}
	return longest;
}

/* func: at a uprobe on a symbol its name, known when compiling (and so
 * right even when the process is gone before the event is printed); at
 * other uprobes the instruction pointer; elsewhere bpf_get_func_ip, which
 * at a return probe still gives the probed function */
const struct type *check_func(struct sema *s, struct node *n, const struct builtin_def *b)
{
	const struct probe_info *pi = s->probe;
	bool at_entry = (pi->flags & PF_USER) && !(pi->flags & PF_RETVAL);
	size_t name_len = (pi->flags & PF_USER) ? longest_func_name(pi) : 0;
	/* by name or cookie, func needs no context: map-loop bodies can read it */
	if (name_len && pi->multi) {
		sema_info(s->c, n)->ctx_offset = FUNC_BY_COOKIE;
		return type_name_of(s->c->arena, NAME_FUNC);
	}
	if (name_len) {
		sema_info(s->c, n)->ctx_offset = FUNC_BY_NAME;
		return type_string(s->c->arena, name_len + 1);
	}
	s->probe->reads_context = true;
	if (s->map_loop_depth) {
		ERR(s, &n->loc, "'%s' can not be used inside a for loop over a map", n->name);
		return &type_none;
	}
	sema_info(s->c, n)->ctx_offset = at_entry ? pi->ops->reg_offset("ip") : -1;
	return type_symbol(s->c->arena, pi->flags & PF_USER);
}

struct val lower_func(struct lower *l, struct node *n)
{
	const struct call_info *ci = n->sema;
	bool user = n->type->kind == TY_USYM;
	if (ci->ctx_offset == FUNC_BY_NAME)
		return lower_string_literal(l, l->spec->func_name, (int)strlen(l->spec->func_name),
					    n->type->size);
	if (ci->ctx_offset == FUNC_BY_COOKIE) {
		LLVMValueRef slot = scratch_alloc(l, 8); /* a TY_NAME value */
		LLVMBuildStore(l->b, lower_probe(l, n).v, slot);
		return (struct val){ slot };
	}
	if (ci->ctx_offset >= 0)
		return lower_symbol(l, ctx_word(l, (size_t)ci->ctx_offset), user);
	LLVMValueRef args[1] = { l->ctx_arg };
	return lower_symbol(l, lower_helper(l, H_GET_FUNC_IP, l->i64, args, 1), user);
}

/* argN and retval: a word of the context at the offset from the probe
 * type; usdt arguments per their specs (usdt_args.c) */
const struct type *check_arg(struct sema *s, struct node *n, const struct builtin_def *b)
{
	const struct probe_info *pi = s->probe;
	struct call_info *ci = sema_info(s->c, n);
	if (pi->flags & PF_USDT_ARGS)
		return check_usdt_arg(s, n, ci->arg_index);
	if (!pi->ops->arg_offset) {
		ERR(s, &n->loc, "The argN builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes");
		return &type_none;
	}
	ci->ctx_offset = pi->ops->arg_offset(ci->arg_index);
	if (ci->ctx_offset < 0) {
		ERR(s, &n->loc, "x86_64 doesn't support %s", n->name);
		return &type_none;
	}
	return &type_u64;
}

const struct type *check_retval(struct sema *s, struct node *n, const struct builtin_def *b)
{
	const struct probe_info *pi = s->probe;
	if (!(pi->flags & PF_RETVAL)) {
		struct diag_entry *e = s->c->second_pass
			? diag_error(s->c->diags, &n->loc,
				     "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fentry' probes")
			: NULL;
		if (e && (pi->flags & PF_ARGS))
			diag_hint(s->c->diags, e, "try to use args.ret instead");
		return &type_none;
	}
	/* fexit: no registers, the return value through bpf_get_func_ret */
	sema_info(s->c, n)->ctx_offset = pi->flags & PF_BTF_RETVAL ? -1 : pi->ops->reg_offset("ax");
	const struct type *typed = pi->flags & (PF_DWARF_RETVAL | PF_BTF_RETVAL) ? func_retval_type(s) : NULL;
	return typed ? typed : &type_u64;
}

struct val lower_ctx_word(struct lower *l, struct node *n)
{
	int off = ((struct call_info *)n->sema)->ctx_offset;
	LLVMValueRef word;
	if (off >= 0) {
		word = ctx_word(l, (size_t)off);
	} else {
		LLVMValueRef slot = scratch_alloc(l, 8);
		LLVMValueRef args[2] = { l->ctx_arg, slot };
		lower_helper(l, H_GET_FUNC_RET, l->i64, args, 2);
		word = LLVMBuildLoad2(l->b, l->i64, slot, "");
	}
	/* a typed retval: an int in eax is the low half of rax */
	return (struct val){ normalize_int(l, word, n->type) };
}

struct val lower_arg(struct lower *l, struct node *n)
{
	if (l->spec->flags & PF_USDT_ARGS)
		return lower_usdt_arg(l, n);
	return lower_ctx_word(l, n);
}

/* pcomm, ppid, leader_comm, leader_tid: a member of the parent or the
 * group leader of a task (the current one, or the argument of the call
 * form), rewritten to the member chain they stand for. */
static const struct {
	const char *name, *link, *member;
} task_members[] = {
	{ "ppid", "real_parent", "tgid" },
	{ "pcomm", "real_parent", "comm" },
	{ "leader_tid", "group_leader", "pid" },
	{ "leader_comm", "group_leader", "comm" },
};

static const struct type *check_task_member(struct sema *s, struct node *n, struct node *task)
{
	size_t i = 0;
	while (strcmp(task_members[i].name, n->name))
		i++; /* the tables name only these */
	struct arena *a = s->c->arena;
	if (!task) {
		task = node_new(a, N_IDENT, &n->loc);
		task->name = "curtask";
	}
	struct node *link = node_new(a, N_FIELD, &n->loc);
	link->name = task_members[i].link;
	link->arrow = true;
	link->a = task;
	struct node member = { .kind = N_FIELD, .loc = n->loc, .next = n->next,
			       .name = task_members[i].member, .arrow = true, .a = link };
	*n = member;
	return check_expr(s, n);
}

const struct type *check_task_builtin(struct sema *s, struct node *n, const struct builtin_def *b)
{
	return check_task_member(s, n, NULL);
}

const struct type *check_task_call(struct sema *s, struct node *n, const struct func_def *fn)
{
	return check_task_member(s, n, n->args);
}

/* kptr(p), uptr(p): mark the address space of a pointer; sonde reads kernel
 * or user memory by the probe type, so the value is unchanged */
const struct type *check_address_space(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *t = check_expr(s, n->args);
	if (t->kind != TY_NONE && !is_int(t)) {
		ERR(s, &n->args->loc, "%s() expects a pointer or an integer (%s provided)", n->name, tname(s, t));
		return &type_none;
	}
	return t;
}

struct val lower_address_space(struct lower *l, struct node *n)
{
	return lower_expr(l, n->args);
}

/* usermode: 1 when the probe interrupted user code (the low bits of cs) */
const struct type *check_usermode(struct sema *s, struct node *n, const struct builtin_def *b)
{
	sema_info(s->c, n)->ctx_offset = s->probe->ops->reg_offset("cs");
	return &type_u8;
}

struct val lower_usermode(struct lower *l, struct node *n)
{
	LLVMValueRef cs = ctx_word(l, (size_t)((struct call_info *)n->sema)->ctx_offset);
	LLVMValueRef ring = LLVMBuildAnd(l->b, cs, lower_const(l, 3), "");
	return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, LLVMIntEQ, ring, lower_const(l, 3), "")) };
}

/* `args` alone: a uprobe's record of parameters; elsewhere only
 * args.FIELD is a value */
const struct type *check_args(struct sema *s, struct node *n, const struct builtin_def *b)
{
	if (s->probe->flags & (PF_DWARF_ARGS | PF_BTF_ARGS))
		return check_func_args_value(s, n);
	if (!(s->probe->flags & PF_ARGS))
		ERR(s, &n->loc, "The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (%s used here)",
		    provider_of(s->probe));
	else
		ERR(s, &n->loc, "args must be used with a field: args.NAME");
	return &type_none;
}

struct val lower_args(struct lower *l, struct node *n)
{
	return lower_func_args_value(l, n);
}

/* Which fields a probe reads decides whether one program can serve its
 * syscall tracepoints (syscall_dispatch.c). */
static void note_tp_field_read(struct sema *s, const char *name)
{
	struct probe_info *pi = s->probe;
	for (int i = 0; i < pi->ntp_fields_read; i++)
		if (!strcmp(pi->tp_fields_read[i], name))
			return;
	pi->tp_fields_read = grow_array(s->c->arena, pi->tp_fields_read, pi->ntp_fields_read, &pi->tp_fields_cap,
					sizeof(*pi->tp_fields_read), 4);
	pi->tp_fields_read[pi->ntp_fields_read++] = name;
}

/* args.FIELD of a tracepoint (or a uprobe's parameter) */
const struct type *check_args_field(struct sema *s, struct node *n)
{
	struct node *base = n->a;
	if (s->map_loop_depth) { /* the loop body runs without the probe context */
		ERR(s, &base->loc, "'args' can not be used inside a for loop over a map");
		return &type_none;
	}
	if (s->probe->flags & (PF_DWARF_ARGS | PF_BTF_ARGS))
		return check_func_args_field(s, n);
	if (!(s->probe->flags & PF_ARGS) || !s->probe->tp) {
		ERR(s, &base->loc, "The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (%s used here)",
		    provider_of(s->probe));
		return &type_none;
	}
	const struct tp_format *fmt = s->probe->tp;
	for (int i = 0; i < fmt->nfields; i++) {
		const struct tp_field *f = &fmt->fields[i];
		if (strcmp(f->name, n->name))
			continue;
		sema_info(s->c, n)->field = f;
		note_tp_field_read(s, f->name);
		const struct type *t = tp_field_type(s, f);
		if (!t) {
			ERR(s, &n->loc, "array tracepoint field '%s' is not supported yet", f->name);
			return &type_none;
		}
		return t;
	}
	ERR(s, &n->loc, "Struct/union of type 'struct %s_args' does not contain a field named '%s'",
	    s->probe->specs[0].func, n->name);
	return &type_none;
}

/* An enum constant of the kernel (TASK_RUNNING, TCP_CLOSE, ...): the node
 * becomes the integer. NULL when the name is none. */
const struct type *fold_enum_constant(struct sema *s, struct node *n)
{
	int64_t value;
	struct btf_types *bt = compiler_btf(s->c);
	if (!bt || !btf_enum_value(bt, n->name, &value))
		return NULL;
	n->kind = N_INT;
	n->ival = (uint64_t)value;
	return value < 0 ? &type_i64 : &type_u64;
}
