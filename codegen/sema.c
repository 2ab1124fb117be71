/* Semantic analysis: resolve names, infer the types of variables and maps
 * from every use, check calls and operators. Runs twice over the program:
 * the first pass only collects map types (a map may be read in a probe that
 * comes before the one assigning it), the second reports errors. */
#include "sema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/format.h"

static const struct type type_lit = { .kind = TY_INT, .bits = 64, .is_signed = true,
				      .is_literal = true, .size = 8 };
static const struct type type_lit_u = { .kind = TY_INT, .bits = 64, .is_signed = false,
					.is_literal = true, .size = 8 };

struct scope {
	struct scope *parent;
	struct var_info **vars;
	int nvars, cap;
};

struct sema {
	struct compiler *c;
	struct probe_info *probe;
	struct scope *scope;
	int loop_depth;
	int for_depth;      /* inside for loops (range or map) */
	const struct type *fn_ret; /* inside an inlined fn: its return type */
	int map_loop_depth; /* inside `for ($kv : @m)`: no probe context there */
};

#define ERR(s, loc, ...) ((s)->c->second_pass ? (void)diag_error((s)->c->diags, loc, __VA_ARGS__) : (void)0)
#define WARN(s, loc, ...) ((s)->c->second_pass ? (void)diag_warning((s)->c->diags, loc, __VA_ARGS__) : (void)0)

static const struct type *check_expr(struct sema *s, struct node *n);
static void check_block(struct sema *s, struct node *body);
static void check_for_map(struct sema *s, struct node *st);
static void check_stmt(struct sema *s, struct node *st);

struct call_info *sema_info(struct compiler *c, struct node *n)
{
	if (!n->sema) {
		struct call_info *ci = arena_alloc(c->arena, sizeof(*ci));
		ci->action = -1;
		n->sema = ci;
	}
	return n->sema;
}

static const char *tname(struct sema *s, const struct type *t)
{
	return type_name(s->c->arena, t);
}

int compiler_add_action(struct compiler *c, struct action act)
{
	if (c->nactions == c->cap_actions) {
		int cap = c->cap_actions ? c->cap_actions * 2 : 16;
		struct action *n = arena_alloc(c->arena, sizeof(*n) * (size_t)cap);
		if (c->nactions)
			memcpy(n, c->actions, sizeof(*n) * (size_t)c->nactions);
		c->actions = n;
		c->cap_actions = cap;
	}
	c->actions[c->nactions] = act;
	return c->nactions++;
}

int compiler_probe_name(struct compiler *c, const char *name)
{
	for (int i = 0; i < c->nprobe_names; i++)
		if (!strcmp(c->probe_names[i], name))
			return i;
	if (c->nprobe_names == c->cap_probe_names) {
		int cap = c->cap_probe_names ? c->cap_probe_names * 2 : 16;
		const char **n = arena_alloc(c->arena, sizeof(*n) * (size_t)cap);
		if (c->nprobe_names)
			memcpy(n, c->probe_names, sizeof(*n) * (size_t)c->nprobe_names);
		c->probe_names = n;
		c->cap_probe_names = cap;
	}
	c->probe_names[c->nprobe_names] = name;
	return c->nprobe_names++;
}

/* ---- variables and scopes ---- */

static struct var_info *scope_find(struct sema *s, const char *name)
{
	for (struct scope *sc = s->scope; sc; sc = sc->parent)
		for (int i = 0; i < sc->nvars; i++)
			if (!strcmp(sc->vars[i]->name, name))
				return sc->vars[i];
	return NULL;
}

static struct var_info *scope_add(struct sema *s, const char *name, const struct type *t)
{
	struct scope *sc = s->scope;
	if (sc->nvars == sc->cap) {
		int cap = sc->cap ? sc->cap * 2 : 8;
		struct var_info **n = arena_alloc(s->c->arena, sizeof(*n) * (size_t)cap);
		if (sc->nvars)
			memcpy(n, sc->vars, sizeof(*n) * (size_t)sc->nvars);
		sc->vars = n;
		sc->cap = cap;
	}
	struct var_info *v = arena_alloc(s->c->arena, sizeof(*v));
	v->name = name;
	v->type = t;
	sc->vars[sc->nvars++] = v;
	return v;
}

static void scope_push(struct sema *s, struct scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->parent = s->scope;
	s->scope = sc;
}

static void scope_pop(struct sema *s)
{
	s->scope = s->scope->parent;
}

/* ---- type merging ---- */

/* The type a stored value gets: literals become int64/uint64. */
static const struct type *storage_type(const struct type *t)
{
	if (t->kind == TY_INT && t->is_literal)
		return t->is_signed ? &type_i64 : &type_u64;
	return t;
}

/* Combine the type already held by a variable/map with a newly assigned
 * one: integers widen, strings grow. NULL when incompatible. */
static const struct type *merge_types(struct arena *a, const struct type *old, const struct type *new)
{
	if (old->kind == TY_NONE)
		return storage_type(new);
	if (new->kind == TY_NONE)
		return old;
	if (old->kind == TY_INT && new->kind == TY_INT) {
		if (new->is_literal)
			return old;
		int bits = old->bits > new->bits ? old->bits : new->bits;
		return type_int(bits, old->is_signed || new->is_signed);
	}
	if (old->kind != new->kind)
		return NULL;
	if (old->kind == TY_STRING)
		return old->size >= new->size ? old : new;
	if (old->kind == TY_TUPLE) {
		if (old->nfields != new->nfields || (old->names == NULL) != (new->names == NULL))
			return NULL;
		const struct type **f = arena_alloc(a, sizeof(*f) * (size_t)old->nfields);
		bool same = true;
		for (int i = 0; i < old->nfields; i++) {
			f[i] = merge_types(a, old->fields[i], new->fields[i]);
			if (!f[i])
				return NULL;
			same = same && f[i] == old->fields[i];
		}
		return same ? old : type_tuple(a, old->nfields, f, old->names);
	}
	if (old->kind == TY_HIST && old->hist_bits != new->hist_bits)
		return NULL;
	if (old->kind == TY_LHIST && !type_equal(old, new))
		return NULL;
	if (type_is_aggregate(old) && new->is_signed && !old->is_signed)
		return new;
	return old;
}

/* ---- maps ---- */

static struct map_info *map_get(struct compiler *c, const char *name, bool create)
{
	for (int i = 0; i < c->nmaps; i++)
		if (!strcmp(c->maps[i]->name, name))
			return c->maps[i];
	if (!create)
		return NULL;
	if (c->nmaps == c->cap_maps) {
		int cap = c->cap_maps ? c->cap_maps * 2 : 16;
		struct map_info **n = arena_alloc(c->arena, sizeof(*n) * (size_t)cap);
		if (c->nmaps)
			memcpy(n, c->maps, sizeof(*n) * (size_t)c->nmaps);
		c->maps = n;
		c->cap_maps = cap;
	}
	struct map_info *m = arena_alloc(c->arena, sizeof(*m));
	m->name = name;
	m->value = &type_none;
	m->max_entries = c->opts->max_map_keys;
	m->index = c->nmaps;
	c->maps[c->nmaps++] = m;
	return m;
}

static const char *map_name(struct sema *s, struct node *n)
{
	return arena_printf(s->c->arena, "@%s", n->name ? n->name : "");
}

/* Check (or fix, on first use) the key of a map access. */
static struct map_info *use_map_key(struct sema *s, struct node *mapnode, bool create)
{
	struct map_info *m = map_get(s->c, map_name(s, mapnode), create);
	sema_info(s->c, mapnode)->map = m;
	if (!mapnode->a) {
		if (m && m->key && m->assigned)
			ERR(s, &mapnode->loc, "%s used as a map without an explicit key (scalar map), previously used with keys",
			    m->name);
		return m;
	}
	const struct type *kt = check_expr(s, mapnode->a);
	if (!m || kt->kind == TY_NONE)
		return m;
	if (type_is_aggregate(kt) || kt->kind == TY_VOID) {
		ERR(s, &mapnode->a->loc, "%s is not a valid map key type", tname(s, kt));
		return m;
	}
	if (!m->key) {
		m->key = storage_type(kt);
		return m;
	}
	const struct type *merged = merge_types(s->c->arena, m->key, kt);
	if (!merged)
		ERR(s, &mapnode->loc,
		    "Argument mismatch for %s: trying to access with arguments: '%s' when map expects arguments: '%s'",
		    m->name, tname(s, kt), tname(s, m->key));
	else
		m->key = merged;
	return m;
}

