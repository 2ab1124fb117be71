/* Macro expansion (§6): every call of a `macro` becomes a block expression
 * holding a copy of the macro body, before semantic analysis.
 *
 * Parameters: `x` is replaced by the argument expression, `$v` renames the
 * body's `$v` to the caller's variable (by reference), `@m` renames the map.
 * The macro's own variables get names no script can write, so a macro sees
 * only its parameters (hygiene). */
#include <stdio.h>
#include <string.h>

#include "compiler.h"

enum { MAX_MACRO_DEPTH = 32 };

struct expansion {
	struct compiler *c;
	const struct macro_def *m;
	struct node *args; /* call arguments, in parameter order */
	int id;            /* unique per expansion: hygienic variable names */
	int depth;
	int loops;         /* loops of the macro body around the node being copied */
};

static int expand_node(struct compiler *c, struct node *n, int depth, int *counter);
static int expand_list(struct compiler *c, struct node *first, int depth, int *counter);

static struct node *param_arg(const struct expansion *e, const struct node *n, enum node_kind kind)
{
	struct node *a = e->args;
	for (const struct node *p = e->m->params; p; p = p->next, a = a ? a->next : NULL)
		if (p->kind == kind && !strcmp(p->name, n->name))
			return a;
	return NULL;
}

static struct node *clone_list(struct expansion *e, const struct node *first);

/* A deep copy of n with the parameters substituted. */
static struct node *clone(struct expansion *e, const struct node *n)
{
	if (!n)
		return NULL;
	struct arena *a = e->c->arena;
	if (n->kind == N_IDENT) {
		struct node *arg = param_arg(e, n, N_IDENT);
		if (arg) {
			struct node *copy = clone(&(struct expansion){ .c = e->c, .m = &(struct macro_def){ 0 } }, arg);
			copy->next = NULL;
			return copy;
		}
	}
	struct node *out = arena_alloc(a, sizeof(*out));
	*out = *n;
	out->next = NULL;
	out->sema = NULL;
	out->type = NULL;
	if (n->kind == N_VAR || n->kind == S_LET || n->kind == S_FOR_RANGE || n->kind == S_FOR_MAP) {
		struct node *arg = n->kind == N_VAR ? param_arg(e, n, N_VAR) : NULL;
		if (arg && arg->kind == N_VAR)
			out->name = arg->name;
		else if (arg)
			diag_error(e->c->diags, &arg->loc, "macro %s: parameter $%s expects a variable", e->m->name,
				   n->name);
		else if (e->m->name)
			out->name = arena_printf(a, "%s__%s_%d", n->name, e->m->name, e->id);
	}
	if (n->kind == N_MAP) {
		struct node *arg = param_arg(e, n, N_MAP);
		if (arg && arg->kind == N_MAP && !arg->a)
			out->name = arg->name;
		else if (arg)
			diag_error(e->c->diags, &arg->loc, "macro %s: parameter @%s expects a map", e->m->name, n->name);
	}
	/* break and continue may leave loops of the macro, not the macro */
	bool loop = n->kind == S_WHILE || n->kind == S_FOR_RANGE || n->kind == S_FOR_MAP;
	if (e->m->name && (n->kind == S_RETURN || ((n->kind == S_BREAK || n->kind == S_CONTINUE) && !e->loops)))
		diag_error(e->c->diags, &n->loc, "'%s' statement is not allowed in a macro",
			   n->kind == S_RETURN ? "return" : n->kind == S_BREAK ? "break" : "continue");
	out->a = clone(e, n->a);
	out->b = clone(e, n->b);
	out->c = clone(e, n->c);
	out->args = clone_list(e, n->args);
	e->loops += loop;
	out->body = clone_list(e, n->body);
	e->loops -= loop;
	out->else_body = clone_list(e, n->else_body);
	return out;
}

static struct node *clone_list(struct expansion *e, const struct node *first)
{
	struct node *head = NULL, **tail = &head;
	for (const struct node *n = first; n; n = n->next) {
		*tail = clone(e, n);
		tail = &(*tail)->next;
	}
	return head;
}

struct node *ast_copy_list(struct compiler *c, const struct node *first)
{
	/* an expansion of no macro: nothing substituted or renamed */
	struct expansion e = { .c = c, .m = &(struct macro_def){ 0 } };
	return clone_list(&e, first);
}

