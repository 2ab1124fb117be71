/* The parameters of a probed function, as args.NAME and `args`: where
 * each is in the probe's context and its type. Two sources fill them:
 * uprobe_args.c from the function's DWARF (parameters in the SysV argument
 * registers), kernel_args.c from kernel BTF (fentry/fexit and raw
 * tracepoints, whose context is an array of 64-bit argument words). */
#ifndef SONDE_FUNC_ARGS_H
#define SONDE_FUNC_ARGS_H
#include <stdbool.h>

#include "../common/program.h"
#include "../common/types.h"

struct compiler;

struct func_param {
	const char *name;         /* "arg2" when the source has none */
	const struct type *type;  /* NULL: unsupported says why */
	int reg, nregs;           /* first context word (probe_ops.arg_offset index) and how many */
	const char *unsupported;  /* why it cannot be read, NULL: it can */
};

/* The parameters of one attach point's function. */
struct func_args {
	const char *func;
	const char *error; /* why the probe has no args, NULL: it has */
	bool reported;     /* the error was, at the first use of args */
	int n;
	struct func_param *params;
	const struct type *ret; /* an integer, bool or pointer return type; NULL: none */
};

/* Fill *fa for one attach point: from DWARF (PF_DWARF_ARGS) or from
 * kernel BTF (PF_BTF_ARGS). Problems go to fa->error. */
void uprobe_args_load(struct compiler *c, const struct attach_spec *spec, struct func_args *fa);
void kernel_args_load(struct compiler *c, const struct attach_spec *spec, struct func_args *fa);

#endif
