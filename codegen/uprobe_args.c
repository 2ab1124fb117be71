/* uprobe arguments by name (§3 `args` (DWARF)): args.NAME is parameter
 * NAME of the probed function, typed from its DWARF and read, like
 * bpftrace does, from the x86-64 SysV register of its position (rdi rsi
 * rdx rcx r8 r9), not from the DWARF location list; `args` alone is a
 * record of every parameter. The parameters are read once per probe, on
 * the first use of `args`. */
#include "btf.h"
#include "dwarf_btf.h"
#include "lower_internal.h"
#include "sema_internal.h"

#include "../common/suggest.h"

enum { ARG_REGS = 6 };

struct uprobe_param {
	const char *name;         /* "arg2" when DWARF has none */
	const struct type *type;  /* NULL: unsupported says why */
	int reg, nregs;           /* first argument register (0: rdi) and how many */
	const char *unsupported;  /* why it cannot be read, NULL: it can */
};

/* The parameters of one attach point's function. */
struct uprobe_args {
	const char *func;
	const char *error; /* why the probe has no args, NULL: it has */
	bool reported;     /* the error was, at the first use of args */
	int n;
	struct uprobe_param *params;
	const struct type *ret; /* an integer, bool or pointer return type; NULL: none */
};

/* Typedefs and qualifiers do not change how a value is passed. */
static const struct dwarf_type *peel(const struct dwarf_type *t)
{
	while (t && (t->kind == DWARF_TYPEDEF || t->kind == DWARF_CONST || t->kind == DWARF_VOLATILE))
		t = t->target;
	return t;
}

/* Mark the eightbytes of a struct that hold integer data and those that
 * hold floating-point data (SysV classification). */
static void classify_bytes(const struct dwarf_type *t, uint64_t off, unsigned *ints, unsigned *floats, int depth)
{
	t = peel(t);
	if (!t || depth > 16)
		return;
	if (t->kind == DWARF_STRUCT || t->kind == DWARF_UNION) {
		for (int i = 0; i < t->n; i++)
			classify_bytes(t->members[i].type, off + t->members[i].bit_offset / 8, ints, floats, depth + 1);
	} else if (t->kind == DWARF_ARRAY) {
		const struct dwarf_type *e = peel(t->target);
		for (uint64_t i = 0; e && e->size && i < t->nelems && off + i * e->size < 16; i++)
			classify_bytes(e, off + i * e->size, ints, floats, depth + 1);
	} else if (off < 16) {
		*(t->kind == DWARF_FLOAT ? floats : ints) |= 1u << (off / 8);
	}
}

/* How many integer registers a parameter takes; *why says when its value
 * cannot be read. */
static int gprs_of(struct arena *a, const struct dwarf_type *t, const char **why)
{
	t = peel(t);
	*why = NULL;
	if (!t) {
		*why = "its type is unknown";
		return 1;
	}
	switch (t->kind) {
	case DWARF_INT: case DWARF_BOOL: case DWARF_ENUM: case DWARF_POINTER:
		return 1;
	case DWARF_FLOAT:
		*why = "floating-point parameters (passed in SSE registers) are not supported";
		return 0;
	case DWARF_STRUCT: case DWARF_UNION: {
		if (!t->size || t->size > 16) {
			*why = arena_printf(a, "%s passed by value in memory (%llu bytes) is not supported",
					    t->kind == DWARF_STRUCT ? "a struct" : "a union", (unsigned long long)t->size);
			return 0;
		}
		unsigned ints = 0, floats = 0;
		classify_bytes(t, 0, &ints, &floats, 0);
		int n = (t->size + 7) / 8, gprs = 0;
		for (int i = 0; i < n; i++)
			gprs += (ints >> i & 1) || !(floats >> i & 1);
		if (gprs < n)
			*why = "a struct with floating-point members passed by value is not supported";
		return gprs;
	}
	default:
		*why = "its type is not supported";
		return 1;
	}
}

/* A function returning a struct in memory takes its address in rdi. */
static bool returns_in_memory(const struct dwarf_func *fn)
{
	const struct dwarf_type *r = peel(fn->ret);
	return r && (r->kind == DWARF_STRUCT || r->kind == DWARF_UNION) && r->size > 16;
}

