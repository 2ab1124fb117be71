/* percpu_kaddr("var"[, cpu]): the address of a per-CPU kernel variable on
 * this CPU or on a given one (0 for a CPU that does not exist).
 *
 * Where /proc/kallsyms lists per-CPU variables, the variable is an extern
 * global in section `.ksyms` with a BTF type: libbpf resolves such a typed
 * ksym to the variable's vmlinux BTF id (an ld_imm64 with src_reg
 * BPF_PSEUDO_BTF_ID), the verifier knows it as a per-CPU pointer for
 * bpf_this_cpu_ptr and bpf_per_cpu_ptr. (A placeholder constant patched
 * into the instructions before load would make sonde rewrite libbpf's
 * program and guess which constants are its own.) The kernel itself looks
 * the address of such an id up in kallsyms, so a kernel without
 * CONFIG_KALLSYMS_ALL refuses it: there the address comes from the CPU's
 * runqueue, itself a per-CPU variable that every CPU's copy of the
 * section keeps at the same distance from the others. The current task's
 * group has a cfs_rq per CPU, each with its CPU's runqueue:
 * current->sched_task_group->cfs_rq[cpu]->rq, plus the variable's offset
 * in the section minus the runqueue's. */
#include "btf.h"
#include "btf_percpu.h"
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* The way from the runqueue to a variable, from BTF: the semantic pass
 * checks that there is one, the lowering works it out again. */
struct percpu_route {
	int64_t delta; /* the variable's offset in the section minus the runqueue's */
	uint32_t task_group, group_cfs_rq, cfs_rq_rq; /* byte offsets of the members */
};

enum { KSYM_FLAG_SHIFT = 32 }; /* n->ival: the variable's BTF id, and 1 << 32 for a ksym */

static bool member_byte_offset(struct btf_types *bt, const char *st, const char *member, uint32_t *off)
{
	const struct type *t = btf_named_type(bt, st);
	struct btf_member_ref m;
	if (!t || t->kind != TY_STRUCT || !btf_find_member(bt, t, member, &m))
		return false;
	*off = m.bit_offset / 8;
	return true;
}

static bool runqueue_route(struct btf_types *bt, uint32_t var, struct percpu_route *r)
{
	uint32_t rq = btf_percpu_var(bt, "runqueues");
	r->delta = (int64_t)btf_percpu_offset(bt, var) - (int64_t)btf_percpu_offset(bt, rq);
	return rq && member_byte_offset(bt, "struct task_struct", "sched_task_group", &r->task_group) &&
	       member_byte_offset(bt, "struct task_group", "cfs_rq", &r->group_cfs_rq) &&
	       member_byte_offset(bt, "struct cfs_rq", "rq", &r->cfs_rq_rq);
}

/* With CONFIG_KALLSYMS_ALL kallsyms lists every per-CPU variable (the
 * runqueues among them); read once per compilation. */
static bool kernel_resolves_percpu(struct compiler *c)
{
	uint64_t addr;
	if (!c->percpu_by_name)
		c->percpu_by_name = kallsyms_address("runqueues", &addr) ? 1 : -1;
	return c->percpu_by_name > 0;
}

const struct type *check_percpu_kaddr(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *name = n->args, *cpu = name->next;
	if (name->kind != N_STR) {
		ERR(s, &name->loc, "percpu_kaddr() expects a string literal as the variable name");
		return &type_none;
	}
	if (cpu && !want_int(s, cpu, "percpu_kaddr", "CPU"))
		return &type_none;
	struct btf_types *bt = compiler_btf(s->c);
	if (!bt || !btf_types_kernel(bt)) {
		ERR(s, &n->loc, "percpu_kaddr() needs the kernel's BTF (%s), which could not be read",
		    btf_path() ? btf_path() : "/sys/kernel/btf/vmlinux");
		return &type_none;
	}
	uint32_t var = btf_percpu_var(bt, name->str);
	if (!var) {
		if (!s->c->second_pass)
			return &type_none;
		struct diag_entry *e = diag_error(s->c->diags, &name->loc, "percpu_kaddr(): '%s' is not a per-CPU "
						  "kernel variable", name->str);
		const char *close = btf_percpu_suggestion(bt, name->str);
		if (close)
			diag_hint(s->c->diags, e, "Did you mean '%s'?", close);
		return &type_none;
	}
	bool ksym = s->c->second_pass && kernel_resolves_percpu(s->c);
	struct percpu_route route;
	if (s->c->second_pass && !ksym && !runqueue_route(bt, var, &route)) {
		ERR(s, &n->loc, "percpu_kaddr(): the kernel finds no per-CPU variable by name (kallsyms lists no "
			"data symbols) and its types give no runqueue to start from (task_struct.sched_task_group, "
			"task_group.cfs_rq, cfs_rq.rq)");
		return &type_none;
	}
	n->ival = var | (uint64_t)ksym << KSYM_FLAG_SHIFT;
	return &type_u64;
}

