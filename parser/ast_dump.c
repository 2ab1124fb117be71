/* AST printers: S-expressions of single nodes and the indented tree of a
 * whole program. */
#include "ast_dump.h"

#include <inttypes.h>
#include <stdarg.h>

/* ---- shared ---- */

static const char *unop_name(int op)
{
	return op == OP_NOT ? "!" : op == OP_BNOT ? "~" : "neg";
}

static const char *incdec_name(int op)
{
	static const char *const n[] = { "pre++", "pre--", "post++", "post--" };
	return n[op];
}

static void dump_bytes(FILE *f, const char *s, int len)
{
	fputc('"', f);
	for (int i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 32 && ch < 127 && ch != '"' && ch != '\\')
			fputc(ch, f);
		else
			fprintf(f, "\\x%02x", ch);
	}
	fputc('"', f);
}

/* A written type; typeof(...) prints its operand with `operand`. */
static void dump_type(FILE *f, const struct type_spec *t,
		      void (*operand)(FILE *f, const struct node *n))
{
	if (!t) {
		fputs("-", f);
		return;
	}
	if (t->typeof_of) {
		fputs("typeof(", f);
		operand(f, t->typeof_of);
		fputs(")", f);
	} else {
		fputs(t->name, f);
	}
	for (int i = 0; i < t->pointer_depth; i++)
		fputs("*", f);
	if (t->array_len == 0)
		fputs("[]", f);
	else if (t->array_len > 0)
		fprintf(f, "[%d]", t->array_len);
}

/* ---- S-expressions ---- */

#define dump ast_dump_sexpr

static void dump_list(FILE *f, const struct node *n)
{
	for (; n; n = n->next) {
		fputs(" ", f);
		dump(f, n);
	}
}

/* Type argument of sizeof/typeof/offsetof: the type, else the expression. */
static void dump_type_arg(FILE *f, const struct node *n)
{
	if (n->tspec) {
		fputs(" T:", f);
		dump_type(f, n->tspec, dump);
	} else {
		fputs(" ", f);
		dump(f, n->a);
	}
}

/* `(head a b)` for the operands that are set. */
static void dump_op(FILE *f, const char *head, const struct node *a, const struct node *b)
{
	fprintf(f, "(%s ", head);
	dump(f, a);
	if (b) {
		fputs(" ", f);
		dump(f, b);
	}
	fputs(")", f);
}

static void dump_expr(FILE *f, const struct node *n)
{
	switch (n->kind) {
	case N_INT: fprintf(f, "%" PRIu64, n->ival); break;
	case N_STR: dump_bytes(f, n->str, n->str_len); break;
	case N_BOOL: fputs(n->ival ? "true" : "false", f); break;
	case N_VAR: fprintf(f, "$%s", n->name); break;
	case N_POSPARAM: fprintf(f, "$%" PRIu64, n->ival); break;
	case N_POSCOUNT: fputs("$#", f); break;
	case N_IDENT: fputs(n->name, f); break;
	case N_MAP:
		if (n->a) {
			fprintf(f, "(@%s ", n->name);
			dump(f, n->a);
			fputs(")", f);
		} else {
			fprintf(f, "@%s", n->name);
		}
		break;
	case N_CALL: fprintf(f, "(call %s", n->name); dump_list(f, n->args); fputs(")", f); break;
	case N_BINOP: dump_op(f, binop_str(n->op), n->a, n->b); break;
	case N_UNOP: dump_op(f, unop_name(n->op), n->a, NULL); break;
	case N_INCDEC: dump_op(f, incdec_name(n->op), n->a, NULL); break;
	case N_TERNARY:
		fputs(n->c ? "(? " : "(?: ", f);
		dump(f, n->a);
		fputs(" ", f);
		dump(f, n->b);
		if (n->c) {
			fputs(" ", f);
			dump(f, n->c);
		}
		fputs(")", f);
		break;
	case N_FIELD:
		fputs(n->arrow ? "(-> " : "(. ", f);
		dump(f, n->a);
		fprintf(f, " %s)", n->name);
		break;
	case N_INDEX: dump_op(f, "[]", n->a, n->b); break;
	case N_TUPLE: fputs("(tuple", f); dump_list(f, n->args); fputs(")", f); break;
	case N_RECORD: fputs("(record", f); dump_list(f, n->args); fputs(")", f); break;
	case N_NAMED: fprintf(f, "(%s= ", n->name); dump(f, n->a); fputs(")", f); break;
	case N_CAST:
		fputs("(cast ", f);
		dump_type(f, n->tspec, dump);
		fputs(" ", f);
		dump(f, n->a);
		fputs(")", f);
		break;
	case N_SIZEOF: fputs("(sizeof", f); dump_type_arg(f, n); fputs(")", f); break;
	case N_TYPEOF: fputs("(typeof", f); dump_type_arg(f, n); fputs(")", f); break;
	case N_OFFSETOF:
		fputs("(offsetof", f);
		dump_type_arg(f, n);
		fprintf(f, " %s)", n->name);
		break;
	case N_COMPTIME: dump_op(f, "comptime", n->a, NULL); break;
	case N_ADDROF: dump_op(f, "&", n->a, NULL); break;
	case N_DEREF: dump_op(f, "*", n->a, NULL); break;
	case N_BLOCK_EXPR:
		fputs("(blockexpr", f);
		dump_list(f, n->body);
		fputs(" => ", f);
		if (n->a)
			dump(f, n->a);
		fputs(")", f);
		break;
	case N_IF_EXPR:
		fputs("(ifexpr ", f);
		dump(f, n->a);
		fputs(" ", f);
		dump(f, n->body);
		fputs(" ", f);
		dump(f, n->else_body);
		fputs(")", f);
		break;
	default: fprintf(f, "<?%d>", n->kind);
	}
}

