/* fentry:FN (aliases f, kfunc), fentry:MOD:FN, fexit:... (fr, kretfunc):
 * BPF trampolines at a kernel function's entry and return. Functions come
 * from kernel BTF (vmlinux and the modules); `args` are the parameters of
 * the function's BTF prototype (codegen/kernel_args.c) and fexit's retval
 * its return value. Kernels that refuse trampolines (this machine: ftrace is
 * locked down, loading fails with EPERM) are explained at load.
 *
 * fentry:bpf:[ID:]FN traces the function FN of the loaded BPF program ID
 * (without ID: of every loaded program that has one), found in the BTF of
 * the programs.
 *
 * Also here: kprobe/kretprobe attached through fentry/fexit, which
 * kprobe.c picks where the kernel has no kprobes but trampolines work. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

static const char *const fentry_aliases[] = { "f", "kfunc", NULL };
static const char *const fexit_aliases[] = { "fr", "kretfunc", NULL };

static const char *provider_name(enum probe_kind kind)
{
	return kind == PROBE_FEXIT ? "fexit" : "fentry";
}

/* The module name that stands for loaded BPF programs */
#define BPF_TARGET "bpf"

static bool on_bpf_program(const struct attach_spec *spec)
{
	return spec->target && !strcmp(spec->target, BPF_TARGET);
}

/* ---- functions of loaded BPF programs ---- */

typedef void (*bpf_func_fn)(uint32_t prog_id, const char *name, const struct btf *btf, uint32_t id, void *arg);

/* fn on every function (BTF func_info) of one loaded program. */
static void prog_funcs(uint32_t prog_id, int fd, bpf_func_fn fn, void *arg)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.btf_id || !info.nr_func_info)
		return;
	__u32 nfuncs = info.nr_func_info;
	struct bpf_func_info *funcs = calloc(nfuncs, sizeof(*funcs));
	if (!funcs)
		return;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = nfuncs;
	info.func_info_rec_size = sizeof(*funcs);
	info.func_info = (__u64)(uintptr_t)funcs;
	len = sizeof(info);
	struct btf *btf = NULL;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		btf = btf__load_from_kernel_by_id(info.btf_id);
	for (__u32 i = 0; !libbpf_get_error(btf) && btf && i < info.nr_func_info; i++) {
		const struct btf_type *t = btf__type_by_id(btf, funcs[i].type_id);
		const char *name = t && btf_is_func(t) ? btf__name_by_offset(btf, t->name_off) : NULL;
		if (name && *name)
			fn(prog_id, name, btf, funcs[i].type_id, arg);
	}
	if (!libbpf_get_error(btf))
		btf__free(btf);
	free(funcs);
}

/* fn on every function of every loaded BPF program that has BTF. */
static void bpf_program_funcs(bpf_func_fn fn, void *arg)
{
	for (__u32 id = 0; !bpf_prog_get_next_id(id, &id);) {
		int fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		prog_funcs(id, fd, fn, arg);
		close(fd);
	}
}

static int fentry_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	const char *provider = provider_name(out->kind), *mod = NULL, *fn;
	uint64_t prog_id = 0;

	if (nparts == 2) {
		fn = parts[1];
	} else if (nparts == 3 || (nparts == 4 && !strcmp(parts[1], BPF_TARGET))) {
		mod = parts[1];
		fn = parts[nparts - 1];
	} else {
		return probe_arity_error(d, loc, provider, "1 or 2", nparts - 1);
	}
	if (nparts == 4 && strcmp(parts[2], "*") && (!probe_parse_u64(parts[2], &prog_id) || !prog_id)) {
		diag_error(d, loc, "%s:bpf:ID:FUNCTION: the program id '%s' is not a number", provider, parts[2]);
		return -1;
	}
	if (!*fn || (mod && !*mod)) {
		diag_error(d, loc, "%s probe needs a function name", provider);
		return -1;
	}
	out->target = mod;
	out->func = out->symbol = fn;
	out->offset = prog_id;
	out->canonical = mod ? arena_printf(a, "%s:%s:%s", provider, mod, fn) : arena_printf(a, "%s:%s", provider, fn);
	if (nparts == 4)
		out->canonical = arena_printf(a, "%s:%s:%s:%s", provider, mod, parts[2], fn);
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

