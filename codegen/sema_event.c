/* Calls that send an event to user space, in the semantic pass: printf(),
 * system(), print(), exit(), clear(), zero() and time(). Each checks its
 * arguments and, on the final pass, registers the action the runtime
 * carries out when the event arrives. */
#include "sema_internal.h"

#include "../common/format.h"

const struct type *check_printf(struct sema *s, struct node *n)
{
	if (!n->args || n->args->kind != N_STR) {
		ERR(s, n->args ? &n->args->loc : &n->loc, "printf() requires a string literal as its first argument");
		for (struct node *a = n->args; a; a = a->next)
			check_expr(s, a);
		return &type_void;
	}
	struct fmt_spec specs[130];
	char err[256];
	int nspec = format_parse(n->args->str, specs, 130, err, sizeof(err));
	int nargs = 0;
	const struct type *types[130];
	for (struct node *a = n->args->next; a; a = a->next) {
		const struct type *t = check_expr(s, a);
		if (nargs < 128)
			types[nargs] = storage_type(t);
		nargs++;
	}
	if (nspec < 0) {
		ERR(s, &n->loc, "%s", err);
		return &type_void;
	}
	if (nargs > 128) {
		ERR(s, &n->loc, "printf: too many arguments (%d, at most 128)", nargs);
		return &type_void;
	}
	if (nargs != nspec) {
		ERR(s, &n->loc, "%s: %s arguments for format string (%d supplied, %d expected)", n->name,
		    nargs > nspec ? "too many" : "not enough", nargs, nspec);
		return &type_void;
	}
	int i = 0;
	for (struct node *a = n->args->next; a; a = a->next, i++) {
		if (types[i]->kind == TY_NONE)
			return &type_void;
		if (type_is_aggregate(types[i]) || types[i]->kind == TY_VOID || types[i]->kind == TY_STRUCT) {
			ERR(s, &a->loc, "printf: %s cannot be printed as an argument", tname(s, types[i]));
			return &type_void;
		}
		if (format_check_arg(&specs[i], types[i], err, sizeof(err), s->c->arena) < 0) {
			ERR(s, &a->loc, "%s", err);
			return &type_void;
		}
	}
	if (s->c->second_pass) {
		struct action act = { .kind = ACT_PRINTF, .fmt = n->args->str, .map = -1 };
		act.type = type_tuple(s->c->arena, nargs, types, NULL);
		sema_info(s->c, n)->action = compiler_add_action(s->c, act);
	}
	return &type_void;
}

const struct type *check_print(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 3))
		return &type_void;
	struct node *arg = n->args;
	if (arg->kind == N_MAP && !arg->a) {
		struct map_info *m = map_arg(s, n, arg, false);
		for (struct node *a = arg->next; a; a = a->next)
			want_int(s, a, "print", "argument");
		if (m && s->c->second_pass) {
			struct action act = { .kind = ACT_PRINT_MAP, .map = m->index };
			sema_info(s->c, n)->action = compiler_add_action(s->c, act);
		}
		return &type_void;
	}
	if (arg->next) {
		ERR(s, &n->loc, "print() with top and div arguments expects a map");
		return &type_void;
	}
	const struct type *t = check_expr(s, arg);
	if (t->kind == TY_NONE)
		return &type_void;
	if (type_is_aggregate(t) || t->kind == TY_VOID) {
		ERR(s, &arg->loc, "print() of a single %s value is not supported yet", tname(s, t));
		return &type_void;
	}
	if (s->c->second_pass) {
		struct action act = { .kind = ACT_PRINT, .type = storage_type(t), .map = -1 };
		sema_info(s->c, n)->action = compiler_add_action(s->c, act);
	}
	return &type_void;
}

const struct type *check_exit(struct sema *s, struct node *n)
{
	if (!arity(s, n, 0, 1))
		return &type_void;
	if (n->args)
		want_int(s, n->args, "exit", "code");
	if (s->for_depth)
		ERR(s, &n->loc, "'return' statement is not allowed in a for-loop");
	if (s->c->second_pass) {
		struct action act = { .kind = ACT_EXIT, .map = -1 };
		sema_info(s->c, n)->action = compiler_add_action(s->c, act);
	}
	return &type_void;
}

const struct type *check_map_fn(struct sema *s, struct node *n, enum action_kind kind)
{
	if (!arity(s, n, 1, 1))
		return &type_void;
	struct map_info *m = map_arg(s, n, n->args, false);
	if (m && s->c->second_pass) {
		struct action act = { .kind = kind, .map = m->index };
		sema_info(s->c, n)->action = compiler_add_action(s->c, act);
	}
	return &type_void;
}

const struct type *check_time(struct sema *s, struct node *n)
{
	if (!arity(s, n, 0, 1))
		return &type_void;
	const char *fmt = "%H:%M:%S\n";
	if (n->args) {
		if (n->args->kind != N_STR) {
			ERR(s, &n->args->loc, "time() expects a string literal");
			return &type_void;
		}
		fmt = n->args->str;
	}
	if (s->c->second_pass) {
		struct action act = { .kind = ACT_TIME, .fmt = fmt, .map = -1 };
		sema_info(s->c, n)->action = compiler_add_action(s->c, act);
	}
	return &type_void;
}

/* system(fmt, ...): formatted like printf, run by the runtime. */
const struct type *check_system(struct sema *s, struct node *n)
{
	if (!s->c->opts->unsafe) {
		ERR(s, &n->loc, "system() is an unsafe function being used in safe mode");
		return &type_void;
	}
	check_printf(s, n);
	struct call_info *ci = sema_info(s->c, n);
	if (ci->action >= 0)
		s->c->actions[ci->action].kind = ACT_SYSTEM;
	return &type_void;
}
