/* The probe-type interface: one file per probe type implements a
 * `struct probe_ops` and registers it in probe.c. The compiler resolves
 * attach points through probes_resolve(); the runtime attaches through
 * probe_attach(). */
#ifndef SONDE_PROBE_H
#define SONDE_PROBE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../common/arena.h"
#include "../common/diag.h"
#include "../common/program.h"
#include "../parser/ast.h"

struct bpf_program;
struct bpf_link;

/* An attached probe: a libbpf link, or (link NULL) the descriptor of a BPF
 * link libbpf 1.1 has no type for (uprobe_multi). */
struct probe_link {
	struct bpf_link *link;
	int fd;
};
/* Detach it (destroy the link or close the descriptor). */
void probe_link_destroy(struct probe_link *l);

/* How a probe that matches nothing / does not exist is reported (the
 * `missing_probes` config variable). */
enum probe_missing_mode { PROBE_MISSING_ERROR, PROBE_MISSING_WARN, PROBE_MISSING_IGNORE };

/* Kernel features that decide how probes attach (features.c). */
enum kernel_feature { KFEAT_KPROBES, KFEAT_FENTRY, KFEAT_UPROBE_MULTI, KFEAT_KPROBE_MULTI, KFEAT_KPROBE_SESSION, KERNEL_FEATURES };
struct kernel_features {
	unsigned known, present; /* bit (1 << feature): asked, and the answer */
	char why[KERNEL_FEATURES][160]; /* why a known feature is absent */
};
/* Whether the kernel has f, asked of it the first time only. */
bool kernel_feature_has(struct kernel_features *kf, enum kernel_feature f);
/* Why a feature found absent is, for messages. */
const char *kernel_feature_why(const struct kernel_features *kf, enum kernel_feature f);
const char *kernel_feature_name(enum kernel_feature f);
/* A run traces (test: and bench: probes ignored), or runs only the test:
 * probes (--test), or only the bench: probes (--bench). */
enum probe_run_mode { PROBE_RUN_TRACE, PROBE_RUN_TESTS, PROBE_RUN_BENCHES };

/* The run-time context some probe types need to resolve attach points. */
struct probe_context {
	pid_t pid;                     /* -p PID, 0 when absent */
	bool child;                    /* -c CMD: its pid is known at attach time */
	bool unsafe;                   /* --unsafe: address probes, non-ELF uprobe targets */
	enum probe_missing_mode missing;
	bool usdt_file_activation;     /* --usdt-file-activation: usdt probes attach to
					  every process mapping the binary, even with -p */
	struct kernel_features *features; /* the compilation's answers so far; NULL: ask each time */
	enum probe_run_mode run;       /* which probes the run has; the others resolve to nothing */
};

struct probe_ops {
	const char *name;            /* canonical provider name */
	const char *const *aliases;  /* NULL-terminated, may be NULL */
	enum probe_kind kind;
	unsigned flags;              /* enum probe_flag */
	const char *probetype;       /* value of the `probetype` builtin; NULL: name */
	/* Byte offset of argN in the program's context, -1 when the type has
	 * no argument n. NULL: argN cannot be used. */
	int (*arg_offset)(int n);
	/* Byte offset of register `name` ("ax", "ip", ...) in the context, -1
	 * for an unknown register. Set exactly when flags has PF_REGS. */
	int (*reg_offset)(const char *name);
	/* parts[0] is the provider as written; parts[1..n-1] follow. Fill *out
	 * with the pattern (may still contain wildcards); *out arrives with
	 * kind and flags set. Report problems with diag_error at loc and
	 * return -1. */
	int (*parse)(struct arena *a, struct diags *d, const struct src_loc *loc,
		     const struct probe_context *ctx, char **parts, int nparts,
		     struct attach_spec *out);
	/* Expand wildcards into concrete specs (arena array). A pattern that
	 * matches nothing (or a concrete probe that does not exist) is reported
	 * at loc per ctx->missing (error, warning or nothing) and gives
	 * *n == 0. NULL: no wildcards, the pattern is the one spec. */
	int (*expand)(struct arena *a, struct diags *d, const struct src_loc *loc,
		      const struct probe_context *ctx, const struct attach_spec *pattern,
		      struct attach_spec **out, int *n);
	/* ELF section name for the program, selecting the libbpf program type. */
	const char *(*section)(struct arena *a, const struct attach_spec *spec);
	/* The section of the program as a BPF_PROG_TYPE_TRACING program, for
	 * a probe that uses what only those have (skboutput()); NULL: the
	 * type's programs are tracing programs already, or cannot be. */
	const char *(*tracing_section)(struct arena *a, const struct attach_spec *spec);
	/* Attach a loaded program. Returns 0 or a negative errno; links are
	 * appended to *links (realloc'd array, *nlinks entries). pid > 0 limits
	 * user-space probes to that process. */
	int (*attach)(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
		      struct probe_link **links, int *nlinks);
	/* Settings the program needs before it is loaded (its attach type, the
	 * BPF program it traces). Returns 0 or a negative errno. May be NULL. */
	int (*prepare)(struct bpf_program *prog, const struct attach_spec *spec);
	/* Why attach (or loading the program) failed with err, when the
	 * errno alone would not say (a missing kernel feature); NULL: strerror
	 * says it. The text may be composed in buf (len bytes). May be NULL. */
	const char *(*explain)(const struct attach_spec *spec, int err, char *buf, size_t len);
	/* `-l`: print every probe of this type matching the glob pattern
	 * (canonical names, one per line, sorted); verbose adds arguments.
	 * The pattern is matched against whole canonical names; NULL matches
	 * all. probes_list() rewrites aliases to the canonical provider before
	 * calling this. ctx->pid > 0: user-space types list what that process
	 * maps. */
	void (*list)(const char *pattern, const struct probe_context *ctx, FILE *out, bool verbose);
};