static void expand_bpf_one(uint32_t prog_id, const char *name, const struct btf *btf, uint32_t id, void *arg)
{
	struct expand_ctx *x = arg;
	const struct attach_spec *p = x->pattern;

	if (!probe_glob_match(p->func, name) || (p->offset && p->offset != prog_id))
		return;
	struct attach_spec *s = spec_vec_push(x->a, &x->sv);
	*s = *p;
	s->func = s->symbol = arena_strdup(x->a, name);
	s->offset = prog_id;
	s->canonical = arena_printf(x->a, "%s:%s:%u:%s", provider_name(p->kind), BPF_TARGET, prog_id, name);
}

static int fentry_expand(struct arena *a, struct diags *d, const struct src_loc *loc,
			 const struct probe_context *ctx, const struct attach_spec *pattern, struct attach_spec **out,
			 int *n)
{
	struct expand_ctx x = { .a = a, .pattern = pattern };
	bool wild = probe_has_wildcard(pattern->func) || (pattern->target && probe_has_wildcard(pattern->target));

	*out = NULL;
	*n = 0;
	if (on_bpf_program(pattern)) {
		/* without an id, every program with the function */
		bpf_program_funcs(expand_bpf_one, &x);
		return kernel_btf_expanded(d, loc, ctx, pattern, wild || !pattern->offset, "BPF program functions",
					   "BPF program function", &x.sv, out, n);
	}
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

/* A BPF program is traced through its descriptor, which loading needs:
 * it stays open for the run. */
static int fentry_prepare(struct bpf_program *prog, const struct attach_spec *spec)
{
	if (!on_bpf_program(spec))
		return 0;
	int fd = bpf_prog_get_fd_by_id((uint32_t)spec->offset);
	if (fd < 0)
		return -errno;
	int err = bpf_program__set_attach_target(prog, fd, spec->symbol);
	if (err)
		close(fd);
	return err;
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

static void list_bpf_one(uint32_t prog_id, const char *name, const struct btf *btf, uint32_t id, void *arg)
{
	struct list_ctx *x = arg;
	char *probe = arena_printf(x->a, "%s:%s:%u:%s", provider_name(x->kind), BPF_TARGET, prog_id, name);

	if (probe_list_match(x->pattern, probe))
		kernel_btf_list_add(x->a, &x->names, probe, x->verbose, btf, (int)btf__type_by_id(btf, id)->type, 0,
				    true, x->kind == PROBE_FEXIT);
}

static void list_kind(enum probe_kind kind, const char *pattern, FILE *out, bool verbose)
{
	struct arena a = { 0 };
	struct list_ctx x = { .a = &a, .kind = kind, .pattern = pattern, .verbose = verbose };

	if (!kernel_btf_scan("*", BTF_KIND_FUNC, list_one, &x)) {
		bpf_program_funcs(list_bpf_one, &x);
		kernel_btf_list_print(&x.names, verbose, out);
	}
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

#define FENTRY_FLAGS (PF_FUNC | PF_PID_FILTER | PF_SIGNAL | PF_BTF_ARGS | PF_SKB_OUTPUT)

const struct probe_ops probe_fentry_ops = {
	.name = "fentry",
	.aliases = fentry_aliases,
	.kind = PROBE_FENTRY,
	.flags = FENTRY_FLAGS | PF_LISTED | PF_GLOB_CANDIDATE,
	.parse = fentry_parse,
	.expand = fentry_expand,
	.section = fentry_section,
	.attach = fentry_attach,
	.prepare = fentry_prepare,
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
	.prepare = fentry_prepare,
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
