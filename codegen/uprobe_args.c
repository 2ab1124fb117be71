/* uprobe arguments by name (§3 `args` (DWARF)): args.NAME is parameter
 * NAME of the probed function, typed from its DWARF and read, like
 * bpftrace does, from the x86-64 SysV register of its position (rdi rsi
 * rdx rcx r8 r9), not from the DWARF location list. */
#include "btf.h"
#include "compiler.h"
#include "dwarf_btf.h"
#include "func_args.h"

enum { ARG_REGS = 6 };

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
			 struct func_args *ua)
{
	struct arena *a = c->arena;
	int next = returns_in_memory(fn) ? 1 : 0;
	ua->n = fn->nparams;
	ua->params = arena_alloc(a, (size_t)(fn->nparams ? fn->nparams : 1) * sizeof(*ua->params));
	for (int i = 0; i < fn->nparams; i++) {
		struct func_param *p = &ua->params[i];
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
void uprobe_args_load(struct compiler *c, const struct attach_spec *spec, struct func_args *ua)
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

