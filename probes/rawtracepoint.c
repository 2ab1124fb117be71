/* rawtracepoint:EVENT (alias rt), rawtracepoint:MOD:EVENT. Raw tracepoints
 * are found in BTF: every tracepoint has a `typedef ... btf_trace_EVENT`
 * whose FUNC_PROTO (after the leading `void *__data`) gives its arguments.
 * Module tracepoints are in /sys/kernel/btf/MOD. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

static const char *const rawtracepoint_aliases[] = { "rt", NULL };

#define BTF_TRACE_PREFIX "btf_trace_"

/* Called per raw tracepoint with the BTF that defines it. */
typedef void (*rawtp_fn)(const char *mod, const char *event, const struct btf *btf, void *arg);

struct rawtp_scan_ctx {
	rawtp_fn fn;
	void *arg;
};

static void typedef_one(const char *mod, const char *name, const struct btf *btf, uint32_t id, void *arg)
{
	struct rawtp_scan_ctx *x = arg;
	size_t plen = strlen(BTF_TRACE_PREFIX);

	if (!strncmp(name, BTF_TRACE_PREFIX, plen) && name[plen])
		x->fn(mod, name + plen, btf, x->arg);
}

/* Every raw tracepoint of vmlinux and the modules matching mod_glob. Returns
 * -1 when vmlinux BTF is unavailable. */
static int rawtp_scan(const char *mod_glob, rawtp_fn fn, void *arg)
{
	struct rawtp_scan_ctx x = { fn, arg };
	return kernel_btf_scan(mod_glob, BTF_KIND_TYPEDEF, typedef_one, &x);
}

static int rawtracepoint_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			       const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	const char *mod = NULL, *event;

	if (nparts == 2) {
		event = parts[1];
	} else if (nparts == 3) {
		mod = parts[1];
		event = parts[2];
	} else {
		return probe_arity_error(d, loc, "rawtracepoint", "1 or 2", nparts - 1);
	}
	if (!*event || (mod && !*mod)) {
		diag_error(d, loc, "rawtracepoint probe needs a tracepoint name");
		return -1;
	}
	out->target = mod;
	out->func = event;
	out->canonical = mod ? arena_printf(a, "rawtracepoint:%s:%s", mod, event)
			     : arena_printf(a, "rawtracepoint:%s", event);
	return 0;
}

struct expand_ctx {
	struct arena *a;
	const struct attach_spec *pattern;
	struct spec_vec sv;
};

static void expand_one(const char *mod, const char *event, const struct btf *btf, void *arg)
{
	struct expand_ctx *x = arg;

	if (!probe_glob_match(x->pattern->func, event))
		return;
	struct attach_spec *s = spec_vec_push(x->a, &x->sv);
	*s = *x->pattern;
	s->target = arena_strdup(x->a, mod);
	s->func = arena_strdup(x->a, event);
	/* Expanded names always carry the module, as `-l` prints them. */
	s->canonical = arena_printf(x->a, "rawtracepoint:%s:%s", mod, event);
}

static int rawtracepoint_expand(struct arena *a, struct diags *d, const struct src_loc *loc,
				const struct probe_context *ctx, const struct attach_spec *pattern, struct attach_spec **out,
				int *n)
{
	struct expand_ctx x = { .a = a, .pattern = pattern };
	bool wild = probe_has_wildcard(pattern->func) ||
		    (pattern->target && probe_has_wildcard(pattern->target));

	*out = NULL;
	*n = 0;
	if (rawtp_scan(pattern->target ? pattern->target : "*", expand_one, &x)) {
		if (wild) {
			diag_error(d, loc, "Cannot expand %s: kernel BTF is not available",
				   pattern->canonical);
			return -1;
		}
		/* Without BTF the name cannot be checked: let attach decide. */
		*out = arena_alloc(a, sizeof(**out));
		**out = *pattern;
		*n = 1;
		return 0;
	}
	return kernel_btf_expanded(d, loc, ctx, pattern, wild, "raw tracepoints", "rawtracepoint", &x.sv, out, n);
}

