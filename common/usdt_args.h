/* USDT argument specs, the text a <sys/sdt.h> probe records for each of its
 * arguments ("-4@%eax 8@16(%rbp) -4@$5"): the size and sign of the value
 * and the assembler operand that holds it at the probe (x86-64 AT&T
 * syntax). */
#ifndef SONDE_USDT_ARGS_H
#define SONDE_USDT_ARGS_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

enum usdt_arg_kind {
	USDT_ARG_CONST,       /* $N: the value itself */
	USDT_ARG_REG,         /* %reg: the register */
	USDT_ARG_MEM,         /* DISP(%base[,%index[,SCALE]]): memory there */
	USDT_ARG_SYMBOL,      /* [N+]SYM[+-N](%rip): memory at a symbol of the binary */
	USDT_ARG_UNSUPPORTED, /* an operand sonde cannot read */
};

struct usdt_arg {
	enum usdt_arg_kind kind;
	int size;          /* bytes of the value: 1, 2, 4 or 8 */
	bool is_signed;
	const char *reg;   /* REG, MEM: the register as struct pt_regs names it ("ax", "r8", "ip") */
	const char *index; /* MEM: the index register, NULL when none */
	int scale;         /* MEM: what the index is multiplied by (1, 2, 4, 8) */
	int64_t value;     /* CONST: the value; MEM: the displacement; SYMBOL: the addend */
	const char *symbol; /* SYMBOL: the symbol */
	const char *text;  /* the spec as written */
};

/* Split and parse a probe's specs (space-separated) into an arena array of
 * *n. Never fails: a spec that does not parse is USDT_ARG_UNSUPPORTED (with
 * size 8 when even the size is unreadable). */
void usdt_args_parse(struct arena *a, const char *specs, struct usdt_arg **out, int *n);

/* The C type of an argument: "int32_t", "uint64_t", ... */
const char *usdt_arg_ctype(const struct usdt_arg *arg);

#endif
