/* Functions answered at compile time: the type predicates is_str() ...
 * is_literal(), static_assert(), fail(), cgroupid() of a cgroup directory,
 * kfunc_exist() of a kernel function and getopt() of the named program
 * parameters (`-- --name[=value]`). Each call becomes its constant. */
#include <errno.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "../common/format.h"
#include "btf.h"
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* The call becomes the integer v, on the final pass: the first pass must
 * still see (and the final pass report) the errors of the arguments. */
static const struct type *fold(struct sema *s, struct node *n, uint64_t v, const struct type *t)
{
	if (s->c->second_pass) {
		n->kind = N_INT;
		n->ival = v;
		n->args = NULL;
	}
	return t;
}

const struct type *check_type_predicate(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *arg = n->args;
	const struct type *t = check_expr(s, arg);
	if (t->kind == TY_NONE)
		return &type_none;
	static const char *const names[] = { "is_str", "is_ptr", "is_array", "is_integer",
					     "is_unsigned_integer", "is_literal" };
	bool answers[] = {
		t->kind == TY_STRING,
		t->kind == TY_POINTER,
		t->kind == TY_ARRAY, /* char arrays are strings */
		t->kind == TY_INT,
		t->kind == TY_INT && !t->is_signed,
		arg->kind == N_INT || arg->kind == N_STR || arg->kind == N_BOOL,
	};
	size_t i = 0;
	while (strcmp(names[i], n->name))
		i++; /* the table names only these */
	return fold(s, n, answers[i], &type_bool);
}

/* The value of an integer expression of constants (literals, sizeof(),
 * operators), false when it is not one. */
static bool const_value(const struct node *n, int64_t *v)
{
	int64_t a, b;
	if (n->kind == N_INT || n->kind == N_BOOL) {
		*v = (int64_t)n->ival;
		return true;
	}
	if (n->kind == N_UNOP && const_value(n->a, &a)) {
		*v = n->op == OP_NEG ? -a : n->op == OP_NOT ? !a : ~a;
		return true;
	}
	if (n->kind != N_BINOP || !const_value(n->a, &a) || !const_value(n->b, &b))
		return false;
	switch (n->op) {
	case OP_ADD: *v = a + b; return true;
	case OP_SUB: *v = a - b; return true;
	case OP_MUL: *v = a * b; return true;
	case OP_DIV: *v = b ? a / b : 1; return true; /* as at run time */
	case OP_MOD: *v = b ? a % b : 1; return true;
	case OP_LT: *v = a < b; return true;
	case OP_LE: *v = a <= b; return true;
	case OP_GT: *v = a > b; return true;
	case OP_GE: *v = a >= b; return true;
	case OP_EQ: *v = a == b; return true;
	case OP_NE: *v = a != b; return true;
	case OP_LAND: *v = a && b; return true;
	case OP_LOR: *v = a || b; return true;
	case OP_BAND: *v = a & b; return true;
	case OP_BOR: *v = a | b; return true;
	case OP_BXOR: *v = a ^ b; return true;
	default: return false; /* shifts: their width rules are the run time's */
	}
}

/* static_assert(cond[, "message"]): cond must be known at compile time */
const struct type *check_static_assert(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *cond = n->args, *msg = cond->next;
	check_expr(s, cond);
	if (msg && msg->kind != N_STR) {
		ERR(s, &msg->loc, "static_assert() expects a string literal message");
		return &type_none;
	}
	int64_t v;
	if (!const_value(cond, &v)) {
		ERR(s, &cond->loc, "static_assert() expects a condition known at compile time");
		return &type_none;
	}
	if (!v)
		ERR(s, &n->loc, "static assertion failed%s%s", msg ? ": " : "", msg ? msg->str : "");
	return fold(s, n, 0, &type_void);
}

/* cgroupid("/sys/fs/cgroup/..."): the cgroup v2 id is the directory's inode */
const struct type *check_cgroupid(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *path = literal_string_arg(s, n);
	if (!path)
		return &type_none;
	struct stat st;
	struct statfs fs;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || statfs(path, &fs) < 0 ||
	    fs.f_type != CGROUP2_SUPER_MAGIC) {
		ERR(s, &n->args->loc, "cgroupid(): '%s' is not a cgroup v2 directory", path);
		return &type_none;
	}
	s->c->uncacheable = "cgroupid() reads the cgroup file system"; /* a cgroup may be made again */
	return fold(s, n, (uint64_t)st.st_ino, &type_u64);
}