static void dump_stmt(FILE *f, const struct node *n)
{
	switch (n->kind) {
	case S_EXPR: dump(f, n->a); break;
	case S_ASSIGN:
		fprintf(f, "(%s= ", n->op == ASSIGN_EQ ? "" : binop_str(n->op));
		dump(f, n->a);
		fputs(" ", f);
		dump(f, n->b);
		fputs(")", f);
		break;
	case S_DISCARD: dump_op(f, "_=", n->a, NULL); break;
	case S_LET:
		fprintf(f, "(let $%s ", n->name);
		dump_type(f, n->tspec, dump);
		if (n->a) {
			fputs(" ", f);
			dump(f, n->a);
		}
		fputs(")", f);
		break;
	case S_IF:
		fputs("(if ", f);
		dump(f, n->a);
		fputs(" (then", f);
		dump_list(f, n->body);
		fputs(")", f);
		if (n->else_body) {
			fputs(" (else", f);
			dump_list(f, n->else_body);
			fputs(")", f);
		}
		fputs(")", f);
		break;
	case S_WHILE: fputs("(while ", f); dump(f, n->a); dump_list(f, n->body); fputs(")", f); break;
	case S_UNROLL: fputs("(unroll ", f); dump(f, n->a); dump_list(f, n->body); fputs(")", f); break;
	case S_FOR_RANGE:
		fprintf(f, "(for $%s ", n->name);
		dump(f, n->a);
		fputs("..", f);
		dump(f, n->b);
		dump_list(f, n->body);
		fputs(")", f);
		break;
	case S_FOR_MAP:
		fprintf(f, "(for $%s ", n->name);
		dump(f, n->a);
		dump_list(f, n->body);
		fputs(")", f);
		break;
	case S_BREAK: fputs("break", f); break;
	case S_CONTINUE: fputs("continue", f); break;
	case S_RETURN:
		fputs("(return", f);
		if (n->a) {
			fputs(" ", f);
			dump(f, n->a);
		}
		fputs(")", f);
		break;
	case S_BLOCK: fputs("(block", f); dump_list(f, n->body); fputs(")", f); break;
	case S_IMPORT: fprintf(f, "(import %s)", n->str); break;
	default: dump_expr(f, n);
	}
}

void ast_dump_sexpr(FILE *f, const struct node *n)
{
	if (!n)
		fputs("NULL", f);
	else if (n->kind >= S_EXPR)
		dump_stmt(f, n);
	else
		dump_expr(f, n);
}

#undef dump

/* ---- indented tree ---- */

struct tree {
	FILE *f;
	ast_type_name_fn type_name;
	struct arena *arena;
};

static void tree_node(struct tree *t, const struct node *n, int depth);

