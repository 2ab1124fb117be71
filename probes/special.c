/* begin / end: run once, from user space, before the other probes are
 * attached and after they are detached.
 *
 * The programs are BPF_PROG_TYPE_RAW_TRACEPOINT (section "raw_tp" without a
 * tracepoint name, which libbpf loads without attaching anything) because
 * that type supports BPF_PROG_TEST_RUN with a caller-supplied context and
 * has the tracing helpers (ring buffer, maps, pid/comm, ktime,
 * probe_read_*, stacks). The runtime runs them with probe_run_once().
 * test: and bench: probes are programs of the same kind. */
#include <string.h>

#include "internal.h"

static int special_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			 char **parts, int nparts, struct attach_spec *out, const char *name)
{
	if (nparts != 1)
		return probe_arity_error(d, loc, name, "0", nparts - 1);
	out->canonical = name;
	return 0;
}

static int begin_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		       const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	return special_parse(a, d, loc, parts, nparts, out, "begin");
}

static int end_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		     const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	return special_parse(a, d, loc, parts, nparts, out, "end");
}

static const char *special_section(struct arena *a, const struct attach_spec *spec)
{
	return "raw_tp";
}

const struct probe_ops probe_begin_ops = {
	.name = "begin",
	.kind = PROBE_BEGIN,
	.flags = PF_RUN_ONCE,
	.probetype = "special",
	.parse = begin_parse,
	.section = special_section,
};

const struct probe_ops probe_end_ops = {
	.name = "end",
	.kind = PROBE_END,
	.flags = PF_RUN_ONCE,
	.probetype = "special",
	.parse = end_parse,
	.section = special_section,
};

/* test:NAME and bench:NAME: run only by --test / --bench (the runtime's
 * tests.c), as begin is run. */
static int named_parse(struct arena *a, struct diags *d, const struct src_loc *loc, char **parts, int nparts,
		       struct attach_spec *out)
{
	const char *provider = out->kind == PROBE_TEST ? "test" : "bench";
	if (nparts != 2)
		return probe_arity_error(d, loc, provider, "1", nparts - 1);
	if (!*parts[1]) {
		diag_error(d, loc, "%s probes need a name: %s:NAME", provider, provider);
		return -1;
	}
	out->func = parts[1];
	out->canonical = arena_printf(a, "%s:%s", provider, parts[1]);
	return 0;
}

static int test_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		      const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	return named_parse(a, d, loc, parts, nparts, out);
}

const struct probe_ops probe_test_ops = {
	.name = "test",
	.kind = PROBE_TEST,
	.flags = PF_RUN_ONCE | PF_RESULT,
	.probetype = "test",
	.parse = test_parse,
	.section = special_section,
};

const struct probe_ops probe_bench_ops = {
	.name = "bench",
	.kind = PROBE_BENCH,
	.flags = PF_RUN_ONCE | PF_RESULT | PF_TIMED,
	.probetype = "bench",
	.parse = test_parse,
	.section = special_section,
};
