/* Compile scripts in-process and load the objects into the kernel (no
 * attaching): the verifier must accept the code of every probe type, also
 * the ones this kernel cannot attach (kprobe), and every script map must be
 * created with BTF. Needs root; skips otherwise. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "codegen/compiler.h"

static int passed, failed, skipped;

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Compile and load `src`; check map BTF ids. Returns 0 when loaded. */
static int load_script(const char *name, const char *src)
{
	struct arena a = { 0 };
	struct diags d;
	diags_init(&d, &a, "test", src);
	struct compile_options opts = { .ncpus = libbpf_num_possible_cpus(), .max_strlen = 1024,
					.max_map_keys = 4096 };
	struct compiled_program *p = compile_source(&a, &d, &opts);
	int ret = -1;
	if (!p) {
		printf("FAIL %s: does not compile\n", name);
		diags_print(&d, stdout, DIAG_ERROR);
		goto out;
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "sonde_test");
	struct bpf_object *obj = bpf_object__open_mem(p->elf, p->elf_size, &oo);
	if (!obj) {
		printf("FAIL %s: libbpf cannot open the object\n", name);
		goto out;
	}
	struct bpf_map *scratch = bpf_object__find_map_by_name(obj, p->scratch_name);
	if (scratch)
		bpf_map__set_max_entries(scratch, (uint32_t)opts.ncpus);
	if (bpf_object__load(obj)) {
		printf("FAIL %s: the verifier refused it\n", name);
		bpf_object__close(obj);
		goto out;
	}
	ret = 0;
	for (int i = 0; i < p->nmaps; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, p->maps[i].bpf_name);
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		memset(&info, 0, sizeof(info));
		if (!m || bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len) || info.btf_id == 0) {
			printf("FAIL %s: map %s has no BTF\n", name, p->maps[i].name);
			ret = -1;
		}
	}
	bpf_object__close(obj);
	if (!ret)
		printf("PASS %s\n", name);
out:
	ret ? failed++ : passed++;
	arena_free(&a);
	return ret;
}

int main(void)
{
	if (geteuid() != 0) {
		printf("SKIP loading BPF needs root\n0 passed, 0 failed, 1 skipped\n");
		return 0;
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
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