static const struct macro_def *find_macro(struct compiler *c, const char *name, int nargs)
{
	for (const struct macro_def *m = c->ast->macros; m; m = m->next) {
		int np = 0;
		for (const struct node *p = m->params; p; p = p->next)
			np++;
		if (!strcmp(m->name, name) && np == nargs)
			return m;
	}
	return NULL;
}

/* Replace the call n (keeping its place in its list) by the macro body. */
static int expand_call(struct compiler *c, struct node *n, const struct macro_def *m, int depth, int *counter)
{
	if (depth >= MAX_MACRO_DEPTH) {
		diag_error(c->diags, &n->loc, "macro %s: recursion is not allowed", m->name);
		return -1;
	}
	struct expansion e = { .c = c, .m = m, .args = n->kind == N_CALL ? n->args : NULL, .id = ++*counter };
	struct node *body = clone_list(&e, m->body);
	/* the last expression statement is the value */
	struct node **last = &body, *value = NULL;
	while (*last && (*last)->next)
		last = &(*last)->next;
	if (*last && (*last)->kind == S_EXPR) {
		value = (*last)->a;
		*last = NULL;
	}
	struct node *next = n->next;
	struct src_loc loc = n->loc;
	memset(n, 0, sizeof(*n));
	n->kind = N_BLOCK_EXPR;
	n->loc = loc;
	n->next = next;
	n->body = body;
	n->a = value;
	/* calls inside the copied body */
	for (struct node *st = n->body; st; st = st->next)
		if (expand_node(c, st, depth + 1, counter) < 0)
			return -1;
	return value ? expand_node(c, value, depth + 1, counter) : 0;
}

static const struct fn_def *find_fn(struct compiler *c, const char *name)
{
	for (const struct fn_def *f = c->ast->fns; f; f = f->next)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* A call of `fn`: inlined, with the body checked per call site. */
static int expand_fn_call(struct compiler *c, struct node *n, const struct fn_def *f, int depth, int *counter)
{
	if (depth >= MAX_MACRO_DEPTH) {
		diag_error(c->diags, &n->loc, "function %s: recursion is not allowed", f->name);
		return -1;
	}
	struct expansion e = { .c = c, .m = &(struct macro_def){ 0 } };
	n->kind = N_INLINE_FN;
	n->else_body = clone_list(&e, f->params);
	n->body = clone_list(&e, f->body);
	n->tspec = f->ret;
	return expand_list(c, n->body, depth + 1, counter);
}

static int expand_list(struct compiler *c, struct node *first, int depth, int *counter)
{
	for (struct node *n = first; n; n = n->next)
		if (expand_node(c, n, depth, counter) < 0)
			return -1;
	return 0;
}

static int expand_node(struct compiler *c, struct node *n, int depth, int *counter)
{
	if (!n)
		return 0;
	if (expand_node(c, n->a, depth, counter) < 0 || expand_node(c, n->b, depth, counter) < 0 ||
	    expand_node(c, n->c, depth, counter) < 0 || expand_list(c, n->args, depth, counter) < 0 ||
	    expand_list(c, n->body, depth, counter) < 0 || expand_list(c, n->else_body, depth, counter) < 0)
		return -1;
	if (n->kind == N_CALL || n->kind == N_IDENT) {
		int nargs = 0;
		for (const struct node *a = n->args; a; a = a->next)
			nargs++;
		const struct macro_def *m = find_macro(c, n->name, n->kind == N_CALL ? nargs : 0);
		if (m)
			return expand_call(c, n, m, depth, counter);
		const struct fn_def *f = n->kind == N_CALL ? find_fn(c, n->name) : NULL;
		if (f)
			return expand_fn_call(c, n, f, depth, counter);
	}
	return 0;
}

int macros_expand(struct compiler *c)
{
	int counter = 0;
	for (const struct macro_def *m = c->ast->macros; m; m = m->next)
		for (const struct macro_def *o = m->next; o; o = o->next)
			if (!strcmp(m->name, o->name)) {
				int np = 0, no = 0;
				for (const struct node *p = m->params; p; p = p->next)
					np++;
				for (const struct node *p = o->params; p; p = p->next)
					no++;
				if (np == no)
					diag_error(c->diags, &o->loc, "macro %s is defined twice with %d parameters", o->name, no);
			}
	for (struct probe *p = c->ast->probes; p; p = p->next) {
		if (expand_node(c, p->filter, 0, &counter) < 0 || expand_list(c, p->body, 0, &counter) < 0)
			return -1;
	}
	return c->diags->errors ? -1 : 0;
}
