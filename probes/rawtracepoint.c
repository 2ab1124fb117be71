/* rawtracepoint:EVENT (alias rt), rawtracepoint:MOD:EVENT. Raw tracepoints
 * are found in BTF: every tracepoint has a `typedef ... btf_trace_EVENT`
 * whose FUNC_PROTO (after the leading `void *__data`) gives its arguments.
 * Module tracepoints are in /sys/kernel/btf/MOD. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

static const char *const rawtracepoint_aliases[] = { "rt", NULL };

#define BTF_TRACE_PREFIX "btf_trace_"

/* Called per raw tracepoint with the BTF that defines it and the id of its
 * btf_trace_ typedef. */
typedef void (*rawtp_fn)(const char *mod, const char *event, const struct btf *btf,
			 __u32 typedef_id, void *arg);

static void scan_btf(const struct btf *btf, __u32 first_id, const char *mod, rawtp_fn fn,
		     void *arg)
{
	__u32 n = btf__type_cnt(btf);
	size_t plen = strlen(BTF_TRACE_PREFIX);

	for (__u32 id = first_id; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;
		if (!t || !btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (name && !strncmp(name, BTF_TRACE_PREFIX, plen) && name[plen])
			fn(mod, name + plen, btf, id, arg);
	}
}

/* Walk vmlinux and module BTF whose name matches mod_glob. Returns -1 when
 * vmlinux BTF is unavailable. */
static int rawtp_scan(const char *mod_glob, rawtp_fn fn, void *arg)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	DIR *dir;
	struct dirent *de;

	if (libbpf_get_error(vmlinux))
		return -1;
	if (probe_glob_match(mod_glob, "vmlinux"))
		scan_btf(vmlinux, 1, "vmlinux", fn, arg);
	dir = opendir("/sys/kernel/btf");
	if (dir) {
		while ((de = readdir(dir))) {
			struct btf *mbtf;
			if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux") ||
			    !probe_glob_match(mod_glob, de->d_name))
				continue;
			mbtf = btf__load_module_btf(de->d_name, vmlinux);
			if (libbpf_get_error(mbtf))
				continue;
			/* Split BTF: the module's own types follow vmlinux's. */
			scan_btf(mbtf, btf__type_cnt(vmlinux), de->d_name, fn, arg);
			btf__free(mbtf);
		}
		closedir(dir);
	}
	btf__free(vmlinux);
	return 0;
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

static void expand_one(const char *mod, const char *event, const struct btf *btf,
		       __u32 typedef_id, void *arg)
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
	if (x.sv.n == 0)
		return probe_missing(d, loc, ctx->missing, wild ? "No raw tracepoints matched: %s"
							   : "Unknown rawtracepoint: %s",
				     pattern->canonical);
	spec_vec_sort_unique(&x.sv);
	if (!wild && x.sv.n > 1) {
		/* The same tracepoint name in several modules. */
		diag_error(d, loc, "Ambiguous rawtracepoint %s: specify the module, e.g. %s",
			   pattern->canonical, x.sv.v[0].canonical);
		return -1;
	}
	*out = x.sv.v;
	*n = x.sv.n;
	return 0;
}

static const char *rawtracepoint_section(struct arena *a, const struct attach_spec *spec)
{
	return arena_printf(a, "raw_tp/%s", spec->func);
}

static int rawtracepoint_attach(struct bpf_program *prog, const struct attach_spec *spec,
				pid_t pid, struct probe_link **links, int *nlinks)
{
	/* The kernel finds module tracepoints by name too; -p is an implicit
	 * filter in the generated code. */
	struct bpf_link *l = bpf_program__attach_raw_tracepoint(prog, spec->func);
	long err = libbpf_get_error(l);

	if (err)
		return (int)err;
	return probe_links_push(links, nlinks, l);
}

/* ---- listing ------------------------------------------------------------ */

static void print_to_file(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

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

/* "    TYPE NAME" per argument; unnamed ones are called argN, like the
 * argN builtins of raw tracepoints. */
static void print_args(const struct btf *btf, const char *event, FILE *out)
{
	const struct btf_type *t;
	struct btf_dump *dump;
	const struct btf_param *p;
	bool named;
	int id = rawtracepoint_proto(btf, event, &named);

	if (id < 0 || !(t = btf__type_by_id(btf, (__u32)id)))
		return;
	dump = btf_dump__new(btf, print_to_file, out, NULL);
	if (libbpf_get_error(dump))
		return;
	p = btf_params(t);
	/* Parameter 0 is the tracepoint's `void *__data`, not an argument. */
	for (int i = 1; i < btf_vlen(t); i++) {
		const char *pname = named ? btf__name_by_offset(btf, p[i].name_off) : NULL;
		char argn[16];
		if (!pname || !*pname) {
			snprintf(argn, sizeof(argn), "arg%d", i - 1);
			pname = argn;
		}
		LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = pname);
		fputs("    ", out);
		btf_dump__emit_type_decl(dump, p[i].type, &opts);
		fputc('\n', out);
	}
	btf_dump__free(dump);
}

struct list_ctx {
	const char *pattern;
	FILE *out;
	bool verbose;
	struct arena *a;
	struct str_vec names;
};

static void list_one(const char *mod, const char *event, const struct btf *btf,
		     __u32 typedef_id, void *arg)
{
	struct list_ctx *x = arg;
	char *name = arena_printf(x->a, "rawtracepoint:%s:%s", mod, event);

	if (!probe_list_match(x->pattern, name))
		return;
	if (!x->verbose) {
		str_vec_push(x->a, &x->names, name);
		return;
	}
	/* The BTF is only alive during the callback: render now, sort later. */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return;
	fprintf(mem, "%s\n", name);
	print_args(btf, event, mem);
	fclose(mem);
	str_vec_push(x->a, &x->names, arena_strndup(x->a, buf, len));
	free(buf);
}

static void rawtracepoint_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			       bool verbose)
{
	struct arena a = { 0 };
	struct list_ctx x = { .pattern = pattern, .out = out, .verbose = verbose, .a = &a };

	if (!rawtp_scan("*", list_one, &x)) {
		str_vec_sort_unique(&x.names);
		for (int i = 0; i < x.names.n; i++)
			fprintf(out, verbose ? "%s" : "%s\n", x.names.v[i]);
	}
	arena_free(&a);
}

const struct probe_ops probe_rawtracepoint_ops = {
	.name = "rawtracepoint",
	.aliases = rawtracepoint_aliases,
	.kind = PROBE_RAWTRACEPOINT,
	.flags = PF_PID_FILTER | PF_LISTED | PF_GLOB_CANDIDATE | PF_SIGNAL,
	.arg_offset = probe_raw_arg_offset,
	.parse = rawtracepoint_parse,
	.expand = rawtracepoint_expand,
	.section = rawtracepoint_section,
	.attach = rawtracepoint_attach,
	.list = rawtracepoint_list,
};
