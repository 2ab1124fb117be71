/* Argument checks shared by the function hooks (fn_*.c): argument count,
 * integer arguments, string-literal arguments. */
#include <stdio.h>

#include "sema_internal.h"

int count_args(struct node *args)
{
	int n = 0;
	for (; args; args = args->next)
		n++;
	return n;
}

bool arity(struct sema *s, struct node *n, int min, int max)
{
	static const char *const counts[] = { "no", "one", "two", "three", "four" };
	int got = count_args(n->args);
	if (got >= min && got <= max)
		return true;
	const char *words = min >= 0 && min <= 4 ? counts[min] : "more";
	if (min == max && min == 0)
		ERR(s, &n->loc, "%s() takes no arguments (%d provided)", n->name, got);
	else if (min == max)
		ERR(s, &n->loc, "%s() requires %s argument%s (%d provided)", n->name, words, min == 1 ? "" : "s", got);
	else if (got < min)
		ERR(s, &n->loc, "%s() requires at least %s argument%s (%d provided)", n->name, words,
		    min == 1 ? "" : "s", got);
	else
		ERR(s, &n->loc, "%s() takes up to %d arguments (%d provided)", n->name, max, got);
	return false;
}

bool want_int(struct sema *s, struct node *arg, const char *fn, const char *what)
{
	const struct type *t = check_expr(s, arg);
	if (t->kind == TY_NONE || is_int(t))
		return true;
	ERR(s, &arg->loc, "%s() expects an integer %s (%s provided)", fn, what, tname(s, t));
	return false;
}

/* A string-literal argument, or NULL after reporting the problem. */
const char *literal_string_arg(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 1))
		return NULL;
	if (n->args->kind != N_STR) {
		ERR(s, &n->args->loc, "%s() expects a string literal", n->name);
		return NULL;
	}
	return n->args->str;
}
