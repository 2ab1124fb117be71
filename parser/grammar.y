/* sonde grammar: a pure bison parser over the reentrant lexer of lexer.l.
 *
 * The lexer does the context-sensitive work (attach points as raw text,
 * predicate ends, casts, type arguments of sizeof/typeof/offsetof), so the
 * grammar itself stays LALR(1) without conflicts. Errors stop the parse:
 * there are no `error` recovery rules, the first problem is reported once. */

%define api.pure full
%define api.prefix {sonde_yy}
%locations
%define parse.error custom
%define parse.lac full
%param {struct parse_ctx *ctx}
%expect 0

%code requires {
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/limits.h"
#include "ast.h"
#include "preproc.h"

/* Bison's location type is the diagnostics' location type. */
#define SONDE_YYLTYPE struct src_loc
#define SONDE_YYLTYPE_IS_DECLARED 1
#define SONDE_YYLTYPE_IS_TRIVIAL 1

struct nlist {
	struct node *head, *tail;
	bool open; /* last statement had no ';' (value of a block expression) */
};

struct aplist {
	struct attach_point *head, *tail;
};

struct strlit {
	const char *s;
	int len;
};

/* Everything the lexer and the parser share; no global state. */
struct parse_ctx {
	struct arena *arena;
	struct diags *diags;
	const char *src;
	void *scanner;
	struct program *prog;
	struct preamble_item **pre_tail;
	struct probe **probe_tail;
	struct macro_def **macro_tail;
	struct fn_def **fn_tail;
	struct map_decl **decl_tail;

	int line_base;     /* this file's part of the diagnostics' line space */
	/* lexer position: offset/line/col of the next unread byte */
	size_t off;
	int line, col;
	/* current match */
	size_t tok_off;
	int tok_line, tok_col;
	/* last token handed to the parser (for error messages) */
	int prev_tok;
	size_t last_off, last_len;
	struct src_loc last_loc;
	bool lex_failed;   /* the lexer already reported an error */
	int depth;         /* brace depth in code mode */
	/* C definition being skipped */
	size_t cdef_off;
	struct src_loc cdef_loc;
	int cdef_depth;
	bool cdef_typedef;    /* a typedef ends at ';', not at '}' */
	bool cdef_seen_probe; /* it comes after probes or functions */
	size_t cdef_end_off;
	int cdef_end_line, cdef_end_col;
};
}

%code provides {
int sonde_scan(SONDE_YYSTYPE *lval, SONDE_YYLTYPE *lloc, void *scanner);
int sonde_lex_start(struct parse_ctx *ctx);
void sonde_lex_stop(struct parse_ctx *ctx);
}

%code {
#include <stdio.h>
#include <string.h>

static int sonde_yylex(YYSTYPE *lval, YYLTYPE *lloc, struct parse_ctx *ctx)
{
	return sonde_scan(lval, lloc, ctx->scanner);
}

/* Each level of parentheses or unary operators takes one entry of the
 * parser's stack, a block about four: a full stack is the nesting limit. */
#define YYMAXDEPTH (4 * LIMIT_NESTING)

/* Only reached when the parser's stack is full ("memory exhausted"):
 * syntax errors go through yyreport_syntax_error(). */
static void sonde_yyerror(YYLTYPE *loc, struct parse_ctx *ctx, const char *msg)
{
	if (!ctx->lex_failed)
		diag_error(ctx->diags, loc, "syntax: nesting too deep: the parser's stack of %d levels is full",
			   YYMAXDEPTH);
}

static struct node *mk(struct parse_ctx *c, enum node_kind k, const YYLTYPE *loc)
{
	return node_new(c->arena, k, loc);
}

static struct node *mk_binop(struct parse_ctx *c, int op, struct node *a, struct node *b,
			     const YYLTYPE *loc)
{
	struct node *n = mk(c, N_BINOP, loc);
	n->op = op;
	n->a = a;
	n->b = b;
	return n;
}

static struct node *mk_unary(struct parse_ctx *c, enum node_kind k, int op, struct node *a,
			     const YYLTYPE *loc)
{
	struct node *n = mk(c, k, loc);
	n->op = op;
	n->a = a;
	return n;
}

static struct nlist nl_empty(void)
{
	struct nlist l = { NULL, NULL, false };
	return l;
}

static struct nlist nl_add(struct nlist l, struct node *n)
{
	if (!n)
		return l;
	if (l.tail)
		l.tail->next = n;
	else
		l.head = n;
	l.tail = n;
	l.open = false;
	return l;
}

static struct nlist nl_one(struct node *n)
{
	return nl_add(nl_empty(), n);
}

static YYLTYPE span(const YYLTYPE *a, const YYLTYPE *b)
{
	YYLTYPE l = { a->first_line, a->first_column, b->last_line, b->last_column };
	return l;
}

/* A `{ ...; value }` block used as a value: a trailing expression statement
 * without ';' is the value. */
static struct node *mk_block_expr(struct parse_ctx *c, struct nlist l, const YYLTYPE *loc)
{
	struct node *n = mk(c, N_BLOCK_EXPR, loc);
	if (l.open && l.tail && l.tail->kind == S_EXPR) {
		n->a = l.tail->a;
		if (l.head == l.tail) {
			l.head = NULL;
		} else {
			struct node *p = l.head;
			while (p->next != l.tail)
				p = p->next;
			p->next = NULL;
		}
	}
	n->body = l.head;
	return n;
}

static struct type_spec *mk_tspec(struct parse_ctx *c, const char *name, const YYLTYPE *loc)
{
	struct type_spec *t = arena_alloc(c->arena, sizeof(*t));
	t->loc = *loc;
	t->name = name;
	t->array_len = -1;
	return t;
}

/* Errors found by grammar actions: reported once, then the parse stops. */
static void fail(struct parse_ctx *c, const YYLTYPE *loc, const char *msg)
{
	diag_error(c->diags, loc, "%s", msg);
}

static void add_preamble(struct parse_ctx *c, struct preamble_item *p)
{
	*c->pre_tail = p;
	c->pre_tail = &p->next;
}
}

