/* How probe programs find their arguments and registers in the context
 * they get: kprobe, uprobe and perf_event programs see an x86-64 struct
 * pt_regs (a perf_event context starts with one); raw tracepoint programs
 * see an array of u64 arguments. */
#include <string.h>

#include "internal.h"

/* struct pt_regs, in order: the offset of a register is 8 * its index. */
static const char *const pt_regs[] = {
	"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
	"ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss",
};

int probe_pt_regs_offset(const char *name)
{
	if (!strcmp(name, "pc"))
		name = "ip";
	for (size_t i = 0; i < sizeof(pt_regs) / sizeof(pt_regs[0]); i++)
		if (!strcmp(pt_regs[i], name))
			return (int)(8 * i);
	return -1;
}

/* The System V calling convention passes six arguments in registers. */
int probe_pt_regs_arg_offset(int n)
{
	static const char *const arg_regs[] = { "di", "si", "dx", "cx", "r8", "r9" };
	if (n < 0 || n >= (int)(sizeof(arg_regs) / sizeof(arg_regs[0])))
		return -1;
	return probe_pt_regs_offset(arg_regs[n]);
}

int probe_raw_arg_offset(int n)
{
	return n < 0 ? -1 : 8 * n;
}
