/* Builtins in the semantic pass: identifiers such as pid, comm, argN and
 * retval (and which probes may use them), tracepoint fields args.FIELD,
 * kstack()/ustack() with their mode and limit, and reg("name"). */
#include <stdlib.h>

#include "btf.h"
#include "sema_internal.h"

static const struct {
	const char *name;
	enum builtin b;
} builtins[] = {
	{ "pid", B_PID }, { "tid", B_TID }, { "uid", B_UID }, { "gid", B_GID },
	{ "nsecs", B_NSECS }, { "elapsed", B_ELAPSED }, { "cpu", B_CPU }, { "comm", B_COMM },
	{ "cpid", B_CPID }, { "probe", B_PROBE }, { "args", B_ARGS }, { "retval", B_RETVAL },
	{ "rand", B_RAND }, { "jiffies", B_JIFFIES }, { "cgroup", B_CGROUP },
	{ "curtask", B_CURTASK }, { "ncpus", B_NCPUS }, { "numaid", B_NUMAID },
	{ "usermode", B_USERMODE }, { "kstack", B_KSTACK }, { "ustack", B_USTACK },
	{ "func", B_FUNC }, { "probetype", B_PROBETYPE },
};

enum builtin find_builtin(const char *name, int *argn)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].name, name))
			return builtins[i].b;
	if (!strncmp(name, "arg", 3) && name[3] >= '0' && name[3] <= '9') {
		char *end;
		long v = strtol(name + 3, &end, 10);
		if (!*end) {
			*argn = (int)v;
			return B_ARG;
		}
	}
	return B_NONE;
}

/* "kprobe", "tracepoint", ...; "special" for begin/end (the probetype). */
static const char *provider_of(const struct probe_info *pi)
{
	return pi->ops->probetype ? pi->ops->probetype : pi->ops->name;
}

static const struct type *use_stack(struct sema *s, bool user, enum stack_mode mode, int limit)
{
	if (limit > s->c->stack_frames)
		s->c->stack_frames = limit;
	return type_stack(s->c->arena, user, mode, limit);
}

const struct type *check_builtin(struct sema *s, struct node *n)
{
	int argn = 0;
	enum builtin b = find_builtin(n->name, &argn);
	struct call_info *ci = sema_info(s->c, n);
	ci->builtin = b;
	ci->arg_index = argn;
	const struct probe_info *pi = s->probe;
	if (s->map_loop_depth && (b == B_ARGS || b == B_ARG || b == B_RETVAL || b == B_KSTACK ||
				  b == B_USTACK || b == B_FUNC)) {
		ERR(s, &n->loc, "'%s' can not be used inside a for loop over a map", n->name);
		return &type_none;
	}
	switch (b) {
	case B_PID: case B_TID:
		return &type_u32;
	case B_UID: case B_GID: case B_NSECS: case B_ELAPSED: case B_CPU: case B_CPID:
	case B_RAND: case B_JIFFIES: case B_CGROUP: case B_NCPUS: case B_NUMAID:
		return &type_u64;
	case B_USERMODE:
		ERR(s, &n->loc, "usermode is not supported yet");
		return &type_none;
	case B_KSTACK: case B_USTACK:
		return use_stack(s, b == B_USTACK, s->c->opts->stack_mode, 127);
	case B_FUNC:
		if (!(pi->flags & PF_FUNC)) {
			ERR(s, &n->loc, "The func builtin can only be used with kprobe and uprobe probes");
			return &type_none;
		}
		/* user space: the instruction pointer; kernel: bpf_get_func_ip */
		ci->ctx_offset = (pi->flags & PF_USER) ? pi->ops->reg_offset("ip") : -1;
		return type_symbol(s->c->arena, pi->flags & PF_USER);
	case B_COMM:
		return type_string(s->c->arena, 16);
	case B_PROBE:
		return &type_probe;
	case B_PROBETYPE:
		n->kind = N_STR;
		n->str = provider_of(pi);
		n->str_len = (int)strlen(n->str);
		return type_string(s->c->arena, (size_t)n->str_len + 1);
	case B_CURTASK: {
		struct btf_types *bt = compiler_btf(s->c);
		return type_pointer(s->c->arena, bt ? btf_named_type(bt, "struct task_struct") : NULL);
	}
	case B_ARGS:
		if (!(pi->flags & PF_ARGS))
			ERR(s, &n->loc, "The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (%s used here)",
			    provider_of(s->probe));
		else
			ERR(s, &n->loc, "args must be used with a field: args.NAME");
		return &type_none;
	case B_ARG:
		if (!pi->ops->arg_offset) {
			ERR(s, &n->loc, "The argN builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes");
			return &type_none;
		}
		ci->ctx_offset = pi->ops->arg_offset(argn);
		if (ci->ctx_offset < 0) {
			ERR(s, &n->loc, "x86_64 doesn't support %s", n->name);
			return &type_none;
		}
		return &type_u64;
	case B_RETVAL:
		if (!(pi->flags & PF_RETVAL)) {
			struct diag_entry *e = s->c->second_pass
				? diag_error(s->c->diags, &n->loc,
					     "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fentry' probes")
				: NULL;
			if (e && (pi->flags & PF_ARGS))
				diag_hint(s->c->diags, e, "try to use args.ret instead");
			return &type_none;
		}
		ci->ctx_offset = pi->ops->reg_offset("ax");
		return &type_u64;
	case B_NONE:
		break;
	}
	/* an enum constant of the kernel (TASK_RUNNING, TCP_CLOSE, ...) */
	int64_t value;
	struct btf_types *bt = compiler_btf(s->c);
	if (bt && btf_enum_value(bt, n->name, &value)) {
		n->kind = N_INT;
		n->ival = (uint64_t)value;
		return value < 0 ? &type_i64 : &type_u64;
	}
	ERR(s, &n->loc, "Unknown identifier: '%s'", n->name);
	return &type_none;
}