%union {
	struct node *node;
	struct nlist list;
	struct aplist aps;
	struct type_spec *tspec;
	struct preamble_item *pitem;
	const char *str;
	struct strlit strlit;
	uint64_t ival;
	int op;
}

%token EOF_TOK 0 "end of input"
%token <str> IDENT "identifier" VAR "variable" MAP "map"
%token <str> ATTACH "attach point" LABEL "probe label"
%token <ival> INT "integer" POSPARAM "positional parameter"
%token <strlit> STRING "string"
%token <pitem> PREPROC "preprocessor directive" CDEF "C definition"
%token POSCOUNT "'$#'"
%token IF "'if'" ELSE "'else'" WHILE "'while'" FOR "'for'" UNROLL "'unroll'"
%token BREAK "'break'" CONTINUE "'continue'" RETURN "'return'" LET "'let'"
%token IMPORT "'import'" SIZEOF "'sizeof'" OFFSETOF "'offsetof'" TYPEOF "'typeof'"
%token COMPTIME "'comptime'" TRUE "'true'" FALSE "'false'"
%token STRUCT "'struct'" UNION "'union'" ENUM "'enum'"
%token CONFIG "'config'" MACRO "'macro'" FN "'fn'"
%token ENDPRED "'/' ending the predicate"
%token CAST_LPAREN "'(' of a cast" TYPE_LPAREN "'(' before a type"
%token EQ "'=='" NE "'!='" LE "'<='" GE "'>='" SHL "'<<'" SHR "'>>'"
%token LAND "'&&'" LOR "'||'" INC "'++'" DEC "'--'" ARROW "'->'" DOTDOT "'..'"
%token ADD_ASSIGN "'+='" SUB_ASSIGN "'-='" MUL_ASSIGN "'*='" DIV_ASSIGN "'/='"
%token MOD_ASSIGN "'%='" AND_ASSIGN "'&='" OR_ASSIGN "'|='" XOR_ASSIGN "'^='"
%token SHL_ASSIGN "'<<='" SHR_ASSIGN "'>>='"
%token UNKNOWN "character" LEXERR "invalid input"

/* `@m[` always starts the key of @m, never an index into the value of @m. */
%precedence MAPNOKEY
%precedence '['

%right '?' ':'
%left LOR
%left LAND
%left '|'
%left '^'
%left '&'
%left EQ NE
%left '<' '>' LE GE
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'

%type <node> expr unary_expr postfix_expr primary rhs if_expr block_expr
%type <node> stmt_simple stmt_block if_stmt for_head cond paren_expr
%type <node> predicate config_entry call_arg record_field macro_param fn_param
%type <list> stmt_list stmts block expr_list call_args record_fields
%type <list> config_body config_seps macro_params fn_params
%type <tspec> type_spec type_base let_type fn_ret
%type <op> compound_op
%type <str> field_path
%type <aps> attach_list
%type <str> probe_label

