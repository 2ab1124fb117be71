/* Syscall tracepoints as one program: the syscalls:sys_enter_X (and
 * sys_exit_X) attach points of a probe become one program on
 * raw_syscalls:sys_enter (sys_exit), which keeps the system calls they
 * stand for and gives each its own `probe`, through a table indexed by
 * the system call number. Attaching hundreds of tracepoints one by one
 * takes seconds; one takes milliseconds. The records of both lay out the
 * number and the arguments the same way, so args.FIELD reads the same
 * bytes, as long as the field is the same in every tracepoint the program
 * stands for. A probe that reads its context otherwise (kstack, ...) keeps
 * one program per tracepoint, as does a tracepoint whose number is not
 * known with certainty. The syscall tracepoints do not fire for an ia32
 * system call (its numbers are others), raw_syscalls does: the program
 * skips those as the kernel does, by the task's TS_COMPAT status bit. */
#include <string.h>

#include "btf.h"
#include "lower_internal.h"
#include "sema_internal.h"

enum { MIN_DISPATCHED = 2 }; /* below that, a tracepoint costs no more than the raw one */
enum { TS_COMPAT = 0x0002 };  /* x86 thread_info.status: an ia32 system call is running */

/* Byte offset of thread_info.status in struct task_struct, -1 when the
 * kernel's BTF does not say (then ia32 calls could not be told apart). */
static int compat_status_offset(struct compiler *c)
{
	struct btf_types *bt = compiler_btf(c);
	const struct type *task = bt ? btf_named_type(bt, "struct task_struct") : NULL;
	struct btf_member_ref info, status;
	if (!task || !btf_find_member(bt, task, "thread_info", &info) || !info.type ||
	    info.type->kind != TY_STRUCT || !btf_find_member(bt, info.type, "status", &status) ||
	    status.byte_size != 4 || status.bitfield_bits)
		return -1;
	return (int)((info.bit_offset + status.bit_offset) / 8);
}

