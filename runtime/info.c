/* --info: what this build and this kernel offer sonde: versions, BTF, and
 * which program types, map types and attachments the kernel accepts. The
 * probes are real: programs are loaded (and, for fentry, attached). */
#include "info.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <llvm/Config/llvm-config.h> /* the version linked into sonde-compiler.so */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../probes/probe.h"

static const char *yes_no(int probe)
{
	return probe == 1 ? "yes" : probe == 0 ? "no" : "unknown";
}

void print_info(FILE *f, const char *version)
{
	struct utsname u;
	struct kernel_features kf = { 0 };
	fprintf(f, "sonde v%s\n  libbpf %u.%u, LLVM %s (BPF target, static)\n", version,
		libbpf_major_version(), libbpf_minor_version(), LLVM_VERSION_STRING);
	fprintf(f, "System\n  kernel: %s\n", uname(&u) ? "unknown" : u.release);
	fprintf(f, "  BTF: %s\n", access("/sys/kernel/btf/vmlinux", R_OK) ? "no" : "yes (/sys/kernel/btf/vmlinux)");
	static const struct {
		const char *name;
		enum bpf_prog_type type;
	} progs[] = {
		{ "kprobe/uprobe", BPF_PROG_TYPE_KPROBE }, { "tracepoint", BPF_PROG_TYPE_TRACEPOINT },
		{ "raw tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT }, { "perf event", BPF_PROG_TYPE_PERF_EVENT },
	};
	fprintf(f, "Program types\n");
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
		fprintf(f, "  %s: %s\n", progs[i].name, yes_no(libbpf_probe_bpf_prog_type(progs[i].type, NULL)));
	static const struct {
		const char *name;
		enum bpf_map_type type;
	} maps[] = {
		{ "hash", BPF_MAP_TYPE_HASH }, { "percpu hash", BPF_MAP_TYPE_PERCPU_HASH },
		{ "percpu array", BPF_MAP_TYPE_PERCPU_ARRAY },
		{ "lru hash", BPF_MAP_TYPE_LRU_HASH }, { "ring buffer", BPF_MAP_TYPE_RINGBUF },
		{ "stack trace", BPF_MAP_TYPE_STACK_TRACE },
	};
	fprintf(f, "Map types\n");
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		fprintf(f, "  %s: %s\n", maps[i].name, yes_no(libbpf_probe_bpf_map_type(maps[i].type, NULL)));
	static const struct {
		const char *name;
		enum bpf_func_id id;
	} helpers[] = {
		{ "get_func_ip", BPF_FUNC_get_func_ip }, { "probe_write_user", BPF_FUNC_probe_write_user },
		{ "send_signal", BPF_FUNC_send_signal }, { "override_return", BPF_FUNC_override_return },
	};
	fprintf(f, "Helpers in kprobe programs\n");
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		fprintf(f, "  %s: %s\n", helpers[i].name,
			yes_no(libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, helpers[i].id, NULL)));
	fprintf(f, "Attaching\n");
	for (enum kernel_feature k = 0; k < KERNEL_FEATURES; k++)
		if (kernel_feature_has(&kf, k))
			fprintf(f, "  %s: yes\n", kernel_feature_name(k));
		else
			fprintf(f, "  %s: no (%s)\n", kernel_feature_name(k), kernel_feature_why(&kf, k));
	fprintf(f, "  uprobes: %s\n", access("/sys/bus/event_source/devices/uprobe", F_OK) ? "no" : "yes");
}
