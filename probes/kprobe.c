/* kprobe:FN (alias k), kprobe:MOD:FN, kprobe:FN+OFF, kprobe:ADDR (--unsafe),
 * kretprobe:FN (alias kr), kretprobe:MOD:FN, kretprobe:ADDR.
 *
 * Traceable functions come from tracefs available_filter_functions; when
 * that cannot be read (EPERM under this machine's sandbox policy) the text
 * symbols of /proc/kallsyms stand in. Kernels without CONFIG_KPROBES (this
 * one) attach entry and return probes of functions through fentry/fexit
 * when that works (fentry.c); otherwise they fail at attach, explained. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "../common/file.h"
#include "internal.h"

static const char *const kprobe_aliases[] = { "k", NULL };
static const char *const kretprobe_aliases[] = { "kr", NULL };

static const char *provider_name(enum probe_kind kind)
{
	return kind == PROBE_KRETPROBE ? "kretprobe" : "kprobe";
}

/* Symbols that can never be kprobed even though kallsyms lists them as
 * text: ftrace padding/CFI prefixes and compiler-split cold parts. */
static bool kallsyms_skip(const char *name)
{
	return !strncmp(name, "__pfx_", 6) || !strncmp(name, "__cfi_", 6) ||
	       strstr(name, ".cold") != NULL;
}

/* Called per traceable function; name and mod are NUL-terminated copies
 * valid during the call, mod is NULL for vmlinux. */
typedef void (*kfunc_fn)(const char *name, const char *mod, void *arg);

/* Walk "NAME [MOD]" (available_filter_functions) or "ADDR t NAME [MOD]"
 * (kallsyms) lines, in place. */
static void parse_func_lines(char *text, bool kallsyms, kfunc_fn fn, void *arg)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name = line, *mod = NULL, *rest;
		size_t nlen;

		if (kallsyms) {
			char *type = strchr(line, ' ');
			if (!type || (type[1] != 't' && type[1] != 'T') || type[2] != ' ')
				continue;
			name = type + 3;
		}
		nlen = strcspn(name, " \t");
		rest = name + nlen;
		if (*rest) {
			char *br = strchr(rest, '[');
			*rest++ = '\0';
			if (br) {
				mod = br + 1;
				mod[strcspn(mod, "]")] = '\0';
				/* BPF programs and ftrace trampolines are not
				 * functions of a module that can be probed. */
				if (!strcmp(mod, "bpf") || !strncmp(mod, "__builtin__", 11))
					continue;
			}
		}
		if (kallsyms && kallsyms_skip(name))
			continue;
		fn(name, mod, arg);
	}
}

/* Calls fn for every traceable kernel function. Returns -1 when neither
 * source can be read; *exact tells whether the list is the real one. */
static int kfunc_scan(kfunc_fn fn, void *arg, bool *exact)
{
	const char *tracefs = probe_tracefs_dir();
	const char *list = getenv("SONDE_TRACEABLE_FUNCTIONS"); /* --traceable-functions */
	char path[256];
	char *text = NULL;

	if (list) {
		text = file_read_all(list, NULL);
	} else if (tracefs) {
		snprintf(path, sizeof(path), "%s/available_filter_functions", tracefs);
		text = file_read_all(path, NULL);
	}
	*exact = text != NULL;
	if (!text)
		text = file_read_all("/proc/kallsyms", NULL);
	if (!text)
		return -1;
	parse_func_lines(text, !*exact, fn, arg);
	free(text);
	return 0;
}

static int kprobe_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	const char *provider = provider_name(out->kind), *mod = NULL, *fn;

	if (nparts == 2) {
		fn = parts[1];
	} else if (nparts == 3) {
		mod = parts[1];
		fn = parts[2];
	} else {
		return probe_arity_error(d, loc, provider, "1 or 2", nparts - 1);
	}
	if (!*fn || (mod && !*mod)) {
		diag_error(d, loc, "%s probe needs a function name or address", provider);
		return -1;
	}
	if (strchr(fn, '+') || (fn[0] >= '0' && fn[0] <= '9')) {
		char sym[256];
		const char *plus = strchr(fn, '+');
		if ((plus && strchr(plus + 1, '+')) || probe_has_wildcard(fn) ||
		    !probe_split_func(fn, sym, sizeof(sym), &out->offset)) {
			diag_error(d, loc, "Invalid %s function, offset or address: %s", provider, fn);
			return -1;
		}
		if (!sym[0] && !ctx->unsafe) {
			diag_error(d, loc, "Probing by address requires --unsafe");
			return -1;
		}
		if (plus && out->kind == PROBE_KRETPROBE) {
			diag_error(d, loc, "kretprobes can not be attached to a function offset");
			return -1;
		}
		out->symbol = sym[0] ? arena_strdup(a, sym) : NULL;
		fn = sym[0] ? (out->offset ? arena_printf(a, "%s+%" PRIu64, sym, out->offset)
					   : out->symbol)
			    : arena_printf(a, "0x%" PRIx64, out->offset);
	} else {
		out->symbol = fn;
	}
	out->target = mod;
	out->func = fn;
	out->canonical = mod ? arena_printf(a, "%s:%s:%s", provider, mod, fn)
			     : arena_printf(a, "%s:%s", provider, fn);
	return 0;
}