/* args.FIELD of a tracepoint */
const struct type *check_args_field(struct sema *s, struct node *n)
{
	struct node *base = n->a;
	sema_info(s->c, base)->builtin = B_ARGS;
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
		if (f->is_char_array)
			return type_string(s->c->arena, (size_t)f->array_len);
		if (f->is_data_loc)
			return type_string(s->c->arena, (size_t)s->c->opts->max_strlen);
		if (f->is_pointer)
			return type_pointer(s->c->arena, &type_i8);
		if (f->array_len > 0) {
			ERR(s, &n->loc, "array tracepoint field '%s' is not supported yet", f->name);
			return &type_none;
		}
		int bits = f->size == 1 ? 8 : f->size == 2 ? 16 : f->size == 4 ? 32 : 64;
		return type_int(bits, f->is_signed);
	}
	ERR(s, &n->loc, "Struct/union of type 'struct %s_args' does not contain a field named '%s'",
	    s->probe->specs[0].func, n->name);
	return &type_none;
}

/* kstack([mode,] [limit]) / ustack([mode,] [limit]) */
const struct type *check_stack_call(struct sema *s, struct node *n)
{
	if (!arity(s, n, 0, 2))
		return &type_none;
	enum stack_mode mode = s->c->opts->stack_mode;
	int64_t limit = 127;
	struct node *a = n->args;
	if (a && a->kind == N_IDENT) {
		if (!strcmp(a->name, "perf"))
			mode = STACK_PERF;
		else if (!strcmp(a->name, "raw"))
			mode = STACK_RAW;
		else if (strcmp(a->name, "bpftrace")) {
			ERR(s, &a->loc, "%s: invalid stack mode '%s' (expected bpftrace, perf or raw)", n->name, a->name);
			return &type_none;
		}
		a = a->next;
	}
	if (a) {
		if (!literal_value(a, &limit) || limit < 1 || limit > 1024) {
			ERR(s, &a->loc, "%s: limit must be an integer literal between 1 and 1024", n->name);
			return &type_none;
		}
		if (a->next) {
			ERR(s, &a->next->loc, "%s: too many arguments", n->name);
			return &type_none;
		}
	}
	struct call_info *ci = sema_info(s->c, n);
	ci->builtin = n->name[0] == 'u' ? B_USTACK : B_KSTACK;
	return use_stack(s, n->name[0] == 'u', mode, (int)limit);
}

/* reg("name"): a register of the probe's context, at an offset the probe
 * type knows. */
const struct type *check_reg(struct sema *s, struct node *n)
{
	const char *name = literal_string_arg(s, n);
	if (!name)
		return &type_none;
	const struct probe_ops *ops = s->probe->ops;
	if (!ops->reg_offset) {
		ERR(s, &n->loc, "reg() can only be used with kprobe, uprobe and profile probes");
		return &type_none;
	}
	if (s->map_loop_depth) {
		ERR(s, &n->loc, "'reg' can not be used inside a for loop over a map");
		return &type_none;
	}
	int off = ops->reg_offset(name);
	if (off < 0) {
		ERR(s, &n->args->loc, "'%s' is not a known register", name);
		return &type_none;
	}
	n->ival = (uint64_t)off;
	return &type_u64;
}