%%

program
	: %empty
	| program item
	;

item
	: PREPROC		{ add_preamble(ctx, $1); }
	| CDEF			{ add_preamble(ctx, $1); }
	| config
	| root_import
	| map_decl
	| macro_def
	| fn_def
	| probe
	;

config
	: CONFIG '=' '{' config_body '}'
		{
			if (ctx->prog->config_loc.first_line) {
				YYLTYPE l = span(&@1, &@5);
				fail(ctx, &l, "duplicate config block");
				YYABORT;
			}
			ctx->prog->config = $4.head;
			ctx->prog->config_loc = span(&@1, &@5);
		}
	;

config_body
	: config_seps
	| config_seps config_entry	{ $$ = nl_add($1, $2); }
	;

config_seps
	: %empty				{ $$ = nl_empty(); }
	| config_seps config_entry ';'		{ $$ = nl_add($1, $2); }
	| config_seps ';'
	;

config_entry
	: IDENT '=' expr
		{ $$ = mk(ctx, N_NAMED, &@$); $$->name = $1; $$->a = $3; }
	;

root_import
	: IMPORT STRING ';'
		{
			struct preamble_item *p = arena_alloc(ctx->arena, sizeof(*p));
			p->loc = span(&@1, &@2);
			if (ctx->prog->probes || ctx->prog->fns || ctx->prog->macros) {
				fail(ctx, &p->loc, "root imports must appear before probes and functions");
				YYABORT;
			}
			p->what = "import";
			p->text = $2.s;
			add_preamble(ctx, p);
		}
	;

map_decl
	: LET MAP '=' IDENT '(' INT ')' ';'
		{
			struct map_decl *d = arena_alloc(ctx->arena, sizeof(*d));
			d->loc = span(&@1, &@7);
			d->name = $2;
			d->kind = $4;
			d->max_entries = $6;
			*ctx->decl_tail = d;
			ctx->decl_tail = &d->next;
		}
	| LET VAR
		{
			fail(ctx, &@2, "root-level let statements need to be map "
			     "declarations, e.g. let @a = hash(2);");
			YYABORT;
		}
	;

macro_def
	: MACRO IDENT '(' macro_params ')' block
		{
			struct macro_def *m = arena_alloc(ctx->arena, sizeof(*m));
			m->loc = span(&@1, &@5);
			m->name = $2;
			m->params = $4.head;
			m->body = $6.head;
			*ctx->macro_tail = m;
			ctx->macro_tail = &m->next;
		}
	;

macro_params
	: %empty				{ $$ = nl_empty(); }
	| macro_param				{ $$ = nl_one($1); }
	| macro_params ',' macro_param		{ $$ = nl_add($1, $3); }
	;

macro_param
	: VAR		{ $$ = mk(ctx, N_VAR, &@$); $$->name = $1; }
	| MAP		{ $$ = mk(ctx, N_MAP, &@$); $$->name = $1; }
	| IDENT		{ $$ = mk(ctx, N_IDENT, &@$); $$->name = $1; }
	;

fn_def
	: FN IDENT '(' fn_params ')' fn_ret block
		{
			struct fn_def *f = arena_alloc(ctx->arena, sizeof(*f));
			f->loc = span(&@1, &@5);
			f->name = $2;
			f->params = $4.head;
			f->ret = $6;
			f->body = $7.head;
			*ctx->fn_tail = f;
			ctx->fn_tail = &f->next;
		}
	;

fn_params
	: %empty			{ $$ = nl_empty(); }
	| fn_param			{ $$ = nl_one($1); }
	| fn_params ',' fn_param	{ $$ = nl_add($1, $3); }
	;

fn_param
	: VAR ':' type_spec
		{ $$ = mk(ctx, N_VAR, &@$); $$->name = $1; $$->tspec = $3; }
	;

fn_ret
	: %empty		{ $$ = NULL; }
	| ':' type_spec		{ $$ = $2; }
	;

probe
	: probe_label attach_list opt_comma predicate block
		{
			struct probe *p = arena_alloc(ctx->arena, sizeof(*p));
			p->loc = $1 ? span(&@1, &@2) : @2;
			p->label = $1;
			p->points = $2.head;
			p->filter = $4;
			p->body = $5.head;
			p->body_loc = @5;
			*ctx->probe_tail = p;
			ctx->probe_tail = &p->next;
		}
	;

