/* Function calls in the semantic pass: argument-count and argument-type
 * checks shared by all calls, the string functions (str(), strncmp(),
 * strlen(), strstr(), strcontains(), strftime()), kaddr(), ksym()/usym(),
 * and check_call, which sends every call to the check for its function. */
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
	int got = count_args(n->args);
	if (got >= min && got <= max)
		return true;
	if (min == max && min == 0)
		ERR(s, &n->loc, "%s() takes no arguments (%d provided)", n->name, got);
	else if (min == max)
		ERR(s, &n->loc, "%s() requires %s argument%s (%d provided)", n->name,
		    min == 1 ? "one" : min == 2 ? "two" : min == 3 ? "three" : "four",
		    min == 1 ? "" : "s", got);
	else if (got < min)
		ERR(s, &n->loc, "%s() requires at least %s argument%s (%d provided)", n->name,
		    min == 1 ? "one" : "two", min == 1 ? "" : "s", got);
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

/* ---- strings ---- */

/* str($N + k): the suffix of a positional parameter from byte k. */
static void fold_param_suffix(struct sema *s, struct node *n)
{
	struct node *arg = n->args;
	int64_t k;
	if (!arg || arg->kind != N_BINOP || arg->op != OP_ADD || arg->a->kind != N_POSPARAM ||
	    !literal_value(arg->b, &k))
		return;
	check_expr(s, arg->a);
	if (arg->a->kind != N_STR)
		return;
	if (k < 0 || k > arg->a->str_len) {
		ERR(s, &arg->loc, "str(): offset %lld is outside the parameter (%d bytes)", (long long)k, arg->a->str_len);
		return;
	}
	arg->a->str += k;
	arg->a->str_len -= (int)k;
	arg->a->next = arg->next;
	n->args = arg->a;
}

static const struct type *check_str(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 2))
		return &type_none;
	fold_param_suffix(s, n);
	const struct type *t = check_expr(s, n->args);
	size_t cap = (size_t)s->c->opts->max_strlen;
	if (n->args->next) {
		want_int(s, n->args->next, "str", "length");
		int64_t v;
		if (literal_value(n->args->next, &v) && v > 0 && (size_t)v < cap)
			cap = (size_t)v;
	}
	if (t->kind == TY_STRING)
		return n->args->next ? type_string(s->c->arena, cap < t->size ? cap : t->size) : t;
	if (t->kind != TY_NONE && !is_int(t))
		ERR(s, &n->args->loc, "str() expects a pointer or integer argument (%s provided)", tname(s, t));
	return type_string(s->c->arena, cap);
}

static const struct type *check_strncmp(struct sema *s, struct node *n)
{
	if (!arity(s, n, 3, 3))
		return &type_i64;
	const struct type *a = check_expr(s, n->args);
	const struct type *b = check_expr(s, n->args->next);
	struct node *len = n->args->next->next;
	check_expr(s, len);
	int64_t v;
	if (!literal_value(len, &v) || v < 0)
		ERR(s, &len->loc, "strncmp() expects a non-negative integer literal as its length");
	if ((a->kind != TY_STRING && a->kind != TY_NONE) || (b->kind != TY_STRING && b->kind != TY_NONE))
		ERR(s, &n->loc, "strncmp() expects string arguments");
	return &type_i64;
}

static const struct type *check_string_fn(struct sema *s, struct node *n)
{
	int want = n->name[3] == 'l' ? 1 : 2; /* strlen */
	if (!arity(s, n, want, want))
		return &type_none;
	for (struct node *a = n->args; a; a = a->next) {
		const struct type *t = check_expr(s, a);
		if (t->kind != TY_NONE && t->kind != TY_STRING) {
			ERR(s, &a->loc, "%s() expects string arguments (%s provided)", n->name, tname(s, t));
			return &type_none;
		}
	}
	return !strcmp(n->name, "strcontains") ? &type_bool : &type_i64;
}

/* strftime(fmt, ns): printed as local wall time in user space */
static const struct type *check_strftime(struct sema *s, struct node *n)
{
	if (!arity(s, n, 2, 2))
		return &type_none;
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

/* ---- symbols ---- */

/* kaddr("sym"): the address from /proc/kallsyms, at compile time. */
static const struct type *check_kaddr(struct sema *s, struct node *n)
{
	const char *sym = literal_string_arg(s, n);
	if (!sym)
		return &type_none;
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256], kind;
	unsigned long long addr;
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &kind, name) == 3 && !strcmp(name, sym))
			found = true;
	if (f)
		fclose(f);
	if (!found) {
		ERR(s, &n->loc, "Could not resolve symbol: %s", sym);
		return &type_none;
	}
	n->kind = N_INT;
	n->ival = addr;
	return &type_u64;
}

/* ---- dispatch ---- */

static const char *const unsupported_fns[] = {
	"errorf", "warnf", "fail", "static_assert", "assert", "debugf",
	"buf", "strcap", "str_concat", "memcmp",
	"uaddr", "percpu_kaddr", "kptr", "uptr", "pton", "macaddr",
	"cgroupid", "cgroup_path", "path", "signal", "signal_thread", "override", "write_user",
	"is_str", "is_ptr", "is_array", "is_integer", "is_unsigned_integer", "is_literal",
	"container_of", "is_err", "find", "dw_ustack",
	"socket_cookie", "skboutput", "strerror", "signal_name", "syscall_name", "getopt",
	"unwatch", "kfunc_exist", "kfunc_allowed", NULL,
};

