/* Compile scripts in-process and load the objects into the kernel (no
 * attaching): the verifier must accept the code of every probe type, also
 * the ones this kernel cannot attach (kprobe), and every script map must be
 * created with BTF. Needs root; skips otherwise. */
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

/* Compile and load `src` (assuming the kernel features kf has, when not
 * NULL); check map BTF ids and, when `section` is given, that the script
 * is one program of that section. One check a script. */
static void load_script_as(const char *name, const char *src, const struct kernel_features *kf,
			   const char *section)
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
	if (section && (p->nprogs != 1 || strcmp(p->progs[0].section, section) || p->progs[0].spec.nmulti < 2)) {
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
	bpf_object__close(obj);
	if (no_btf[0]) {
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
	load_script_as(name, src, NULL, NULL);
}

/* Kprobe wildcards where the kernel has kprobe_multi links: one program
 * for all functions (this kernel may have none, so the features are given). */
static void load_kprobe_multi(void)
{
	struct kernel_features kf = { .known = (1u << KERNEL_FEATURES) - 1,
				      .present = 1u << KFEAT_KPROBES | 1u << KFEAT_KPROBE_MULTI };
	load_script_as("kprobe_multi", "kprobe:vfs_read* { @[probe, func] = count(); @a = sum(arg2); }", &kf,
		       "kprobe.multi");
	load_script_as("kretprobe_multi", "kretprobe:vfs_read* { @[probe] = hist(retval); }", &kf,
		       "kretprobe.multi");
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
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		load_script(cases[i].name, cases[i].src);
	load_kprobe_multi();
	return check_summary();
}
