/* Annotations the semantic pass leaves on nodes for the lowering. */
#ifndef SONDE_SEMA_H
#define SONDE_SEMA_H
#include "compiler.h"

struct builtin_def;
struct func_def;

/* What a call or identifier resolved to (node->sema points here). */
struct call_info {
	const struct builtin_def *builtin; /* N_IDENT */
	const struct func_def *fn;  /* N_CALL: the row of the function */
	int arg_index;            /* argN */
	int ctx_offset;           /* argN/retval/user func: byte offset in the probe context
				     (-1: func through bpf_get_func_ip) */
	struct map_info *map;     /* N_MAP, map functions */
	struct var_info *var;     /* N_VAR, let, for */
	int action;               /* printf/print/exit/... action index, -1 none */
	int check_action;         /* -k: the warning of a failed read or lookup, -1 none */
	const struct tp_field *field; /* args.FIELD */
	/* ->field / .field of a kernel struct (BTF) */
	uint32_t member_bit_offset, member_bitfield_bits, member_bytes;
	bool is_member;
	bool runtime_bounds;      /* for ($i : a..b) with bounds known only at run time, or
				     many passes: the body is a bpf_loop callback */
};

struct call_info *sema_info(struct compiler *c, struct node *n);

#endif