probe_label
	: %empty	{ $$ = NULL; }
	| LABEL		{ $$ = $1; }
	;

attach_list
	: ATTACH
		{
			struct attach_point *a = arena_alloc(ctx->arena, sizeof(*a));
			a->loc = @1;
			a->raw = $1;
			$$.head = $$.tail = a;
		}
	| attach_list ',' ATTACH
		{
			struct attach_point *a = arena_alloc(ctx->arena, sizeof(*a));
			a->loc = @3;
			a->raw = $3;
			$1.tail->next = a;
			$$.head = $1.head;
			$$.tail = a;
		}
	;

opt_comma
	: %empty
	| ','
	;

predicate
	: %empty		{ $$ = NULL; }
	| '/' expr ENDPRED	{ $$ = $2; }
	;

/* ---- statements ---- */

block
	: '{' stmt_list '}'	{ $$ = $2; }
	;

/* Statements are separated by ';'; compound statements need none and the
 * last ';' is optional. `open` marks a list ending in a statement without
 * ';' (the value of a block expression). */
stmt_list
	: stmts
	| stmts stmt_simple	{ $$ = nl_add($1, $2); $$.open = true; }
	;

stmts
	: %empty			{ $$ = nl_empty(); }
	| stmts stmt_simple ';'		{ $$ = nl_add($1, $2); }
	| stmts stmt_block		{ $$ = nl_add($1, $2); }
	| stmts ';'
	;

stmt_block
	: if_stmt
	| WHILE cond block
		{ $$ = mk(ctx, S_WHILE, &@$); $$->a = $2; $$->body = $3.head; }
	| UNROLL cond block
		{ $$ = mk(ctx, S_UNROLL, &@$); $$->a = $2; $$->body = $3.head; }
	| FOR '(' for_head ')' block
		{ $$ = $3; $$->loc = @$; $$->body = $5.head; }
	| FOR for_head block
		{ $$ = $2; $$->loc = @$; $$->body = $3.head; }
	| block
		{ $$ = mk(ctx, S_BLOCK, &@$); $$->body = $1.head; }
	;

if_stmt
	: IF cond block
		{ $$ = mk(ctx, S_IF, &@$); $$->a = $2; $$->body = $3.head; }
	| IF cond block ELSE block
		{
			$$ = mk(ctx, S_IF, &@$);
			$$->a = $2;
			$$->body = $3.head;
			$$->else_body = $5.head;
		}
	| IF cond block ELSE if_stmt
		{
			$$ = mk(ctx, S_IF, &@$);
			$$->a = $2;
			$$->body = $3.head;
			$$->else_body = $5;
		}
	;

/* Parentheses are optional around a unary condition (`if $x {}`); one
 * starting with '(' ends at its ')'. */
cond
	: unary_expr
	;

for_head
	: VAR ':' unary_expr DOTDOT unary_expr
		{
			$$ = mk(ctx, S_FOR_RANGE, &@$);
			$$->name = $1;
			$$->a = $3;
			$$->b = $5;
		}
	| VAR ':' unary_expr
		{
			if ($3->kind != N_MAP || $3->a) {
				fail(ctx, &@3, "syntax error, a for-loop iterates over a "
				     "range (A..B) or a map without key (@m)");
				YYABORT;
			}
			$$ = mk(ctx, S_FOR_MAP, &@$);
			$$->name = $1;
			$$->a = $3;
		}
	;

