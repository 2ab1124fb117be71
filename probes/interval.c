/* interval:UNIT:N (alias i): fires every period on one CPU, driven by a
 * software cpu-clock perf event. Also the timer-spec parsing that profile
 * shares. */
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "internal.h"

#define NSEC_PER_SEC 1000000000ULL
#define MIN_PERIOD_NS 1000ULL

static const char *const interval_aliases[] = { "i", NULL };

struct time_unit {
	const char *name;
	uint64_t ns; /* 0: a rate in hz */
};

/* Units of `P:UNIT:N`. ns is not in bpftrace's list; it is accepted so that
 * the canonical name of `interval:1500` (`interval:ns:1500`) parses back. */
static const struct time_unit units[] = {
	{ "hz", 0 }, { "s", NSEC_PER_SEC }, { "ms", 1000000 }, { "us", 1000 }, { "ns", 1 },
};

/* Duration suffixes of the single-part form `P:100ms`. */
static const struct time_unit suffixes[] = {
	{ "", 1 }, { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", NSEC_PER_SEC },
	{ "m", 60 * NSEC_PER_SEC }, { "h", 3600 * NSEC_PER_SEC }, { "d", 86400 * NSEC_PER_SEC },
};

static const struct time_unit *find_unit(const struct time_unit *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static int bad_unit(struct diags *d, const struct src_loc *loc, const char *provider,
		    const char *unit)
{
	struct diag_entry *e = diag_error(d, loc, "%s is not an accepted unit of time", unit);
	diag_hint(d, e, "%s probes take hz, s, ms or us (%s:s:1), or nanoseconds with an "
		  "optional suffix (%s:100ms)", provider, provider, provider);
	return -1;
}

static int too_short(struct diags *d, const struct src_loc *loc, const char *provider,
		     uint64_t ns)
{
	diag_error(d, loc, "%s period of %" PRIu64 " ns is too short. Minimum is 1000 or 1us",
		   provider, ns);
	return -1;
}

/* `P:UNIT:N` */
static int parse_unit_form(struct arena *a, struct diags *d, const struct src_loc *loc,
			   const char *provider, const char *unit_text, const char *value,
			   struct attach_spec *out)
{
	const struct time_unit *unit =
		find_unit(units, sizeof(units) / sizeof(units[0]), unit_text);
	uint64_t n;

	if (!unit)
		return bad_unit(d, loc, provider, unit_text);
	if (!probe_parse_u64(value, &n)) {
		diag_error(d, loc, "Invalid rate of %s probe: %s", provider, value);
		return -1;
	}
	if (unit->ns == 0) {
		if (n == 0) {
			diag_error(d, loc, "%s frequency should be a positive integer", provider);
			return -1;
		}
		out->freq_hz = n;
	} else {
		if (n > UINT64_MAX / unit->ns) {
			diag_error(d, loc, "Invalid rate of %s probe: %s (too large)", provider, value);
			return -1;
		}
		out->period_ns = n * unit->ns;
		if (out->period_ns < MIN_PERIOD_NS)
			return too_short(d, loc, provider, out->period_ns);
	}
	out->canonical = arena_printf(a, "%s:%s:%" PRIu64, provider, unit->name, n);
	return 0;
}

/* `P:NANOS` with an optional duration suffix: `interval:1s`. */
static int parse_duration_form(struct arena *a, struct diags *d, const struct src_loc *loc,
			       const char *provider, const char *text, struct attach_spec *out)
{
	size_t digits = strspn(text, "0123456789_");
	const struct time_unit *sfx =
		find_unit(suffixes, sizeof(suffixes) / sizeof(suffixes[0]), text + digits);
	char *num = arena_strndup(a, text, digits);
	uint64_t n;

	if (digits == 0 || !probe_parse_u64(num, &n)) {
		/* `interval:s` (unit without a value) or plain junk */
		if (find_unit(units, sizeof(units) / sizeof(units[0]), text)) {
			diag_error(d, loc, "%s probe type requires a value after the unit: %s:%s:N",
				   provider, provider, text);
			return -1;
		}
		diag_error(d, loc, "Invalid rate of %s probe: %s", provider, text);
		return -1;
	}
	if (!sfx)
		return bad_unit(d, loc, provider, text + digits);
	if (n > UINT64_MAX / sfx->ns) {
		diag_error(d, loc, "Invalid rate of %s probe: %s (too large)", provider, text);
		return -1;
	}
	out->period_ns = n * sfx->ns;
	if (out->period_ns < MIN_PERIOD_NS)
		return too_short(d, loc, provider, out->period_ns);
	/* Canonical: microseconds when exact (`interval:1s` is
	 * `interval:us:1000000`), else nanoseconds. */
	if (out->period_ns % 1000 == 0)
		out->canonical = arena_printf(a, "%s:us:%" PRIu64, provider, out->period_ns / 1000);
	else
		out->canonical = arena_printf(a, "%s:ns:%" PRIu64, provider, out->period_ns);
	return 0;
}

int probe_timer_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		      const char *provider, char **parts, int nparts, struct attach_spec *out)
{
	if (nparts == 3)
		return parse_unit_form(a, d, loc, provider, parts[1], parts[2], out);
	if (nparts == 2)
		return parse_duration_form(a, d, loc, provider, parts[1], out);
	return probe_arity_error(d, loc, provider, "1 or 2", nparts - 1);
}

void probe_timer_list(const char *provider, const char *pattern, FILE *out)
{
	/* Alphabetical, like every other listing. */
	static const char *const listed[] = { "hz", "ms", "s", "us" };
	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s:%s:", provider, listed[i]);
		if (probe_list_match(pattern, name))
			fprintf(out, "%s\n", name);
	}
}

static int interval_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			  const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	return probe_timer_parse(a, d, loc, "interval", parts, nparts, out);
}

static const char *perf_event_section(struct arena *a, const struct attach_spec *spec)
{
	return "perf_event";
}

static int interval_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			   struct probe_link **links, int *nlinks)
{
	int ncpus = libbpf_num_possible_cpus();
	int err = -ENODEV;

	if (ncpus < 0)
		return ncpus;
	/* A cpu-clock event bound to one CPU (any task) ticks with wall time
	 * on that CPU, idle or not: one timer for the whole system. -p does
	 * not apply to interval. CPU 0 normally; the next one if offline. */
	for (int cpu = 0; cpu < ncpus && err == -ENODEV; cpu++)
		err = probe_attach_perf_event(prog, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK,
					      spec->period_ns, spec->freq_hz, -1, cpu, links,
					      nlinks);
	return err;
}

static void interval_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			  bool verbose)
{
	probe_timer_list("interval", pattern, out);
}

const struct probe_ops probe_interval_ops = {
	.name = "interval",
	.aliases = interval_aliases,
	.kind = PROBE_INTERVAL,
	.flags = PF_LISTED | PF_REGS,
	.reg_offset = probe_pt_regs_offset,
	.parse = interval_parse,
	.section = perf_event_section,
	.attach = interval_attach,
	.list = interval_list,
};