const struct type *check_kfunc_exist(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *name = literal_string_arg(s, n);
	if (!name)
		return &type_none;
	struct btf_types *bt = compiler_btf(s->c);
	return fold(s, n, bt && btf_has_function(bt, name), &type_bool);
}

/* The value given for --name: "name" (NULL value) or "name=value". */
static bool named_param(const struct compiler *c, const char *name, const char **value)
{
	size_t len = strlen(name);
	for (int i = 0; i < c->opts->nnamed; i++) {
		const char *p = c->opts->named[i];
		if (!strncmp(p, name, len) && (p[len] == '\0' || p[len] == '=')) {
			*value = p[len] ? p + len + 1 : NULL;
			return true;
		}
	}
	return false;
}

static void add_getopt(struct compiler *c, const char *name, const char *description)
{
	for (int i = 0; i < c->ngetopts; i++)
		if (!strcmp(c->getopts[i].name, name))
			return;
	c->getopts = grow_array(c->arena, c->getopts, c->ngetopts, &c->cap_getopts, sizeof(*c->getopts), 8);
	c->getopts[c->ngetopts++] = (struct getopt_def){ name, description };
}

/* getopt("name"[, default[, "description"]]): a bool without a default,
 * else of the default's type (integer, string, bool) */
const struct type *check_getopt(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *name = n->args, *def = name->next, *desc = def ? def->next : NULL;
	if (name->kind != N_STR || (desc && desc->kind != N_STR)) {
		ERR(s, &n->loc, "getopt() expects a string literal name and description");
		return &type_none;
	}
	int64_t num = 0;
	if (def && def->kind != N_STR && def->kind != N_BOOL && !literal_value(def, &num)) {
		ERR(s, &def->loc, "getopt(): the default must be an integer, string or bool literal");
		return &type_none;
	}
	if (s->c->second_pass)
		add_getopt(s->c, name->str, desc ? desc->str : "");
	const char *value = NULL;
	bool given = named_param(s->c, name->str, &value);
	if (def && def->kind == N_STR) {
		if (given && !value) {
			ERR(s, &n->loc, "program option --%s expects a value: --%s=TEXT", name->str, name->str);
			return &type_none;
		}
		const char *text = given ? value : def->str;
		if (s->c->second_pass) {
			n->kind = N_STR;
			n->str = text;
			n->str_len = (int)strlen(text);
			n->args = NULL;
		}
		return type_string(s->c->arena, strlen(text) + 1);
	}
	if (def && def->kind != N_BOOL) { /* an integer */
		if (given) {
			char *end;
			errno = 0;
			num = value ? strtoll(value, &end, 0) : 0;
			if (!value || !*value || *end || errno) {
				ERR(s, &n->loc, "program option --%s expects an integer, not '%s'", name->str,
				    value ? value : "");
				return &type_none;
			}
		}
		return fold(s, n, (uint64_t)num, &type_i64);
	}
	bool on = def ? def->ival != 0 : false;
	if (given) {
		if (!value || !strcmp(value, "true") || !strcmp(value, "1")) {
			on = true;
		} else if (!strcmp(value, "false") || !strcmp(value, "0")) {
			on = false;
		} else {
			ERR(s, &n->loc, "program option --%s expects true or false, not '%s'", name->str, value);
			return &type_none;
		}
	}
	const struct type *t = fold(s, n, on, &type_bool);
	if (s->c->second_pass)
		n->kind = N_BOOL;
	return t;
}

/* After the final pass: every named parameter must be one a getopt() asks
 * for; `--help` lists them. */
void check_named_params(struct compiler *c)
{
	const char *unexpected = NULL;
	bool help = false;
	for (int i = 0; i < c->opts->nnamed; i++) {
		const char *p = c->opts->named[i];
		size_t len = strcspn(p, "=");
		bool known = false;
		for (int k = 0; k < c->ngetopts && !known; k++)
			known = strlen(c->getopts[k].name) == len && !strncmp(c->getopts[k].name, p, len);
		if (!known && !strcmp(p, "help"))
			help = true;
		else if (!known)
			unexpected = unexpected ? arena_printf(c->arena, "%s, --%.*s", unexpected, (int)len, p)
						: arena_printf(c->arena, "--%.*s", (int)len, p);
	}
	if (!unexpected && !help)
		return;
	const char *expected = "";
	for (int k = 0; k < c->ngetopts; k++)
		expected = arena_printf(c->arena, "%s%s--%s", expected, k ? ": " : "", c->getopts[k].name);
	struct diag_entry *e;
	if (unexpected) {
		e = diag_error(c->diags, NULL, "unexpected program command line options: %s", unexpected);
		diag_hint(c->diags, e, "expected program options: %s", c->ngetopts ? expected : "(none)");
		return;
	}
	const char *list = "";
	for (int k = 0; k < c->ngetopts; k++)
		list = arena_printf(c->arena, "%s\n--%s%s%s", list, c->getopts[k].name,
				    c->getopts[k].description[0] ? ": " : "", c->getopts[k].description);
	e = diag_error(c->diags, NULL, "the program's options:");
	diag_hint(c->diags, e, "%s", c->ngetopts ? list + 1 : "(none)");
}

