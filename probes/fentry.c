/* fentry:FN (aliases f, kfunc), fentry:MOD:FN, fexit:... (fr, kretfunc):
 * BPF trampolines at a kernel function's entry and return. Functions come
 * from kernel BTF (vmlinux and the modules); `args` are the parameters of
 * the function's BTF prototype (codegen/kernel_args.c) and fexit's retval
 * its return value. Kernels that refuse trampolines (this machine: ftrace is
 * locked down, loading fails with EPERM) are explained at load.
 *
 * Also here: kprobe/kretprobe attached through fentry/fexit, which
 * kprobe.c picks where the kernel has no kprobes but trampolines work. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

static const char *const fentry_aliases[] = { "f", "kfunc", NULL };
static const char *const fexit_aliases[] = { "fr", "kretfunc", NULL };

static const char *provider_name(enum probe_kind kind)
{
	return kind == PROBE_FEXIT ? "fexit" : "fentry";
}

static int fentry_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	const char *provider = provider_name(out->kind), *mod = NULL, *fn;

	if (nparts == 2) {
		fn = parts[1];
	} else if (nparts == 3 || (nparts == 4 && !strcmp(parts[1], "bpf"))) {
		mod = parts[1];
		fn = parts[nparts - 1];
	} else {
		return probe_arity_error(d, loc, provider, "1 or 2", nparts - 1);
	}
	if (mod && !strcmp(mod, "bpf")) {
		diag_error(d, loc, "%s:bpf: probes on BPF programs are not supported yet", provider);
		return -1;
	}
	if (!*fn || (mod && !*mod)) {
		diag_error(d, loc, "%s probe needs a function name", provider);
		return -1;
	}
	out->target = mod;
	out->func = out->symbol = fn;
	out->canonical = mod ? arena_printf(a, "%s:%s:%s", provider, mod, fn) : arena_printf(a, "%s:%s", provider, fn);
	return 0;
}

struct expand_ctx {
	struct arena *a;
	const struct attach_spec *pattern;
	struct spec_vec sv;
};

static void expand_one(const char *mod, const char *name, const struct btf *btf, uint32_t id, void *arg)
{
	struct expand_ctx *x = arg;
	const struct attach_spec *p = x->pattern;

	if (!probe_glob_match(p->func, name))
		return;
	struct attach_spec *s = spec_vec_push(x->a, &x->sv);
	*s = *p;
	s->target = arena_strdup(x->a, mod);
	s->func = s->symbol = arena_strdup(x->a, name);
	/* Expanded names always carry the module, as `-l` prints them. */
	s->canonical = arena_printf(x->a, "%s:%s:%s", provider_name(p->kind), mod, name);
}

static int fentry_expand(struct arena *a, struct diags *d, const struct src_loc *loc,
			 const struct probe_context *ctx, const struct attach_spec *pattern, struct attach_spec **out,
			 int *n)
{
	struct expand_ctx x = { .a = a, .pattern = pattern };
	bool wild = probe_has_wildcard(pattern->func) || (pattern->target && probe_has_wildcard(pattern->target));

	*out = NULL;
	*n = 0;
	if (kernel_btf_scan(pattern->target ? pattern->target : "*", BTF_KIND_FUNC, expand_one, &x)) {
		diag_error(d, loc, "%s needs kernel BTF, which is not available", pattern->canonical);
		return -1;
	}
	return kernel_btf_expanded(d, loc, ctx, pattern, wild, "kernel functions", "kernel function", &x.sv, out, n);
}

static bool is_return(enum probe_kind kind)
{
	return kind == PROBE_FEXIT || kind == PROBE_KRETPROBE_FEXIT;
}

static const char *fentry_section(struct arena *a, const struct attach_spec *spec)
{
	return arena_printf(a, "%s/%s", is_return(spec->kind) ? "fexit" : "fentry", spec->symbol);
}

static int fentry_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			 struct probe_link **links, int *nlinks)
{
	/* -p is an implicit filter in the generated code */
	struct bpf_link *l = bpf_program__attach_trace(prog);
	long err = libbpf_get_error(l);

	if (err)
		return (int)err;
	return probe_links_push(links, nlinks, l);
}

