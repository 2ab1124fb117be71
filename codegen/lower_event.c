/* Lowering of events sent to user space through the ring buffer: each is
 * an action index and a payload, for printf()/system(), print(), exit(),
 * clear(), zero(), time() and the runtime warnings; a full ring buffer
 * counts the lost event. */
#include <string.h>

#include "lower_internal.h"

/* An event in scratch memory: the u64 action index, then `payload` bytes
 * for the caller to fill before event_send. */
static LLVMValueRef event_begin(struct lower *l, int action, size_t payload)
{
	LLVMValueRef ev = scratch_alloc(l, 8 + payload);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)action), ev);
	return ev;
}

/* Send an event to user space. A full ring buffer drops it: count it for
 * the exit warning. */
void emit_event_buffer(struct lower *l, LLVMValueRef ev, size_t payload)
{
	LLVMValueRef args[4] = { l->ringbuf, ev, lower_const(l, 8 + ((payload + 7) & ~(size_t)7)), lower_const(l, 0) };
	LLVMValueRef rc = lower_helper(l, H_RINGBUF_OUTPUT, l->i64, args, 4);
	LLVMBasicBlockRef lost = new_block(l, "event.lost"), done = new_block(l, "event.done");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntSLT, rc, lower_const(l, 0), ""), lost, done);
	LLVMPositionBuilderAtEnd(l->b, lost);
	LLVMValueRef g = globals_lookup(l);
	LLVMBasicBlockRef have = new_block(l, "event.count");
	LLVMBuildCondBr(l->b, is_null(l, g), done, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	LLVMBuildAtomicRMW(l->b, LLVMAtomicRMWBinOpAdd, gep(l, g, GLOBAL_LOST_EVENTS), lower_const(l, 1),
			   LLVMAtomicOrderingMonotonic, 0);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

/* An event without payload. */
static void emit_event(struct lower *l, int action)
{
	emit_event_buffer(l, event_begin(l, action, 0), 0);
}

/* A located warning printed by the runtime when `cond` holds. */
void emit_runtime_warning(struct lower *l, LLVMValueRef cond, const struct src_loc *loc, const char *msg)
{
	struct action act = { .kind = ACT_WARNING, .map = -1 };
	act.fmt = diag_render(l->c->diags, DIAG_WARNING, loc, msg);
	int id = compiler_add_action(l->c, act);
	LLVMBasicBlockRef warn = new_block(l, "warn"), done = new_block(l, "warn.done");
	LLVMBuildCondBr(l->b, cond, warn, done);
	LLVMPositionBuilderAtEnd(l->b, warn);
	emit_event(l, id);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

static void lower_printf(struct lower *l, struct node *n, int action)
{
	const struct type *t = l->c->actions[action].type;
	LLVMValueRef ev = event_begin(l, action, t->size);
	int i = 0;
	for (struct node *a = n->args->next; a; a = a->next, i++)
		store_value(l, gep(l, ev, 8 + t->offsets[i]), t->fields[i], lower_expr(l, a), a->type);
	emit_event_buffer(l, ev, t->size);
}

static void lower_print(struct lower *l, struct node *n, int action)
{
	const struct action *act = &l->c->actions[action];
	if (act->kind == ACT_PRINT_MAP) {
		LLVMValueRef ev = event_begin(l, action, 16);
		struct node *top = n->args->next, *div = top ? top->next : NULL;
		LLVMBuildStore(l->b, top ? lower_expr(l, top).v : lower_const(l, 0), gep(l, ev, 8));
		LLVMBuildStore(l->b, div ? lower_expr(l, div).v : lower_const(l, 0), gep(l, ev, 16));
		emit_event_buffer(l, ev, 16);
		return;
	}
	LLVMValueRef ev = event_begin(l, action, act->type->size);
	store_value(l, gep(l, ev, 8), act->type, lower_expr(l, n->args), n->args->type);
	emit_event_buffer(l, ev, act->type->size);
}

/* The calls that send an event: printf(), system(), print(), exit(),
 * clear(), zero(), time(). They have no value (0). */
struct val lower_event_call(struct lower *l, struct node *n)
{
	struct call_info *ci = n->sema;
	const char *f = n->name;
	if (!strcmp(f, "printf") || !strcmp(f, "system") || !strcmp(f, "cat")) {
		lower_printf(l, n, ci->action);
	} else if (!strcmp(f, "join")) {
		lower_join(l, n, ci->action);
	} else if (!strcmp(f, "print")) {
		lower_print(l, n, ci->action);
	} else if (!strcmp(f, "exit")) {
		LLVMValueRef ev = event_begin(l, ci->action, 8);
		LLVMBuildStore(l->b, n->args ? lower_expr(l, n->args).v : lower_const(l, 0), gep(l, ev, 8));
		emit_event_buffer(l, ev, 8);
		emit_return(l);
	} else if (!strcmp(f, "clear") || !strcmp(f, "zero") || !strcmp(f, "time")) {
		emit_event(l, ci->action);
	} else {
		diag_error(l->c->diags, &n->loc, "%s() is not supported yet", f);
	}
	return (struct val){ lower_const(l, 0) };
}