const struct probe_ops *probe_ops_find(const char *provider);
extern const struct probe_ops *const probe_types[]; /* NULL-terminated */

/* The probe type of a resolved attach point. */
const struct probe_ops *probe_ops_of(const struct attach_spec *spec);

/* Split an attach point, substitute $N by positional parameters, find its
 * provider, parse and expand it. On success *out holds *n concrete specs.
 * ctx may be NULL (no -p, no --unsafe, missing probes are errors). With
 * PROBE_MISSING_WARN/IGNORE a probe that matches nothing yields 0 specs and
 * returns 0. */
int probes_resolve(struct arena *a, struct diags *d, const struct attach_point *ap,
		   char *const *params, int nparams, const struct probe_context *ctx,
		   struct attach_spec **out, int *n);

/* Split raw attach-point text per LANGUAGE.md section 2: $N substituted
 * (outside quotes), split at ':' and '@' outside quotes ('@' is a part of its
 * own), quotes dropped, `\c` inside quotes is `c`. Errors at loc. */
int probe_split(struct arena *a, struct diags *d, const struct src_loc *loc, const char *raw,
		char *const *params, int nparams, char ***parts, int *nparts);

/* Attach a loaded program per its attach point. Programs with PF_RUN_ONCE
 * attach nothing: run them with probe_run_once. */
int probe_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
		 struct probe_link **links, int *nlinks);

/* Prepare a program for loading per its attach point (probe_ops.prepare).
 * Returns 0 or a negative errno. */
int probe_prepare(struct bpf_program *prog, const struct attach_spec *spec);

/* The reason an attach failed with err: the probe type's explanation, else
 * strerror(-err). */
const char *probe_attach_error(const struct attach_spec *spec, int err, char *buf, size_t len);
/* The probe type's explanation of a failed load or attach, NULL if none. */
const char *probe_explain(const struct attach_spec *spec, int err, char *buf, size_t len);

/* Run a loaded begin/end program once, now, on the calling CPU
 * (BPF_PROG_TEST_RUN of its BPF_PROG_TYPE_RAW_TRACEPOINT program with a
 * context of 8 zero u64 arguments). Returns 0 or a negative errno. */
int probe_run_once(struct bpf_program *prog);
/* The same, giving the program's return value. */
int probe_test_run(struct bpf_program *prog, uint32_t *retval);

/* `-l [PATTERN]`: PATTERN may hold several comma-separated patterns; NULL,
 * "" or "*" lists every kernel probe type. Provider aliases are accepted.
 * pid > 0: `-p PID`. Unknown provider: error (no location) in d, returns -1. */
int probes_list(struct diags *d, const char *pattern, pid_t pid, FILE *out, bool verbose);

/* Tracepoint format (from tracefs events/CAT/EVENT/format), common_ fields
 * excluded. */
struct tp_field {
	const char *name;
	const char *ctype;   /* C type as written, e.g. "const char *", "int", "char[16]" */
	int offset, size;
	bool is_signed;
	bool is_pointer;     /* ctype ends in '*' */
	bool is_data_loc;    /* __data_loc: the u32 at offset holds (len << 16 | off) */
	int array_len;       /* > 0 for fixed arrays `type name[N]` */
	bool is_char_array;  /* char name[N]: a string */
	const char *decl;    /* declaration as in the format file, "const char * filename" */
};

struct tp_format {
	int nfields;
	struct tp_field *fields;
};

/* Returns 0, or -1 when the tracepoint does not exist (no diagnostic). */
int tracepoint_format(struct arena *a, const char *category, const char *event,
		      struct tp_format *out);

/* $SONDE_BTF or $BPFTRACE_BTF; NULL: the running kernel's BTF. */
const char *btf_path(void);

/* Raw tracepoint arguments from BTF (vmlinux or a module's split BTF):
 * returns the id of a FUNC_PROTO whose parameters after the first
 * (`void *__data`) are the tracepoint's arguments, or a negative errno.
 * *named: the parameters carry names (from `__probestub_EVENT`, kernel
 * >= 6.4); otherwise they are unnamed (from the btf_trace_EVENT typedef). */
struct btf;
int rawtracepoint_proto(const struct btf *btf, const char *event, bool *named);

/* uprobe_multi links (one program on many functions of a binary): whether
 * this kernel has them (needs the privileges to load BPF). */
bool probe_uprobe_multi_supported(void);

/* syscalls:sys_enter_X and sys_exit_X are bound to the system calls that
 * raw_syscalls:sys_enter and sys_exit see, whose records lay out the same:
 * the number (a long) at SYSCALL_RECORD_NR, then the arguments or `ret`
 * at the offsets of the syscall's own format. One program on the raw
 * tracepoint can stand for many of them. */
enum syscall_side { SYSCALL_ENTER, SYSCALL_EXIT };
enum { SYSCALL_RECORD_NR = 8 };
#define RAW_SYSCALLS_CATEGORY "raw_syscalls"
/* The system call number of a syscalls:sys_enter_X / sys_exit_X attach
 * point and its side; -1 for any other attach point, and for a tracepoint
 * whose number is not known with certainty. */
int syscall_tracepoint_nr(const struct attach_spec *spec, enum syscall_side *side);

/* Glob match where '*' matches any run of characters. */
bool probe_glob_match(const char *pattern, const char *text);

#endif
