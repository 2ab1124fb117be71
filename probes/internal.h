/* Helpers shared by the probe-type implementations; not part of the
 * interface seen by the rest of sonde (that is probe.h). */
#ifndef SONDE_PROBES_INTERNAL_H
#define SONDE_PROBES_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "probe.h"

extern const struct probe_ops probe_begin_ops, probe_end_ops;
extern const struct probe_ops probe_tracepoint_ops;
extern const struct probe_ops probe_interval_ops, probe_profile_ops;
extern const struct probe_ops probe_software_ops, probe_hardware_ops;
extern const struct probe_ops probe_uprobe_ops, probe_uretprobe_ops;
extern const struct probe_ops probe_kprobe_ops, probe_kretprobe_ops;
extern const struct probe_ops probe_rawtracepoint_ops;
extern const struct probe_ops probe_self_ops;
extern const struct probe_ops probe_watchpoint_ops, probe_asyncwatchpoint_ops;
extern const struct probe_ops probe_iter_ops;
extern const struct probe_ops probe_fentry_ops, probe_fexit_ops;
extern const struct probe_ops probe_kprobe_fentry_ops, probe_kretprobe_fexit_ops;
extern const struct probe_ops probe_kprobe_session_ops;
extern const struct probe_ops probe_test_ops;
extern const struct probe_ops probe_bench_ops;
extern const struct probe_ops probe_usdt_ops;

/* Context access (context.c): offsets in an x86-64 struct pt_regs of a
 * register by name ("pc" = "ip") and of argument n (-1 past the six
 * register arguments); offsets of the u64 arguments of a raw tracepoint. */
int probe_pt_regs_offset(const char *name);
int probe_pt_regs_arg_offset(int n);
int probe_raw_arg_offset(int n);

/* '*', '?' or a '[...]' class: the text is a glob pattern. */
bool probe_has_wildcard(const char *s);

/* Integer literal as in attach points: decimal, 0x hex, 0 octal, '_'
 * separators. Returns false on anything else or overflow. */
bool probe_parse_u64(const char *s, uint64_t *out);

/* "P probe type requires EXPECTED arguments, found N" at loc. */
int probe_arity_error(struct diags *d, const struct src_loc *loc, const char *provider,
		      const char *expected, int found);

/* Report a probe that does not exist / matches nothing, per the
 * missing_probes mode. Always returns 0 (the caller yields no specs). */