stmt_simple
	: expr
		{ $$ = mk(ctx, S_EXPR, &@$); $$->a = $1; }
	| postfix_expr '=' rhs
		{
			struct node *t = $1;
			if (t->kind == N_IDENT && !strcmp(t->name, "_")) {
				$$ = mk(ctx, S_DISCARD, &@$);
				$$->a = $3;
			} else if (t->kind != N_VAR && t->kind != N_MAP && t->kind != N_FIELD) {
				fail(ctx, &@1, "invalid assignment target");
				YYABORT;
			} else {
				$$ = mk(ctx, S_ASSIGN, &@$);
				$$->op = ASSIGN_EQ;
				$$->a = t;
				$$->b = $3;
			}
		}
	| postfix_expr compound_op expr
		{
			if ($1->kind != N_VAR && $1->kind != N_MAP && $1->kind != N_FIELD) {
				fail(ctx, &@1, "invalid assignment target");
				YYABORT;
			}
			$$ = mk(ctx, S_ASSIGN, &@$);
			$$->op = $2;
			$$->a = $1;
			$$->b = $3;
		}
	| LET VAR let_type
		{ $$ = mk(ctx, S_LET, &@$); $$->name = $2; $$->tspec = $3; }
	| LET VAR let_type '=' rhs
		{ $$ = mk(ctx, S_LET, &@$); $$->name = $2; $$->tspec = $3; $$->a = $5; }
	| BREAK		{ $$ = mk(ctx, S_BREAK, &@$); }
	| CONTINUE	{ $$ = mk(ctx, S_CONTINUE, &@$); }
	| RETURN	{ $$ = mk(ctx, S_RETURN, &@$); }
	| RETURN expr	{ $$ = mk(ctx, S_RETURN, &@$); $$->a = $2; }
	| IMPORT STRING
		{ $$ = mk(ctx, S_IMPORT, &@$); $$->str = $2.s; $$->str_len = $2.len; }
	;

let_type
	: %empty		{ $$ = NULL; }
	| ':' type_spec		{ $$ = $2; }
	;

compound_op
	: ADD_ASSIGN	{ $$ = OP_ADD; }
	| SUB_ASSIGN	{ $$ = OP_SUB; }
	| MUL_ASSIGN	{ $$ = OP_MUL; }
	| DIV_ASSIGN	{ $$ = OP_DIV; }
	| MOD_ASSIGN	{ $$ = OP_MOD; }
	| AND_ASSIGN	{ $$ = OP_BAND; }
	| OR_ASSIGN	{ $$ = OP_BOR; }
	| XOR_ASSIGN	{ $$ = OP_BXOR; }
	| SHL_ASSIGN	{ $$ = OP_SHL; }
	| SHR_ASSIGN	{ $$ = OP_SHR; }
	;

/* Right-hand sides of assignments may also be `if` and block expressions. */
rhs
	: expr
	| if_expr
	| block_expr
	;

if_expr
	: IF cond block_expr ELSE block_expr
		{
			$$ = mk(ctx, N_IF_EXPR, &@$);
			$$->a = $2;
			$$->body = $3;
			$$->else_body = $5;
		}
	| IF cond block_expr ELSE if_expr
		{
			$$ = mk(ctx, N_IF_EXPR, &@$);
			$$->a = $2;
			$$->body = $3;
			$$->else_body = $5;
		}
	;

block_expr
	: '{' stmt_list '}'	{ $$ = mk_block_expr(ctx, $2, &@$); }
	;

/* ---- expressions ---- */

expr
	: unary_expr
	| expr '?' expr ':' expr
		{ $$ = mk(ctx, N_TERNARY, &@$); $$->a = $1; $$->b = $3; $$->c = $5; }
	| expr '?' ':' expr
		{ $$ = mk(ctx, N_TERNARY, &@$); $$->a = $1; $$->b = $4; }
	| expr LOR expr		{ $$ = mk_binop(ctx, OP_LOR, $1, $3, &@$); }
	| expr LAND expr	{ $$ = mk_binop(ctx, OP_LAND, $1, $3, &@$); }
	| expr '|' expr		{ $$ = mk_binop(ctx, OP_BOR, $1, $3, &@$); }
	| expr '^' expr		{ $$ = mk_binop(ctx, OP_BXOR, $1, $3, &@$); }
	| expr '&' expr		{ $$ = mk_binop(ctx, OP_BAND, $1, $3, &@$); }
	| expr EQ expr		{ $$ = mk_binop(ctx, OP_EQ, $1, $3, &@$); }
	| expr NE expr		{ $$ = mk_binop(ctx, OP_NE, $1, $3, &@$); }
	| expr '<' expr		{ $$ = mk_binop(ctx, OP_LT, $1, $3, &@$); }
	| expr '>' expr		{ $$ = mk_binop(ctx, OP_GT, $1, $3, &@$); }
	| expr LE expr		{ $$ = mk_binop(ctx, OP_LE, $1, $3, &@$); }
	| expr GE expr		{ $$ = mk_binop(ctx, OP_GE, $1, $3, &@$); }
	| expr SHL expr		{ $$ = mk_binop(ctx, OP_SHL, $1, $3, &@$); }
	| expr SHR expr		{ $$ = mk_binop(ctx, OP_SHR, $1, $3, &@$); }
	| expr '+' expr		{ $$ = mk_binop(ctx, OP_ADD, $1, $3, &@$); }
	| expr '-' expr		{ $$ = mk_binop(ctx, OP_SUB, $1, $3, &@$); }
	| expr '*' expr		{ $$ = mk_binop(ctx, OP_MUL, $1, $3, &@$); }
	| expr '/' expr		{ $$ = mk_binop(ctx, OP_DIV, $1, $3, &@$); }
	| expr '%' expr		{ $$ = mk_binop(ctx, OP_MOD, $1, $3, &@$); }
	;

