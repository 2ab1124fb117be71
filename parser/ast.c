/* AST constructors and operator spellings. */
#include "ast.h"

struct node *node_new(struct arena *a, enum node_kind kind, const struct src_loc *loc)
{
	struct node *n = arena_alloc(a, sizeof(*n));

	n->kind = kind;
	if (loc)
		n->loc = *loc;
	return n;
}

const char *binop_str(enum binop op)
{
	static const char *const names[] = {
		[OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/",
		[OP_MOD] = "%", [OP_SHL] = "<<", [OP_SHR] = ">>", [OP_LT] = "<",
		[OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_EQ] = "==",
		[OP_NE] = "!=", [OP_BAND] = "&", [OP_BXOR] = "^", [OP_BOR] = "|",
		[OP_LAND] = "&&", [OP_LOR] = "||", [ASSIGN_EQ] = "=",
	};

	if ((unsigned)op >= sizeof(names) / sizeof(names[0]) || !names[op])
		return "?";
	return names[op];
}

/* The first node nested more than `limit` levels below n (or one of its
 * siblings), NULL when there is none. The walk itself recurses at most
 * `limit` levels, so it cannot exhaust the stack that later, unbounded
 * passes would. */
static const struct node *too_deep(const struct node *n, int depth, int limit)
{
	for (; n; n = n->next) {
		if (depth > limit)
			return n;
		const struct node *kids[] = { n->a, n->b, n->c, n->args, n->body, n->else_body,
					      n->tspec ? n->tspec->typeof_of : NULL };
		for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++) {
			const struct node *deep = too_deep(kids[i], depth + 1, limit);
			if (deep)
				return deep;
		}
	}
	return NULL;
}

int ast_check_nesting(const struct program *prog, struct diags *d, int limit)
{
	const struct node *deep = too_deep(prog->config, 0, limit);
	for (const struct probe *p = prog->probes; p && !deep; p = p->next)
		if (!(deep = too_deep(p->filter, 0, limit)))
			deep = too_deep(p->body, 0, limit);
	for (const struct macro_def *m = prog->macros; m && !deep; m = m->next)
		deep = too_deep(m->body, 0, limit);
	for (const struct fn_def *f = prog->fns; f && !deep; f = f->next)
		deep = too_deep(f->body, 0, limit);
	if (!deep)
		return 0;
	diag_error(d, &deep->loc, "nesting too deep: expressions and blocks nest at most %d levels", limit);
	return -1;
}
