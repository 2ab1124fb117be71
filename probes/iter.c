/* iter:NAME (alias it): a BPF iterator (task, task_file, task_vma, and
 * every other `struct bpf_iter__NAME` of the kernel's BTF). The runtime
 * reads it once to the end, then the run ends. iter:NAME:PIN pins it
 * under /sys/fs/bpf (or at an absolute path) for others to read: its
 * printf then writes to the seq file of each read, and sonde exits. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../common/suggest.h"
#include "internal.h"

static const char *const iter_aliases[] = { "it", NULL };

#define ITER_PREFIX "bpf_iter__"
#define BPF_FS "/sys/fs/bpf"

/* Iterators the kernel runs only over a given object (attach-time
 * bpf_iter_link_info), which sonde has no syntax for. */
static const char *const need_target[] = { "bpf_map_elem", "bpf_sk_storage_map", "sockmap",
					   "cgroup", NULL };

static bool needs_target(const char *name)
{
	for (const char *const *p = need_target; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

/* The iterators of the kernel's BTF, sorted, in names (arena). -1 without
 * BTF. */
static int kernel_iterators(struct arena *a, struct str_vec *names)
{
	struct btf *btf = btf__load_vmlinux_btf();
	size_t plen = strlen(ITER_PREFIX);

	if (libbpf_get_error(btf))
		return -1;
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = t && btf_is_struct(t) ? btf__name_by_offset(btf, t->name_off) : NULL;
		/* bpf_iter__task__safe_trusted and the like are not iterators */
		if (name && !strncmp(name, ITER_PREFIX, plen) && name[plen] && !strstr(name + plen, "__"))
			str_vec_push(a, names, arena_strdup(a, name + plen));
	}
	btf__free(btf);
	str_vec_sort_unique(names);
	return 0;
}

/* PIN of iter:NAME:PIN: relative to the BPF file system, or absolute.
 * Pinning never replaces what is there. */
static int pin_path(struct arena *a, struct diags *d, const struct src_loc *loc, const char *pin,
		    const char **path)
{
	if (!*pin) {
		diag_error(d, loc, "iter: the pin path is empty");
		return -1;
	}
	*path = pin[0] == '/' ? pin : arena_printf(a, BPF_FS "/%s", pin);
	if (!access(*path, F_OK)) {
		diag_error(d, loc, "iter: cannot pin to %s: the path exists already", *path);
		return -1;
	}
	return 0;
}

static int iter_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		      const struct probe_context *ctx, char **parts, int nparts,
		      struct attach_spec *out)
{
	struct str_vec names = { 0 };
	struct suggestion sg;
	bool known = false;

	if (nparts != 2 && nparts != 3)
		return probe_arity_error(d, loc, "iter", "1 or 2", nparts - 1);
	if (probe_has_wildcard(parts[1])) {
		diag_error(d, loc, "iter probe type does not support wildcards");
		return -1;
	}
	if (kernel_iterators(a, &names)) {
		diag_error(d, loc, "iter probes need the kernel's BTF (/sys/kernel/btf/vmlinux)");
		return -1;
	}
	suggestion_init(&sg, parts[1]);
	for (int i = 0; i < names.n && !known; i++) {
		known = !strcmp(names.v[i], parts[1]);
		suggestion_offer(&sg, names.v[i]);
	}
	if (!known) {
		struct diag_entry *e = diag_error(d, loc, "unsupported iter type: %s", parts[1]);
		if (sg.found)
			diag_hint(d, e, "Did you mean '%s'?", sg.found);
		return -1;
	}
	if (needs_target(parts[1])) {
		diag_error(d, loc, "iter:%s runs over a given map or cgroup, which sonde cannot name yet",
			   parts[1]);
		return -1;
	}
	if (nparts == 3 && pin_path(a, d, loc, parts[2], &out->target))
		return -1;
	if (out->target)
		out->flags |= PF_SEQ_OUTPUT;
	out->func = parts[1];
	out->canonical = nparts == 3 ? arena_printf(a, "iter:%s:%s", parts[1], parts[2])
				     : arena_printf(a, "iter:%s", parts[1]);
	return 0;
}

static const char *iter_section(struct arena *a, const struct attach_spec *spec)
{
	return arena_printf(a, "iter/%s", spec->func);
}

static int iter_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
		       struct probe_link **links, int *nlinks)
{
	struct bpf_link *l = bpf_program__attach_iter(prog, NULL);
	long err = libbpf_get_error(l);

	return err ? (int)err : probe_links_push(links, nlinks, l);
}

static void iter_list(const char *pattern, const struct probe_context *ctx, FILE *out, bool verbose)
{
	struct arena a = { 0 };
	struct str_vec names = { 0 };

	if (!kernel_iterators(&a, &names))
		for (int i = 0; i < names.n; i++) {
			char *name = arena_printf(&a, "iter:%s", names.v[i]);
			if (probe_list_match(pattern, name))
				fprintf(out, "%s\n", name);
		}
	arena_free(&a);
}

const struct probe_ops probe_iter_ops = {
	.name = "iter",
	.aliases = iter_aliases,
	.kind = PROBE_ITER,
	.flags = PF_ITER | PF_LISTED | PF_BTF_CONTEXT,
	.parse = iter_parse,
	.section = iter_section,
	.attach = iter_attach,
	.list = iter_list,
};