/* Starts a line at `depth`: two spaces a level, then the text. */
static void line(struct tree *t, int depth, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void line(struct tree *t, int depth, const char *fmt, ...)
{
	va_list ap;

	fprintf(t->f, "%*s", 2 * depth, "");
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
}

static void end_line(struct tree *t, const struct node *n)
{
	if (n && n->type && t->type_name)
		fprintf(t->f, " :: %s", t->type_name(t->arena, n->type));
	fputc('\n', t->f);
}

static void tree_list(struct tree *t, const struct node *n, int depth)
{
	for (; n; n = n->next)
		tree_node(t, n, depth);
}

/* A labelled list of nodes ("then", "else", "body", ...). */
static void tree_group(struct tree *t, const char *label, const struct node *n, int depth)
{
	line(t, depth, "%s\n", label);
	tree_list(t, n, depth + 1);
}

/* A labelled single node ("predicate", "value"). */
static void tree_labelled(struct tree *t, const char *label, const struct node *n, int depth)
{
	line(t, depth, "%s\n", label);
	tree_node(t, n, depth + 1);
}

/* The rest of a line that names a written type. */
static void tree_type(struct tree *t, const struct type_spec *ts)
{
	dump_type(t->f, ts, ast_dump_sexpr);
}

static void tree_node(struct tree *t, const struct node *n, int depth)
{
	const char *tail = NULL;

	if (n->kind == S_EXPR) {
		/* a statement that is an expression: just the expression */
		tree_node(t, n->a, depth);
		return;
	}
	switch (n->kind) {
	case N_INT: line(t, depth, "int %" PRIu64, n->ival); break;
	case N_STR:
		line(t, depth, "string ");
		dump_bytes(t->f, n->str, n->str_len);
		break;
	case N_BOOL: line(t, depth, "bool %s", n->ival ? "true" : "false"); break;
	case N_VAR: line(t, depth, "variable $%s", n->name); break;
	case N_POSPARAM: line(t, depth, "positional parameter $%" PRIu64, n->ival); break;
	case N_POSCOUNT: line(t, depth, "positional parameter count $#"); break;
	case N_IDENT: line(t, depth, "identifier %s", n->name); break;
	case N_MAP: line(t, depth, "map @%s", n->name); break;
	case N_CALL: line(t, depth, "call %s", n->name); break;
	case N_BINOP: line(t, depth, "binop %s", binop_str(n->op)); break;
	case N_UNOP: line(t, depth, "unop %s", unop_name(n->op)); break;
	case N_INCDEC: line(t, depth, "%s", incdec_name(n->op)); break;
	case N_TERNARY: line(t, depth, "%s", n->c ? "ternary" : "elvis ?:"); break;
	case N_FIELD: line(t, depth, "field %s%s", n->arrow ? "->" : ".", n->name); break;
	case N_INDEX: line(t, depth, "index []"); break;
	case N_TUPLE: line(t, depth, "tuple"); break;
	case N_RECORD: line(t, depth, "record"); break;
	case N_NAMED: line(t, depth, "named %s =", n->name); break;
	case N_CAST: line(t, depth, "cast ("); tail = ")"; break;
	case N_SIZEOF: line(t, depth, "sizeof"); break;
	case N_OFFSETOF: line(t, depth, "offsetof"); break;
	case N_TYPEOF: line(t, depth, "typeof"); break;
	case N_COMPTIME: line(t, depth, "comptime"); break;
	case N_BLOCK_EXPR: line(t, depth, "block expression"); break;
	case N_IF_EXPR: line(t, depth, "if expression"); break;
	case N_ADDROF: line(t, depth, "address of &"); break;
	case N_DEREF: line(t, depth, "dereference *"); break;
	case S_ASSIGN:
		line(t, depth, "assign %s=", n->op == ASSIGN_EQ ? "" : binop_str(n->op));
		break;
	case S_DISCARD: line(t, depth, "discard _ ="); break;
	case S_LET: line(t, depth, "let $%s", n->name); break;
	case S_IF: line(t, depth, "if"); break;
	case S_WHILE: line(t, depth, "while"); break;
	case S_FOR_RANGE: line(t, depth, "for $%s in range", n->name); break;
	case S_FOR_MAP: line(t, depth, "for $%s in map", n->name); break;
	case S_UNROLL: line(t, depth, "unroll"); break;
	case S_BREAK: line(t, depth, "break"); break;
	case S_CONTINUE: line(t, depth, "continue"); break;
	case S_RETURN: line(t, depth, "return"); break;
	case S_BLOCK: line(t, depth, "block"); break;
	case S_IMPORT: line(t, depth, "import \"%s\"", n->str); break;
	case N_INLINE_FN: line(t, depth, "inlined fn %s", n->name); break;
	default: line(t, depth, "<node kind %d>", n->kind); break;
	}
	/* the written type: (T)x, sizeof(T), let $x: T, fn parameters and result */
	switch (n->tspec ? n->kind : N_INT) {
	case N_CAST: tree_type(t, n->tspec); break;
	case N_SIZEOF:
	case N_OFFSETOF:
	case N_TYPEOF: fputs(" ", t->f); tree_type(t, n->tspec); break;
	case S_LET:
	case N_VAR:
	case N_INLINE_FN: fputs(" : ", t->f); tree_type(t, n->tspec); break;
	default: break;
	}
	if (tail)
		fputs(tail, t->f);
	if (n->kind == N_OFFSETOF)
		fprintf(t->f, " %s", n->name);
	end_line(t, n);

	int d = depth + 1;
	switch (n->kind) {
	case N_CALL:
	case N_TUPLE:
	case N_RECORD: tree_list(t, n->args, d); break;
	case N_BLOCK_EXPR:
		tree_list(t, n->body, d);
		if (n->a)
			tree_labelled(t, "value", n->a, d);
		break;
	case N_IF_EXPR:
	case S_IF:
		tree_node(t, n->a, d);
		tree_group(t, "then", n->body, d);
		if (n->else_body)
			tree_group(t, "else", n->else_body, d);
		break;
	case S_WHILE:
	case S_UNROLL:
	case S_FOR_MAP:
		tree_node(t, n->a, d);
		tree_group(t, "body", n->body, d);
		break;
	case S_FOR_RANGE:
		tree_node(t, n->a, d);
		tree_node(t, n->b, d);
		tree_group(t, "body", n->body, d);
		break;
	case S_BLOCK: tree_list(t, n->body, d); break;
	case N_INLINE_FN:
		tree_group(t, "arguments", n->args, d);
		tree_group(t, "parameters", n->else_body, d);
		tree_group(t, "body", n->body, d);
		break;
	default:
		/* operands: a, b, c as set */
		if (n->a)
			tree_node(t, n->a, d);
		if (n->b)
			tree_node(t, n->b, d);
		if (n->c)
			tree_node(t, n->c, d);
		break;
	}
}

static void tree_preamble_text(struct tree *t, const char *s)
{
	/* the first line of the item, enough to recognise it */
	int n = 0;
	while (s[n] && s[n] != '\n')
		n++;
	fprintf(t->f, ": %.*s%s\n", n, s, s[n] ? " ..." : "");
}

void ast_dump_program(FILE *f, const struct program *p, ast_type_name_fn type_name,
		      struct arena *a)
{
	struct tree t = { .f = f, .type_name = type_name, .arena = a };

	line(&t, 0, "program\n");
	if (!p)
		return;
	for (const struct preamble_item *pi = p->preamble; pi; pi = pi->next) {
		line(&t, 1, "%s", pi->what);
		tree_preamble_text(&t, pi->text ? pi->text : "");
	}
	if (p->config)
		tree_group(&t, "config", p->config, 1);
	for (const struct map_decl *m = p->map_decls; m; m = m->next)
		line(&t, 1, "map declaration @%s = %s(%" PRIu64 ")\n", m->name, m->kind,
		     m->max_entries);
	for (const struct macro_def *m = p->macros; m; m = m->next) {
		line(&t, 1, "macro %s\n", m->name);
		tree_group(&t, "parameters", m->params, 2);
		tree_group(&t, "body", m->body, 2);
	}
	for (const struct fn_def *fn = p->fns; fn; fn = fn->next) {
		line(&t, 1, "fn %s", fn->name);
		if (fn->ret) {
			fputs(" : ", f);
			tree_type(&t, fn->ret);
		}
		fputc('\n', f);
		tree_group(&t, "parameters", fn->params, 2);
		tree_group(&t, "body", fn->body, 2);
	}
	for (const struct probe *pr = p->probes; pr; pr = pr->next) {
		line(&t, 1, "probe ");
		if (pr->label)
			fprintf(f, "%s=", pr->label);
		for (const struct attach_point *ap = pr->points; ap; ap = ap->next)
			fprintf(f, "%s%s", ap->raw, ap->next ? ", " : "");
		fputc('\n', f);
		if (pr->filter)
			tree_labelled(&t, "predicate", pr->filter, 2);
		tree_list(&t, pr->body, 2);
	}
}
