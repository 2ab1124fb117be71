/* kfunc_allowed("f"): whether the kernel lets the programs of the current
 * probe call kfunc f. The kernel keeps its kfunc sets per program type in
 * the .BTF_ids section of vmlinux, which nothing exports at run time, so
 * the answer comes from the kernel itself: a program of the probe's type
 * (its libbpf section) that calls f is loaded, and the verifier's log says
 * whether the call was refused (the allow check comes before the arguments
 * are checked, so the arguments this program leaves unset do not matter:
 * an error about them means the call itself passed).
 * Answers are kept per compilation, one per kfunc and section. */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include "btf.h"
#include "functions.h"
#include "sema_internal.h"

/* Verifier messages that refuse the call itself (kernel/bpf/verifier.c),
 * once it got to checking the call instruction. */
static const char *const refusals[] = {
	"is not allowed",            /* not in the program type's kfunc set, or its filter says no */
	"program must be sleepable", /* a sleepable kfunc */
	NULL,
};

/* The BTF id of what a TRACING program attaches to: the iterator's
 * bpf_iter_NAME, a tp_btf tracepoint's btf_trace_NAME typedef, else the
 * function after the section's '/'. */
static int tracing_target(const struct btf *vmlinux, const char *section, enum bpf_attach_type attach)
{
	const char *slash = strchr(section, '/');
	if (!slash)
		return -1;
	char name[256];
	const char *prefix = attach == BPF_TRACE_ITER ? "bpf_iter_" : attach == BPF_TRACE_RAW_TP ? "btf_trace_" : "";
	snprintf(name, sizeof(name), "%s%s", prefix, slash + 1);
	return btf__find_by_name_kind(vmlinux, name, attach == BPF_TRACE_RAW_TP ? BTF_KIND_TYPEDEF : BTF_KIND_FUNC);
}

/* 1: allowed, 0: refused, -1: the program type could not be tried. */
static int try_kfunc(const char *section, int kfunc_id)
{
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	if (libbpf_prog_type_by_name(section, &type, &attach))
		return -1;
	char log[4096] = "";
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach, .log_buf = log,
		    .log_size = sizeof(log), .log_level = 1);
	if (type == BPF_PROG_TYPE_TRACING) {
		struct btf *vmlinux = btf__load_vmlinux_btf();
		if (libbpf_get_error(vmlinux))
			return -1;
		int target = tracing_target(vmlinux, section, attach);
		btf__free(vmlinux);
		if (target <= 0)
			return -1;
		opts.attach_btf_id = (__u32)target;
	}
	struct bpf_insn insns[] = {
		{ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL, .imm = kfunc_id },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(type, "kfunc_allowed", "GPL", insns, sizeof(insns) / sizeof(insns[0]), &opts);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	/* A refusal before the instruction is checked (no JIT support,
	 * device-bound kfuncs) leaves no "call" line; a program that reached
	 * the call and failed on its unset arguments had the call allowed. */
	const char *call = strstr(log, "call ");
	if (!call)
		return log[0] ? 0 : -1;
	for (const char *const *r = refusals; *r; r++)
		if (strstr(call, *r))
			return 0;
	return 1;
}

static int cached_answer(struct compiler *c, const char *kfunc, const char *section, int kfunc_id)
{
	for (int i = 0; i < c->nkfunc_answers; i++)
		if (!strcmp(c->kfunc_answers[i].kfunc, kfunc) && !strcmp(c->kfunc_answers[i].section, section))
			return c->kfunc_answers[i].allowed;
	int allowed = try_kfunc(section, kfunc_id);
	c->kfunc_answers = grow_array(c->arena, c->kfunc_answers, c->nkfunc_answers, &c->cap_kfunc_answers,
				      sizeof(*c->kfunc_answers), 4);
	c->kfunc_answers[c->nkfunc_answers++] = (struct kfunc_answer){ kfunc, section, allowed };
	return allowed;
}

/* true when every program of the probe may call it */
const struct type *check_kfunc_allowed(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *name = literal_string_arg(s, n);
	if (!name)
		return &type_none;
	struct btf_types *bt = compiler_btf(s->c);
	int id = bt ? btf_function_id(bt, name) : 0;
	bool allowed = id > 0;
	for (int i = 0; allowed && s->c->second_pass && i < s->probe->nspecs; i++) {
		const struct attach_spec *spec = &s->probe->specs[i];
		/* the first pass found whether the program is a tracing one */
		const char *section = probe_section(s->c->arena, s->probe, spec);
		int answer = section ? cached_answer(s->c, name, section, id) : -1;
		if (answer < 0) {
			ERR(s, &n->loc, "kfunc_allowed(): a program for %s could not be loaded to ask the kernel",
			    spec->canonical);
			return &type_none;
		}
		allowed = answer == 1;
	}
	if (s->c->second_pass) {
		n->kind = N_BOOL;
		n->ival = allowed;
		n->args = NULL;
	}
	return &type_bool;
}