/* fail(fmt, ...): a compile error where it is checked; the arguments must
 * be literals, printed by their conversion's letter (d, u, x, s, ...). */
const struct type *check_fail(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *fmt = n->args;
	if (!fmt || fmt->kind != N_STR) {
		ERR(s, fmt ? &fmt->loc : &n->loc, "fail() requires a string literal as its first argument");
		return &type_void;
	}
	char *msg = arena_strdup(s->c->arena, "");
	struct node *arg = fmt->next;
	size_t lit = 0;
	for (size_t i = 0; fmt->str[i]; i++) {
		struct fmt_spec spec;
		if (fmt->str[i] != '%')
			continue;
		enum fmt_item item = format_item_at(fmt->str, i, &spec, NULL, 0);
		if (item == FMT_LITERAL || item == FMT_ERROR)
			continue;
		msg = arena_printf(s->c->arena, "%s%.*s", msg, (int)(i - lit), fmt->str + lit);
		if (item == FMT_PERCENT) { /* "%%" */
			msg = arena_printf(s->c->arena, "%s%%", msg);
			i++;
			lit = i + 1;
			continue;
		}
		if (arg)
			check_expr(s, arg);
		int64_t v;
		if (arg && arg->kind == N_STR)
			msg = arena_printf(s->c->arena, "%s%s", msg, arg->str);
		else if (arg && literal_value(arg, &v))
			msg = arena_printf(s->c->arena, strchr("xX", spec.conv) ? "%s%llx" : "%s%lld", msg, (long long)v);
		else {
			ERR(s, arg ? &arg->loc : &n->loc, "fail() arguments must be literals");
			return &type_void;
		}
		arg = arg->next;
		i += spec.len - 1;
		lit = i + 1;
	}
	ERR(s, &n->loc, "%s%s", msg, fmt->str + lit);
	return &type_void;
}

/* The member path of container_of's third argument: `a` or `a.b.c`. */
static const char *member_path(struct sema *s, const struct node *n)
{
	if (n->kind == N_IDENT)
		return n->name;
	if (n->kind == N_FIELD && !(n->a->kind == N_IDENT && !strcmp(n->a->name, "args"))) {
		const char *outer = member_path(s, n->a);
		return outer ? arena_printf(s->c->arena, "%s.%s", outer, n->name) : NULL;
	}
	return NULL;
}

/* container_of(ptr, typeof(T), member): the T whose member is at ptr */
const struct type *check_container_of(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *ptr = n->args, *of = ptr->next, *member = of->next;
	const struct type *pt = check_expr(s, ptr);
	if (pt->kind == TY_NONE)
		return pt;
	if (pt->kind != TY_POINTER && pt->kind != TY_INT) {
		ERR(s, &ptr->loc, "container_of() needs a pointer, not '%s'", tname(s, pt));
		return &type_none;
	}
	const struct type *t = of->kind == N_TYPEOF ? (of->tspec ? cast_type(s, of->tspec) : check_expr(s, of->a)) : NULL;
	if (t && t->kind == TY_POINTER && t->pointee)
		t = t->pointee;
	if (!t || t->kind != TY_STRUCT) {
		ERR(s, &of->loc, "container_of() needs typeof(struct NAME) as its second argument");
		return &type_none;
	}
	const char *path = member_path(s, member);
	uint64_t off;
	if (!path) {
		ERR(s, &member->loc, "container_of() needs a member name as its third argument");
		return &type_none;
	}
	if (!member_offset(s, &member->loc, t, path, &off))
		return &type_none;
	n->ival = off;
	return type_pointer(s->c->arena, t);
}

struct val lower_container_of(struct lower *l, struct node *n)
{
	LLVMValueRef p = lower_expr(l, n->args).v;
	return (struct val){ LLVMBuildSub(l->b, p, lower_const(l, n->ival), "") };
}