int probe_missing(struct diags *d, const struct src_loc *loc, enum probe_missing_mode mode,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with a hint ("Did you mean ..."; NULL: none). */
int probe_missing_hint(struct diags *d, const struct src_loc *loc, enum probe_missing_mode mode,
		       const char *hint, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* User-space targets (target.c). */
bool probe_is_regular_file(const char *path);
/* An ELF executable or shared object. */
bool probe_is_elf_object(const char *path);
/* Resolve BIN as written to a path: a path with '/' as written (globs stay
 * globs; with -p, one only the process sees is reached through
 * /proc/PID/root), `lib*` names through /etc/ld.so.cache, other bare names
 * in $PATH, "" with -p PID the process's executable, "*" with -p itself.
 * provider names the probe type in errors. NULL: reported at loc. */
const char *probe_resolve_target(struct arena *a, struct diags *d, const struct src_loc *loc,
				 const char *provider, const char *bin, pid_t pid);
/* What a target file may be. */
enum target_files {
	TARGET_ELF,           /* an ELF executable or shared object */
	TARGET_ELF_OR_UNSAFE, /* that, and the error hints that --unsafe allows any file */
	TARGET_ANY,           /* any regular file */
};
/* 0, or -1 with an error at loc when path is not such a file. */
int probe_check_target(struct diags *d, const struct src_loc *loc, const char *provider,
		       const char *path, enum target_files files);

/* A growable array of specs in the arena (old blocks are simply left
 * behind: arenas do not free). */
struct spec_vec {
	struct attach_spec *v;
	int n, cap;
};
struct attach_spec *spec_vec_push(struct arena *a, struct spec_vec *sv);
/* Sort by canonical name and drop duplicates. */
void spec_vec_sort_unique(struct spec_vec *sv);

/* A growable array of strings in a caller-managed arena. */
struct str_vec {
	const char **v;
	int n, cap;
};
void str_vec_push(struct arena *a, struct str_vec *sv, const char *s);
void str_vec_sort_unique(struct str_vec *sv);

/* The files a user-space target stands for, appended to out: target
 * itself when it is a plain path; the ELF files a glob matches; for "*"
 * every ELF object that process pid maps (pid 0: any process), sorted. */
void probe_target_files(struct arena *a, const char *target, pid_t pid, struct str_vec *out);

/* A virtual address of an ELF file to the file offset uprobes want: 0,
 * -ENOEXEC (not ELF) or -ENOENT (in no executable segment). */
int probe_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *off);

/* "/sys/kernel/tracing" or "/sys/kernel/debug/tracing", whichever has an
 * events/ directory; NULL when tracefs is not mounted. */
const char *probe_tracefs_dir(void);

/* Append a link to the caller's array; on allocation failure the link is
 * destroyed and -ENOMEM returned. */
int probe_links_push(struct probe_link **links, int *nlinks, struct bpf_link *l);
/* The same for a BPF link descriptor libbpf has no type for (it is closed
 * on failure). */
int probe_links_push_fd(struct probe_link **links, int *nlinks, int fd);
/* The same for what a libbpf attach function returned: its error, if it
 * failed. */
int probe_links_add(struct probe_link **links, int *nlinks, struct bpf_link *l);

/* Open the perf event attr describes for pid/cpu and attach prog to it
 * (the link owns the fd; on failure it is closed here). 0 or -errno. */
struct perf_event_attr;
int probe_attach_perf_attr(struct bpf_program *prog, struct perf_event_attr *attr, pid_t pid,
			   int cpu, struct probe_link **links, int *nlinks);

/* Open a perf event (type/config, sampling by period or by frequency) for
 * pid/cpu and attach prog to it. The link owns the perf fd (libbpf closes
 * it in bpf_link__destroy); on failure the fd is closed here. Returns 0 or a
 * negative errno. */
int probe_attach_perf_event(struct bpf_program *prog, uint32_t type, uint64_t config,
			    uint64_t period, uint64_t freq, pid_t pid, int cpu,
			    struct probe_link **links, int *nlinks);

/* Attach to one perf event per possible CPU (or, with pid > 0, one event
 * following that process on any CPU). CPUs that are offline are skipped;
 * succeeds if at least one event was attached. */
int probe_attach_perf_event_all_cpus(struct bpf_program *prog, uint32_t type, uint64_t config,
				     uint64_t period, uint64_t freq, pid_t pid,
				     struct probe_link **links, int *nlinks);

/* Attach a uprobe_multi program (spec->nmulti > 0) with one link. */
/* The attach type a uprobe_multi program (spec->nmulti > 0) is loaded with. */
int probe_uprobe_multi_prepare(struct bpf_program *prog, const struct attach_spec *spec);
int probe_uprobe_multi_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			      struct probe_link **links, int *nlinks);

struct bpf_insn;
/* kprobe sessions (kprobe_session.c): a program loaded with the session
 * attach type and a session link on syms (cnt of them); descriptors or
 * negative errnos. */
int probe_kprobe_session_load(const struct bpf_insn *insns, size_t ninsns);
int probe_kprobe_session_link(int prog_fd, const char *const *syms, const uint64_t *cookies, uint32_t cnt);
/* Why a kprobe cannot attach on a kernel without kprobes (kprobe.c). */
const char *probe_kprobe_explain(const struct attach_spec *spec, int err, char *buf, size_t len);

/* Print name if it matches the -l pattern (NULL matches everything). */
bool probe_list_match(const char *pattern, const char *name);

