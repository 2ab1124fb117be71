/* Stacks, symbols and registers: kstack/ustack (as builtins and as calls
 * with a mode and limit), ksym()/usym() of an address, kaddr() of a kernel
 * symbol (at compile time) and reg() of the probe context. Stacks and
 * symbols are ids and addresses the runtime resolves when printing. */
#include <stdio.h>

#include "functions.h"
#include "../common/elf_syms.h"
#include "lower_internal.h"
#include "sema_internal.h"

static const struct type *use_stack(struct sema *s, bool user, enum stack_mode mode, int limit)
{
	int *frames = user ? &s->c->ustack_frames : &s->c->stack_frames;
	if (limit > *frames)
		*frames = limit;
	/* a kernel stack has no build ids: the default mode shows it */
	if (!user && mode == STACK_BUILD_ID)
		mode = STACK_BPFTRACE;
	return type_stack(s->c->arena, user, mode, limit);
}

/* kstack([mode,] [limit]) / ustack([mode,] [limit]) */
const struct type *check_stack(struct sema *s, struct node *n, const struct func_def *fn)
{
	enum stack_mode mode = s->c->opts->stack_mode;
	int64_t limit = 127;
	struct node *a = n->args;
	if (a && a->kind == N_IDENT) {
		if (!strcmp(a->name, "perf"))
			mode = STACK_PERF;
		else if (!strcmp(a->name, "raw"))
			mode = STACK_RAW;
		else if (!strcmp(a->name, "build_id") && !strcmp(n->name, "ustack"))
			mode = STACK_BUILD_ID;
		else if (strcmp(a->name, "bpftrace")) {
			ERR(s, &a->loc, "%s: invalid stack mode '%s' (expected bpftrace, perf or raw%s)", n->name,
			    a->name, strcmp(n->name, "ustack") ? "" : ", build_id");
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
	return use_stack(s, n->name[0] == 'u', mode, (int)limit);
}

/* reg("name"): a register of the probe's context, at an offset the probe
 * type knows. */
const struct type *check_reg(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *name = literal_string_arg(s, n);
	if (!name)
		return &type_none;
	int off = s->probe->ops->reg_offset(name); /* PF_REGS: the probe type has the hook */
	if (off < 0) {
		ERR(s, &n->args->loc, "'%s' is not a known register", name);
		return &type_none;
	}
	n->ival = (uint64_t)off;
	return &type_u64;
}

/* kstack / ustack: the stack id in the stack map (and the pid whose
 * symbols resolve a user stack). */
static struct val lower_stack(struct lower *l, bool user)
{
	LLVMValueRef slot = scratch_alloc(l, user ? 16 : 8);
	LLVMValueRef args[3] = { l->ctx_arg, user ? l->ustacks : l->stacks,
				 lower_const(l, user ? 1u << 8 /* BPF_F_USER_STACK */ : 0) };
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

bool kallsyms_address(const char *sym, uint64_t *out)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], kind;
	unsigned long long addr;
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &kind, name) == 3 && !strcmp(name, sym))
			found = true;
	if (f)
		fclose(f);
	*out = found ? addr : 0;
	return found;
}

/* kaddr("sym"): the address from /proc/kallsyms, at compile time. */
const struct type *check_kaddr(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *sym = literal_string_arg(s, n);
	if (!sym)
		return &type_none;
	uint64_t addr;
	if (!kallsyms_address(sym, &addr)) {
		ERR(s, &n->loc, "Could not resolve symbol: %s", sym);
		return &type_none;
	}
	n->kind = N_INT;
	n->ival = addr;
	return &type_u64;
}

struct found_object {
	const char *name;
	struct elf_func sym;
	bool found;
};

static int match_object(const struct elf_func *f, void *arg)
{
	struct found_object *o = arg;
	if (f->len != strlen(o->name) || strncmp(f->name, o->name, f->len))
		return 0;
	o->sym = *f;
	o->found = true;
	return 1;
}

