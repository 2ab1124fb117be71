/* The parameters of a kernel function (fentry/fexit) or raw tracepoint from
 * kernel BTF: the FUNC's prototype, or for a raw tracepoint the prototype
 * rawtracepoint_proto() finds (its first parameter, the tracepoint's
 * `void *__data`, is not an argument). The context of these programs is an
 * array of 64-bit words, one per parameter; a struct passed by value (at
 * most 16 bytes, as trampolines allow) takes one word per eightbyte. */
#include <string.h>

#include "btf.h"
#include "btf_internal.h"
#include "compiler.h"
#include "func_args.h"

#include "../probes/probe.h"

/* The type of a parameter or return value; *nwords context words it takes;
 * NULL with *why when it cannot be read. */
static const struct type *param_type(struct btf_types *bt, uint32_t id, int *nwords, const char **why)
{
	struct arena *a = bt->arena;
	const struct btf_type *t = btf__type_by_id(bt->btf, id);
	*nwords = 1;
	*why = NULL;
	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(bt->btf, id);
	}
	if (!t) {
		*why = "its type is unknown";
		return NULL;
	}
	if (btf_is_composite(t)) {
		if (t->size > 16) {
			*why = arena_printf(a, "a %s passed by value (%u bytes) is not supported",
					    btf_is_struct(t) ? "struct" : "union", t->size);
			return NULL;
		}
		*nwords = (int)(t->size + 7) / 8;
		const struct type *st = btf_to_type(bt, id);
		return st ? btf_struct_value(bt, st) : NULL;
	}
	const struct type *out = btf_to_type(bt, id);
	if (!out || !type_is_integer_like(out))
		*why = "its type is not supported";
	return out && type_is_integer_like(out) ? out : NULL;
}

static void place_params(struct btf_types *bt, const struct btf_type *proto, int first,
			 struct func_args *fa)
{
	struct arena *a = bt->arena;
	const struct btf_param *p = btf_params(proto);
	int n = btf_vlen(proto) - first, word = 0;
	/* a trailing `void` parameter marks a variadic function */
	if (n > 0 && !p[first + n - 1].type)
		n--;
	fa->n = n > 0 ? n : 0;
	fa->params = arena_alloc(a, (size_t)(fa->n ? fa->n : 1) * sizeof(*fa->params));
	for (int i = 0; i < fa->n; i++) {
		struct func_param *fp = &fa->params[i];
		const char *name = btf__name_by_offset(bt->btf, p[first + i].name_off);
		/* the names outlive the BTF: they name record fields when printing */
		fp->name = name && *name ? arena_strdup(a, name) : arena_printf(a, "arg%d", i);
		fp->type = param_type(bt, p[first + i].type, &fp->nregs, &fp->unsupported);
		fp->reg = word;
		word += fp->nregs;
	}
	if (proto->type) {
		int nwords;
		const char *why;
		const struct type *t = param_type(bt, proto->type, &nwords, &why);
		fa->ret = t && type_is_integer_like(t) ? t : NULL;
	}
}

void kernel_args_load(struct compiler *c, const struct attach_spec *spec, struct func_args *fa)
{
	struct arena *a = c->arena;
	struct btf_types *bt = compiler_btf(c);
	bool rawtp = spec->kind == PROBE_RAWTRACEPOINT;
	fa->func = spec->func;
	if (!bt || !btf_types_kernel(bt)) {
		fa->error = arena_printf(a, "args of %s needs kernel BTF, which is not available", spec->canonical);
		return;
	}
	if (spec->target && !strcmp(spec->target, "bpf")) {
		fa->error = arena_printf(a, "args of %s: the parameters of BPF program functions are not "
					 "supported yet", spec->canonical);
		return;
	}
	if (spec->target && strcmp(spec->target, "vmlinux")) {
		fa->error = arena_printf(a, "args of %s: functions of kernel modules (%s) have no args yet, only "
					 "those of vmlinux", spec->canonical, spec->target);
		return;
	}
	int id;
	bool named = true;
	if (rawtp) {
		id = rawtracepoint_proto(bt->btf, spec->func, &named);
	} else {
		id = btf__find_by_name_kind(bt->btf, spec->func, BTF_KIND_FUNC);
		const struct btf_type *fn = id > 0 ? btf__type_by_id(bt->btf, (uint32_t)id) : NULL;
		id = fn ? (int)fn->type : -1;
	}
	const struct btf_type *proto = id > 0 ? btf__type_by_id(bt->btf, (uint32_t)id) : NULL;
	if (!proto || !btf_is_func_proto(proto)) {
		fa->error = arena_printf(a, "kernel BTF has no prototype for %s, which args needs", spec->canonical);
		return;
	}
	place_params(bt, proto, rawtp ? 1 : 0, fa);
}
