/* profile:UNIT:N (alias p): sampling on every CPU with a software
 * cpu-clock perf event per CPU (this machine has no hardware PMU; the
 * cpu-clock event works everywhere). With -p, one event follows the
 * process across CPUs instead. */
#include <linux/perf_event.h>

#include "internal.h"

static const char *const profile_aliases[] = { "p", NULL };

static int profile_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			 const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	return probe_timer_parse(a, d, loc, "profile", parts, nparts, out);
}

static const char *profile_section(struct arena *a, const struct attach_spec *spec)
{
	return "perf_event";
}

static int profile_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			  struct probe_link **links, int *nlinks)
{
	return probe_attach_perf_event_all_cpus(prog, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK,
						spec->period_ns, spec->freq_hz, pid, links,
						nlinks);
}

static void profile_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			 bool verbose)
{
	probe_timer_list("profile", pattern, out);
}

const struct probe_ops probe_profile_ops = {
	.name = "profile",
	.aliases = profile_aliases,
	.kind = PROBE_PROFILE,
	.flags = PF_USER_CONTEXT | PF_LISTED | PF_REGS | PF_SIGNAL,
	.reg_offset = probe_pt_regs_offset,
	.parse = profile_parse,
	.section = profile_section,
	.attach = profile_attach,
	.list = profile_list,
};