struct find_ctx {
	const char *sym, *mod;
	bool found;
};

static void find_one(const char *name, const char *mod, void *arg)
{
	struct find_ctx *x = arg;

	if (!strcmp(name, x->sym) && (!x->mod || !strcmp(x->mod, mod ? mod : "vmlinux")))
		x->found = true;
}

struct expand_ctx {
	struct arena *a;
	const struct attach_spec *pattern;
	struct spec_vec sv;
};

static void expand_one(const char *name, const char *mod, void *arg)
{
	struct expand_ctx *x = arg;
	const struct attach_spec *p = x->pattern;
	const char *provider = provider_name(p->kind);

	/* `.part.N` clones are not what a wildcard means to trace. */
	if (strstr(name, ".part.") || !probe_glob_match(p->func, name) ||
	    (p->target && !probe_glob_match(p->target, mod ? mod : "vmlinux")))
		return;
	struct attach_spec *s = spec_vec_push(x->a, &x->sv);
	*s = *p;
	s->func = s->symbol = arena_strdup(x->a, name);
	/* The module is part of the name only when the user wrote one. */
	s->target = p->target ? arena_strdup(x->a, mod ? mod : "vmlinux") : NULL;
	s->canonical = s->target ? arena_printf(x->a, "%s:%s:%s", provider, s->target, name)
				 : arena_printf(x->a, "%s:%s", provider, name);
}

/* Where the kernel has no kprobes but BPF trampolines work, a kprobe on a
 * function's entry (a kretprobe: its return) attaches through fentry
 * (fexit) and keeps its name. Offsets and addresses need kprobes. */
static void fall_back_to_fentry(const struct probe_context *ctx, struct attach_spec *specs, int n)
{
	struct kernel_features asked = { 0 };
	struct kernel_features *kf = ctx->features ? ctx->features : &asked;

	if (kernel_feature_has(kf, KFEAT_KPROBES) || !kernel_feature_has(kf, KFEAT_FENTRY))
		return;
	for (int i = 0; i < n; i++) {
		struct attach_spec *s = &specs[i];
		if (!s->symbol || s->offset)
			continue;
		const struct probe_ops *ops = s->kind == PROBE_KRETPROBE ? &probe_kretprobe_fexit_ops
									: &probe_kprobe_fentry_ops;
		s->kind = ops->kind;
		s->flags = ops->flags;
	}
}

static int kprobe_expand(struct arena *a, struct diags *d, const struct src_loc *loc,
			 const struct probe_context *ctx, const struct attach_spec *pattern, struct attach_spec **out, int *n)
{
	struct expand_ctx x = { .a = a, .pattern = pattern };
	bool exact;

	*out = NULL;
	*n = 0;
	if (!probe_has_wildcard(pattern->func) &&
	    !(pattern->target && probe_has_wildcard(pattern->target))) {
		if (pattern->symbol) {
			struct find_ctx f = { .sym = pattern->symbol, .mod = pattern->target };
			if (!kfunc_scan(find_one, &f, &exact) && !f.found)
				diag_warning(d, loc, "%s is not traceable (either non-existing, inlined, "
					     "or marked as \"notrace\"); attaching to it will likely fail",
					     pattern->symbol);
		}
		*out = arena_alloc(a, sizeof(**out));
		**out = *pattern;
		*n = 1;
		fall_back_to_fentry(ctx, *out, *n);
		return 0;
	}
	if (kfunc_scan(expand_one, &x, &exact)) {
		diag_error(d, loc, "Cannot list kernel functions for %s: neither "
			   "available_filter_functions nor /proc/kallsyms is readable",
			   pattern->canonical);
		return -1;
	}
	if (x.sv.n == 0)
		return probe_missing(d, loc, ctx->missing, "No kernel functions matched: %s",
				     pattern->canonical);
	spec_vec_sort_unique(&x.sv);
	*out = x.sv.v;
	*n = x.sv.n;
	fall_back_to_fentry(ctx, *out, *n);
	return 0;
}

static const char *kprobe_section(struct arena *a, const struct attach_spec *spec)
{
	const char *sec = provider_name(spec->kind);

	if (spec->nmulti) /* libbpf sets the kprobe_multi attach type */
		return arena_printf(a, "%s.multi", sec);
	return spec->symbol ? arena_printf(a, "%s/%s", sec, spec->symbol) : sec;
}

/* A kprobe_multi program: one link on every function, each with its
 * BPF cookie. */
static int kprobe_multi_attach(struct bpf_program *prog, const struct attach_spec *spec,
			       struct probe_link **links, int *nlinks)
{
	const char **syms = calloc((size_t)spec->nmulti, sizeof(*syms));
	if (!syms)
		return -ENOMEM;
	for (int i = 0; i < spec->nmulti; i++)
		syms[i] = spec->multi[i].symbol;
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = syms, .cookies = (const __u64 *)spec->multi_cookies,
		    .cnt = (size_t)spec->nmulti, .retprobe = spec->kind == PROBE_KRETPROBE);
	struct bpf_link *l = bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts);
	long err = libbpf_get_error(l);
	free(syms);
	return err ? (int)err : probe_links_push(links, nlinks, l);
}