/* bswap(n): the bytes of an integer reversed, same width, unsigned */
static const struct type *check_bswap(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 1))
		return &type_none;
	const struct type *t = check_expr(s, n->args);
	if (t->kind == TY_NONE)
		return t;
	if (t->kind != TY_INT) {
		ERR(s, &n->args->loc, "bswap() expects an integer (%s provided)", tname(s, t));
		return &type_none;
	}
	return type_int(t->is_literal ? 64 : t->bits, false);
}

/* ntop([af,] addr): an IPv4 (integer or 4 bytes) or IPv6 (16 bytes) address */
static const struct type *check_ntop(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 2))
		return &type_none;
	struct node *addr = n->args->next ? n->args->next : n->args;
	if (n->args->next)
		want_int(s, n->args, "ntop", "address family");
	const struct type *t = check_expr(s, addr);
	if (t->kind == TY_NONE)
		return t;
	bool ok = t->kind == TY_INT || (t->kind == TY_STRING && (t->size == 4 || t->size == 16)) ||
		  (t->kind == TY_STRUCT && (t->size == 4 || t->size == 16));
	if (!ok) {
		ERR(s, &addr->loc, "ntop() expects an integer or a 4 or 16 byte address (%s provided)", tname(s, t));
		return &type_none;
	}
	return type_inet(s->c->arena);
}

/* join(argv[, sep]): a user-space array of strings, printed joined */
static const struct type *check_join(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 2))
		return &type_void;
	const struct type *t = check_expr(s, n->args);
	if (t->kind != TY_NONE && t->kind != TY_POINTER && t->kind != TY_INT)
		ERR(s, &n->args->loc, "join() expects an array of strings (char **), not '%s'", tname(s, t));
	const char *sep = " ";
	if (n->args->next) {
		if (n->args->next->kind != N_STR) {
			ERR(s, &n->args->next->loc, "join() expects a string literal separator");
			return &type_void;
		}
		sep = n->args->next->str;
	}
	if (s->c->second_pass) {
		struct action act = { .kind = ACT_JOIN, .fmt = sep, .map = -1 };
		sema_info(s->c, n)->action = compiler_add_action(s->c, act);
	}
	return &type_void;
}

/* cat(fmt, ...): prints a file; the name is formatted like printf */
static const struct type *check_cat(struct sema *s, struct node *n)
{
	check_printf(s, n);
	struct call_info *ci = sema_info(s->c, n);
	if (ci->action >= 0)
		s->c->actions[ci->action].kind = ACT_CAT;
	return &type_void;
}

const struct type *check_call(struct sema *s, struct node *n)
{
	const char *f = n->name;
	if (!strcmp(f, "bswap"))
		return check_bswap(s, n);
	if (!strcmp(f, "ntop"))
		return check_ntop(s, n);
	if (!strcmp(f, "join"))
		return check_join(s, n);
	if (!strcmp(f, "cat"))
		return check_cat(s, n);
	if (!strcmp(f, "kaddr"))
		return check_kaddr(s, n);
	if (!strcmp(f, "strftime"))
		return check_strftime(s, n);
	if (!strcmp(f, "strlen") || !strcmp(f, "strcontains") || !strcmp(f, "strstr"))
		return check_string_fn(s, n);
	if (!strcmp(f, "len"))
		return check_len(s, n);
	if (!strcmp(f, "reg"))
		return check_reg(s, n);
	if (!strcmp(f, "system"))
		return check_system(s, n);
	if (!strcmp(f, "printf"))
		return check_printf(s, n);
	if (!strcmp(f, "print"))
		return check_print(s, n);
	if (!strcmp(f, "exit"))
		return check_exit(s, n);
	if (!strcmp(f, "str"))
		return check_str(s, n);
	if (!strcmp(f, "clear"))
		return check_map_fn(s, n, ACT_CLEAR);
	if (!strcmp(f, "zero"))
		return check_map_fn(s, n, ACT_ZERO);
	if (!strcmp(f, "delete"))
		return check_delete(s, n);
	if (!strcmp(f, "strncmp"))
		return check_strncmp(s, n);
	if (!strcmp(f, "has_key"))
		return check_has_key(s, n);
	if (!strcmp(f, "time"))
		return check_time(s, n);
	if (!strcmp(f, "kstack") || !strcmp(f, "ustack"))
		return check_stack_call(s, n);
	if (!strcmp(f, "ksym") || !strcmp(f, "usym")) {
		if (arity(s, n, 1, 1))
			want_int(s, n->args, f, "address");
		if (f[0] == 'u' && !(s->probe->flags & PF_USER_CONTEXT))
			WARN(s, &n->loc, "usym() resolves addresses in the current process");
		return type_symbol(s->c->arena, f[0] == 'u');
	}
	/* builtins may be written as calls: pid(), nsecs() */
	int argn;
	if (find_builtin(f, &argn) != B_NONE && !n->args) {
		n->kind = N_IDENT;
		return check_builtin(s, n);
	}
	if (is_aggregate_fn(f)) {
		ERR(s, &n->loc, "%s() should be directly assigned to a map", f);
		return &type_none;
	}
	for (int i = 0; unsupported_fns[i]; i++)
		if (!strcmp(unsupported_fns[i], f)) {
			ERR(s, &n->loc, "%s() is not supported yet", f);
			return &type_none;
		}
	ERR(s, &n->loc, "Unknown function: '%s'", f);
	return &type_none;
}
