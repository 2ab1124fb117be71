/* Functions that act on the traced system, allowed with --unsafe only:
 * signal() and signal_thread() send a signal to the current process or
 * thread, override() makes a kernel function return a value without
 * running it, write_user() writes the memory of the current process. */
#include <signal.h>

#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* The signal of "SIGKILL", "KILL" or a literal in 1..64; -1 for a value
 * known at run time only. false when it names no signal. */
static bool signal_number(struct node *arg, int64_t *sig)
{
	if (arg->kind == N_STR) {
		const char *name = strncmp(arg->str, "SIG", 3) ? arg->str : arg->str + 3;
		for (int i = 1; i < 65; i++) {
			const char *abbrev = sigabbrev_np(i);
			if (abbrev && !strcmp(abbrev, name)) {
				*sig = i;
				return true;
			}
		}
		return false;
	}
	if (!literal_value(arg, sig)) {
		*sig = -1;
		return true;
	}
	return *sig >= 1 && *sig <= 64;
}

const struct type *check_signal(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *arg = n->args;
	if (arg->kind != N_STR && !want_int(s, arg, n->name, "signal"))
		return &type_void;
	int64_t sig;
	if (!signal_number(arg, &sig)) {
		ERR(s, &arg->loc, "%s(): '%s' is not a signal", n->name, arg->kind == N_STR ? arg->str : "?");
		return &type_void;
	}
	n->ival = sig < 0 ? 0 : (uint64_t)sig; /* 0: the value of the argument at run time */
	return &type_void;
}

struct val lower_signal(struct lower *l, struct node *n)
{
	LLVMValueRef sig = n->ival ? LLVMConstInt(l->i32, n->ival, 0)
				   : LLVMBuildTrunc(l->b, lower_expr(l, n->args).v, l->i32, "");
	lower_helper(l, n->name[6] == '_' ? H_SEND_SIGNAL_THREAD : H_SEND_SIGNAL, l->i64, &sig, 1);
	return (struct val){ lower_const(l, 0) };
}

/* override(rc): needs a kernel built with error injection for the function */
const struct type *check_override(struct sema *s, struct node *n, const struct func_def *fn)
{
	want_int(s, n->args, "override", "return value");
	return &type_void;
}

struct val lower_override(struct lower *l, struct node *n)
{
	LLVMValueRef args[2] = { l->ctx_arg, lower_expr(l, n->args).v };
	lower_helper(l, H_OVERRIDE_RETURN, l->i64, args, 2);
	return (struct val){ lower_const(l, 0) };
}

/* write_user(dst, src, len): len bytes of the string src (or of an
 * integer's 8 bytes) to the address dst; true when written */
const struct type *check_write_user(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *dst = n->args, *src = dst->next, *len = src->next;
	want_int(s, dst, "write_user", "destination address");
	const struct type *st = check_expr(s, src);
	int64_t v;
	check_expr(s, len);
	if (!literal_value(len, &v) || v < 1) {
		ERR(s, &len->loc, "write_user() expects a positive integer literal length");
		return &type_none;
	}
	size_t have = st->kind == TY_STRING ? st->size : 8;
	if (st->kind != TY_NONE && st->kind != TY_STRING && !is_int(st)) {
		ERR(s, &src->loc, "write_user() writes strings and integers (%s provided)", tname(s, st));
		return &type_none;
	}
	if ((uint64_t)v > have) {
		ERR(s, &len->loc, "write_user(): %lld bytes are more than the %zu of the source", (long long)v, have);
		return &type_none;
	}
	return &type_bool;
}

struct val lower_write_user(struct lower *l, struct node *n)
{
	struct node *dst = n->args, *src = dst->next, *len = src->next;
	LLVMValueRef to = LLVMBuildIntToPtr(l->b, lower_expr(l, dst).v, l->ptr, "");
	struct val v = lower_expr(l, src);
	LLVMValueRef from = v.v;
	if (is_scalar(src->type)) {
		from = scratch_alloc(l, 8);
		LLVMBuildStore(l->b, v.v, from);
	}
	LLVMValueRef args[3] = { to, from, LLVMConstInt(l->i32, len->ival, 0) };
	LLVMValueRef rc = lower_helper(l, H_PROBE_WRITE_USER, l->i64, args, 3);
	return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, LLVMIntEQ, rc, lower_const(l, 0), "")) };
}
