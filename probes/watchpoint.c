/* watchpoint:ADDR:LEN:MODE (alias w) and asyncwatchpoint (alias aw): a BPF
 * program on a hardware breakpoint perf event of the traced process (-p or
 * -c), firing when it reads, writes or executes the LEN bytes at ADDR. The
 * asynchronous form differs from the other only for watchpoints armed at a
 * function's argument (FUNC+argN), which sonde does not support yet. */
#include <errno.h>
#include <inttypes.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <string.h>

#include "internal.h"

static const char *const watchpoint_aliases[] = { "w", NULL };
static const char *const asyncwatchpoint_aliases[] = { "aw", NULL };

/* The perf breakpoint type of a mode: the letters r, w, x, each once. 0
 * after an error (reported at loc). */
static unsigned parse_mode(struct diags *d, const struct src_loc *loc, const char *mode)
{
	static const struct { char letter; unsigned bit; } letters[] = {
		{ 'r', HW_BREAKPOINT_R }, { 'w', HW_BREAKPOINT_W }, { 'x', HW_BREAKPOINT_X },
	};
	unsigned type = 0;

	for (const char *p = mode; *p; p++) {
		unsigned bit = 0;
		for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
			if (letters[i].letter == *p)
				bit = letters[i].bit;
		if (!bit) {
			diag_error(d, loc, "watchpoint mode must be combination of (r,w,x)");
			return 0;
		}
		if (type & bit) {
			diag_error(d, loc, "watchpoint modes may not be duplicated");
			return 0;
		}
		type |= bit;
	}
	if (!type)
		diag_error(d, loc, "watchpoint mode must be combination of (r,w,x)");
	return type;
}

/* What the CPU's debug registers can watch: x86 has no read-only
 * breakpoints, and an execute breakpoint watches nothing else. */
static bool hardware_can_watch(unsigned type)
{
#if defined(__x86_64__) || defined(__i386__)
	return type == HW_BREAKPOINT_W || type == HW_BREAKPOINT_RW || type == HW_BREAKPOINT_X;
#else
	return type == HW_BREAKPOINT_X || !(type & HW_BREAKPOINT_X);
#endif
}

static int watchpoint_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			    const struct probe_context *ctx, char **parts, int nparts,
			    struct attach_spec *out)
{
	const char *provider = out->kind == PROBE_ASYNCWATCHPOINT ? "asyncwatchpoint" : "watchpoint";
	uint64_t addr, len;

	if (nparts != 4)
		return probe_arity_error(d, loc, provider, "3", nparts - 1);
	if (!probe_parse_u64(parts[1], &addr)) {
		diag_error(d, loc, "%s on a function argument (%s) is not supported yet: give the "
			   "address", provider, parts[1]);
		return -1;
	}
	if (!addr) {
		diag_error(d, loc, "watchpoint must be attached to a non-zero address");
		return -1;
	}
	if (!probe_parse_u64(parts[2], &len) || (len != 1 && len != 2 && len != 4 && len != 8)) {
		diag_error(d, loc, "watchpoint length must be one of (1,2,4,8)");
		return -1;
	}
	unsigned type = parse_mode(d, loc, parts[3]);
	if (!type)
		return -1;
	if (!hardware_can_watch(type)) {
		diag_error(d, loc, "invalid watchpoint mode: %s (this CPU watches w, rw or x)", parts[3]);
		return -1;
	}
	if (ctx->pid <= 0 && !ctx->child) {
		diag_error(d, loc, "-p PID or -c CMD required for watchpoint");
		return -1;
	}
	/* the mode in the order r, w, x, as the canonical name shows it */
	out->func = arena_printf(a, "%s%s%s", type & HW_BREAKPOINT_R ? "r" : "",
				 type & HW_BREAKPOINT_W ? "w" : "", type & HW_BREAKPOINT_X ? "x" : "");
	out->offset = addr;
	out->watch_len = (int)len;
	out->canonical = arena_printf(a, "%s:0x%" PRIx64 ":%d:%s", provider, addr, out->watch_len,
				      out->func);
	return 0;
}

static const char *watchpoint_section(struct arena *a, const struct attach_spec *spec)
{
	return "perf_event";
}

static unsigned mode_type(const char *mode)
{
	return (strchr(mode, 'r') ? HW_BREAKPOINT_R : 0) | (strchr(mode, 'w') ? HW_BREAKPOINT_W : 0) |
	       (strchr(mode, 'x') ? HW_BREAKPOINT_X : 0);
}

static int watchpoint_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			     struct probe_link **links, int *nlinks)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = mode_type(spec->func),
		.bp_addr = spec->offset,
		.bp_len = (uint64_t)spec->watch_len,
		.sample_period = 1,
	};
	if (pid <= 0)
		return -ESRCH;
	return probe_attach_perf_attr(prog, &attr, pid, -1, links, nlinks);
}

static const char *watchpoint_explain(const struct attach_spec *spec, int err, char *buf, size_t len)
{
	/* the debug registers are shared with debuggers and other tracers */
	return err == -ENOSPC ? "Failed to attach watchpoint probe. You are out of watchpoint registers."
			      : NULL;
}

/* watchpoint and asyncwatchpoint differ only in name (see the top) */
#define WATCHPOINT_OPS(NAME, ALIASES, KIND)                                                    \
	{                                                                                      \
		.name = NAME, .aliases = ALIASES, .kind = KIND,                                \
		.flags = PF_USER_CONTEXT | PF_REGS | PF_SIGNAL | PF_DEBUG_REGISTER | PF_PROCESS, \
		.reg_offset = probe_pt_regs_offset, .parse = watchpoint_parse,                 \
		.section = watchpoint_section, .attach = watchpoint_attach,                    \
		.explain = watchpoint_explain,                                                 \
	}

const struct probe_ops probe_watchpoint_ops =
	WATCHPOINT_OPS("watchpoint", watchpoint_aliases, PROBE_WATCHPOINT);
const struct probe_ops probe_asyncwatchpoint_ops =
	WATCHPOINT_OPS("asyncwatchpoint", asyncwatchpoint_aliases, PROBE_ASYNCWATCHPOINT);