static const struct tp_field *field_named(const struct tp_format *f, const char *name)
{
	for (int i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

static bool same_field(const struct tp_field *a, const struct tp_field *b)
{
	return a && b && a->offset == b->offset && a->size == b->size && a->is_signed == b->is_signed &&
	       a->is_data_loc == b->is_data_loc && a->array_len == b->array_len && !strcmp(a->ctype, b->ctype);
}

/* Whether every args.FIELD the probe reads is in spec's format as in the
 * format the probe was typed by. */
static bool reads_like_typed(struct compiler *c, const struct probe_info *pi, const struct attach_spec *spec)
{
	struct tp_format f;
	if (!pi->ntp_fields_read)
		return true;
	if (!pi->tp || tracepoint_format(c->arena, spec->target, spec->func, &f) < 0)
		return false;
	for (int i = 0; i < pi->ntp_fields_read; i++)
		if (!same_field(field_named(&f, pi->tp_fields_read[i]), field_named(pi->tp, pi->tp_fields_read[i])))
			return false;
	return true;
}

/* The system call number of spec when a raw_syscalls program can stand
 * for it, else -1. */
static int dispatchable_nr(struct compiler *c, const struct probe_info *pi, const struct attach_spec *spec,
			   enum syscall_side *side)
{
	int nr = syscall_tracepoint_nr(spec, side);
	return nr >= 0 && reads_like_typed(c, pi, spec) ? nr : -1;
}

/* The raw_syscalls program standing for the n specs in members. */
static struct attach_spec raw_program(struct compiler *c, enum syscall_side side, const struct attach_spec *members,
				      uint32_t *nrs, int n)
{
	struct attach_spec s = members[0];
	uint64_t *cookies = arena_alloc(c->arena, sizeof(*cookies) * (size_t)n);
	for (int k = 0; k < n; k++)
		cookies[k] = (uint64_t)compiler_probe_index(c, members[k].canonical);
	s.target = RAW_SYSCALLS_CATEGORY;
	s.func = side == SYSCALL_ENTER ? "sys_enter" : "sys_exit";
	s.multi = members;
	s.multi_cookies = cookies;
	s.syscall_nrs = nrs;
	s.nmulti = n;
	s.canonical = arena_printf(c->arena, "%s (and %d more)", members[0].canonical, n - 1);
	return s;
}

/* The attach points of each side one program stands for, by number. */
struct dispatch_side {
	struct attach_spec *members;
	uint32_t *nrs;
	int n;
	int placed; /* its index in the probe's programs, -1 until placed */
};

void plan_syscall_dispatch(struct compiler *c, struct probe_info *pi)
{
	struct arena *a = c->arena;
	if (c->opts->no_raw_syscalls || pi->multi || pi->reads_context || !(pi->flags & PF_ARGS))
		return;
	int *nrs = arena_alloc(a, sizeof(*nrs) * (size_t)pi->nspecs);
	enum syscall_side *sides = arena_alloc(a, sizeof(*sides) * (size_t)pi->nspecs);
	int count[2] = { 0, 0 };
	for (int k = 0; k < pi->nspecs; k++) {
		nrs[k] = dispatchable_nr(c, pi, &pi->specs[k], &sides[k]);
		if (nrs[k] >= 0)
			count[sides[k]]++;
	}
	/* the kernel's BTF is read only for a probe that has syscall tracepoints */
	if ((count[SYSCALL_ENTER] < MIN_DISPATCHED && count[SYSCALL_EXIT] < MIN_DISPATCHED) ||
	    compat_status_offset(c) < 0)
		return;
	struct dispatch_side ds[2];
	for (int s = SYSCALL_ENTER; s <= SYSCALL_EXIT; s++) {
		size_t n = (size_t)(count[s] ? count[s] : 1);
		ds[s] = (struct dispatch_side){ .members = arena_alloc(a, sizeof(*ds[s].members) * n),
						.nrs = arena_alloc(a, sizeof(*ds[s].nrs) * n), .placed = -1 };
	}
	/* the raw program takes the place of its first tracepoint */
	struct attach_spec *progs = arena_alloc(a, sizeof(*progs) * (size_t)pi->nspecs);
	int n = 0;
	for (int k = 0; k < pi->nspecs; k++) {
		if (nrs[k] < 0 || count[sides[k]] < MIN_DISPATCHED) {
			progs[n++] = pi->specs[k];
			continue;
		}
		struct dispatch_side *d = &ds[sides[k]];
		if (d->placed < 0)
			d->placed = n++;
		d->nrs[d->n] = (uint32_t)nrs[k];
		d->members[d->n++] = pi->specs[k];
	}
	for (int s = SYSCALL_ENTER; s <= SYSCALL_EXIT; s++)
		if (ds[s].placed >= 0)
			progs[ds[s].placed] = raw_program(c, (enum syscall_side)s, ds[s].members, ds[s].nrs, ds[s].n);
	pi->progs = progs;
	pi->nprogs = n;
}

/* The `probe` index + 1 of each system call number the program stands
 * for, 0 for the others: a read-only global (.rodata) of the object. */
static LLVMValueRef probe_table(struct lower *l, const struct attach_spec *spec, unsigned *entries)
{
	unsigned n = 0;
	for (int k = 0; k < spec->nmulti; k++)
		if (spec->syscall_nrs[k] + 1 > n)
			n = spec->syscall_nrs[k] + 1;
	LLVMValueRef *items = arena_alloc(l->c->arena, sizeof(*items) * n);
	for (unsigned i = 0; i < n; i++)
		items[i] = LLVMConstInt(l->i32, 0, 0);
	for (int k = 0; k < spec->nmulti; k++)
		items[spec->syscall_nrs[k]] = LLVMConstInt(l->i32, spec->multi_cookies[k] + 1, 0);
	LLVMTypeRef ty = LLVMArrayType(l->i32, n);
	size_t len;
	const char *fn = LLVMGetValueName2(l->fn, &len);
	LLVMValueRef g = LLVMAddGlobal(l->mod, ty, arena_printf(l->c->arena, "%s_probes", fn));
	LLVMSetInitializer(g, LLVMConstArray(l->i32, items, n));
	LLVMSetGlobalConstant(g, 1);
	LLVMSetLinkage(g, LLVMInternalLinkage);
	LLVMSetSection(g, ".rodata");
	LLVMSetAlignment(g, 4);
	*entries = n;
	return g;
}

static void return_unless(struct lower *l, LLVMValueRef cond, const char *name)
{
	LLVMBasicBlockRef go = new_block(l, name), stop = new_block(l, "syscall.other");
	LLVMBuildCondBr(l->b, cond, go, stop);
	LLVMPositionBuilderAtEnd(l->b, stop);
	LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
	LLVMPositionBuilderAtEnd(l->b, go);
}

void lower_syscall_filter(struct lower *l)
{
	unsigned entries;
	LLVMValueRef table = probe_table(l, l->spec, &entries);
	LLVMValueRef nr = ctx_word(l, SYSCALL_RECORD_NR);
	/* an unsigned compare also keeps out -1 (no system call) */
	return_unless(l, LLVMBuildICmp(l->b, LLVMIntULT, nr, lower_const(l, entries), ""), "syscall.known");
	LLVMValueRef idx[2] = { LLVMConstInt(l->i64, 0, 0), nr };
	LLVMValueRef slot = LLVMBuildInBoundsGEP2(l->b, LLVMArrayType(l->i32, entries), table, idx, 2, "");
	LLVMValueRef probe = LLVMBuildZExt(l->b, LLVMBuildLoad2(l->b, l->i32, slot, ""), l->i64, "");
	return_unless(l, LLVMBuildICmp(l->b, LLVMIntNE, probe, lower_const(l, 0), ""), "syscall.traced");
	l->probe_value = LLVMBuildSub(l->b, probe, lower_const(l, 1), "");
}

void lower_syscall_native(struct lower *l)
{
	LLVMValueRef task = lower_helper(l, H_GET_CURRENT_TASK, l->i64, NULL, 0);
	LLVMValueRef at = LLVMBuildAdd(l->b, task, lower_const(l, (uint64_t)compat_status_offset(l->c)), "");
	LLVMValueRef compat = LLVMBuildAnd(l->b, read_memory(l, at, 4, -1), lower_const(l, TS_COMPAT), "");
	return_unless(l, LLVMBuildICmp(l->b, LLVMIntEQ, compat, lower_const(l, 0), ""), "syscall.native");
}
