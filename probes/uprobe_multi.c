/* uprobe_multi links (Linux 6.6): one BPF program on many functions of one
 * binary, each with a BPF cookie. libbpf 1.1 predates them, so the link is
 * made with the bpf(2) syscall directly. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "../common/elf_syms.h"

enum {
	ATTACH_TRACE_UPROBE_MULTI = 48, /* enum bpf_attach_type */
	UPROBE_MULTI_RETURN = 1,        /* BPF_F_UPROBE_MULTI_RETURN */
	CMD_LINK_CREATE = 28,           /* BPF_LINK_CREATE */
};

/* union bpf_attr for BPF_LINK_CREATE of a uprobe_multi link. */
struct link_create_uprobe_multi {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, multi_flags, pid, pad;
};

static int link_create(int prog_fd, const char *path, const uint64_t *offsets,
		       const uint64_t *cookies, uint32_t cnt, bool retprobe, pid_t pid)
{
	struct link_create_uprobe_multi attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = (uint32_t)prog_fd;
	attr.attach_type = ATTACH_TRACE_UPROBE_MULTI;
	attr.path = (uint64_t)(uintptr_t)path;
	attr.offsets = (uint64_t)(uintptr_t)offsets;
	attr.cookies = (uint64_t)(uintptr_t)cookies;
	attr.cnt = cnt;
	attr.multi_flags = retprobe ? UPROBE_MULTI_RETURN : 0;
	attr.pid = pid > 0 ? (uint32_t)pid : 0;
	int fd = (int)syscall(__NR_bpf, CMD_LINK_CREATE, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

/* As libbpf probes it: a uprobe_multi program loads, and a link on "/"
 * (not a regular file) fails with EBADF rather than EINVAL. */
bool probe_uprobe_multi_supported(void)
{
	const struct bpf_insn insns[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 }, /* r0 = 0 */
		{ .code = 0x95 },                         /* exit */
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = (enum bpf_attach_type)ATTACH_TRACE_UPROBE_MULTI);
	int prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", insns, 2, &opts);
	if (prog < 0)
		return false;
	uint64_t offset = 0;
	int link = link_create(prog, "/", &offset, NULL, 1, false, 0);
	if (link >= 0)
		close(link);
	close(prog);
	return link == -EBADF;
}

int probe_uprobe_multi_prepare(struct bpf_program *prog, const struct attach_spec *spec)
{
	return spec->nmulti ? bpf_program__set_expected_attach_type(prog, (enum bpf_attach_type)ATTACH_TRACE_UPROBE_MULTI)
			    : 0;
}

int probe_uprobe_multi_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			      struct probe_link **links, int *nlinks)
{
	struct elf_syms e;
	uint64_t *offsets = calloc((size_t)spec->nmulti, sizeof(*offsets));
	int err = 0;

	if (!offsets)
		return -ENOMEM;
	if (elf_syms_open(&e, spec->target)) {
		free(offsets);
		return -ENOEXEC;
	}
	for (int i = 0; i < spec->nmulti && !err; i++)
		err = elf_syms_vaddr_to_offset(&e, spec->multi[i].offset, &offsets[i]);
	elf_syms_close(&e);
	int fd = err ? err
		     : link_create(bpf_program__fd(prog), spec->target, offsets, spec->multi_cookies,
				   (uint32_t)spec->nmulti, spec->kind == PROBE_URETPROBE, pid);
	free(offsets);
	return fd < 0 ? fd : probe_links_push_fd(links, nlinks, fd);
}
