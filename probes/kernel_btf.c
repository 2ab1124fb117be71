/* Walking kernel BTF (vmlinux and the modules' split BTF) for the probe
 * types that find their attach points there: raw tracepoints (btf_trace_
 * typedefs) and fentry/fexit (FUNCs); and printing a prototype's parameters
 * for `-lv`. */
#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

const char *btf_path(void)
{
	const char *path = getenv("SONDE_BTF");
	return path ? path : getenv("BPFTRACE_BTF");
}

static void scan_btf(const struct btf *btf, uint32_t first_id, const char *mod, int kind,
		     kernel_btf_fn fn, void *arg)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = first_id; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;
		if (!t || btf_kind(t) != kind)
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (name && *name)
			fn(mod, name, btf, id, arg);
	}
}

int kernel_btf_scan(const char *mod_glob, int kind, kernel_btf_fn fn, void *arg)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	DIR *dir;
	struct dirent *de;

	if (libbpf_get_error(vmlinux))
		return -1;
	if (probe_glob_match(mod_glob, "vmlinux"))
		scan_btf(vmlinux, 1, "vmlinux", kind, fn, arg);
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
			scan_btf(mbtf, btf__type_cnt(vmlinux), de->d_name, kind, fn, arg);
			btf__free(mbtf);
		}
		closedir(dir);
	}
	btf__free(vmlinux);
	return 0;
}

static void print_to_file(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

static void print_decl(struct btf_dump *dump, __u32 type, const char *name, FILE *out)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = name);
	fputs("    ", out);
	btf_dump__emit_type_decl(dump, type, &opts);
	fputc('\n', out);
}

void kernel_btf_print_params(const struct btf *btf, uint32_t proto_id, int first, bool named, bool retval,
			     FILE *out)
{
	const struct btf_type *t = btf__type_by_id(btf, proto_id);
	struct btf_dump *dump;
	const struct btf_param *p;

	if (!t || !btf_is_func_proto(t))
		return;
	dump = btf_dump__new(btf, print_to_file, out, NULL);
	if (libbpf_get_error(dump))
		return;
	p = btf_params(t);
	for (int i = first; i < btf_vlen(t); i++) {
		const char *pname = named ? btf__name_by_offset(btf, p[i].name_off) : NULL;
		char argn[16];
		if (!p[i].type) /* the `...` of a variadic function */
			break;
		/* unnamed ones are called argN, like the argN builtins */
		if (!pname || !*pname) {
			snprintf(argn, sizeof(argn), "arg%d", i - first);
			pname = argn;
		}
		print_decl(dump, p[i].type, pname, out);
	}
	if (retval && t->type)
		print_decl(dump, t->type, "retval", out);
	btf_dump__free(dump);
}

int kernel_btf_expanded(struct diags *d, const struct src_loc *loc, const struct probe_context *ctx,
			const struct attach_spec *pattern, bool wild, const char *plural, const char *singular,
			struct spec_vec *sv, struct attach_spec **out, int *n)
{
	if (sv->n == 0)
		return probe_missing(d, loc, ctx->missing, wild ? "No %s matched: %s" : "Unknown %s: %s",
				     wild ? plural : singular, pattern->canonical);
	spec_vec_sort_unique(sv);
	if (!wild && sv->n > 1) {
		/* the same name in several modules */
		diag_error(d, loc, "Ambiguous %s %s: specify the module, e.g. %s", singular, pattern->canonical,
			   sv->v[0].canonical);
		return -1;
	}
	*out = sv->v;
	*n = sv->n;
	return 0;
}

void kernel_btf_list_add(struct arena *a, struct str_vec *names, const char *probe, bool verbose,
			 const struct btf *btf, int proto_id, int first, bool named, bool retval)
{
	if (!verbose) {
		str_vec_push(a, names, probe);
		return;
	}
	/* The BTF is only alive during the caller's callback: render now, sort later. */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return;
	fprintf(mem, "%s\n", probe);
	if (proto_id > 0)
		kernel_btf_print_params(btf, (uint32_t)proto_id, first, named, retval, mem);
	fclose(mem);
	str_vec_push(a, names, arena_strndup(a, buf, len));
	free(buf);
}

void kernel_btf_list_print(struct str_vec *names, bool verbose, FILE *out)
{
	str_vec_sort_unique(names);
	for (int i = 0; i < names->n; i++)
		fprintf(out, verbose ? "%s" : "%s\n", names->v[i]);
}
