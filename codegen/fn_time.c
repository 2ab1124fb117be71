/* Wall-clock time: time([fmt]) prints it when its event arrives;
 * strftime(fmt, ns) is a boot-clock timestamp that user space renders
 * with the format when it is printed. */
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

const struct type *check_time(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *fmt = "%H:%M:%S\n";
	if (n->args) {
		if (n->args->kind != N_STR) {
			ERR(s, &n->args->loc, "time() expects a string literal");
			return &type_void;
		}
		fmt = n->args->str;
	}
	sema_add_action(s, n, (struct action){ .kind = ACT_TIME, .fmt = fmt, .map = -1 });
	return &type_void;
}

struct val lower_time(struct lower *l, struct node *n)
{
	emit_event(l, ((struct call_info *)n->sema)->action);
	return (struct val){ lower_const(l, 0) };
}

const struct type *check_strftime(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (n->args->kind != N_STR) {
		ERR(s, &n->args->loc, "strftime() expects a string literal format");
		return &type_none;
	}
	want_int(s, n->args->next, "strftime", "timestamp");
	int64_t v;
	if (literal_value(n->args->next, &v) && v < 0) {
		ERR(s, &n->args->next->loc, "strftime() timestamps cannot be negative");
		return &type_none;
	}
	return type_timestamp(s->c->arena, n->args->str);
}

struct val lower_strftime(struct lower *l, struct node *n)
{
	LLVMValueRef slot = scratch_alloc(l, 8);
	LLVMBuildStore(l->b, lower_expr(l, n->args->next).v, slot);
	return (struct val){ slot };
}
