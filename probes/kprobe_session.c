/* kprobe sessions (Linux 6.10): a kprobe:F and a kretprobe:F on the same
 * functions as one program on one kprobe_multi link, run at each entry and
 * again at the return (bpf_session_is_return() tells which). The program's
 * attach points are the kprobes followed by the kretprobes, n of each; the
 * link cookie of function k holds the `probe` index of both, the entry's in
 * the low half. libbpf 1.1 predates sessions: the link is made with the
 * bpf(2) syscall directly. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

enum {
	ATTACH_TRACE_KPROBE_SESSION = 56, /* enum bpf_attach_type */
	CMD_LINK_CREATE = 28,             /* BPF_LINK_CREATE */
};

/* union bpf_attr for BPF_LINK_CREATE of a kprobe_multi link. */
struct link_create_kprobe_multi {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint32_t multi_flags, cnt;
	uint64_t syms, addrs, cookies;
};

int probe_kprobe_session_link(int prog_fd, const char *const *syms, const uint64_t *cookies, uint32_t cnt)
{
	struct link_create_kprobe_multi attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = (uint32_t)prog_fd;
	attr.attach_type = ATTACH_TRACE_KPROBE_SESSION;
	attr.cnt = cnt;
	attr.syms = (uint64_t)(uintptr_t)syms;
	attr.cookies = (uint64_t)(uintptr_t)cookies;
	int fd = (int)syscall(__NR_bpf, CMD_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

int probe_kprobe_session_load(const struct bpf_insn *insns, size_t ninsns)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = (enum bpf_attach_type)ATTACH_TRACE_KPROBE_SESSION);
	int fd = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "sonde_feature", "GPL", insns, ninsns, &opts);
	return fd < 0 ? -errno : fd;
}

/* libbpf 1.1 does not know the section: the type is set here */
static int session_prepare(struct bpf_program *prog, const struct attach_spec *spec)
{
	int err = bpf_program__set_type(prog, BPF_PROG_TYPE_KPROBE);
	return err ? err
		   : bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)ATTACH_TRACE_KPROBE_SESSION);
}

static const char *session_section(struct arena *a, const struct attach_spec *spec)
{
	return "kprobe.session";
}

static int session_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			  struct probe_link **links, int *nlinks)
{
	int n = spec->nmulti / 2;
	const char **syms = calloc((size_t)n, sizeof(*syms));
	uint64_t *cookies = calloc((size_t)n, sizeof(*cookies));
	int fd = -ENOMEM;
	if (syms && cookies) {
		for (int k = 0; k < n; k++) {
			syms[k] = spec->multi[k].symbol;
			cookies[k] = spec->multi_cookies[k] | spec->multi_cookies[n + k] << 32;
		}
		fd = probe_kprobe_session_link(bpf_program__fd(prog), syms, cookies, (uint32_t)n);
	}
	free(syms);
	free(cookies);
	return fd < 0 ? fd : probe_links_push_fd(links, nlinks, fd);
}

/* Made by the compiler from a kprobe and a kretprobe, never by name. */
const struct probe_ops probe_kprobe_session_ops = {
	.name = "kprobe",
	.kind = PROBE_KPROBE_SESSION,
	.flags = PF_FUNC | PF_RETVAL | PF_PID_FILTER | PF_REGS | PF_SIGNAL,
	.reg_offset = probe_pt_regs_offset,
	.section = session_section,
	.prepare = session_prepare,
	.attach = session_attach,
	.explain = probe_kprobe_explain,
};
