/* self:signal:SIGUSR1: run when sonde itself receives SIGUSR1. Like
 * begin/end, the program is a raw_tp program the runtime runs with
 * probe_run_once(); only SIGUSR1 is supported, as in bpftrace. */
#include <string.h>

#include "internal.h"

static int self_parse(struct arena *a, struct diags *d, const struct src_loc *loc, const struct probe_context *ctx, char **parts, int nparts,
		      struct attach_spec *out)
{
	if (nparts != 3)
		return probe_arity_error(d, loc, "self", "2", nparts - 1);
	if (strcmp(parts[1], "signal")) {
		diag_error(d, loc, "self probes only support 'signal', not '%s'", parts[1]);
		return -1;
	}
	if (strcmp(parts[2], "SIGUSR1")) {
		diag_error(d, loc, "self:signal probes only support SIGUSR1, not '%s'", parts[2]);
		return -1;
	}
	out->canonical = "self:signal:SIGUSR1";
	out->func = "SIGUSR1";
	return 0;
}

static const char *self_section(struct arena *a, const struct attach_spec *spec)
{
	return "raw_tp";
}

const struct probe_ops probe_self_ops = {
	.name = "self",
	.kind = PROBE_SELF,
	.flags = PF_RUN_ONCE,
	.parse = self_parse,
	.section = self_section,
};
