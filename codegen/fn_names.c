/* Numbers printed by name: strerror(errno), signal_name(signal),
 * syscall_name(number), cgroup_path(cgroup id), macaddr(6 bytes) and the
 * username builtin. The number is carried as it is; user space names it
 * when printing. */
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

const struct type *check_name_fn(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (!want_int(s, n->args, n->name, "argument"))
		return &type_none;
	static const struct {
		const char *fn;
		enum name_kind kind;
	} kinds[] = { { "strerror", NAME_ERRNO }, { "signal_name", NAME_SIGNAL }, { "syscall_name", NAME_SYSCALL },
		      { "cgroup_path", NAME_CGROUP } };
	struct node *filter = n->args->next; /* cgroup_path(id, "filter"): the hierarchies */
	if (filter && filter->kind != N_STR) {
		ERR(s, &filter->loc, "cgroup_path() expects a string literal filter");
		return &type_none;
	}
	if (filter && !probe_glob_match(filter->str, "unified")) {
		ERR(s, &filter->loc, "cgroup_path(): sonde knows the cgroup v2 hierarchy only ('unified')");
		return &type_none;
	}
	size_t i = 0;
	while (strcmp(kinds[i].fn, n->name))
		i++; /* the table names only these */
	return type_name_of(s->c->arena, kinds[i].kind);
}

struct val lower_name_fn(struct lower *l, struct node *n)
{
	LLVMValueRef slot = scratch_alloc(l, 8);
	LLVMBuildStore(l->b, lower_expr(l, n->args).v, slot);
	return (struct val){ slot };
}

/* username: the login name of uid, looked up when printed */
const struct type *check_username(struct sema *s, struct node *n, const struct builtin_def *b)
{
	return type_name_of(s->c->arena, NAME_USER);
}

struct val lower_username(struct lower *l, struct node *n)
{
	LLVMValueRef slot = scratch_alloc(l, 8);
	LLVMValueRef ids = lower_helper(l, H_GET_UID_GID, l->i64, NULL, 0);
	LLVMBuildStore(l->b, LLVMBuildAnd(l->b, ids, lower_const(l, 0xffffffff), ""), slot);
	return (struct val){ slot };
}

/* macaddr(a): the 6 bytes of a char[6] (a string value) or at an address */
const struct type *check_macaddr(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *t = check_expr(s, n->args);
	if (t->kind == TY_NONE)
		return t;
	if ((t->kind != TY_STRING || t->size < 6) && !is_int(t)) {
		ERR(s, &n->args->loc, "macaddr() expects 6 bytes or their address (%s provided)", tname(s, t));
		return &type_none;
	}
	return type_name_of(s->c->arena, NAME_MAC);
}

struct val lower_macaddr(struct lower *l, struct node *n)
{
	LLVMValueRef slot = scratch_alloc(l, 8);
	LLVMBuildStore(l->b, lower_const(l, 0), slot);
	struct val v = lower_expr(l, n->args);
	if (n->args->type->kind == TY_STRING) {
		emit_memcpy(l, slot, v.v, 6);
	} else {
		LLVMValueRef args[3] = { slot, LLVMConstInt(l->i32, 6, 0), LLVMBuildIntToPtr(l->b, v.v, l->ptr, "") };
		lower_helper(l, H_PROBE_READ, l->i64, args, 3);
	}
	return (struct val){ slot };
}
