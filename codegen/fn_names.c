/* Numbers printed by name: strerror(errno), signal_name(signal) and
 * syscall_name(number). The number is carried as it is; user space names
 * it when printing. */
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
	} kinds[] = { { "strerror", NAME_ERRNO }, { "signal_name", NAME_SIGNAL }, { "syscall_name", NAME_SYSCALL } };
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
