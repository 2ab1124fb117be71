/* software:EVENT[:COUNT] (alias s): a BPF program on a software perf
 * event, sampled every COUNT events, on every CPU (or following -p PID).
 * Also the event-table helpers that hardware.c shares. */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *const software_aliases[] = { "s", NULL };

static const struct perf_event_name software_events[] = {
	{ "cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000 },
	{ "task-clock", NULL, PERF_COUNT_SW_TASK_CLOCK, 1 },
	{ "page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100 },
	{ "context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000 },
	{ "cpu-migrations", NULL, PERF_COUNT_SW_CPU_MIGRATIONS, 1 },
	{ "minor-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MIN, 100 },
	{ "major-faults", NULL, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1 },
	{ "alignment-faults", NULL, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1 },
	{ "emulation-faults", NULL, PERF_COUNT_SW_EMULATION_FAULTS, 1 },
	{ "dummy", NULL, PERF_COUNT_SW_DUMMY, 1 },
	{ "bpf-output", NULL, PERF_COUNT_SW_BPF_OUTPUT, 1 },
};

static const struct perf_event_name *find_event(const struct perf_event_name *events,
						size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(events[i].name, name) || (events[i].alias && !strcmp(events[i].alias, name)))
			return &events[i];
	return NULL;
}

int probe_perf_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		     const char *provider, const struct perf_event_name *events, size_t nevents,
		     char **parts, int nparts, struct attach_spec *out)
{
	const struct perf_event_name *ev;
	uint64_t count;

	if (nparts != 2 && nparts != 3)
		return probe_arity_error(d, loc, provider, "1 or 2", nparts - 1);
	if (probe_has_wildcard(parts[1])) {
		diag_error(d, loc, "%s probe type does not support wildcards", provider);
		return -1;
	}
	ev = find_event(events, nevents, parts[1]);
	if (!ev) {
		diag_error(d, loc, "%s is not a %s probe", parts[1], provider);
		return -1;
	}
	count = ev->default_count;
	if (nparts == 3 && parts[2][0] && (!probe_parse_u64(parts[2], &count) || count == 0)) {
		diag_error(d, loc, "Invalid count for %s probe: %s", provider, parts[2]);
		return -1;
	}
	out->func = ev->name;
	out->period_ns = count;
	/* `probe` names the event as written (software:cpu:1, not cpu-clock) */
	out->canonical = arena_printf(a, "%s:%s:%" PRIu64, provider, parts[1], count);
	return 0;
}

int probe_perf_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
		      uint32_t type, const struct perf_event_name *events, size_t nevents,
		      struct probe_link **links, int *nlinks)
{
	const struct perf_event_name *ev = spec->func ? find_event(events, nevents, spec->func)
						      : NULL;
	if (!ev)
		return -EINVAL;
	return probe_attach_perf_event_all_cpus(prog, type, ev->config,
						spec->period_ns ? spec->period_ns
								: ev->default_count,
						0, pid, links, nlinks);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every event name and alias (`software:cpu:` as well as `software:cpu-clock:`),
 * alphabetical like every other listing. */
void probe_perf_list(const char *provider, const struct perf_event_name *events,
		     size_t nevents, const char *pattern, FILE *out)
{
	const char *names[64];
	size_t n = 0;

	for (size_t i = 0; i < nevents && n + 2 <= sizeof(names) / sizeof(names[0]); i++) {
		names[n++] = events[i].name;
		if (events[i].alias)
			names[n++] = events[i].alias;
	}
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		char name[128];
		snprintf(name, sizeof(name), "%s:%s:", provider, names[i]);
		if (probe_list_match(pattern, name))
			fprintf(out, "%s\n", name);
	}
}

static int software_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			  const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	return probe_perf_parse(a, d, loc, "software", software_events,
				sizeof(software_events) / sizeof(software_events[0]), parts, nparts,
				out);
}

static const char *software_section(struct arena *a, const struct attach_spec *spec)
{
	return "perf_event";
}

static int software_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			   struct probe_link **links, int *nlinks)
{
	return probe_perf_attach(prog, spec, pid, PERF_TYPE_SOFTWARE, software_events,
				 sizeof(software_events) / sizeof(software_events[0]), links,
				 nlinks);
}

static void software_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			  bool verbose)
{
	probe_perf_list("software", software_events,
			sizeof(software_events) / sizeof(software_events[0]), pattern, out);
}

const struct probe_ops probe_software_ops = {
	.name = "software",
	.aliases = software_aliases,
	.kind = PROBE_SOFTWARE,
	.flags = PF_USER_CONTEXT | PF_LISTED | PF_REGS,
	.reg_offset = probe_pt_regs_offset,
	.parse = software_parse,
	.section = software_section,
	.attach = software_attach,
	.list = software_list,
};