static void assign_map_value(struct sema *s, struct map_info *m, const struct type *t,
			     const struct src_loc *loc)
{
	if (!m->assigned) {
		m->assigned = true;
		m->loc = *loc;
	}
	const struct type *merged = merge_types(s->c->arena, m->value, t);
	if (!merged) {
		ERR(s, loc, "Type mismatch for %s: trying to assign value of type '%s' when map already has a type '%s'",
		    m->name, tname(s, t), tname(s, m->value));
		return;
	}
	m->value = merged;
}

/* ---- builtins ---- */

static const struct {
	const char *name;
	enum builtin b;
} builtins[] = {
	{ "pid", B_PID }, { "tid", B_TID }, { "uid", B_UID }, { "gid", B_GID },
	{ "nsecs", B_NSECS }, { "elapsed", B_ELAPSED }, { "cpu", B_CPU }, { "comm", B_COMM },
	{ "cpid", B_CPID }, { "probe", B_PROBE }, { "args", B_ARGS }, { "retval", B_RETVAL },
	{ "rand", B_RAND }, { "jiffies", B_JIFFIES }, { "cgroup", B_CGROUP },
	{ "curtask", B_CURTASK }, { "ncpus", B_NCPUS }, { "numaid", B_NUMAID },
	{ "usermode", B_USERMODE }, { "kstack", B_KSTACK }, { "ustack", B_USTACK },
	{ "func", B_FUNC }, { "probetype", B_PROBETYPE },
};

static enum builtin find_builtin(const char *name, int *argn)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].name, name))
			return builtins[i].b;
	if (!strncmp(name, "arg", 3) && name[3] >= '0' && name[3] <= '9') {
		char *end;
		long v = strtol(name + 3, &end, 10);
		if (!*end) {
			*argn = (int)v;
			return B_ARG;
		}
	}
	return B_NONE;
}

static bool is_return_probe(enum probe_kind k)
{
	return k == PROBE_URETPROBE || k == PROBE_KRETPROBE;
}

/* "kprobe", "tracepoint", ...; "special" for begin/end (the probetype). */
static const char *provider_of(struct sema *s, const struct probe_info *pi)
{
	if (pi->kind == PROBE_BEGIN || pi->kind == PROBE_END)
		return "special";
	const char *canon = pi->specs[0].canonical, *colon = strchr(canon, ':');
	return colon ? arena_strndup(s->c->arena, canon, (size_t)(colon - canon)) : canon;
}

static const struct type *use_stack(struct sema *s, bool user, enum stack_mode mode, int limit)
{
	if (limit > s->c->stack_frames)
		s->c->stack_frames = limit;
	return type_stack(s->c->arena, user, mode, limit);
}

static const struct type *check_builtin(struct sema *s, struct node *n)
{
	int argn = 0;
	enum builtin b = find_builtin(n->name, &argn);
	struct call_info *ci = sema_info(s->c, n);
	ci->builtin = b;
	ci->arg_index = argn;
	enum probe_kind kind = s->probe->kind;
	if (s->map_loop_depth && (b == B_ARGS || b == B_ARG || b == B_RETVAL || b == B_KSTACK ||
				  b == B_USTACK || b == B_FUNC)) {
		ERR(s, &n->loc, "'%s' can not be used inside a for loop over a map", n->name);
		return &type_none;
	}
	switch (b) {
	case B_PID: case B_TID:
		return &type_u32;
	case B_UID: case B_GID: case B_NSECS: case B_ELAPSED: case B_CPU: case B_CPID:
	case B_RAND: case B_JIFFIES: case B_CGROUP: case B_NCPUS: case B_NUMAID:
		return &type_u64;
	case B_USERMODE:
		ERR(s, &n->loc, "usermode is not supported yet");
		return &type_none;
	case B_KSTACK: case B_USTACK:
		return use_stack(s, b == B_USTACK, STACK_BPFTRACE, 127);
	case B_FUNC:
		if (kind != PROBE_UPROBE && kind != PROBE_URETPROBE && kind != PROBE_KPROBE &&
		    kind != PROBE_KRETPROBE) {
			ERR(s, &n->loc, "The func builtin can only be used with kprobe and uprobe probes");
			return &type_none;
		}
		return type_symbol(s->c->arena, kind == PROBE_UPROBE || kind == PROBE_URETPROBE);
	case B_COMM:
		return type_string(s->c->arena, 16);
	case B_PROBE:
		return &type_probe;
	case B_PROBETYPE:
		n->kind = N_STR;
		n->str = provider_of(s, s->probe);
		n->str_len = (int)strlen(n->str);
		return type_string(s->c->arena, (size_t)n->str_len + 1);
	case B_CURTASK:
		return type_pointer(s->c->arena, NULL);
	case B_ARGS:
		if (kind != PROBE_TRACEPOINT)
			ERR(s, &n->loc, "The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (%s used here)",
			    provider_of(s, s->probe));
		else
			ERR(s, &n->loc, "args must be used with a field: args.NAME");
		return &type_none;
	case B_ARG:
		if (kind != PROBE_UPROBE && kind != PROBE_KPROBE && kind != PROBE_RAWTRACEPOINT) {
			ERR(s, &n->loc, "The argN builtin can only be used with 'kprobes', 'uprobes' and 'usdt' probes");
			return &type_none;
		}
		if (argn > 5 && kind != PROBE_RAWTRACEPOINT) {
			ERR(s, &n->loc, "x86_64 doesn't support %s", n->name);
			return &type_none;
		}
		return &type_u64;
	case B_RETVAL:
		if (!is_return_probe(kind)) {
			struct diag_entry *e = s->c->second_pass
				? diag_error(s->c->diags, &n->loc,
					     "The retval builtin can only be used with 'kretprobe' and 'uretprobe' and 'fentry' probes")
				: NULL;
			if (e && kind == PROBE_TRACEPOINT)
				diag_hint(s->c->diags, e, "try to use args.ret instead");
			return &type_none;
		}
		return &type_u64;
	case B_NONE:
		break;
	}
	ERR(s, &n->loc, "Unknown identifier: '%s'", n->name);
	return &type_none;
}

/* args.FIELD of a tracepoint */
static const struct type *check_args_field(struct sema *s, struct node *n)
{
	struct node *base = n->a;
	sema_info(s->c, base)->builtin = B_ARGS;
	if (s->probe->kind != PROBE_TRACEPOINT || !s->probe->tp) {
		ERR(s, &base->loc, "The args builtin can only be used with tracepoint, rawtracepoint, fentry/fexit, and uprobe probes (%s used here)",
		    provider_of(s, s->probe));
		return &type_none;
	}
	const struct tp_format *fmt = s->probe->tp;
	for (int i = 0; i < fmt->nfields; i++) {
		const struct tp_field *f = &fmt->fields[i];
		if (strcmp(f->name, n->name))
			continue;
		sema_info(s->c, n)->field = f;
		if (f->is_char_array)
			return type_string(s->c->arena, (size_t)f->array_len);
		if (f->is_data_loc)
			return type_string(s->c->arena, (size_t)s->c->opts->max_strlen);
		if (f->is_pointer)
			return type_pointer(s->c->arena, &type_i8);
		if (f->array_len > 0) {
			ERR(s, &n->loc, "array tracepoint field '%s' is not supported yet", f->name);
			return &type_none;
		}
		int bits = f->size == 1 ? 8 : f->size == 2 ? 16 : f->size == 4 ? 32 : 64;
		return type_int(bits, f->is_signed);
	}
	ERR(s, &n->loc, "Struct/union of type 'struct %s_args' does not contain a field named '%s'",
	    s->probe->specs[0].func, n->name);
	return &type_none;
}