/* Loading fails with EPERM, and an empty verifier log, where the kernel
 * refuses BPF trampolines. */
static const char *fentry_explain(const struct attach_spec *spec, int err, char *buf, size_t len)
{
	if (err != -EPERM)
		return NULL;
	return "fentry/fexit are not available: the kernel refused the BPF trampoline they need "
	       "(Operation not permitted: the function tracer may be locked down)";
}

/* ---- listing ------------------------------------------------------------ */

struct list_ctx {
	struct arena *a;
	enum probe_kind kind;
	const char *pattern;
	bool verbose;
	struct str_vec names;
};

static void list_one(const char *mod, const char *name, const struct btf *btf, uint32_t id, void *arg)
{
	struct list_ctx *x = arg;
	char *probe = arena_printf(x->a, "%s:%s:%s", provider_name(x->kind), mod, name);

	if (probe_list_match(x->pattern, probe))
		kernel_btf_list_add(x->a, &x->names, probe, x->verbose, btf, (int)btf__type_by_id(btf, id)->type, 0,
				    true, x->kind == PROBE_FEXIT);
}

static void list_kind(enum probe_kind kind, const char *pattern, FILE *out, bool verbose)
{
	struct arena a = { 0 };
	struct list_ctx x = { .a = &a, .kind = kind, .pattern = pattern, .verbose = verbose };

	if (!kernel_btf_scan("*", BTF_KIND_FUNC, list_one, &x))
		kernel_btf_list_print(&x.names, verbose, out);
	arena_free(&a);
}

static void fentry_list(const char *pattern, const struct probe_context *ctx, FILE *out, bool verbose)
{
	list_kind(PROBE_FENTRY, pattern, out, verbose);
}

static void fexit_list(const char *pattern, const struct probe_context *ctx, FILE *out, bool verbose)
{
	list_kind(PROBE_FEXIT, pattern, out, verbose);
}

#define FENTRY_FLAGS (PF_FUNC | PF_PID_FILTER | PF_SIGNAL | PF_BTF_ARGS)

const struct probe_ops probe_fentry_ops = {
	.name = "fentry",
	.aliases = fentry_aliases,
	.kind = PROBE_FENTRY,
	.flags = FENTRY_FLAGS | PF_LISTED | PF_GLOB_CANDIDATE,
	.parse = fentry_parse,
	.expand = fentry_expand,
	.section = fentry_section,
	.attach = fentry_attach,
	.explain = fentry_explain,
	.list = fentry_list,
};

const struct probe_ops probe_fexit_ops = {
	.name = "fexit",
	.aliases = fexit_aliases,
	.kind = PROBE_FEXIT,
	.flags = FENTRY_FLAGS | PF_RETVAL | PF_BTF_RETVAL | PF_GLOB_CANDIDATE,
	.parse = fentry_parse,
	.expand = fentry_expand,
	.section = fentry_section,
	.attach = fentry_attach,
	.explain = fentry_explain,
	.list = fexit_list,
};

/* A kprobe through fentry keeps what a kprobe offers except the registers:
 * argN is the Nth argument word, func the function; no reg(), no
 * override(). Its retval (kretprobe) stays an untyped uint64. */
const struct probe_ops probe_kprobe_fentry_ops = {
	.name = "kprobe",
	.kind = PROBE_KPROBE_FENTRY,
	.flags = PF_FUNC | PF_PID_FILTER | PF_SIGNAL,
	.arg_offset = probe_raw_arg_offset,
	.section = fentry_section,
	.attach = fentry_attach,
	.explain = fentry_explain,
};

const struct probe_ops probe_kretprobe_fexit_ops = {
	.name = "kretprobe",
	.kind = PROBE_KRETPROBE_FEXIT,
	.flags = PF_FUNC | PF_RETVAL | PF_PID_FILTER | PF_SIGNAL,
	.section = fentry_section,
	.attach = fentry_attach,
	.explain = fentry_explain,
};