/* The extern of the variable, made on its first use. */
static LLVMValueRef percpu_ksym(struct lower *l, struct node *n, const char *name, uint32_t var)
{
	LLVMValueRef g = LLVMGetNamedGlobal(l->mod, name);
	const char *section = g ? LLVMGetSection(g) : NULL;
	if (g && !(section && !strcmp(section, ".ksyms")))
		diag_error(l->c->diags, &n->loc, "percpu_kaddr(): '%s' is also the name of one of sonde's own "
			   "BPF objects", name);
	if (g)
		return g;
	g = LLVMAddGlobal(l->mod, l->i8, name);
	LLVMSetLinkage(g, LLVMExternalLinkage);
	LLVMSetSection(g, ".ksyms");
	LLVMMetadataRef ty = btf_percpu_debug_type(compiler_btf(l->c), l->di, l->di_cu, var);
	LLVMMetadataRef gve = LLVMDIBuilderCreateGlobalVariableExpression(
		l->di, l->di_cu, name, strlen(name), name, strlen(name), l->di_file, 0, ty, 0,
		LLVMDIBuilderCreateExpression(l->di, NULL, 0), NULL, 0);
	LLVMGlobalSetMetadata(g, LLVMGetMDKindIDInContext(l->ctx, "dbg", 3), gve);
	return g;
}

static LLVMValueRef add_const(struct lower *l, LLVMValueRef v, int64_t k)
{
	return LLVMBuildAdd(l->b, v, lower_const(l, (uint64_t)k), "");
}

/* current->sched_task_group->cfs_rq[cpu]->rq + delta; 0 for a CPU that
 * does not exist */
static LLVMValueRef percpu_by_runqueue(struct lower *l, const struct percpu_route *r, LLVMValueRef cpu)
{
	LLVMValueRef task = lower_helper(l, H_GET_CURRENT_TASK, l->i64, NULL, 0);
	LLVMValueRef group = read_memory(l, add_const(l, task, r->task_group), 8, -1);
	LLVMValueRef per_cpu = read_memory(l, add_const(l, group, r->group_cfs_rq), 8, -1);
	int ncpus = l->c->opts->ncpus > 0 ? l->c->opts->ncpus : 1;
	LLVMValueRef exists = LLVMBuildICmp(l->b, LLVMIntULT, cpu, lower_const(l, (uint64_t)ncpus), "");
	LLVMValueRef index = LLVMBuildSelect(l->b, exists, cpu, lower_const(l, 0), "");
	LLVMValueRef slot = LLVMBuildAdd(l->b, per_cpu, LLVMBuildMul(l->b, index, lower_const(l, 8), ""), "");
	LLVMValueRef cfs_rq = read_memory(l, slot, 8, -1);
	LLVMValueRef rq = read_memory(l, add_const(l, cfs_rq, r->cfs_rq_rq), 8, -1);
	LLVMValueRef found = LLVMBuildAnd(l->b, exists, LLVMBuildICmp(l->b, LLVMIntNE, rq, lower_const(l, 0), ""), "");
	return LLVMBuildSelect(l->b, found, add_const(l, rq, r->delta), lower_const(l, 0), "");
}

struct val lower_percpu_kaddr(struct lower *l, struct node *n)
{
	struct node *name = n->args, *cpu = name->next;
	uint32_t var = (uint32_t)n->ival;
	if (!(n->ival >> KSYM_FLAG_SHIFT)) {
		struct percpu_route route;
		runqueue_route(compiler_btf(l->c), var, &route); /* checked by the semantic pass */
		LLVMValueRef c = cpu ? lower_expr(l, cpu).v
				     : LLVMBuildZExt(l->b, lower_helper(l, H_GET_SMP_PROCESSOR_ID, l->i32, NULL, 0),
						     l->i64, "");
		return (struct val){ percpu_by_runqueue(l, &route, c) };
	}
	LLVMValueRef args[2] = { percpu_ksym(l, name, name->str, var), NULL };
	if (cpu)
		args[1] = LLVMBuildTrunc(l->b, lower_expr(l, cpu).v, l->i32, "");
	LLVMValueRef p = lower_helper(l, cpu ? H_PER_CPU_PTR : H_THIS_CPU_PTR, l->ptr, args, cpu ? 2 : 1);
	return (struct val){ LLVMBuildPtrToInt(l->b, p, l->i64, "") };
}