/* ---- calls ---- */

static int count_args(struct node *args)
{
	int n = 0;
	for (; args; args = args->next)
		n++;
	return n;
}

static bool arity(struct sema *s, struct node *n, int min, int max)
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

static bool is_int(const struct type *t)
{
	return type_is_integer_like(t);
}

static bool want_int(struct sema *s, struct node *arg, const char *fn, const char *what)
{
	const struct type *t = check_expr(s, arg);
	if (t->kind == TY_NONE || is_int(t))
		return true;
	ERR(s, &arg->loc, "%s() expects an integer %s (%s provided)", fn, what, tname(s, t));
	return false;
}

/* An integer literal argument, possibly negated. */
static bool literal_value(struct node *n, int64_t *v)
{
	if (n->kind == N_INT) {
		*v = (int64_t)n->ival;
		return true;
	}
	if (n->kind == N_UNOP && n->op == OP_NEG && n->a->kind == N_INT) {
		*v = -(int64_t)n->a->ival;
		return true;
	}
	return false;
}

static const struct type *check_printf(struct sema *s, struct node *n)
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
		if (type_is_aggregate(types[i]) || types[i]->kind == TY_VOID) {
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

/* A map argument of print/clear/zero/delete/has_key: `@m` or `@m[k]`. */
static struct map_info *map_arg(struct sema *s, struct node *call, struct node *arg, bool keyed_ok)
{
	if (!arg || arg->kind != N_MAP) {
		ERR(s, arg ? &arg->loc : &call->loc, "%s() expects a map argument", call->name);
		return NULL;
	}
	if (arg->a && !keyed_ok) {
		ERR(s, &arg->loc, "%s() expects a map without a key", call->name);
		return NULL;
	}
	struct map_info *m = map_get(s->c, map_name(s, arg), false);
	sema_info(s->c, arg)->map = m;
	if (!m) {
		ERR(s, &arg->loc, "Undefined map: %s", map_name(s, arg));
		return NULL;
	}
	return m;
}

static const struct type *check_print(struct sema *s, struct node *n)
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

static const struct type *check_exit(struct sema *s, struct node *n)
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

static const struct type *check_map_fn(struct sema *s, struct node *n, enum action_kind kind)
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

/* `f(@m, k)` is kept as `f(@m[k])` (op = 1 marks the rewrite, which the
 * second pass must not undo), so lowering treats both spellings alike. */
static void fold_map_key_arg(struct node *n)
{
	struct node *m = n->args;
	if (m && m->kind == N_MAP && !m->a && m->next && !m->next->next) {
		m->a = m->next;
		m->next = NULL;
		n->op = 1;
	}
}

static const struct type *check_delete(struct sema *s, struct node *n)
{
	fold_map_key_arg(n);
	if (n->op != 1 && !arity(s, n, 1, 2))
		return &type_bool;
	struct node *mapnode = n->args;
	if (!mapnode || mapnode->kind != N_MAP || mapnode->next) {
		ERR(s, &n->loc, "delete() expects a map argument: delete(@m, key), delete(@m[key]) or delete(@m)");
		return &type_bool;
	}
	struct map_info *m = map_get(s->c, map_name(s, mapnode), false);
	if (!m) {
		ERR(s, &mapnode->loc, "Undefined map: %s", map_name(s, mapnode));
		return &type_bool;
	}
	use_map_key(s, mapnode, false);
	return &type_bool;
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

static const struct type *check_has_key(struct sema *s, struct node *n)
{
	fold_map_key_arg(n);
	if (n->op != 1) {
		if (arity(s, n, 2, 2))
			ERR(s, &n->args->loc, "has_key() expects a map without a key as its first argument");
		return &type_bool;
	}
	struct node *mapnode = n->args;
	struct map_info *m = map_get(s->c, map_name(s, mapnode), false);
	if (!m) {
		ERR(s, &mapnode->loc, "Undefined map: %s", map_name(s, mapnode));
		return &type_bool;
	}
	use_map_key(s, mapnode, false);
	if (!m->key && s->c->second_pass)
		ERR(s, &mapnode->loc, "has_key() cannot be used on a scalar map");
	return &type_bool;
}

static const struct type *check_time(struct sema *s, struct node *n)
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

/* kstack([mode,] [limit]) / ustack([mode,] [limit]) */
static const struct type *check_stack_call(struct sema *s, struct node *n)
{
	if (!arity(s, n, 0, 2))
		return &type_none;
	enum stack_mode mode = STACK_BPFTRACE;
	int64_t limit = 127;
	struct node *a = n->args;
	if (a && a->kind == N_IDENT) {
		if (!strcmp(a->name, "perf"))
			mode = STACK_PERF;
		else if (!strcmp(a->name, "raw"))
			mode = STACK_RAW;
		else if (strcmp(a->name, "bpftrace")) {
			ERR(s, &a->loc, "%s: invalid stack mode '%s' (expected bpftrace, perf or raw)", n->name, a->name);
			return &type_none;
		}
		a = a->next;
	}
	if (a) {
		if (!literal_value(a, &limit) || limit < 1 || limit > 1024) {
			ERR(s, &a->loc, "%s: limit must be an integer literal between 1 and 1024", n->name);
			return &type_none;
		}
		if (a->next) {
			ERR(s, &a->next->loc, "%s: too many arguments", n->name);
			return &type_none;
		}
	}
	struct call_info *ci = sema_info(s->c, n);
	ci->builtin = n->name[0] == 'u' ? B_USTACK : B_KSTACK;
	return use_stack(s, n->name[0] == 'u', mode, (int)limit);
}

static const char *const aggregate_fns[] = { "count", "sum", "avg", "min", "max", "stats", "hist",
					     "lhist", "tseries", NULL };

static bool is_aggregate_fn(const char *name)
{
	for (int i = 0; aggregate_fns[i]; i++)
		if (!strcmp(aggregate_fns[i], name))
			return true;
	return false;
}

static const char *const unsupported_fns[] = {
	"cat", "join", "errorf", "warnf", "fail", "static_assert", "assert", "debugf",
	"buf", "strcap", "str_concat", "memcmp",
	"uaddr", "percpu_kaddr", "kptr", "uptr", "ntop", "pton", "macaddr",
	"cgroupid", "cgroup_path", "path", "signal", "signal_thread", "override", "write_user",
	"is_str", "is_ptr", "is_array", "is_integer", "is_unsigned_integer", "is_literal",
	"container_of", "is_err", "bswap", "find", "dw_ustack",
	"socket_cookie", "skboutput", "strerror", "signal_name", "syscall_name", "getopt",
	"unwatch", "kfunc_exist", "kfunc_allowed", NULL,
};

/* A string-literal argument, or NULL after reporting the problem. */
static const char *literal_string_arg(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 1))
		return NULL;
	if (n->args->kind != N_STR) {
		ERR(s, &n->args->loc, "%s() expects a string literal", n->name);
		return NULL;
	}
	return n->args->str;
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

/* len(@m): number of entries */
static const struct type *check_len(struct sema *s, struct node *n)
{
	if (!arity(s, n, 1, 1))
		return &type_none;
	struct map_info *m = map_arg(s, n, n->args, false);
	if (m && !m->key && m->assigned) {
		ERR(s, &n->args->loc, "len() expects a map with keys");
		return &type_none;
	}
	if (m && (m->value->kind == TY_HIST || m->value->kind == TY_LHIST)) {
		ERR(s, &n->args->loc, "len() of a histogram map is not supported yet");
		return &type_none;
	}
	return &type_i64;
}

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

/* reg("name"): offsets in x86-64 struct pt_regs (also the start of the
 * perf_event context). */
static const struct type *check_reg(struct sema *s, struct node *n)
{
	static const char *const regs[] = { "r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8",
					    "ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss" };
	const char *name = literal_string_arg(s, n);
	if (!name)
		return &type_none;
	enum probe_kind k = s->probe->kind;
	if (k != PROBE_KPROBE && k != PROBE_KRETPROBE && k != PROBE_UPROBE && k != PROBE_URETPROBE &&
	    k != PROBE_PROFILE && k != PROBE_INTERVAL) {
		ERR(s, &n->loc, "reg() can only be used with kprobe, uprobe and profile probes");
		return &type_none;
	}
	if (s->map_loop_depth) {
		ERR(s, &n->loc, "'reg' can not be used inside a for loop over a map");
		return &type_none;
	}
	if (!strcmp(name, "pc"))
		name = "ip";
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (!strcmp(regs[i], name)) {
			n->ival = 8 * i;
			return &type_u64;
		}
	ERR(s, &n->args->loc, "'%s' is not a known register", name);
	return &type_none;
}

/* system(fmt, ...): formatted like printf, run by the runtime. */
static const struct type *check_system(struct sema *s, struct node *n)
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

static const struct type *check_call(struct sema *s, struct node *n)
{
	const char *f = n->name;
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
		if (f[0] == 'u' && s->probe->kind != PROBE_UPROBE && s->probe->kind != PROBE_URETPROBE &&
		    s->probe->kind != PROBE_PROFILE)
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

/* `@m[k] = count()` etc.: the value type of the map. */
static const struct type *check_aggregate(struct sema *s, struct node *n)
{
	const char *f = n->name;
	struct arena *a = s->c->arena;
	if (!strcmp(f, "count")) {
		arity(s, n, 0, 0);
		return type_aggregate(a, TY_COUNT, false);
	}
	static const struct {
		const char *name;
		enum type_kind kind;
	} one_arg[] = { { "sum", TY_SUM }, { "avg", TY_AVG }, { "min", TY_MIN },
			{ "max", TY_MAX }, { "stats", TY_STATS } };
	for (size_t i = 0; i < sizeof(one_arg) / sizeof(one_arg[0]); i++) {
		if (strcmp(f, one_arg[i].name))
			continue;
		if (!arity(s, n, 1, 1))
			return &type_none;
		const struct type *t = check_expr(s, n->args);
		if (t->kind != TY_NONE && !is_int(t)) {
			ERR(s, &n->args->loc, "%s() expects an integer argument (%s provided)", f, tname(s, t));
			return &type_none;
		}
		bool sign = t->kind == TY_INT && t->is_signed && !t->is_literal;
		if (t->is_literal && literal_value(n->args, &(int64_t){ 0 })) {
			int64_t v = 0;
			literal_value(n->args, &v);
			sign = v < 0;
		}
		return type_aggregate(a, one_arg[i].kind, sign);
	}
	if (!strcmp(f, "hist")) {
		if (!arity(s, n, 1, 2))
			return &type_none;
		want_int(s, n->args, "hist", "argument");
		int64_t bits = 0;
		if (n->args->next) {
			check_expr(s, n->args->next);
			if (!literal_value(n->args->next, &bits) || bits < 0 || bits > 5) {
				ERR(s, &n->args->next->loc, "hist: bits %lld must be 0..5", (long long)bits);
				return &type_none;
			}
		}
		struct type *t = (struct type *)type_aggregate(a, TY_HIST, false);
		t->hist_bits = (int)bits;
		return t;
	}
	if (!strcmp(f, "lhist")) {
		if (!arity(s, n, 4, 4))
			return &type_none;
		want_int(s, n->args, "lhist", "argument");
		int64_t v[3];
		struct node *arg = n->args->next;
		for (int i = 0; i < 3; i++, arg = arg->next) {
			check_expr(s, arg);
			if (!literal_value(arg, &v[i])) {
				ERR(s, &arg->loc, "lhist() %s must be an integer literal",
				    i == 0 ? "min" : i == 1 ? "max" : "step");
				return &type_none;
			}
		}
		if (v[0] < 0) {
			ERR(s, &n->args->next->loc, "lhist: invalid min value (must be non-negative literal)");
			return &type_none;
		}
		if (v[2] < 1) {
			ERR(s, &n->loc, "lhist() step must be >= 1 (%lld provided)", (long long)v[2]);
			return &type_none;
		}
		if (v[1] <= v[0]) {
			ERR(s, &n->loc, "lhist: max must be greater than min");
			return &type_none;
		}
		if (v[2] > v[1] - v[0] || (v[1] - v[0]) / v[2] > 1000) {
			ERR(s, &n->loc, "lhist: invalid step value (at most 1000 buckets, step <= max - min)");
			return &type_none;
		}
		struct type *t = (struct type *)type_aggregate(a, TY_LHIST, false);
		t->lh_min = v[0];
		t->lh_max = v[1];
		t->lh_step = v[2];
		return t;
	}
	ERR(s, &n->loc, "%s() is not supported yet", f);
	return &type_none;
}

/* ---- expressions ---- */

static const struct type *arith_result(const struct type *l, const struct type *r)
{
	bool lsig = l->kind == TY_INT && l->is_signed && !l->is_literal;
	bool rsig = r->kind == TY_INT && r->is_signed && !r->is_literal;
	if (l->is_literal && r->is_literal)
		return (l->is_signed && r->is_signed) ? &type_lit : &type_lit_u;
	if (l->is_literal)
		lsig = rsig;
	if (r->is_literal)
		rsig = lsig;
	return (lsig || rsig) ? &type_i64 : &type_u64;
}

static void posparam(struct sema *s, struct node *n)
{
	int idx = (int)n->ival;
	const char *text = idx <= s->c->opts->nparams ? s->c->opts->params[idx - 1] : NULL;
	if (!text || !*text) {
		/* nodes are rewritten on the first pass, so warn here directly */
		diag_warning(s->c->diags, &n->loc, "Positional parameter $%d is empty or not provided.", idx);
		n->kind = N_INT;
		n->ival = 0;
		return;
	}
	/* an integer literal (optionally negative, with _ separators) or a string */
	char digits[64];
	size_t j = 0;
	for (const char *p = text; *p && j < sizeof(digits) - 1; p++)
		if (*p != '_')
			digits[j++] = *p;
	digits[j] = 0;
	char *end;
	errno = 0;
	bool neg = digits[0] == '-';
	unsigned long long v = strtoull(neg ? digits + 1 : digits, &end, 0);
	if (j && !*end && errno == 0 && (neg ? digits[1] : digits[0]) >= '0' &&
	    (neg ? digits[1] : digits[0]) <= '9') {
		n->kind = N_INT;
		n->ival = neg ? (uint64_t)(-(int64_t)v) : v;
		if (neg) {
			/* keep the node an integer literal of the negative value */
			n->op = 1;
		}
		return;
	}
	n->kind = N_STR;
	n->str = text;
	n->str_len = (int)strlen(text);
}

static const struct type *check_binop(struct sema *s, struct node *n)
{
	const struct type *l = check_expr(s, n->a);
	const struct type *r = check_expr(s, n->b);
	if (l->kind == TY_NONE || r->kind == TY_NONE)
		return &type_none;
	switch (n->op) {
	case OP_LAND: case OP_LOR:
		if (!is_int(l) || !is_int(r))
			ERR(s, &n->loc, "Invalid operands for '%s': '%s' and '%s'", binop_str(n->op),
			    tname(s, l), tname(s, r));
		return &type_bool;
	case OP_EQ: case OP_NE:
		if (l->kind == TY_STRING && r->kind == TY_STRING)
			return &type_bool;
		if ((l->kind == TY_PROBE) != (r->kind == TY_PROBE) || (!is_int(l) && l->kind != TY_PROBE) ||
		    (!is_int(r) && r->kind != TY_PROBE)) {
			ERR(s, &n->loc, "Type mismatch for '%s': comparing '%s' with '%s'", binop_str(n->op),
			    tname(s, l), tname(s, r));
			return &type_none;
		}
		return &type_bool;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		if (!is_int(l) || !is_int(r)) {
			ERR(s, &n->loc, "Type mismatch for '%s': comparing '%s' with '%s'", binop_str(n->op),
			    tname(s, l), tname(s, r));
			return &type_none;
		}
		return &type_bool;
	default:
		break;
	}
	if (!is_int(l) || !is_int(r)) {
		ERR(s, &n->loc, "Invalid operands for '%s': '%s' and '%s'", binop_str(n->op), tname(s, l),
		    tname(s, r));
		return &type_none;
	}
	if (l->kind == TY_POINTER && (n->op == OP_ADD || n->op == OP_SUB) && r->kind == TY_INT)
		return l;
	if ((n->op == OP_DIV || n->op == OP_MOD) && l->kind == TY_INT && r->kind == TY_INT &&
	    ((l->is_signed && !l->is_literal) || (r->is_signed && !r->is_literal)))
		WARN(s, &n->loc, "signed operands for '%s' can lead to undefined behavior (cast to unsigned to silence warning)",
		     binop_str(n->op));
	const struct type *res = arith_result(l->kind == TY_INT ? l : &type_u64,
					     r->kind == TY_INT ? r : &type_u64);
	if (n->op == OP_SUB && !res->is_literal)
		res = &type_i64;
	return res;
}

static const struct type *check_field(struct sema *s, struct node *n)
{
	if (n->a->kind == N_IDENT && !strcmp(n->a->name, "args"))
		return check_args_field(s, n);
	const struct type *t = check_expr(s, n->a);
	if (t->kind == TY_NONE)
		return t;
	if (t->kind == TY_TUPLE) {
		for (int i = 0; i < t->nfields; i++) {
			char idx[16];
			snprintf(idx, sizeof(idx), "%d", i);
			if ((t->names && !strcmp(t->names[i], n->name)) || (!t->names && !strcmp(idx, n->name))) {
				n->ival = (uint64_t)i;
				return t->fields[i];
			}
		}
		ERR(s, &n->loc, "Invalid tuple index: %s", n->name);
		return &type_none;
	}
	ERR(s, &n->loc, "field access on a value of type '%s' is not supported yet", tname(s, t));
	return &type_none;
}

static const struct type *cast_type(struct sema *s, struct type_spec *ts)
{
	static const struct {
		const char *name;
		int bits;
		bool sign;
	} ints[] = {
		{ "int8", 8, 1 }, { "int16", 16, 1 }, { "int32", 32, 1 }, { "int64", 64, 1 },
		{ "uint8", 8, 0 }, { "uint16", 16, 0 }, { "uint32", 32, 0 }, { "uint64", 64, 0 },
		{ "u8", 8, 0 }, { "u16", 16, 0 }, { "u32", 32, 0 }, { "u64", 64, 0 },
		{ "s8", 8, 1 }, { "s16", 16, 1 }, { "s32", 32, 1 }, { "s64", 64, 1 },
		{ "int8_t", 8, 1 }, { "int16_t", 16, 1 }, { "int32_t", 32, 1 }, { "int64_t", 64, 1 },
		{ "uint8_t", 8, 0 }, { "uint16_t", 16, 0 }, { "uint32_t", 32, 0 }, { "uint64_t", 64, 0 },
		{ "char", 8, 1 }, { "short", 16, 1 }, { "int", 32, 1 }, { "long", 64, 1 },
		{ "pid_t", 32, 1 }, { "size_t", 64, 0 },
	};
	if (!ts || !ts->name)
		return NULL;
	if (ts->array_len >= 0)
		return NULL;
	if (ts->pointer_depth > 0)
		return type_pointer(s->c->arena, NULL);
	if (!strcmp(ts->name, "bool"))
		return &type_bool;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (!strcmp(ints[i].name, ts->name))
			return type_int(ints[i].bits, ints[i].sign);
	return NULL;
}

/* A type written in a declaration: `let $x: T`, fn parameters and results. */
static const struct type *declared_type(struct sema *s, struct type_spec *ts)
{
	if (ts && ts->name && !ts->pointer_depth) {
		if (!strcmp(ts->name, "void") && ts->array_len < 0)
			return &type_void;
		if (!strcmp(ts->name, "string"))
			return type_string(s->c->arena, ts->array_len > 0 ? (size_t)ts->array_len
									  : (size_t)s->c->opts->max_strlen);
	}
	return cast_type(s, ts);
}

static const struct type *check_cast(struct sema *s, struct node *n)
{
	const struct type *from = check_expr(s, n->a);
	const struct type *to = cast_type(s, n->tspec);
	if (!to) {
		ERR(s, &n->loc, "cast to '%s' is not supported yet",
		    n->tspec && n->tspec->name ? n->tspec->name : "?");
		return &type_none;
	}
	if (from->kind != TY_NONE && !is_int(from)) {
		ERR(s, &n->loc, "Cannot cast from '%s' to '%s'", tname(s, from), tname(s, to));
		return &type_none;
	}
	return to;
}

static const struct type *check_ternary(struct sema *s, struct node *n)
{
	const struct type *c = check_expr(s, n->a);
	if (c->kind != TY_NONE && !is_int(c))
		ERR(s, &n->a->loc, "Invalid condition in ternary: %s", tname(s, c));
	if (!n->c) {
		/* a ?: b */
		const struct type *b = check_expr(s, n->b);
		if (c->kind == TY_INT && b->kind == TY_INT)
			return arith_result(c, b);
		return c;
	}
	const struct type *l = check_expr(s, n->b);
	const struct type *r = check_expr(s, n->c);
	if (l->kind == TY_NONE || r->kind == TY_NONE)
		return &type_none;
	if (l->kind == TY_INT && r->kind == TY_INT)
		return arith_result(l, r);
	const struct type *m = merge_types(s->c->arena, storage_type(l), r);
	if (!m) {
		ERR(s, &n->loc, "Ternary operator must return the same type: have '%s' and '%s'", tname(s, l),
		    tname(s, r));
		return &type_none;
	}
	return m;
}

static const struct type *check_incdec(struct sema *s, struct node *n)
{
	struct node *t = n->a;
	if (t->kind == N_VAR) {
		struct var_info *v = scope_find(s, t->name);
		if (!v) {
			ERR(s, &t->loc, "Undefined or undeclared variable: $%s", t->name);
			return &type_none;
		}
		sema_info(s->c, t)->var = v;
		t->type = v->type;
		if (v->type->kind != TY_INT && v->type->kind != TY_NONE) {
			ERR(s, &n->loc, "The %s operator can only be used on integers", n->op <= OP_PRE_DEC ? "prefix" : "postfix");
			return &type_none;
		}
		return v->type;
	}
	if (t->kind == N_MAP) {
		struct map_info *m = use_map_key(s, t, true);
		assign_map_value(s, m, &type_i64, &n->loc);
		t->type = m->value;
		if (m->value->kind != TY_INT && m->value->kind != TY_NONE) {
			ERR(s, &n->loc, "increment/decrement of %s requires an integer map value", m->name);
			return &type_none;
		}
		return m->value;
	}
	ERR(s, &n->loc, "increment/decrement requires a variable or map");
	return &type_none;
}

static const struct type *check_map_read(struct sema *s, struct node *n)
{
	struct map_info *m = use_map_key(s, n, false);
	if (!m) {
		ERR(s, &n->loc, "Undefined map: %s", map_name(s, n));
		return &type_none;
	}
	if (!m->assigned && s->c->second_pass) {
		ERR(s, &n->loc, "Undefined map: %s", m->name);
		return &type_none;
	}
	if (n->a && !m->key && m->assigned) {
		ERR(s, &n->loc, "%s is a scalar map and has no keys", m->name);
		return &type_none;
	}
	if (!n->a && m->key) {
		ERR(s, &n->loc, "%s is used without a key but it has keys of type '%s'", m->name,
		    tname(s, m->key));
		return &type_none;
	}
	switch (m->value->kind) {
	case TY_COUNT: case TY_SUM: case TY_MIN: case TY_MAX: case TY_AVG:
		return m->value->is_signed ? &type_i64 : &type_u64;
	case TY_STATS: case TY_HIST: case TY_LHIST:
		ERR(s, &n->loc, "%s of type '%s' cannot be read as a value", m->name, tname(s, m->value));
		return &type_none;
	default:
		return m->value;
	}
}

/* An inlined `fn` call: arguments in the caller's scope, the body in a
 * scope of its own that sees only the parameters. */
static const struct type *check_inline_fn(struct sema *s, struct node *n)
{
	int nargs = count_args(n->args), nparams = count_args(n->else_body);
	if (nargs != nparams) {
		ERR(s, &n->loc, "%s() requires %d argument%s (%d provided)", n->name, nparams, nparams == 1 ? "" : "s",
		    nargs);
		return &type_none;
	}
	const struct type *ret = n->tspec ? declared_type(s, n->tspec) : &type_void;
	if (!ret) {
		ERR(s, &n->tspec->loc, "return type of %s is not supported yet", n->name);
		return &type_none;
	}
	struct scope *caller = s->scope, own;
	const struct type *caller_ret = s->fn_ret;
	int loops = s->loop_depth, fors = s->for_depth;
	struct node *arg = n->args;
	for (struct node *p = n->else_body; p; p = p->next, arg = arg->next)
		check_expr(s, arg);
	s->scope = NULL;
	scope_push(s, &own);
	s->fn_ret = ret;
	s->loop_depth = s->for_depth = 0;
	arg = n->args;
	for (struct node *p = n->else_body; p; p = p->next, arg = arg->next) {
		const struct type *pt = declared_type(s, p->tspec);
		if (!pt || pt->kind == TY_VOID) {
			ERR(s, &p->loc, "parameter $%s: type not supported yet", p->name);
			pt = &type_none;
		} else if (arg->type->kind != TY_NONE && !merge_types(s->c->arena, pt, arg->type)) {
			ERR(s, &arg->loc, "%s(): argument $%s has type '%s', expected '%s'", n->name, p->name,
			    tname(s, arg->type), tname(s, pt));
		}
		sema_info(s->c, p)->var = scope_add(s, p->name, pt);
	}
	for (struct node *st = n->body; st; st = st->next)
		check_stmt(s, st);
	s->scope = caller;
	s->fn_ret = caller_ret;
	s->loop_depth = loops;
	s->for_depth = fors;
	return ret;
}

/* (name = value, ...): a tuple whose fields have names */
static const struct type *check_record(struct sema *s, struct node *n)
{
	int cnt = count_args(n->args), i = 0;
	const struct type **f = arena_alloc(s->c->arena, sizeof(*f) * (size_t)(cnt ? cnt : 1));
	const char **names = arena_alloc(s->c->arena, sizeof(*names) * (size_t)(cnt ? cnt : 1));
	for (struct node *a = n->args; a; a = a->next, i++) {
		for (struct node *b = n->args; b != a; b = b->next)
			if (!strcmp(a->name, b->name)) {
				ERR(s, &a->loc, "duplicate record field '%s'", a->name);
				return &type_none;
			}
		const struct type *t = check_expr(s, a->a);
		if (t->kind == TY_NONE)
			return t;
		if (type_is_aggregate(t) || t->kind == TY_VOID) {
			ERR(s, &a->loc, "%s cannot be part of a record", tname(s, t));
			return &type_none;
		}
		a->type = t;
		f[i] = storage_type(t);
		names[i] = a->name;
	}
	return type_tuple(s->c->arena, cnt, f, names);
}

/* { stmts; value }: statements in a scope of their own, then the value */
static const struct type *check_block_expr(struct sema *s, struct node *n)
{
	struct scope sc;
	scope_push(s, &sc);
	for (struct node *st = n->body; st; st = st->next)
		check_stmt(s, st);
	const struct type *t = n->a ? check_expr(s, n->a) : &type_void;
	scope_pop(s);
	return t;
}

/* if (c) { ... v1 } else { ... v2 } used as a value */
static const struct type *check_if_expr(struct sema *s, struct node *n)
{
	const struct type *c = check_expr(s, n->a);
	if (c->kind != TY_NONE && !is_int(c))
		ERR(s, &n->a->loc, "Invalid condition in if(): %s", tname(s, c));
	const struct type *l = check_expr(s, n->body);
	if (!n->else_body) {
		ERR(s, &n->loc, "an if expression needs an else branch");
		return &type_none;
	}
	const struct type *r = check_expr(s, n->else_body);
	if (l->kind == TY_NONE || r->kind == TY_NONE)
		return &type_none;
	if (l->kind == TY_INT && r->kind == TY_INT)
		return arith_result(l, r);
	const struct type *m = merge_types(s->c->arena, storage_type(l), r);
	if (!m || m->kind == TY_VOID) {
		ERR(s, &n->loc, "if expression branches must have the same type: have '%s' and '%s'", tname(s, l),
		    tname(s, r));
		return &type_none;
	}
	return m;
}

static const struct type *check_expr_inner(struct sema *s, struct node *n)
{
	switch (n->kind) {
	case N_INT:
		if (n->op == 1) /* negative positional parameter */
			return &type_lit;
		return n->ival > INT64_MAX ? &type_lit_u : &type_lit;
	case N_STR:
		return type_string(s->c->arena, (size_t)n->str_len + 1);
	case N_BOOL:
		return &type_bool;
	case N_POSPARAM:
		posparam(s, n);
		return check_expr_inner(s, n);
	case N_POSCOUNT:
		n->kind = N_INT;
		n->ival = (uint64_t)s->c->opts->nparams;
		return &type_lit;
	case N_VAR: {
		struct var_info *v = scope_find(s, n->name);
		if (!v) {
			ERR(s, &n->loc, "Undefined or undeclared variable: $%s", n->name);
			return &type_none;
		}
		sema_info(s->c, n)->var = v;
		return v->type;
	}
	case N_MAP:
		return check_map_read(s, n);
	case N_IDENT:
		return check_builtin(s, n);
	case N_CALL:
		return check_call(s, n);
	case N_BINOP:
		return check_binop(s, n);
	case N_UNOP: {
		const struct type *t = check_expr(s, n->a);
		if (t->kind == TY_NONE)
			return t;
		if (!is_int(t)) {
			ERR(s, &n->loc, "Invalid operand for unary operator: '%s'", tname(s, t));
			return &type_none;
		}
		if (n->op == OP_NOT)
			return &type_bool;
		if (n->op == OP_NEG)
			return t->is_literal ? &type_lit : &type_i64;
		return t->kind == TY_INT ? (t->is_literal ? t : type_int(64, t->is_signed)) : &type_u64;
	}
	case N_INCDEC:
		return check_incdec(s, n);
	case N_TERNARY:
		return check_ternary(s, n);
	case N_FIELD:
		return check_field(s, n);
	case N_TUPLE: {
		int cnt = count_args(n->args), i = 0;
		const struct type **f = arena_alloc(s->c->arena, sizeof(*f) * (size_t)(cnt ? cnt : 1));
		for (struct node *a = n->args; a; a = a->next, i++) {
			const struct type *t = check_expr(s, a);
			if (t->kind == TY_NONE)
				return t;
			if (type_is_aggregate(t) || t->kind == TY_VOID) {
				ERR(s, &a->loc, "%s cannot be part of a tuple", tname(s, t));
				return &type_none;
			}
			f[i] = storage_type(t);
		}
		return type_tuple(s->c->arena, cnt, f, NULL);
	}
	case N_CAST:
		return check_cast(s, n);
	case N_INDEX: {
		const struct type *t = check_expr(s, n->a);
		check_expr(s, n->b);
		int64_t idx;
		if (t->kind == TY_TUPLE && literal_value(n->b, &idx)) {
			if (idx < 0 || idx >= t->nfields) {
				ERR(s, &n->b->loc, "Invalid tuple index: %lld", (long long)idx);
				return &type_none;
			}
			n->kind = N_FIELD;
			n->ival = (uint64_t)idx;
			return t->fields[idx];
		}
		if (t->kind == TY_STRING) {
			if (n->b->type->kind != TY_INT) {
				ERR(s, &n->b->loc, "string index must be an integer");
				return &type_none;
			}
			if (literal_value(n->b, &idx) && (idx < 0 || (uint64_t)idx >= t->size)) {
				ERR(s, &n->b->loc, "index %lld is out of bounds of '%s'", (long long)idx, tname(s, t));
				return &type_none;
			}
			return &type_i8;
		}
		if (t->kind != TY_NONE)
			ERR(s, &n->loc, "indexing a value of type '%s' is not supported yet", tname(s, t));
		return &type_none;
	}
	case N_SIZEOF: {
		const struct type *t = NULL;
		if (n->a) {
			t = check_expr(s, n->a);
		} else {
			t = cast_type(s, n->tspec);
			if (!t)
				ERR(s, &n->loc, "sizeof of this type is not supported yet");
		}
		if (!t || t->kind == TY_NONE)
			return &type_none;
		n->kind = N_INT;
		n->ival = t->kind == TY_INT ? (uint64_t)t->bits / 8 : type_storage_size(t);
		return &type_lit;
	}
	case N_RECORD:
		return check_record(s, n);
	case N_INLINE_FN:
		return check_inline_fn(s, n);
	case N_BLOCK_EXPR:
		return check_block_expr(s, n);
	case N_IF_EXPR:
		return check_if_expr(s, n);
	case N_NAMED: case N_OFFSETOF: case N_TYPEOF: case N_COMPTIME: case N_ADDROF: case N_DEREF: {
		static const char *const what[] = {
			[N_NAMED] = "named arguments are", [N_OFFSETOF] = "offsetof is",
			[N_TYPEOF] = "typeof is", [N_COMPTIME] = "comptime is",
			[N_ADDROF] = "the address-of operator is", [N_DEREF] = "pointer dereference is",
		};
		ERR(s, &n->loc, "%s not supported yet", what[n->kind]);
		return &type_none;
	}
	default:
		ERR(s, &n->loc, "this statement cannot be used as an expression");
		return &type_none;
	}
}

static const struct type *check_expr(struct sema *s, struct node *n)
{
	const struct type *t = check_expr_inner(s, n);
	n->type = t;
	return t;
}

/* ---- statements ---- */

static void check_assign_var(struct sema *s, struct node *st, struct node *target, const struct type *t)
{
	struct var_info *v = scope_find(s, target->name);
	if (!v) {
		v = scope_add(s, target->name, storage_type(t));
	} else {
		const struct type *m = merge_types(s->c->arena, v->type, t);
		if (!m)
			ERR(s, &st->loc, "Type mismatch for $%s: trying to assign value of type '%s' when variable already has a type '%s'",
			    target->name, tname(s, t), tname(s, v->type));
		else
			v->type = m;
	}
	sema_info(s->c, target)->var = v;
	target->type = v->type;
}

static void check_assign(struct sema *s, struct node *st)
{
	struct node *target = st->a, *value = st->b;
	bool aggregate = value->kind == N_CALL && is_aggregate_fn(value->name);
	if (aggregate && (target->kind != N_MAP || st->op != ASSIGN_EQ)) {
		ERR(s, &value->loc, "%s() should be directly assigned to a map", value->name);
		return;
	}
	if (target->kind == N_MAP) {
		struct map_info *m = use_map_key(s, target, true);
		const struct type *t;
		if (aggregate) {
			t = check_aggregate(s, value);
			value->type = t;
		} else if (st->op != ASSIGN_EQ) {
			const struct type *v = check_expr(s, value);
			if (v->kind != TY_NONE && !is_int(v))
				ERR(s, &st->loc, "Invalid operands for '%s=': '%s'", binop_str(st->op), tname(s, v));
			t = &type_i64;
			if (m->value->kind == TY_INT)
				t = m->value;
		} else {
			t = check_expr(s, value);
		}
		if (t->kind == TY_NONE || t->kind == TY_VOID) {
			if (t->kind == TY_VOID)
				ERR(s, &value->loc, "cannot assign a value of type 'void'");
			return;
		}
		assign_map_value(s, m, t, &st->loc);
		target->type = m->value;
		return;
	}
	if (target->kind == N_VAR) {
		const struct type *t = check_expr(s, value);
		if (t->kind == TY_NONE)
			return;
		if (t->kind == TY_VOID) {
			ERR(s, &value->loc, "cannot assign a value of type 'void'");
			return;
		}
		if (st->op != ASSIGN_EQ) {
			struct var_info *v = scope_find(s, target->name);
			if (!v) {
				ERR(s, &target->loc, "Undefined or undeclared variable: $%s", target->name);
				return;
			}
			if (!is_int(t) || v->type->kind != TY_INT) {
				ERR(s, &st->loc, "Invalid operands for '%s='", binop_str(st->op));
				return;
			}
			t = v->type;
		}
		check_assign_var(s, st, target, t);
		return;
	}
	ERR(s, &target->loc, "invalid assignment target");
}

static void check_stmt(struct sema *s, struct node *st)
{
	switch (st->kind) {
	case S_EXPR: {
		const struct type *t = check_expr(s, st->a);
		(void)t;
		break;
	}
	case S_DISCARD:
		check_expr(s, st->a);
		break;
	case S_ASSIGN:
		check_assign(s, st);
		break;
	case S_LET: {
		if (scope_find(s, st->name) && s->scope->parent) {
			struct var_info *v = scope_find(s, st->name);
			for (int i = 0; i < s->scope->nvars; i++)
				if (s->scope->vars[i] == v)
					ERR(s, &st->loc, "Variable $%s was already declared", st->name);
		}
		const struct type *t = st->tspec ? declared_type(s, st->tspec) : NULL;
		if (st->tspec && (!t || t->kind == TY_VOID)) {
			ERR(s, &st->tspec->loc, "declared type is not supported yet");
			return;
		}
		const struct type *vt = st->a ? check_expr(s, st->a) : NULL;
		if (!t)
			t = vt ? storage_type(vt) : &type_none;
		else if (vt && vt->kind != TY_NONE && !merge_types(s->c->arena, t, vt))
			ERR(s, &st->loc, "Type mismatch for $%s: trying to assign value of type '%s' when variable already has a type '%s'",
			    st->name, tname(s, vt), tname(s, t));
		sema_info(s->c, st)->var = scope_add(s, st->name, t);
		break;
	}
	case S_IF: {
		const struct type *t = check_expr(s, st->a);
		if (t->kind != TY_NONE && !is_int(t))
			ERR(s, &st->a->loc, "Invalid condition in if(): %s", tname(s, t));
		check_block(s, st->body);
		if (st->else_body)
			check_block(s, st->else_body);
		break;
	}
	case S_WHILE: {
		WARN(s, &st->loc, "While loops are deprecated and may be removed in the future.");
		const struct type *t = check_expr(s, st->a);
		if (t->kind != TY_NONE && !is_int(t))
			ERR(s, &st->a->loc, "Invalid condition in while(): %s", tname(s, t));
		s->loop_depth++;
		check_block(s, st->body);
		s->loop_depth--;
		break;
	}
	case S_UNROLL: {
		check_expr(s, st->a);
		int64_t v;
		if (!literal_value(st->a, &v))
			ERR(s, &st->a->loc, "unroll count must be an integer literal");
		else if (v < 1)
			ERR(s, &st->a->loc, "unroll minimum value is 1");
		else if (v > 100)
			ERR(s, &st->a->loc, "unroll maximum value is 100");
		check_block(s, st->body);
		break;
	}
	case S_FOR_RANGE: {
		const struct type *a = check_expr(s, st->a), *b = check_expr(s, st->b);
		if ((a->kind != TY_NONE && a->kind != TY_INT) || (b->kind != TY_NONE && b->kind != TY_INT))
			ERR(s, &st->loc, "for-range bounds must be integers");
		struct scope sc;
		scope_push(s, &sc);
		const struct type *it = a->kind == TY_INT && b->kind == TY_INT ? storage_type(arith_result(a, b)) : &type_i64;
		sema_info(s->c, st)->var = scope_add(s, st->name, it);
		s->loop_depth++;
		s->for_depth++;
		check_block(s, st->body);
		s->for_depth--;
		s->loop_depth--;
		scope_pop(s);
		break;
	}
	case S_FOR_MAP:
		check_for_map(s, st);
		break;
	case S_BREAK: case S_CONTINUE:
		if (!s->loop_depth)
			ERR(s, &st->loc, "'%s' statement is not allowed in a probe",
			    st->kind == S_BREAK ? "break" : "continue");
		break;
	case S_RETURN:
		if (s->for_depth)
			ERR(s, &st->loc, "'return' statement is not allowed in a for-loop");
		if (s->fn_ret) {
			const struct type *t = st->a ? check_expr(s, st->a) : &type_void;
			if (t->kind != TY_NONE && (s->fn_ret->kind == TY_VOID) != (t->kind == TY_VOID))
				ERR(s, &st->loc, "return of '%s' in a function returning '%s'", tname(s, t), tname(s, s->fn_ret));
			else if (t->kind != TY_NONE && t->kind != TY_VOID && !merge_types(s->c->arena, s->fn_ret, t))
				ERR(s, &st->loc, "return of '%s' in a function returning '%s'", tname(s, t), tname(s, s->fn_ret));
		} else if (st->a) {
			want_int(s, st->a, "return", "value");
		}
		break;
	case S_BLOCK:
		check_block(s, st->body);
		break;
	case S_IMPORT:
		ERR(s, &st->loc, "import is not supported yet");
		break;
	default:
		check_expr(s, st);
		break;
	}
}

/* The value a `for ($kv : @m)` loop sees for a map value. */
static const struct type *loop_value_type(struct sema *s, const struct map_info *m, const struct src_loc *loc)
{
	switch (m->value->kind) {
	case TY_COUNT: case TY_SUM: case TY_MIN: case TY_MAX:
		return m->value->is_signed ? &type_i64 : &type_u64;
	case TY_AVG: case TY_STATS: case TY_HIST: case TY_LHIST:
		ERR(s, loc, "for loops over maps of type '%s' are not supported yet", tname(s, m->value));
		return NULL;
	default:
		return m->value;
	}
}

static void check_for_map(struct sema *s, struct node *st)
{
	struct node *mapnode = st->a;
	struct map_info *m = map_get(s->c, map_name(s, mapnode), false);
	sema_info(s->c, mapnode)->map = m;
	struct scope sc;
	scope_push(s, &sc);
	const struct type *kv = &type_none;
	if (!m || !m->assigned) {
		ERR(s, &mapnode->loc, "Undefined map: %s", map_name(s, mapnode));
	} else if (!m->key) {
		ERR(s, &mapnode->loc, "%s is a scalar map: for loops need a map with keys", m->name);
	} else {
		const struct type *vt = loop_value_type(s, m, &mapnode->loc);
		if (vt) {
			const struct type *f[2] = { m->key, vt };
			kv = type_tuple(s->c->arena, 2, f, NULL);
		}
	}
	s->probe->has_map_loop = true;
	sema_info(s->c, st)->var = scope_add(s, st->name, kv);
	s->loop_depth++;
	s->for_depth++;
	s->map_loop_depth++;
	check_block(s, st->body);
	s->map_loop_depth--;
	s->for_depth--;
	s->loop_depth--;
	scope_pop(s);
}

static void check_block(struct sema *s, struct node *body)
{
	struct scope sc;
	scope_push(s, &sc);
	for (struct node *st = body; st; st = st->next)
		check_stmt(s, st);
	scope_pop(s);
}

/* ---- probes ---- */

static int resolve_probes(struct compiler *c)
{
	int n = 0;
	for (struct probe *p = c->ast->probes; p; p = p->next)
		n++;
	c->probes = arena_alloc(c->arena, sizeof(*c->probes) * (size_t)(n ? n : 1));
	c->nprobes = n;
	int i = 0, errors = 0;
	for (struct probe *p = c->ast->probes; p; p = p->next, i++) {
		struct probe_info *pi = &c->probes[i];
		pi->ast = p;
		for (struct attach_point *ap = p->points; ap; ap = ap->next) {
			struct attach_spec *specs;
			int ns;
			struct probe_resolve_opts ro = { .params = c->opts->params, .nparams = c->opts->nparams,
							 .pid = c->opts->pid };
			if (probes_resolve_opts(c->arena, c->diags, ap, &ro, &specs, &ns) < 0) {
				errors++;
				continue;
			}
			struct attach_spec *all = arena_alloc(c->arena, sizeof(*all) * (size_t)(pi->nspecs + ns));
			if (pi->nspecs)
				memcpy(all, pi->specs, sizeof(*all) * (size_t)pi->nspecs);
			memcpy(all + pi->nspecs, specs, sizeof(*all) * (size_t)ns);
			pi->specs = all;
			pi->nspecs += ns;
		}
		if (!pi->nspecs)
			continue;
		pi->kind = pi->specs[0].kind;
		for (int k = 1; k < pi->nspecs; k++)
			if (pi->specs[k].kind != pi->kind) {
				diag_error(c->diags, &p->loc,
					   "attach points of different probe types in one probe are not supported yet");
				errors++;
				break;
			}
		if (pi->kind == PROBE_TRACEPOINT) {
			pi->tp = arena_alloc(c->arena, sizeof(*pi->tp));
			if (tracepoint_format(c->arena, pi->specs[0].target, pi->specs[0].func, pi->tp) < 0) {
				diag_error(c->diags, &p->points->loc, "Cannot read the format of tracepoint %s",
					   pi->specs[0].canonical);
				errors++;
			}
		}
	}
	return errors ? -1 : 0;
}

static void report_unsupported_toplevel(struct compiler *c)
{
	for (struct preamble_item *it = c->ast->preamble; it; it = it->next)
		diag_error(c->diags, &it->loc, "%s %s not supported yet", it->what,
			   it->what[strlen(it->what) - 1] == 's' ? "are" : "is");
}

static void apply_map_decls(struct compiler *c)
{
	for (struct map_decl *d = c->ast->map_decls; d; d = d->next) {
		if (strcmp(d->kind, "hash") && strcmp(d->kind, "lruhash") && strcmp(d->kind, "percpuhash") &&
		    strcmp(d->kind, "percpulruhash")) {
			diag_error(c->diags, &d->loc, "Invalid map declaration type: %s", d->kind);
			continue;
		}
		if (d->max_entries == 0 || d->max_entries > UINT32_MAX) {
			diag_error(c->diags, &d->loc, "map size must be a positive integer");
			continue;
		}
		struct map_info *m = map_get(c, arena_printf(c->arena, "@%s", d->name), true);
		m->max_entries = (uint32_t)d->max_entries;
	}
}

static void run_pass(struct compiler *c)
{
	struct sema s = { .c = c };
	for (int i = 0; i < c->nprobes; i++) {
		struct probe_info *pi = &c->probes[i];
		if (!pi->nspecs)
			continue;
		s.probe = pi;
		struct scope sc;
		s.scope = NULL;
		scope_push(&s, &sc);
		if (pi->ast->filter) {
			const struct type *t = check_expr(&s, pi->ast->filter);
			if (t->kind != TY_NONE && !is_int(t))
				ERR(&s, &pi->ast->filter->loc, "Invalid type for predicate: %s", tname(&s, t));
		}
		for (struct node *st = pi->ast->body; st; st = st->next)
			check_stmt(&s, st);
		scope_pop(&s);
	}
}

int sema_run(struct compiler *c)
{
	report_unsupported_toplevel(c);
	apply_map_decls(c);
	if (resolve_probes(c) < 0 || c->diags->errors)
		return -1;
	if (!c->nprobes) {
		diag_error(c->diags, NULL, "No probes to attach");
		return -1;
	}
	c->second_pass = false;
	run_pass(c);
	c->second_pass = true;
	run_pass(c);
	for (int i = 0; i < c->nmaps && !c->diags->errors; i++) {
		struct map_info *m = c->maps[i];
		if (!m->assigned)
			diag_error(c->diags, NULL, "Undefined map: %s", m->name);
	}
	return c->diags->errors ? -1 : 0;
}
