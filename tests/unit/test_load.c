/* Compile scripts in-process and load the objects into the kernel (no
 * attaching): the verifier must accept the code of every probe type, also
 * the ones this kernel cannot attach (kprobe), and every script map must be
 * created with BTF. Needs root; skips otherwise. */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "codegen/compiler.h"

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Attaching the first program fails, where the kernel has no kprobes,
 * with the explanation a run prints; elsewhere it attaches. */
static bool attach_explained(struct bpf_object *obj, const struct compiled_program *p, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, p->progs[0].fn_name);
	struct probe_link *links = NULL;
	int nlinks = 0;
	int err = prog ? probe_attach(prog, &p->progs[0].spec, 0, &links, &nlinks) : -ENOENT;
	for (int i = 0; i < nlinks; i++)
		probe_link_destroy(&links[i]);
	free(links);
	struct kernel_features kf = { 0 };
	if (!err && kernel_feature_has(&kf, KFEAT_KPROBES))
		return true;
	char buf[512];
	const char *why = err ? probe_attach_error(&p->progs[0].spec, err, buf, sizeof(buf)) : "attached";
	if (!strncmp(why, "kprobes are not available: ", 27))
		return true;
	check_fail(name, "attaching: %s", why);
	return false;
}

/* Compile and load `src` (assuming the kernel features kf has, when not
 * NULL); check map BTF ids and, when `section` is given, that the script
 * is one program of that section (for `nmulti` attach points, when not 0).
 * With `attach`, attach_explained() too. One check a script. */
static void load_script_as(const char *name, const char *src, const struct kernel_features *kf,
			   const char *section, int nmulti, bool attach)
{
	struct arena a = { 0 };
	struct diags d;
	diags_init(&d, &a, "test", src);
	struct compile_options opts = { .ncpus = libbpf_num_possible_cpus(), .max_strlen = 1024,
					.max_map_keys = 4096, .features = kf };
	struct compiled_program *p = compile_source(&a, &d, &opts);
	if (!p) {
		check_fail(name, "does not compile");
		diags_print(&d, stdout, DIAG_ERROR);
		goto out;
	}
	if (section && (p->nprogs != 1 || strcmp(p->progs[0].section, section) || p->progs[0].spec.nmulti < 2 ||
			(nmulti && p->progs[0].spec.nmulti != nmulti))) {
		check_fail(name, "%d programs, the first of section %s (%d attach points), not one %s", p->nprogs,
			   p->nprogs ? p->progs[0].section : "-", p->nprogs ? p->progs[0].spec.nmulti : 0, section);
		goto out;
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "sonde_test");
	struct bpf_object *obj = bpf_object__open_mem(p->elf, p->elf_size, &oo);
	if (!obj) {
		check_fail(name, "libbpf cannot open the object");
		goto out;
	}
	struct bpf_map *scratch = bpf_object__find_map_by_name(obj, p->scratch_name);
	if (scratch)
		bpf_map__set_max_entries(scratch, (uint32_t)opts.ncpus);
	for (int i = 0; i < p->nprogs; i++) { /* as the runtime does: types libbpf cannot tell */
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, p->progs[i].fn_name);
		if (!prog || probe_prepare(prog, &p->progs[i].spec)) {
			check_fail(name, "cannot prepare program %s", p->progs[i].fn_name);
			bpf_object__close(obj);
			goto out;
		}
	}
	if (bpf_object__load(obj)) {
		check_fail(name, "the verifier refused it");
		bpf_object__close(obj);
		goto out;
	}
	char no_btf[256] = "";
	for (int i = 0; i < p->nmaps; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, p->maps[i].bpf_name);
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (!m || bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len) || info.btf_id == 0) {
			size_t n = strlen(no_btf);
			snprintf(no_btf + n, sizeof(no_btf) - n, " %s", p->maps[i].name);
		}
	}
	bool attached = !attach || attach_explained(obj, p, name);
	bpf_object__close(obj);
	if (!attached) {
		/* reported */
	} else if (no_btf[0]) {
		check_fail(name, "maps without BTF:%s", no_btf);
	} else {
		check_pass();
		printf("PASS %s\n", name);
	}
out:
	arena_free(&a);
}

static void load_script(const char *name, const char *src)
{
	load_script_as(name, src, NULL, NULL, 0, false);
}

/* Kprobe wildcards where the kernel has kprobe_multi links: one program
 * for all functions (this kernel may have none, so the features are given). */
static void load_kprobe_multi(void)
{
	struct kernel_features kf = { .known = (1u << KERNEL_FEATURES) - 1,
				      .present = 1u << KFEAT_KPROBES | 1u << KFEAT_KPROBE_MULTI };
	load_script_as("kprobe_multi", "kprobe:vfs_read* { @[probe, func] = count(); @a = sum(arg2); }", &kf,
		       "kprobe.multi", 0, false);
	load_script_as("kretprobe_multi", "kretprobe:vfs_read* { @[probe] = hist(retval); }", &kf,
		       "kretprobe.multi", 0, false);
}

/* The session program stands for the kprobe then the kretprobe, each
 * cookie the index of its `probe` name (the link joins them per function). */
static const char session_src[] =
	"kprobe:vfs_read { @a[probe] = count(); } kretprobe:vfs_read { @b[probe] = count(); }";

static struct compiled_program *compile_session(struct arena *a, const struct kernel_features *kf,
						bool no_session)
{
	struct diags d;
	diags_init(&d, a, "test", session_src);
	struct compile_options opts = { .ncpus = libbpf_num_possible_cpus(), .max_strlen = 1024,
					.max_map_keys = 4096, .features = kf, .no_kprobe_session = no_session };
	return compile_source(a, &d, &opts);
}

