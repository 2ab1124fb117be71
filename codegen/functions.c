/* The function and builtin tables, and the dispatch through them: the
 * semantic pass checks what a row says (probe flags, --unsafe, probe
 * context, argument count), then calls the row's check hook and records the
 * row on the node; the lowering calls the recorded row's lower hook. */
#include <stdlib.h>

#include "functions.h"
#include "../common/suggest.h"
#include "lower_internal.h"
#include "sema_internal.h"

static const struct func_def functions[] = {
#define FN(NAME, MIN, MAX, NEEDS, WHERE, OPTIONS, ACTION, CHECK, LOWER) \
	{ #NAME, FN_CALL, MIN, MAX, NEEDS, WHERE, OPTIONS, ACTION, TY_NONE, CHECK, LOWER },
#define AGGREGATE(NAME, MIN, MAX, KIND, CHECK) \
	{ #NAME, FN_AGGREGATE, MIN, MAX, 0, NULL, 0, NO_ACTION, KIND, CHECK, NULL },
#define UNSUPPORTED(NAME, WHY) { #NAME, FN_UNSUPPORTED, -1, -1, 0, WHY, 0, NO_ACTION, TY_NONE, NULL, NULL },
#include "functions.def"
#undef FN
#undef AGGREGATE
#undef UNSUPPORTED
};

static const struct builtin_def builtins[] = {
#define BUILTIN(NAME, TYPE, NEEDS, WHERE, OPTIONS, CHECK, LOWER) \
	{ #NAME, true, TYPE, NEEDS, WHERE, OPTIONS, CHECK, LOWER },
#define UNSUPPORTED(NAME) { #NAME, false, NULL, 0, NULL, 0, NULL, NULL },
#include "builtins.def"
#undef BUILTIN
#undef UNSUPPORTED
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct func_def *fn_find(const char *name)
{
	for (size_t i = 0; i < COUNT(functions); i++)
		if (!strcmp(functions[i].name, name))
			return &functions[i];
	return NULL;
}

static const struct builtin_def *builtin_row(const char *name)
{
	for (size_t i = 0; i < COUNT(builtins); i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

/* argN is found as the row "arg" with *argn = N. */
static const struct builtin_def *builtin_find(const char *name, int *argn)
{
	if (!strcmp(name, "arg"))
		return NULL; /* the row of arg0, arg1, ... */
	const struct builtin_def *b = builtin_row(name);
	if (b || strncmp(name, "arg", 3) || name[3] < '0' || name[3] > '9')
		return b;
	char *end;
	long v = strtol(name + 3, &end, 10);
	if (*end || v > 4096)
		return NULL;
	*argn = (int)v;
	return builtin_row("arg");
}

/* The known name closest to a misspelt one, NULL when none is close: a
 * function or builtin for a call, a builtin for an identifier. */
static const char *name_suggestion(const char *name, bool call)
{
	struct suggestion sg;
	suggestion_init(&sg, name);
	/* a call may name a function or a builtin, an identifier a builtin */
	for (size_t i = call ? 0 : COUNT(functions); i < COUNT(functions) + COUNT(builtins); i++) {
		const char *cand = i < COUNT(functions) ? functions[i].name : builtins[i - COUNT(functions)].name;
		if (strcmp(cand, "arg"))
			suggestion_offer(&sg, cand);
	}
	return sg.found;
}

static void unknown_name(struct sema *s, struct node *n, bool call)
{
	struct diag_entry *e = s->c->second_pass
		? diag_error(s->c->diags, &n->loc, "Unknown %s: '%s'", call ? "function" : "identifier", n->name)
		: NULL;
	const char *close = e ? name_suggestion(n->name, call) : NULL;
	if (close)
		diag_hint(s->c->diags, e, "Did you mean '%s'?", close);
}

/* What the row of a function or builtin asks of the probe it is used in. */
static bool probe_allows(struct sema *s, struct node *n, unsigned needs, const char *where,
			 unsigned options, const char *fmt)
{
	if (needs && !(s->probe->flags & needs)) {
		ERR(s, &n->loc, fmt, n->name, where);
		return false;
	}
	if (options & FN_CONTEXT)
		s->probe->reads_context = true;
	if ((options & FN_CONTEXT) && s->map_loop_depth) {
		ERR(s, &n->loc, "'%s' can not be used inside a for loop over a map", n->name);
		return false;
	}
	return true;
}

const struct type *check_builtin(struct sema *s, struct node *n)
{
	int argn = 0;
	const struct builtin_def *b = builtin_find(n->name, &argn);
	struct call_info *ci = sema_info(s->c, n);
	ci->builtin = b;
	ci->arg_index = argn;
	if (!b) {
		const struct type *t = fold_enum_constant(s, n);
		if (!t)
			unknown_name(s, n, false);
		return t ? t : &type_none;
	}
	if (!b->supported) {
		ERR(s, &n->loc, "%s is not supported yet", n->name);
		return &type_none;
	}
	if (!probe_allows(s, n, b->needs, b->where, b->options, "The %s builtin can only be used with %s"))
		return &type_none;
	return b->check(s, n, b);
}

const struct type *check_fixed(struct sema *s, struct node *n, const struct builtin_def *b)
{
	return b->type;
}

const struct type *check_call(struct sema *s, struct node *n)
{
	const struct func_def *fn = fn_find(n->name);
	int argn;
	if (!fn) {
		/* builtins may be written as calls: pid(), nsecs() */
		if (!n->args && builtin_find(n->name, &argn)) {
			n->kind = N_IDENT;
			return check_builtin(s, n);
		}
		unknown_name(s, n, true);
		return &type_none;
	}
	if (fn->kind == FN_AGGREGATE) {
		ERR(s, &n->loc, "%s() should be directly assigned to a map", n->name);
		return &type_none;
	}
	if (fn->kind == FN_UNSUPPORTED) {
		ERR(s, &n->loc, "%s() is not supported yet: %s", n->name, fn->where);
		return &type_none;
	}
	const struct type *failed = fn->action == NO_ACTION ? &type_none : &type_void;
	if ((fn->options & FN_UNSAFE) && !s->c->opts->unsafe) {
		ERR(s, &n->loc, "%s() is an unsafe function being used in safe mode", n->name);
		return failed;
	}
	if (!probe_allows(s, n, fn->needs, fn->where, fn->options, "%s() can only be used with %s"))
		return failed;
	if (fn->min_args >= 0 && !arity(s, n, fn->min_args, fn->max_args))
		return failed;
	sema_info(s->c, n)->fn = fn;
	return fn->check(s, n, fn);
}

bool is_aggregate_fn(const char *name)
{
	const struct func_def *fn = fn_find(name);
	return fn && fn->kind == FN_AGGREGATE;
}

/* `@m[k] = count()` etc. (n is an aggregation): the value type of the map */
const struct type *check_aggregate(struct sema *s, struct node *n)
{
	const struct func_def *fn = fn_find(n->name);
	if (!arity(s, n, fn->min_args, fn->max_args))
		return &type_none;
	return fn->check(s, n, fn);
}

/* Register the event a call sends (final pass only: the first pass only
 * collects map types). */
void sema_add_action(struct sema *s, struct node *n, struct action act)
{
	if (!s->c->second_pass)
		return;
	/* runtime warnings of a pinned iterator are lost quietly; the rest
	 * would change what the program does */
	if (s->probe && (s->probe->flags & PF_SEQ_OUTPUT) && act.kind != ACT_WARNING) {
		ERR(s, &n->loc, "%s() cannot be used in a pinned iterator: its events would reach no one "
		    "once sonde has exited (printf writes to the pinned file)", n->name);
		return;
	}
	if (act.type && act.type->size > LIMIT_EVENT) {
		ERR(s, &n->loc, "%s() sends %zu bytes to user space, more than the limit of %d bytes",
		    n->name, act.type->size, LIMIT_EVENT);
		return;
	}
	sema_info(s->c, n)->action = compiler_add_action(s->c, act);
}

struct val lower_call(struct lower *l, struct node *n)
{
	const struct call_info *ci = n->sema;
	return ci->fn->lower(l, n);
}

struct val lower_builtin(struct lower *l, struct node *n)
{
	const struct call_info *ci = n->sema;
	return ci->builtin->lower(l, n);
}

struct val lower_folded(struct lower *l, struct node *n)
{
	diag_error(l->c->diags, &n->loc, "internal error: %s was not resolved at compile time", n->name);
	return (struct val){ lower_const(l, 0) };
}