unary_expr
	: postfix_expr
	| '-' unary_expr	{ $$ = mk_unary(ctx, N_UNOP, OP_NEG, $2, &@$); }
	| '!' unary_expr	{ $$ = mk_unary(ctx, N_UNOP, OP_NOT, $2, &@$); }
	| '~' unary_expr	{ $$ = mk_unary(ctx, N_UNOP, OP_BNOT, $2, &@$); }
	| '*' unary_expr	{ $$ = mk_unary(ctx, N_DEREF, 0, $2, &@$); }
	| '&' unary_expr	{ $$ = mk_unary(ctx, N_ADDROF, 0, $2, &@$); }
	| INC unary_expr	{ $$ = mk_unary(ctx, N_INCDEC, OP_PRE_INC, $2, &@$); }
	| DEC unary_expr	{ $$ = mk_unary(ctx, N_INCDEC, OP_PRE_DEC, $2, &@$); }
	| COMPTIME unary_expr	{ $$ = mk_unary(ctx, N_COMPTIME, 0, $2, &@$); }
	| CAST_LPAREN type_spec ')' unary_expr
		{ $$ = mk(ctx, N_CAST, &@$); $$->tspec = $2; $$->a = $4; }
	;

postfix_expr
	: primary
	| postfix_expr '[' expr ']'
		{ $$ = mk(ctx, N_INDEX, &@$); $$->a = $1; $$->b = $3; }
	| postfix_expr '.' IDENT
		{ $$ = mk(ctx, N_FIELD, &@$); $$->a = $1; $$->name = $3; }
	| postfix_expr '.' INT
		{
			$$ = mk(ctx, N_FIELD, &@$);
			$$->a = $1;
			$$->name = arena_printf(ctx->arena, "%llu", (unsigned long long)$3);
		}
	| postfix_expr ARROW IDENT
		{ $$ = mk(ctx, N_FIELD, &@$); $$->a = $1; $$->name = $3; $$->arrow = true; }
	| postfix_expr INC	{ $$ = mk_unary(ctx, N_INCDEC, OP_POST_INC, $1, &@$); }
	| postfix_expr DEC	{ $$ = mk_unary(ctx, N_INCDEC, OP_POST_DEC, $1, &@$); }
	;

primary
	: INT		{ $$ = mk(ctx, N_INT, &@$); $$->ival = $1; }
	| STRING	{ $$ = mk(ctx, N_STR, &@$); $$->str = $1.s; $$->str_len = $1.len; }
	| TRUE		{ $$ = mk(ctx, N_BOOL, &@$); $$->ival = 1; }
	| FALSE		{ $$ = mk(ctx, N_BOOL, &@$); $$->ival = 0; }
	| VAR		{ $$ = mk(ctx, N_VAR, &@$); $$->name = $1; }
	| POSPARAM	{ $$ = mk(ctx, N_POSPARAM, &@$); $$->ival = $1; }
	| POSCOUNT	{ $$ = mk(ctx, N_POSCOUNT, &@$); }
	| MAP %prec MAPNOKEY
			{ $$ = mk(ctx, N_MAP, &@$); $$->name = $1; }
	| MAP '[' expr_list ']'
		{
			$$ = mk(ctx, N_MAP, &@$);
			$$->name = $1;
			if ($3.head == $3.tail) {
				$$->a = $3.head;
			} else {
				$$->a = mk(ctx, N_TUPLE, &@3);
				$$->a->args = $3.head;
			}
		}
	| IDENT		{ $$ = mk(ctx, N_IDENT, &@$); $$->name = $1; }
	| IDENT '(' ')'
		{ $$ = mk(ctx, N_CALL, &@$); $$->name = $1; }
	| IDENT '(' call_args ')'
		{ $$ = mk(ctx, N_CALL, &@$); $$->name = $1; $$->args = $3.head; }
	| paren_expr
	/* TYPE_LPAREN: the lexer saw a type-shaped argument (cast rule of §4),
	 * so exactly one of tspec and a is set. */
	| SIZEOF TYPE_LPAREN type_spec ')'
		{ $$ = mk(ctx, N_SIZEOF, &@$); $$->tspec = $3; }
	| SIZEOF '(' expr ')'
		{ $$ = mk(ctx, N_SIZEOF, &@$); $$->a = $3; }
	| OFFSETOF TYPE_LPAREN type_spec ',' field_path ')'
		{ $$ = mk(ctx, N_OFFSETOF, &@$); $$->tspec = $3; $$->name = $5; }
	| OFFSETOF '(' expr ',' field_path ')'
		{ $$ = mk(ctx, N_OFFSETOF, &@$); $$->a = $3; $$->name = $5; }
	| TYPEOF TYPE_LPAREN type_spec ')'
		{ $$ = mk(ctx, N_TYPEOF, &@$); $$->tspec = $3; }
	| TYPEOF '(' expr ')'
		{ $$ = mk(ctx, N_TYPEOF, &@$); $$->a = $3; }
	;