/* Without kprobe sessions (the kernel's or --no-feature): two programs. */
static void check_two_programs(const char *name, const struct kernel_features *kf, bool no_session)
{
	struct arena a = { 0 };
	struct compiled_program *p = compile_session(&a, kf, no_session);
	if (p && p->nprogs == 2 && p->progs[0].spec.kind == PROBE_KPROBE) {
		check_pass();
		printf("PASS %s\n", name);
	} else {
		check_fail(name, "%d programs, not a kprobe and a kretprobe", p ? p->nprogs : -1);
	}
	arena_free(&a);
}

static void check_session_names(const struct kernel_features *kf)
{
	struct arena a = { 0 };
	struct compiled_program *p = compile_session(&a, kf, false);
	const struct attach_spec *s = p && p->nprogs == 1 ? &p->progs[0].spec : NULL;
	const char *want[2] = { "kprobe:vfs_read", "kretprobe:vfs_read" };
	bool ok = s && s->kind == PROBE_KPROBE_SESSION && s->nmulti == 2;
	for (int k = 0; ok && k < 2; k++)
		ok = !strcmp(s->multi[k].canonical, want[k]) && s->multi_cookies[k] < (uint64_t)p->nprobe_names &&
		     !strcmp(p->probe_names[s->multi_cookies[k]], want[k]);
	if (ok) {
		check_pass();
		printf("PASS kprobe_session_names\n");
	} else {
		check_fail("kprobe_session_names", "not one session program of kprobe:vfs_read, kretprobe:vfs_read");
	}
	arena_free(&a);
}

/* A kprobe and a kretprobe on the same functions where the kernel has
 * kprobe sessions: one kprobe.session program, which the verifier accepts
 * (also with map loops in both bodies); a run cannot attach it here. */
static void load_kprobe_session(void)
{
	struct kernel_features kf = { .known = (1u << KERNEL_FEATURES) - 1,
				      .present = 1u << KFEAT_KPROBES | 1u << KFEAT_KPROBE_MULTI |
						 1u << KFEAT_KPROBE_SESSION };
	load_script_as("kprobe_session",
		       "kprobe:vfs_read { @start[tid] = nsecs; @[probe, func] = count(); }\n"
		       "kretprobe:vfs_read /@start[tid]/ { @ns[probe] = hist(nsecs - @start[tid]); "
		       "@r = sum(retval); delete(@start[tid]); }",
		       &kf, "kprobe.session", 2, true);
	load_script_as("kprobe_session_wildcard",
		       "kprobe:vfs_read* /pid == 1/ { @n[probe] = count(); for ($kv : @n) { @seen[probe, $kv.0] = 1; } }\n"
		       "kretprobe:vfs_read* { @r[probe] = count(); for ($kv : @r) { @rs[probe] = $kv.1; } }",
		       &kf, "kprobe.session", 0, true);
	check_session_names(&kf);
	check_two_programs("kprobe_session_no_feature", &kf, true);
	struct kernel_features no_sessions = kf;
	no_sessions.present &= ~(1u << KFEAT_KPROBE_SESSION);
	check_two_programs("kprobe_session_absent", &no_sessions, false);
	/* other functions, or no kprobe sessions: two programs as before */
	load_script_as("kprobe_session_other_function", "kprobe:vfs_read { @a = count(); } kretprobe:vfs_write { @b = count(); }",
		       &kf, NULL, 0, false);
}

int main(void)
{
	if (geteuid() != 0) {
		check_skip("loading BPF", "needs root");
		return check_summary();
	}
	libbpf_set_print(silent);
	static const struct {
		const char *name, *src;
	} cases[] = {
		{ "kprobe_args", "kprobe:vfs_read { @bytes[comm] = sum(arg2); @calls = count(); }" },
		{ "kretprobe_retval", "kretprobe:vfs_read /retval > 0/ { @r = hist(retval); }" },
		{ "kprobe_func_stack", "kprobe:do_nanosleep { @[func, kstack] = count(); }" },
		{ "tracepoint_fields", "tracepoint:syscalls:sys_enter_openat { @[str(args.filename)] = count(); }" },
		{ "uprobe_regs", "uprobe:libc:getpid { @[usym(reg(\"ip\")), ustack] = count(); }" },
		{ "profile_kstack", "profile:hz:99 { @[kstack(perf, 5)] = count(); }" },
		{ "rawtracepoint_args", "rawtracepoint:sys_enter { @[arg1] = count(); }" },
		{ "aggregations", "begin { @a = avg(1); @b = min(2); @c = max(3); @d = stats(4); @e = lhist(5, 0, 10, 1); }" },
		{ "strings_tuples", "begin { $t = (comm, pid, \"x\"); @m[$t.0, $t.1] = $t; if (comm == \"a\") { print($t); } }" },
		{ "map_loop", "begin { @m[1] = 2; for ($kv : @m) { @s += $kv.1; } }" },
		{ "range_loop_callback_kprobe",
		  "kprobe:vfs_read { $n = arg2 & 7; for ($i : 0..$n) { @[$i, arg1, func, kstack] = count(); } }" },
		{ "range_loop_callback_uprobe",
		  "uprobe:libc:getpid { for ($i : 0..1000) { @u[$i % 4, reg(\"ip\"), ustack] = count(); } }" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		load_script(cases[i].name, cases[i].src);
	load_kprobe_multi();
	load_kprobe_session();
	return check_summary();
}
