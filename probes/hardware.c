/* hardware:EVENT[:COUNT] (alias h): PMC events, sampled every COUNT events
 * on every CPU (or following -p PID). Machines without a PMU (this VM)
 * fail at attach with ENOENT, which the runtime reports. */
#include <linux/perf_event.h>

#include "internal.h"

static const char *const hardware_aliases[] = { "h", NULL };

static const struct perf_event_name hardware_events[] = {
	{ "cpu-cycles", "cycles", PERF_COUNT_HW_CPU_CYCLES, 1000000 },
	{ "instructions", NULL, PERF_COUNT_HW_INSTRUCTIONS, 1000000 },
	{ "cache-references", NULL, PERF_COUNT_HW_CACHE_REFERENCES, 1000000 },
	{ "cache-misses", NULL, PERF_COUNT_HW_CACHE_MISSES, 1000000 },
	{ "branch-instructions", "branches", PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 100000 },
	{ "branch-misses", NULL, PERF_COUNT_HW_BRANCH_MISSES, 100000 },
	{ "bus-cycles", NULL, PERF_COUNT_HW_BUS_CYCLES, 100000 },
	{ "frontend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, 1000000 },
	{ "backend-stalls", NULL, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, 1000000 },
	{ "ref-cycles", NULL, PERF_COUNT_HW_REF_CPU_CYCLES, 1000000 },
};

#define NEVENTS (sizeof(hardware_events) / sizeof(hardware_events[0]))

static int hardware_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			  const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	return probe_perf_parse(a, d, loc, "hardware", hardware_events, NEVENTS, parts, nparts,
				out);
}

static const char *hardware_section(struct arena *a, const struct attach_spec *spec)
{
	return "perf_event";
}

static int hardware_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			   struct probe_link **links, int *nlinks)
{
	return probe_perf_attach(prog, spec, pid, PERF_TYPE_HARDWARE, hardware_events, NEVENTS,
				 links, nlinks);
}

static void hardware_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			  bool verbose)
{
	probe_perf_list("hardware", hardware_events, NEVENTS, pattern, out);
}

const struct probe_ops probe_hardware_ops = {
	.name = "hardware",
	.aliases = hardware_aliases,
	.kind = PROBE_HARDWARE,
	.flags = PF_USER_CONTEXT | PF_LISTED | PF_REGS,
	.reg_offset = probe_pt_regs_offset,
	.parse = hardware_parse,
	.section = hardware_section,
	.attach = hardware_attach,
	.list = hardware_list,
};
