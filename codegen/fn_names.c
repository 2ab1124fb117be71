/* Numbers printed by name: strerror(errno) and signal_name(signal). The
 * number is carried as it is; user space names it when printing. */
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

const struct type *check_name_fn(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (!want_int(s, n->args, n->name, "argument"))
		return &type_none;
	return type_name_of(s->c->arena, !strcmp(n->name, "strerror") ? NAME_ERRNO : NAME_SIGNAL);
}

struct val lower_name_fn(struct lower *l, struct node *n)
{
	LLVMValueRef slot = scratch_alloc(l, 8);
	LLVMBuildStore(l->b, lower_expr(l, n->args).v, slot);
	return (struct val){ slot };
}
