/* args.NAME and `args` of a probe on a function: parameter NAME of the
 * probed function, typed by its DWARF or BTF (func_args.h); `args` alone
 * is a record of every parameter. The parameters are loaded once per
 * probe, on the first use of `args`. */
#include "func_args.h"
#include "lower_internal.h"
#include "sema_internal.h"

#include "../common/suggest.h"

static struct func_args *probe_args(struct sema *s)
{
	struct probe_info *pi = s->probe;
	if (!pi->fargs) {
		pi->fargs = arena_alloc(s->c->arena, (size_t)pi->nspecs * sizeof(*pi->fargs));
		for (int i = 0; i < pi->nspecs; i++)
			(pi->flags & (PF_DWARF_ARGS | PF_DWARF_RETVAL) ? uprobe_args_load : kernel_args_load)(s->c, &pi->specs[i], &pi->fargs[i]);
	}
	for (int i = 0; i < pi->nspecs; i++)
		if (pi->fargs[i].error)
			return &pi->fargs[i];
	return pi->fargs;
}

static const struct func_param *find_param(const struct func_args *ua, const char *name)
{
	for (int i = 0; i < ua->n; i++)
		if (!strcmp(ua->params[i].name, name))
			return &ua->params[i];
	return NULL;
}

static void unknown_param(struct sema *s, const struct node *n, const struct func_args *ua)
{
	if (!s->c->second_pass)
		return;
	struct diag_entry *e = diag_error(s->c->diags, &n->loc, "Can't find function parameter %s", n->name);
	struct suggestion sg;
	suggestion_init(&sg, n->name);
	for (int i = 0; i < ua->n; i++)
		suggestion_offer(&sg, ua->params[i].name);
	if (sg.found)
		diag_hint(s->c->diags, e, "Did you mean '%s'?", sg.found);
}

/* Every attach point's function must pass the parameter alike. */
static bool same_everywhere(struct sema *s, const struct node *n, const struct func_param *p0)
{
	const struct probe_info *pi = s->probe;
	for (int i = 1; i < pi->nspecs; i++) {
		const struct func_param *p = find_param(&pi->fargs[i], p0->name);
		if (!p) {
			ERR(s, &n->loc, "%s has no parameter '%s' (%s has): every function of a probe must have "
			    "the args it uses", pi->fargs[i].func, p0->name, pi->fargs[0].func);
			return false;
		}
		if (p->reg != p0->reg || !p->type || !type_equal(p->type, p0->type)) {
			ERR(s, &n->loc, "parameter '%s' of %s differs from that of %s: every function of a probe "
			    "must pass the args it uses alike", p0->name, pi->fargs[i].func, pi->fargs[0].func);
			return false;
		}
	}
	return true;
}

static const struct func_param *readable_param(struct sema *s, const struct node *n,
						 const struct func_args *ua, const char *name)
{
	const struct func_param *p = find_param(ua, name);
	if (!p) {
		unknown_param(s, n, ua);
		return NULL;
	}
	if (p->unsupported) {
		ERR(s, &n->loc, "parameter '%s' of %s cannot be read: %s", p->name, ua->func, p->unsupported);
		return NULL;
	}
	return same_everywhere(s, n, p) ? p : NULL;
}

const struct type *func_retval_type(struct sema *s)
{
	const struct probe_info *pi = s->probe;
	const struct func_args *ua = probe_args(s);
	if (ua->error || !ua->ret)
		return NULL;
	/* with a wildcard, only a return type all the functions share */
	for (int i = 1; i < pi->nspecs; i++)
		if (!pi->fargs[i].ret || !type_equal(pi->fargs[i].ret, ua->ret))
			return NULL;
	return ua->ret;
}

/* Why the probe has no args, reported at the first use only. */
static bool no_args(struct sema *s, const struct node *n, struct func_args *ua)
{
	if (!ua->error)
		return false;
	if (s->c->second_pass && !ua->reported) {
		diag_error(s->c->diags, &n->loc, "%s", ua->error);
		ua->reported = true;
	}
	return true;
}

const struct type *check_func_args_field(struct sema *s, struct node *n)
{
	struct func_args *ua = probe_args(s);
	if (no_args(s, n->a, ua))
		return &type_none;
	const struct func_param *p = readable_param(s, n, ua, n->name);
	if (!p)
		return &type_none;
	sema_info(s->c, n)->arg_index = (int)(p - ua->params);
	return p->type;
}

const struct type *check_func_args_value(struct sema *s, struct node *n)
{
	struct func_args *ua = probe_args(s);
	if (no_args(s, n, ua))
		return &type_none;
	const struct type **fields = arena_alloc(s->c->arena, (size_t)(ua->n ? ua->n : 1) * sizeof(*fields));
	const char **names = arena_alloc(s->c->arena, (size_t)(ua->n ? ua->n : 1) * sizeof(*names));
	for (int i = 0; i < ua->n; i++) {
		struct node at = { .loc = n->loc, .name = ua->params[i].name };
		const struct func_param *p = readable_param(s, &at, ua, ua->params[i].name);
		if (!p)
			return &type_none;
		fields[i] = p->type;
		names[i] = p->name;
	}
	return type_tuple(s->c->arena, ua->n, fields, names);
}

/* ---- lowering ------------------------------------------------------------ */

/* Byte offset of context word `reg`: a register of pt_regs for uprobes, the
 * reg'th 64-bit argument word for BTF-typed programs (which have no argN). */
static size_t word_offset(const struct lower *l, int reg)
{
	return l->probe->flags & PF_BTF_ARGS ? (size_t)reg * 8 : (size_t)l->probe->ops->arg_offset(reg);
}

static struct val read_param(struct lower *l, const struct func_param *p)
{
	if (p->type->kind != TY_TUPLE)
		return (struct val){ normalize_int(l, ctx_word(l, word_offset(l, p->reg)), p->type) };
	/* a struct passed by value: its eightbytes, one word each */
	LLVMValueRef slot = scratch_alloc(l, (size_t)p->nregs * 8);
	for (int k = 0; k < p->nregs; k++)
		LLVMBuildStore(l->b, ctx_word(l, word_offset(l, p->reg + k)), gep(l, slot, (size_t)k * 8));
	return (struct val){ slot };
}

struct val lower_func_arg(struct lower *l, struct node *n)
{
	const struct call_info *ci = n->sema;
	return read_param(l, &l->probe->fargs[0].params[ci->arg_index]);
}

struct val lower_func_args_value(struct lower *l, struct node *n)
{
	const struct type *t = n->type;
	const struct func_args *ua = &l->probe->fargs[0];
	LLVMValueRef slot = scratch_alloc(l, t->size);
	emit_memset0(l, slot, t->size);
	for (int i = 0; i < ua->n; i++)
		store_field(l, slot, t->offsets[i], t->fields[i], read_param(l, &ua->params[i]), t->fields[i]);
	return (struct val){ slot };
}