static const char *rawtracepoint_section(struct arena *a, const struct attach_spec *spec)
{
	return arena_printf(a, "raw_tp/%s", spec->func);
}

/* The same tracepoint as a tp_btf program: a tracing program, whose
 * context is the same array of argument words, but whose pointers the
 * verifier types from BTF (bpf_skb_output wants a struct sk_buff). It
 * attaches through the raw tracepoint, with no trampoline. */
static const char *rawtracepoint_tracing_section(struct arena *a, const struct attach_spec *spec)
{
	return arena_printf(a, "tp_btf/%s", spec->func);
}

static int rawtracepoint_attach(struct bpf_program *prog, const struct attach_spec *spec,
				pid_t pid, struct probe_link **links, int *nlinks)
{
	/* The kernel finds module tracepoints by name too (a tp_btf program
	 * was given its tracepoint at load); -p is an implicit filter in the
	 * generated code. */
	struct bpf_link *l = bpf_program__type(prog) == BPF_PROG_TYPE_TRACING
		? bpf_program__attach_trace(prog)
		: bpf_program__attach_raw_tracepoint(prog, spec->func);
	long err = libbpf_get_error(l);

	if (err)
		return (int)err;
	return probe_links_push(links, nlinks, l);
}

/* ---- listing ------------------------------------------------------------ */

int rawtracepoint_proto(const struct btf *btf, const char *event, bool *named)
{
	char name[256];
	const struct btf_type *t;
	int id;

	/* Kernels >= 6.4 define a `__probestub_EVENT` function per event
	 * with the parameter names; the typedef's prototype is unnamed. */
	snprintf(name, sizeof(name), "__probestub_%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (id > 0) {
		t = btf__type_by_id(btf, (__u32)id);
		if (t && (t = btf__type_by_id(btf, t->type)) && btf_is_func_proto(t)) {
			*named = true;
			return (int)btf__type_by_id(btf, (__u32)id)->type;
		}
	}
	snprintf(name, sizeof(name), BTF_TRACE_PREFIX "%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, (__u32)id);
	if (!t || !(t = btf__type_by_id(btf, t->type)) || !btf_is_ptr(t))
		return -EINVAL;
	id = (int)t->type;
	t = btf__type_by_id(btf, (__u32)id);
	if (!t || !btf_is_func_proto(t))
		return -EINVAL;
	*named = false;
	return id;
}

struct list_ctx {
	const char *pattern;
	FILE *out;
	bool verbose;
	struct arena *a;
	struct str_vec names;
};

static void list_one(const char *mod, const char *event, const struct btf *btf, void *arg)
{
	struct list_ctx *x = arg;
	char *name = arena_printf(x->a, "rawtracepoint:%s:%s", mod, event);

	bool named = false;

	if (!probe_list_match(x->pattern, name))
		return;
	int proto = x->verbose ? rawtracepoint_proto(btf, event, &named) : -1;
	/* Parameter 0 is the tracepoint's `void *__data`, not an argument. */
	kernel_btf_list_add(x->a, &x->names, name, x->verbose, btf, proto, 1, named, false);
}

static void rawtracepoint_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			       bool verbose)
{
	struct arena a = { 0 };
	struct list_ctx x = { .pattern = pattern, .out = out, .verbose = verbose, .a = &a };

	if (!rawtp_scan("*", list_one, &x))
		kernel_btf_list_print(&x.names, verbose, out);
	arena_free(&a);
}

const struct probe_ops probe_rawtracepoint_ops = {
	.name = "rawtracepoint",
	.aliases = rawtracepoint_aliases,
	.kind = PROBE_RAWTRACEPOINT,
	.flags = PF_PID_FILTER | PF_LISTED | PF_GLOB_CANDIDATE | PF_SIGNAL | PF_BTF_ARGS | PF_SKB_OUTPUT,
	.arg_offset = probe_raw_arg_offset,
	.parse = rawtracepoint_parse,
	.expand = rawtracepoint_expand,
	.section = rawtracepoint_section,
	.tracing_section = rawtracepoint_tracing_section,
	.attach = rawtracepoint_attach,
	.list = rawtracepoint_list,
};
