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

/* "/sys/kernel/tracing" or "/sys/kernel/debug/tracing", whichever has an
 * events/ directory; NULL when tracefs is not mounted. */
const char *probe_tracefs_dir(void);

/* Append a link to the caller's array; on allocation failure the link is
 * destroyed and -ENOMEM returned. */
int probe_links_push(struct bpf_link ***links, int *nlinks, struct bpf_link *l);

/* Open a perf event (type/config, sampling by period or by frequency) for
 * pid/cpu and attach prog to it. The link owns the perf fd (libbpf closes
 * it in bpf_link__destroy); on failure the fd is closed here. Returns 0 or a
 * negative errno. */
int probe_attach_perf_event(struct bpf_program *prog, uint32_t type, uint64_t config,
			    uint64_t period, uint64_t freq, pid_t pid, int cpu,
			    struct bpf_link ***links, int *nlinks);

/* Attach to one perf event per possible CPU (or, with pid > 0, one event
 * following that process on any CPU). CPUs that are offline are skipped;
 * succeeds if at least one event was attached. */
int probe_attach_perf_event_all_cpus(struct bpf_program *prog, uint32_t type, uint64_t config,
				     uint64_t period, uint64_t freq, pid_t pid,
				     struct bpf_link ***links, int *nlinks);

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
		      struct bpf_link ***links, int *nlinks);
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

#endif
