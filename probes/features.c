/* Kernel features that decide how a probe type attaches, asked of the kernel
 * the first time they matter and remembered in the caller's struct
 * kernel_features (one per compilation). A caller (a test) may fill the
 * struct beforehand: known features are never probed again. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "internal.h"

/* The program each check loads: `return 0`. */
static const struct bpf_insn return_zero[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

/* Kernels built without CONFIG_KPROBES have no kprobe event source. */
static bool probe_kprobes(char *why, size_t len)
{
	if (!access("/sys/bus/event_source/devices/kprobe", F_OK))
		return true;
	snprintf(why, len, "the kernel was built without CONFIG_KPROBES (it has no kprobe event source)");
	return false;
}

/* Load `r0 = 0; exit` as fentry of vfs_read and attach it: kernels that
 * refuse BPF trampolines fail one or the other. */
static bool probe_fentry(char *why, size_t len)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	if (libbpf_get_error(vmlinux)) {
		snprintf(why, len, "the kernel has no BTF");
		return false;
	}
	int id = btf__find_by_name_kind(vmlinux, "vfs_read", BTF_KIND_FUNC);
	btf__free(vmlinux);
	if (id <= 0) {
		snprintf(why, len, "vfs_read, which the check attaches to, is not in kernel BTF");
		return false;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = (__u32)id);
	int prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "sonde_feature", "GPL", return_zero, 2, &opts);
	if (prog < 0) {
		snprintf(why, len, "the kernel refuses to load fentry programs (%s)", strerror(errno));
		return false;
	}
	int link = bpf_link_create(prog, 0, BPF_TRACE_FENTRY, NULL);
	int err = errno;
	close(prog);
	if (link < 0) {
		snprintf(why, len, "the kernel refuses to attach fentry programs (%s)", strerror(err));
		return false;
	}
	close(link);
	return true;
}

static bool probe_uprobe_multi(char *why, size_t len)
{
	if (probe_uprobe_multi_supported())
		return true;
	snprintf(why, len, "the kernel has no uprobe_multi links (Linux 6.6)");
	return false;
}

/* A kprobe_multi link on a function that does not exist fails with ESRCH
 * where the kernel has them (fprobe), with EOPNOTSUPP or EINVAL before. */
static bool probe_kprobe_multi(char *why, size_t len)
{
	if (!probe_kprobes(why, len))
		return false;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_KPROBE_MULTI);
	int prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "sonde_feature", "GPL", return_zero, 2, &opts);
	if (prog < 0) {
		snprintf(why, len, "the kernel refuses to load kprobe_multi programs (%s)", strerror(errno));
		return false;
	}
	const char *syms[] = { "sonde_no_such_function" };
	LIBBPF_OPTS(bpf_link_create_opts, lo, .kprobe_multi.syms = syms, .kprobe_multi.cnt = 1);
	int link = bpf_link_create(prog, 0, BPF_TRACE_KPROBE_MULTI, &lo);
	int err = errno;
	close(prog);
	if (link >= 0)
		close(link);
	if (link < 0 && err == ESRCH)
		return true;
	snprintf(why, len, "the kernel has no kprobe_multi links (Linux 5.18 with CONFIG_FPROBE)");
	return false;
}

/* The same for a kprobe session link (Linux 6.10), with a program of the
 * session attach type, which older kernels refuse to load or to link. */
static bool probe_kprobe_session(char *why, size_t len)
{
	if (!probe_kprobe_multi(why, len))
		return false;
	int prog = probe_kprobe_session_load(return_zero, 2);
	if (prog < 0) {
		snprintf(why, len, "the kernel refuses to load kprobe session programs (%s)", strerror(-prog));
		return false;
	}
	const char *const syms[] = { "sonde_no_such_function" };
	int link = probe_kprobe_session_link(prog, syms, NULL, 1);
	close(prog);
	if (link >= 0)
		close(link);
	if (link == -ESRCH)
		return true;
	snprintf(why, len, "the kernel has no kprobe session links (Linux 6.10)");
	return false;
}

static const struct {
	const char *name;
	bool (*probe)(char *why, size_t len);
} features[KERNEL_FEATURES] = {
	[KFEAT_KPROBES] = { "kprobes", probe_kprobes },
	[KFEAT_FENTRY] = { "fentry/fexit", probe_fentry },
	[KFEAT_UPROBE_MULTI] = { "uprobe_multi links", probe_uprobe_multi },
	[KFEAT_KPROBE_MULTI] = { "kprobe_multi links", probe_kprobe_multi },
	[KFEAT_KPROBE_SESSION] = { "kprobe sessions", probe_kprobe_session },
};

bool kernel_feature_has(struct kernel_features *kf, enum kernel_feature f)
{
	unsigned bit = 1u << f;
	if (!(kf->known & bit)) {
		kf->known |= bit;
		if (features[f].probe(kf->why[f], sizeof(kf->why[f])))
			kf->present |= bit;
	}
	return kf->present & bit;
}

const char *kernel_feature_why(const struct kernel_features *kf, enum kernel_feature f)
{
	return (kf->known & ~kf->present & (1u << f)) && kf->why[f][0] ? kf->why[f] : "not available";
}

const char *kernel_feature_name(enum kernel_feature f)
{
	return features[f].name;
}
