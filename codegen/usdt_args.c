/* argN of usdt probes: typed from the argument specs of every location of
 * the probe, read in each program per the specs of the location it was
 * lowered for (a register of the context, user memory at a register plus a
 * displacement, or a constant), then cut to the spec's size and extended
 * by its sign. */
#include "lower_internal.h"
#include "sema_internal.h"

/* The argument specs differ between locations only in where the value
 * is: the type is signed when the spec of any location says so. */
const struct type *check_usdt_arg(struct sema *s, struct node *n, int index)
{
	const struct probe_info *pi = s->probe;
	bool is_signed = false;

	for (int k = 0; k < pi->nspecs; k++) {
		const struct usdt_location *u = pi->specs[k].usdt;
		if (index >= u->nargs) {
			ERR(s, &n->loc, "usdt probe %s:%s has %d argument%s, %s is out of range", u->provider,
			    u->name, u->nargs, u->nargs == 1 ? "" : "s", n->name);
			return &type_none;
		}
		const struct usdt_arg *arg = &u->args[index];
		bool regs_known = (!arg->reg || pi->ops->reg_offset(arg->reg) >= 0) &&
				  (!arg->index || pi->ops->reg_offset(arg->index) >= 0);
		if (arg->kind == USDT_ARG_UNSUPPORTED || arg->kind == USDT_ARG_SYMBOL || !regs_known) {
			ERR(s, &n->loc, "%s of usdt probe %s:%s has the argument spec '%s', which sonde cannot read",
			    n->name, u->provider, u->name, arg->text);
			return &type_none;
		}
		is_signed |= arg->is_signed;
	}
	return is_signed ? &type_i64 : &type_u64;
}

static LLVMValueRef register_value(struct lower *l, const char *reg)
{
	return ctx_word(l, (size_t)l->probe->ops->reg_offset(reg));
}

/* DISP(%base,%index,SCALE): the address */
static LLVMValueRef operand_address(struct lower *l, const struct usdt_arg *arg)
{
	LLVMValueRef addr = lower_const(l, (uint64_t)arg->value);
	if (arg->reg)
		addr = LLVMBuildAdd(l->b, addr, register_value(l, arg->reg), "");
	if (arg->index) {
		LLVMValueRef scaled = LLVMBuildMul(l->b, register_value(l, arg->index),
						   lower_const(l, (uint64_t)arg->scale), "");
		addr = LLVMBuildAdd(l->b, addr, scaled, "");
	}
	return addr;
}

struct val lower_usdt_arg(struct lower *l, struct node *n)
{
	const struct call_info *ci = n->sema;
	const struct usdt_arg *arg = &l->spec->usdt->args[ci->arg_index];
	unsigned bits = (unsigned)arg->size * 8;
	LLVMValueRef v;

	switch (arg->kind) {
	case USDT_ARG_CONST:
		v = lower_const(l, (uint64_t)arg->value);
		break;
	case USDT_ARG_REG:
		v = register_value(l, arg->reg);
		break;
	default: /* USDT_ARG_MEM: sema let no other kind through */
		v = read_memory_with(l, H_PROBE_READ_USER, operand_address(l, arg), (uint32_t)arg->size,
				     ci->check_action);
		break;
	}
	if (bits == 64)
		return (struct val){ v };
	if (arg->is_signed)
		return (struct val){ sign_extend(l, v, bits) };
	return (struct val){ LLVMBuildAnd(l->b, v, lower_const(l, (UINT64_C(1) << bits) - 1), "") };
}