static void place_params(struct compiler *c, struct dwarf_target *dt, const struct dwarf_func *fn,
			 struct uprobe_args *ua)
{
	struct arena *a = c->arena;
	int next = returns_in_memory(fn) ? 1 : 0;
	ua->n = fn->nparams;
	ua->params = arena_alloc(a, (size_t)(fn->nparams ? fn->nparams : 1) * sizeof(*ua->params));
	for (int i = 0; i < fn->nparams; i++) {
		struct uprobe_param *p = &ua->params[i];
		const char *why;
		p->name = fn->params[i].name ? fn->params[i].name : arena_printf(a, "arg%d", i);
		p->nregs = gprs_of(a, fn->params[i].type, &why);
		p->reg = -1;
		if (p->nregs && next + p->nregs <= ARG_REGS) {
			p->reg = next;
			next += p->nregs;
		} else if (p->nregs && !why) {
			why = arena_printf(a, "it is passed on the stack: only the first %d integer arguments, in "
					   "registers, can be read", ARG_REGS);
		}
		p->unsupported = why;
		if (why)
			continue;
		const struct type *t = dwarf_btf_type(c, dt, fn->params[i].type);
		if (t && t->kind == TY_STRUCT)
			t = btf_struct_value(compiler_btf(c), t);
		p->type = t;
		if (!t)
			p->unsupported = "its type is not supported";
	}
}

/* Read the parameters of one attach point; a problem goes to ua->error. */
static void load_spec(struct compiler *c, const struct attach_spec *spec, struct uprobe_args *ua)
{
	struct arena *a = c->arena;
	ua->func = spec->func;
	if (spec->source_line) {
		ua->error = arena_printf(a, "args is not available at a source line (%s): the argument registers "
					 "hold the parameters only at a function's entry", spec->canonical);
		return;
	}
	if (!spec->symbol || spec->func_offset) {
		ua->error = arena_printf(a, "args is not available at an address or offset (%s): the argument "
					 "registers hold the parameters only at a function's entry", spec->canonical);
		return;
	}
	struct dwarf_target *dt = dwarf_target_get(c, spec->target);
	struct dwarf_func fn;
	if (!dt->df || !dwarf_has_info(dt->df)) {
		ua->error = arena_printf(a, "No debuginfo found for %s: args needs its DWARF (build it with -g, "
					 "or give the directory of its debug file with --debuginfo)", spec->target);
		return;
	}
	if (dwarf_function(dt->df, spec->symbol, &fn)) {
		ua->error = arena_printf(a, "%s has no DWARF for function '%s', which args needs", spec->target,
					 spec->symbol);
		return;
	}
	place_params(c, dt, &fn, ua);
	const struct dwarf_type *r = peel(fn.ret);
	if (r && (r->kind == DWARF_INT || r->kind == DWARF_BOOL || r->kind == DWARF_ENUM || r->kind == DWARF_POINTER)) {
		const struct type *t = dwarf_btf_type(c, dt, fn.ret);
		ua->ret = t && type_is_integer_like(t) ? t : NULL;
	}
}

static struct uprobe_args *probe_args(struct sema *s)
{
	struct probe_info *pi = s->probe;
	if (!pi->uargs) {
		pi->uargs = arena_alloc(s->c->arena, (size_t)pi->nspecs * sizeof(*pi->uargs));
		for (int i = 0; i < pi->nspecs; i++)
			load_spec(s->c, &pi->specs[i], &pi->uargs[i]);
	}
	for (int i = 0; i < pi->nspecs; i++)
		if (pi->uargs[i].error)
			return &pi->uargs[i];
	return pi->uargs;
}

static const struct uprobe_param *find_param(const struct uprobe_args *ua, const char *name)
{
	for (int i = 0; i < ua->n; i++)
		if (!strcmp(ua->params[i].name, name))
			return &ua->params[i];
	return NULL;
}