static int kprobe_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			 struct probe_link **links, int *nlinks)
{
	struct bpf_link *l;
	long err;

	if (spec->nmulti)
		return kprobe_multi_attach(prog, spec, links, nlinks);

	/* Without a name, libbpf passes offset as the kernel address. -p is
	 * an implicit filter in the generated code. */
	LIBBPF_OPTS(bpf_kprobe_opts, opts, .offset = (size_t)spec->offset,
		    .retprobe = spec->kind == PROBE_KRETPROBE);
	l = bpf_program__attach_kprobe_opts(prog, spec->symbol, &opts);
	err = libbpf_get_error(l);
	if (err)
		return (int)err;
	return probe_links_push(links, nlinks, l);
}

struct list_ctx {
	struct arena *a;
	const char *provider, *pattern;
	struct str_vec names;
};

static void list_one(const char *name, const char *mod, void *arg)
{
	struct list_ctx *x = arg;
	char buf[512];

	/* As in wildcard expansion, `.part.N` clones are left out. */
	if (strstr(name, ".part."))
		return;
	if (mod)
		snprintf(buf, sizeof(buf), "%s:%s:%s", x->provider, mod, name);
	else
		snprintf(buf, sizeof(buf), "%s:%s", x->provider, name);
	if (probe_list_match(x->pattern, buf))
		str_vec_push(x->a, &x->names, arena_strdup(x->a, buf));
}

/* Why a kprobe cannot attach on a kernel without kprobes: also why the
 * fentry fallback was not taken (or could not be: an offset, an address). */
const char *probe_kprobe_explain(const struct attach_spec *spec, int err, char *buf, size_t len)
{
	struct kernel_features kf = { 0 };

	if (kernel_feature_has(&kf, KFEAT_KPROBES))
		return NULL;
	int n = snprintf(buf, len, "kprobes are not available: %s", kernel_feature_why(&kf, KFEAT_KPROBES));
	if (!spec || n < 0 || (size_t)n >= len)
		return buf;
	if (!spec->symbol || spec->offset)
		snprintf(buf + n, len - (size_t)n, "; a probe at an offset or address cannot attach through fentry");
	else if (!kernel_feature_has(&kf, KFEAT_FENTRY))
		snprintf(buf + n, len - (size_t)n, "; nor through fentry instead: %s",
			 kernel_feature_why(&kf, KFEAT_FENTRY));
	return buf;
}

/* -l: nothing where kprobes cannot attach; asked by name, say why. */
static void list_kind(enum probe_kind kind, const char *pattern, FILE *out)
{
	struct kernel_features kf = { 0 };
	if (!kernel_feature_has(&kf, KFEAT_KPROBES)) {
		const char *provider = provider_name(kind);
		size_t len = strlen(provider);
		if (pattern && !strncmp(pattern, provider, len) && pattern[len] == ':')
		{
			char why[512];
			fprintf(stderr, "WARNING: %s: nothing to list for %s\n", probe_kprobe_explain(NULL, 0, why, sizeof(why)),
				pattern);
		}
		return;
	}
	struct arena a = { 0 };
	struct list_ctx x = { .a = &a, .provider = provider_name(kind), .pattern = pattern };
	bool exact;

	if (!kfunc_scan(list_one, &x, &exact)) {
		str_vec_sort_unique(&x.names);
		for (int i = 0; i < x.names.n; i++)
			fprintf(out, "%s\n", x.names.v[i]);
	}
	arena_free(&a);
}

static void kprobe_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			bool verbose)
{
	list_kind(PROBE_KPROBE, pattern, out);
}

static void kretprobe_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			   bool verbose)
{
	list_kind(PROBE_KRETPROBE, pattern, out);
}

const struct probe_ops probe_kprobe_ops = {
	.name = "kprobe",
	.aliases = kprobe_aliases,
	.kind = PROBE_KPROBE,
	.flags = PF_FUNC | PF_PID_FILTER | PF_LISTED | PF_GLOB_CANDIDATE | PF_REGS | PF_SIGNAL | PF_OVERRIDE,
	.arg_offset = probe_pt_regs_arg_offset,
	.reg_offset = probe_pt_regs_offset,
	.parse = kprobe_parse,
	.expand = kprobe_expand,
	.section = kprobe_section,
	.attach = kprobe_attach,
	.explain = probe_kprobe_explain,
	.list = kprobe_list,
};

const struct probe_ops probe_kretprobe_ops = {
	.name = "kretprobe",
	.aliases = kretprobe_aliases,
	.kind = PROBE_KRETPROBE,
	.flags = PF_FUNC | PF_RETVAL | PF_PID_FILTER | PF_GLOB_CANDIDATE | PF_REGS | PF_SIGNAL,
	.reg_offset = probe_pt_regs_offset,
	.parse = kprobe_parse,
	.expand = kprobe_expand,
	.section = kprobe_section,
	.attach = kprobe_attach,
	.explain = probe_kprobe_explain,
	.list = kretprobe_list,
};