/* Split "SYM", "SYM+OFF" or "0xADDR" (attach_spec.func) into the symbol
 * (copied to sym, "" for the address form) and the offset or address.
 * Returns false if func is malformed or the symbol does not fit. */
bool probe_split_func(const char *func, char *sym, size_t symsz, uint64_t *off);

/* interval/profile attach points: `P:UNIT:N` (hz s ms us ns) or `P:N[SUFFIX]`
 * (nanoseconds, suffixes ns us ms s m h d). Fills period_ns or freq_hz and
 * the canonical name. */
int probe_timer_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		      const char *provider, char **parts, int nparts, struct attach_spec *out);
void probe_timer_list(const char *provider, const char *pattern, FILE *out);

/* software / hardware perf events: `P:EVENT[:COUNT]`: perf_event programs
 * like profile, with func = the canonical event name and period_ns = COUNT
 * (a sample period in events, not nanoseconds). */
struct perf_event_name {
	const char *name, *alias;
	uint64_t config;
	uint64_t default_count;
};
int probe_perf_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		     const char *provider, const struct perf_event_name *events, size_t nevents,
		     char **parts, int nparts, struct attach_spec *out);
int probe_perf_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
		      uint32_t type, const struct perf_event_name *events, size_t nevents,
		      struct probe_link **links, int *nlinks);
void probe_perf_list(const char *provider, const struct perf_event_name *events,
		     size_t nevents, const char *pattern, FILE *out);

/* uprobe:BIN@FILE:LINE[:COL] (uprobe_dwarf.c): pos holds FILE, LINE and
 * maybe COL; out->target is the resolved binary. The line's lowest
 * statement address becomes an address probe. */
int uprobe_line_parse(struct arena *a, struct diags *d, const struct src_loc *loc, const char *provider,
		      char **pos, int npos, struct attach_spec *out);

/* `-lv`: the parameters of func from the DWARF of df, "    TYPE NAME" each. */
struct dwarf_file;
void uprobe_list_params(struct arena *a, struct dwarf_file *df, const char *func, FILE *out);

/* kernel_btf.c: called per named BTF type of the wanted kind, with the
 * module ("vmlinux" for the kernel) and the BTF that defines it (alive
 * during the call only). */
struct btf;
typedef void (*kernel_btf_fn)(const char *mod, const char *name, const struct btf *btf, uint32_t id,
			      void *arg);
/* Walk vmlinux and the module BTFs whose name matches mod_glob. Returns -1
 * when vmlinux BTF is unavailable. */
int kernel_btf_scan(const char *mod_glob, int kind, kernel_btf_fn fn, void *arg);
/* `-lv`: "    TYPE NAME" per parameter of a FUNC_PROTO from index first
 * (unnamed ones, or all unless named, as argN), then "    TYPE retval" if
 * asked and the function returns a value. */
void kernel_btf_print_params(const struct btf *btf, uint32_t proto_id, int first, bool named, bool retval,
			     FILE *out);
/* The end of an expansion from kernel BTF (wild: the pattern had a
 * wildcard): nothing matched ("No PLURAL matched", "Unknown SINGULAR",
 * reported per ctx->missing), one name in several modules (an error), or
 * the sorted specs in *out. */
int kernel_btf_expanded(struct diags *d, const struct src_loc *loc, const struct probe_context *ctx,
			const struct attach_spec *pattern, bool wild, const char *plural, const char *singular,
			struct spec_vec *sv, struct attach_spec **out, int *n);
/* `-l`: add a probe name to names (verbose: with its parameters from the
 * prototype proto_id, as kernel_btf_print_params); print them sorted. */
void kernel_btf_list_add(struct arena *a, struct str_vec *names, const char *probe, bool verbose,
			 const struct btf *btf, int proto_id, int first, bool named, bool retval);
void kernel_btf_list_print(struct str_vec *names, bool verbose, FILE *out);

#endif