/* uaddr("sym"): the address of a data symbol of the probed binary, as a
 * pointer to an integer of the symbol's size, at compile time. */
const struct type *check_uaddr(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *sym = literal_string_arg(s, n);
	if (!sym)
		return &type_none;
	const char *path = s->probe->nspecs ? s->probe->specs[0].target : NULL;
	struct elf_syms e;
	if (!path || elf_syms_open(&e, path)) {
		ERR(s, &n->loc, "uaddr: cannot read the probed binary%s%s", path ? " " : "", path ? path : "");
		return &type_none;
	}
	struct found_object o = { .name = sym };
	if (elf_syms_each_object(&e, ELF_SYMTAB, match_object, &o) <= 0)
		elf_syms_each_object(&e, ELF_DYNSYM, match_object, &o);
	bool pie = elf_syms_is_pie(&e);
	elf_syms_close(&e);
	if (!o.found) {
		ERR(s, &n->loc, "Could not resolve symbol: %s:%s", path, sym);
		return &type_none;
	}
	/* In a position-independent binary the load address is known at a
	 * uprobe's entry: the instruction pointer minus the probed address. */
	struct call_info *ci = sema_info(s->c, n);
	ci->ctx_offset = -1;
	if (pie) {
		if (s->probe->ops->kind != PROBE_UPROBE) {
			ERR(s, &n->loc, "uaddr: %s is position-independent: the run-time address of '%s' is known "
					"only at a uprobe's entry (or build it with -no-pie)", path, sym);
			return &type_none;
		}
		for (int k = 1; k < s->probe->nspecs; k++)
			if (strcmp(s->probe->specs[k].target, path)) {
				ERR(s, &n->loc, "uaddr: the probe's attach points are in several binaries (%s, %s): "
						"which '%s' is meant is not known", path, s->probe->specs[k].target, sym);
				return &type_none;
			}
		if (s->probe->multi) {
			ERR(s, &n->loc, "uaddr: %s is position-independent and this probe's functions share one "
					"program: the load address is not known (probe one function)", path);
			return &type_none;
		}
		ci->ctx_offset = s->probe->ops->reg_offset("ip");
	}
	n->ival = o.sym.addr; /* the call stays: a folded integer would lose the pointer type */
	int bits = o.sym.size == 1 || o.sym.size == 2 || o.sym.size == 4 ? (int)o.sym.size * 8 : 64;
	return type_pointer(s->c->arena, type_int(bits, false));
}

struct val lower_uaddr(struct lower *l, struct node *n)
{
	const struct call_info *ci = n->sema;
	if (ci->ctx_offset < 0)
		return (struct val){ lower_const(l, n->ival) };
	/* ip - probed address = where the binary is loaded */
	LLVMValueRef base = LLVMBuildSub(l->b, ctx_word(l, (size_t)ci->ctx_offset),
					 lower_const(l, l->spec->offset), "");
	return (struct val){ LLVMBuildAdd(l->b, base, lower_const(l, n->ival), "") };
}

const struct type *check_stack_builtin(struct sema *s, struct node *n, const struct builtin_def *b)
{
	return use_stack(s, n->name[0] == 'u', s->c->opts->stack_mode, 127);
}

struct val lower_stack_call(struct lower *l, struct node *n)
{
	return lower_stack(l, n->name[0] == 'u');
}

/* ksym(addr), usym(addr) */
const struct type *check_symbol(struct sema *s, struct node *n, const struct func_def *fn)
{
	bool user = n->name[0] == 'u';
	want_int(s, n->args, n->name, "address");
	if (user && !(s->probe->flags & PF_USER_CONTEXT))
		WARN(s, &n->loc, "usym() resolves addresses in the current process");
	return type_symbol(s->c->arena, user);
}

struct val lower_symbol_call(struct lower *l, struct node *n)
{
	return lower_symbol(l, lower_expr(l, n->args).v, n->name[0] == 'u');
}

struct val lower_reg(struct lower *l, struct node *n)
{
	return (struct val){ ctx_word(l, (size_t)n->ival) };
}