static void unknown_param(struct sema *s, const struct node *n, const struct uprobe_args *ua)
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
static bool same_everywhere(struct sema *s, const struct node *n, const struct uprobe_param *p0)
{
	const struct probe_info *pi = s->probe;
	for (int i = 1; i < pi->nspecs; i++) {
		const struct uprobe_param *p = find_param(&pi->uargs[i], p0->name);
		if (!p) {
			ERR(s, &n->loc, "%s has no parameter '%s' (%s has): every function of a probe must have "
			    "the args it uses", pi->uargs[i].func, p0->name, pi->uargs[0].func);
			return false;
		}
		if (p->reg != p0->reg || !p->type || !type_equal(p->type, p0->type)) {
			ERR(s, &n->loc, "parameter '%s' of %s differs from that of %s: every function of a probe "
			    "must pass the args it uses alike", p0->name, pi->uargs[i].func, pi->uargs[0].func);
			return false;
		}
	}
	return true;
}

static const struct uprobe_param *readable_param(struct sema *s, const struct node *n,
						 const struct uprobe_args *ua, const char *name)
{
	const struct uprobe_param *p = find_param(ua, name);
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

const struct type *uprobe_retval_type(struct sema *s)
{
	const struct probe_info *pi = s->probe;
	const struct uprobe_args *ua = probe_args(s);
	if (ua->error || !ua->ret)
		return NULL;
	/* with a wildcard, only a return type all the functions share */
	for (int i = 1; i < pi->nspecs; i++)
		if (!pi->uargs[i].ret || !type_equal(pi->uargs[i].ret, ua->ret))
			return NULL;
	return ua->ret;
}

/* Why the probe has no args, reported at the first use only. */
static bool no_args(struct sema *s, const struct node *n, struct uprobe_args *ua)
{
	if (!ua->error)
		return false;
	if (s->c->second_pass && !ua->reported) {
		diag_error(s->c->diags, &n->loc, "%s", ua->error);
		ua->reported = true;
	}
	return true;
}

const struct type *check_uprobe_args_field(struct sema *s, struct node *n)
{
	struct uprobe_args *ua = probe_args(s);
	if (no_args(s, n->a, ua))
		return &type_none;
	const struct uprobe_param *p = readable_param(s, n, ua, n->name);
	if (!p)
		return &type_none;
	sema_info(s->c, n)->arg_index = (int)(p - ua->params);
	return p->type;
}

const struct type *check_uprobe_args_value(struct sema *s, struct node *n)
{
	struct uprobe_args *ua = probe_args(s);
	if (no_args(s, n, ua))
		return &type_none;
	const struct type **fields = arena_alloc(s->c->arena, (size_t)(ua->n ? ua->n : 1) * sizeof(*fields));
	const char **names = arena_alloc(s->c->arena, (size_t)(ua->n ? ua->n : 1) * sizeof(*names));
	for (int i = 0; i < ua->n; i++) {
		struct node at = { .loc = n->loc, .name = ua->params[i].name };
		const struct uprobe_param *p = readable_param(s, &at, ua, ua->params[i].name);
		if (!p)
			return &type_none;
		fields[i] = p->type;
		names[i] = p->name;
	}
	return type_tuple(s->c->arena, ua->n, fields, names);
}

/* ---- lowering ------------------------------------------------------------ */

static struct val read_param(struct lower *l, const struct uprobe_param *p)
{
	const struct probe_ops *ops = l->probe->ops;
	if (p->type->kind != TY_TUPLE)
		return (struct val){ normalize_int(l, ctx_word(l, (size_t)ops->arg_offset(p->reg)), p->type) };
	/* a struct passed by value: its eightbytes, one register each */
	LLVMValueRef slot = scratch_alloc(l, (size_t)p->nregs * 8);
	for (int k = 0; k < p->nregs; k++)
		LLVMBuildStore(l->b, ctx_word(l, (size_t)ops->arg_offset(p->reg + k)), gep(l, slot, (size_t)k * 8));
	return (struct val){ slot };
}

struct val lower_uprobe_arg(struct lower *l, struct node *n)
{
	const struct call_info *ci = n->sema;
	return read_param(l, &l->probe->uargs[0].params[ci->arg_index]);
}

struct val lower_uprobe_args_value(struct lower *l, struct node *n)
{
	const struct type *t = n->type;
	const struct uprobe_args *ua = &l->probe->uargs[0];
	LLVMValueRef slot = scratch_alloc(l, t->size);
	emit_memset0(l, slot, t->size);
	for (int i = 0; i < ua->n; i++)
		store_field(l, slot, t->offsets[i], t->fields[i], read_param(l, &ua->params[i]), t->fields[i]);
	return (struct val){ slot };
}