/* Grouping, tuples `()`, `(a,)`, `(a, b)` and records `(x = 1, y = 2)`. */
paren_expr
	: '(' expr ')'		{ $$ = $2; }
	| '(' ')'		{ $$ = mk(ctx, N_TUPLE, &@$); }
	| '(' expr ',' ')'
		{ $$ = mk(ctx, N_TUPLE, &@$); $$->args = $2; }
	| '(' expr ',' expr_list opt_comma ')'
		{ $$ = mk(ctx, N_TUPLE, &@$); $2->next = $4.head; $$->args = $2; }
	| '(' record_fields opt_comma ')'
		{ $$ = mk(ctx, N_RECORD, &@$); $$->args = $2.head; }
	;

record_fields
	: record_field				{ $$ = nl_one($1); }
	| record_fields ',' record_field	{ $$ = nl_add($1, $3); }
	;

record_field
	: IDENT '=' expr
		{ $$ = mk(ctx, N_NAMED, &@$); $$->name = $1; $$->a = $3; }
	;

expr_list
	: expr			{ $$ = nl_one($1); }
	| expr_list ',' expr	{ $$ = nl_add($1, $3); }
	;

call_args
	: call_arg			{ $$ = nl_one($1); }
	| call_args ',' call_arg	{ $$ = nl_add($1, $3); }
	;

call_arg
	: expr
	| IDENT '=' expr
		{ $$ = mk(ctx, N_NAMED, &@$); $$->name = $1; $$->a = $3; }
	;

field_path
	: IDENT			{ $$ = $1; }
	| field_path '.' IDENT	{ $$ = arena_printf(ctx->arena, "%s.%s", $1, $3); }
	;

/* ---- types ---- */

type_spec
	: type_base
	| type_spec '*'			{ $$ = $1; $$->pointer_depth++; $$->loc = @$; }
	| type_spec '[' ']'		{ $$ = $1; $$->array_len = 0; $$->loc = @$; }
	| type_spec '[' INT ']'
		{
			if ($3 > INT32_MAX) {
				fail(ctx, &@3, "syntax: array length too large");
				YYABORT;
			}
			$$ = $1;
			$$->array_len = (int)$3;
			$$->loc = @$;
		}
	;

type_base
	: IDENT			{ $$ = mk_tspec(ctx, $1, &@$); }
	| STRUCT IDENT
		{ $$ = mk_tspec(ctx, arena_printf(ctx->arena, "struct %s", $2), &@$); }
	| UNION IDENT
		{ $$ = mk_tspec(ctx, arena_printf(ctx->arena, "union %s", $2), &@$); }
	| ENUM IDENT
		{ $$ = mk_tspec(ctx, arena_printf(ctx->arena, "enum %s", $2), &@$); }
	| TYPEOF '(' expr ')'
		{ $$ = mk_tspec(ctx, NULL, &@$); $$->typeof_of = $3; }
	| TYPEOF TYPE_LPAREN type_spec ')'
		{
			struct node *n = mk(ctx, N_TYPEOF, &@$);
			n->tspec = $3;
			$$ = mk_tspec(ctx, NULL, &@$);
			$$->typeof_of = n;
		}
	;

%%

/* How the unexpected token is named in messages: its kind, and for tokens
 * with a spelling of their own, the text as written. */
static void describe_token(struct parse_ctx *c, yysymbol_kind_t k, char *buf, size_t sz)
{
	const char *kind = yysymbol_name(k);
	int len = (int)c->last_len;
	const char *text = c->src + c->last_off;

	if (len > 40)
		len = 40;
	switch (k) {
	case YYSYMBOL_IDENT:
	case YYSYMBOL_VAR:
	case YYSYMBOL_MAP:
	case YYSYMBOL_ATTACH:
	case YYSYMBOL_LABEL:
	case YYSYMBOL_INT:
	case YYSYMBOL_POSPARAM:
	case YYSYMBOL_UNKNOWN:
		snprintf(buf, sz, "%s '%.*s'", kind, len, text);
		break;
	case YYSYMBOL_YYUNDEF:
		snprintf(buf, sz, "character '%.*s'", len, text);
		break;
	case YYSYMBOL_STRING:
		snprintf(buf, sz, "string %.*s", len, text);
		break;
	default:
		snprintf(buf, sz, "%s", kind);
	}
}

static bool has_sym(const yysymbol_kind_t *v, int n, yysymbol_kind_t k)
{
	for (int i = 0; i < n; i++)
		if (v[i] == k)
			return true;
	return false;
}

static bool has_name(const yysymbol_kind_t *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(yysymbol_name(v[i]), name))
			return true;
	return false;
}

/* "expecting A or B": short lists are spelt out; long ones are summarised by
 * what the parser most plausibly wants next. */
static void describe_expected(const yypcontext_t *yyctx, char *buf, size_t sz)
{
	enum { MAXTOK = 128 };
	yysymbol_kind_t exp[MAXTOK];
	int n = yypcontext_expected_tokens(yyctx, exp, MAXTOK);
	size_t used = 0;

	buf[0] = '\0';
	if (n <= 0)
		return;
	if (n > 4) {
		const char *what = NULL;
		static const char *const closers[] = { "';'", "')'", "']'", "'{'" };
		bool expr = has_sym(exp, n, YYSYMBOL_INT);

		if (has_sym(exp, n, YYSYMBOL_YYEOF) && has_sym(exp, n, YYSYMBOL_ATTACH))
			what = "a probe";
		else if (expr && has_sym(exp, n, YYSYMBOL_WHILE))
			what = has_name(exp, n, "'}'") ? "a statement or '}'" : "a statement";
		else if (expr)
			what = "an expression";
		for (size_t i = 0; !what && i < sizeof(closers) / sizeof(closers[0]); i++)
			if (has_name(exp, n, closers[i]))
				what = closers[i];
		if (what)
			snprintf(buf, sz, ", expecting %s", what);
		return;
	}
	for (int i = 0; i < n && used < sz; i++)
		used += (size_t)snprintf(buf + used, sz - used, "%s%s",
					 i ? " or " : ", expecting ", yysymbol_name(exp[i]));
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, struct parse_ctx *ctx)
{
	char found[96], expected[256];
	yysymbol_kind_t tok = yypcontext_token(yyctx);

	if (ctx->lex_failed)
		return 0; /* the lexer has said what is wrong */
	describe_token(ctx, tok, found, sizeof(found));
	describe_expected(yyctx, expected, sizeof(expected));
	diag_error(ctx->diags, yypcontext_location(yyctx), "syntax error, unexpected %s%s",
		   found, expected);
	return 0;
}

struct program *parse_file(struct arena *arena, struct diags *diags, const char *src,
			   const struct pp_options *pp)
{
	struct parse_ctx ctx;
	struct program *prog = arena_alloc(arena, sizeof(*prog));
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	ctx.diags = diags;
	ctx.line_base = pp ? pp->line_base : 0;
	ctx.src = preprocess(arena, diags, src ? src : "", pp, &prog->headers);
	if (diags->errors)
		return NULL;
	ctx.prog = prog;
	ctx.pre_tail = &prog->preamble;
	ctx.probe_tail = &prog->probes;
	ctx.macro_tail = &prog->macros;
	ctx.fn_tail = &prog->fns;
	ctx.decl_tail = &prog->map_decls;
	if (sonde_lex_start(&ctx)) {
		diag_error(diags, NULL, "cannot initialise the lexer");
		return NULL;
	}
	rc = sonde_yyparse(&ctx);
	sonde_lex_stop(&ctx);
	if (rc || ast_check_nesting(prog, diags, LIMIT_NESTING))
		return NULL;
	return prog;
}
