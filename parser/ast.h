/* The abstract syntax tree. Every node lives in the compilation's arena.
 * One node struct for expressions and statements keeps the passes simple:
 * `kind` says which of the fields below are meaningful. */
#ifndef SONDE_AST_H
#define SONDE_AST_H
#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/diag.h"

struct type; /* codegen/types.h */

enum node_kind {
	/* expressions */
	N_INT,       /* ival (uint64 bits), is_negative_literal unused: '-' is N_UNOP */
	N_STR,       /* str/str_len: literal bytes after escape processing */
	N_BOOL,      /* ival 0/1 */
	N_VAR,       /* $name: name = "x" (without '$') */
	N_MAP,       /* @name[key]: name = "m" or "" for '@'; a = key expr or NULL.
	                 `@m[a, b]` gives a = N_TUPLE of a, b */
	N_POSPARAM,  /* $N: ival = N (>= 1) */
	N_POSCOUNT,  /* $# */
	N_IDENT,     /* bare identifier: builtin (pid, comm, args, arg0 ...) or
	                enum constant; name */
	N_CALL,      /* name(args): name, args = first argument (linked by next) */
	N_BINOP,     /* a op b: op is an enum binop */
	N_UNOP,      /* op a: op is an enum unop */
	N_INCDEC,    /* ++x, x++, --x, x--: op is an enum incdec, a = target */
	N_TERNARY,   /* a ? b : c; with c == NULL for `a ?: b` the value is a if truthy */
	N_FIELD,     /* a.name or a->name (arrow = true); tuple index `t.0` is
	                N_FIELD with name "0" */
	N_INDEX,     /* a[b] */
	N_TUPLE,     /* (x, y, ...): args = elements */
	N_RECORD,    /* (n1 = x, ...): args = N_NAMED elements */
	N_NAMED,     /* name = a, inside records and call arguments such as config */
	N_CAST,      /* (type_expr) a: tspec = the written type */
	N_SIZEOF,    /* sizeof(T|e): tspec or a */
	N_OFFSETOF,  /* offsetof(T|e, f.g): tspec or a; name = "f.g" */
	N_TYPEOF,    /* typeof(T|e) used as a type: tspec or a */
	N_COMPTIME,  /* comptime a */
	N_BLOCK_EXPR,/* { stmts; final_expr }: body = statements, a = value expr */
	N_IF_EXPR,   /* if (a) { b } else { c } used as a value: body/else_body blocks */
	N_ADDROF,    /* &a */
	N_DEREF,     /* *a */

	/* statements */
	S_EXPR,      /* a; */
	S_ASSIGN,    /* target a, value b; op = ASSIGN_EQ or a binop for op= */
	S_DISCARD,   /* _ = a; */
	S_LET,       /* let $name[: tspec] [= a]; */
	S_IF,        /* if (a) body else else_body (else_body may be an S_IF) */
	S_WHILE,     /* while (a) body */
	S_FOR_RANGE, /* for ($name : a .. b) body */
	S_FOR_MAP,   /* for ($name : a) body, a is an N_MAP without key */
	S_UNROLL,    /* unroll (a) body */
	S_BREAK,
	S_CONTINUE,
	S_RETURN,    /* return [a]; */
	S_BLOCK,     /* { body } */
	S_IMPORT,    /* import "path"; inside a block; str */

	/* made by the compiler, never by the parser */
	N_INLINE_FN, /* a call of `fn name`, inlined: args = the arguments,
	                else_body = copies of the parameters (N_VAR with tspec),
	                body = a copy of the function body, tspec = return type */
};

enum binop {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
	OP_SHL, OP_SHR,
	OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
	OP_BAND, OP_BXOR, OP_BOR,
	OP_LAND, OP_LOR,
	ASSIGN_EQ, /* only in S_ASSIGN.op: plain '=' */
};

enum unop { OP_NOT, OP_BNOT, OP_NEG };
enum incdec { OP_PRE_INC, OP_PRE_DEC, OP_POST_INC, OP_POST_DEC };

/* A written type: `uint32`, `string[64]`, `struct task_struct *`, `int8[]`,
 * `typeof(expr)`. */
struct type_spec {
	struct src_loc loc;
	const char *name;      /* "uint32", "struct task_struct", "string", ... */
	struct node *typeof_of;/* for typeof(...): the node inside (an expr or N_TYPEOF) */
	int pointer_depth;     /* number of trailing '*' */
	int array_len;         /* -1: no [], 0: `[]`, N: `[N]` */
};

struct node {
	enum node_kind kind;
	struct src_loc loc;
	struct node *next; /* sibling in argument / statement lists */

	const char *name;
	uint64_t ival;
	const char *str;
	int str_len;       /* bytes in str, without the terminating NUL */
	int op;
	bool arrow;        /* N_FIELD written with -> */

	struct node *a, *b, *c;
	struct node *args;      /* N_CALL, N_TUPLE, N_RECORD */
	struct node *body;      /* first statement of a block */
	struct node *else_body; /* S_IF / N_IF_EXPR */
	struct type_spec *tspec;

	/* filled by semantic analysis */
	const struct type *type;
	void *sema; /* pass-private annotation (resolved variable, map, builtin) */
};

/* One attach point as written (after the probe list is split on ','). */
struct attach_point {
	struct attach_point *next;
	struct src_loc loc;
	const char *raw;   /* the text as written, e.g. "tracepoint:syscalls:sys_enter_*" */
};

struct probe {
	struct probe *next;
	struct src_loc loc;
	const char *label;           /* `name=kprobe:f` prefix or NULL */
	struct attach_point *points;
	struct node *filter;         /* NULL when absent */
	struct node *body;           /* first statement */
	struct src_loc body_loc;
};

/* `macro NAME(params) { body }` */
struct macro_def {
	struct macro_def *next;
	struct src_loc loc;
	const char *name;
	struct node *params; /* N_VAR, N_MAP or N_IDENT nodes */
	struct node *body;
};

/* `fn NAME($a: T, ...) : RET { body }` */
struct fn_def {
	struct fn_def *next;
	struct src_loc loc;
	const char *name;
	struct node *params; /* N_VAR nodes with tspec set */
	struct type_spec *ret;
	struct node *body;
};

/* `let @m = hash(N);` at root level */
struct map_decl {
	struct map_decl *next;
	struct src_loc loc;
	const char *name;  /* without '@' */
	const char *kind;  /* "hash", "lruhash", ... */
	uint64_t max_entries;
};

/* A preamble item that sonde parses but does not support yet: `#include`,
 * `#define`, struct/union/enum definitions, `import`. Reported by sema. */
struct preamble_item {
	struct preamble_item *next;
	struct src_loc loc;
	const char *what; /* "C definitions", "import", "#include", ... */
	const char *text; /* the item as written (directive line, definition,
	                     import path) */
	bool late;        /* C definitions after probes or functions */
};

/* The C text of an included header after preprocessing: parsed leniently
 * for struct/union/enum/typedef definitions. */
struct c_header {
	struct c_header *next;
	const char *path;
	const char *text;
};

struct program {
	struct node *config;  /* N_NAMED list of config entries, or NULL */
	struct src_loc config_loc;
	struct preamble_item *preamble;
	struct probe *probes;
	struct macro_def *macros;
	struct fn_def *fns;
	struct map_decl *map_decls;
	struct c_header *headers; /* included headers, innermost first */
	struct src_loc import_loc; /* the root file's first import (first_line 0: none),
				      where the unstable_import_statement gate reports */
};

/* Report the first expression or block nested deeper than `limit` levels;
 * returns -1 when there is one. */
int ast_check_nesting(const struct program *prog, struct diags *d, int limit);

/* Parse `src` (NUL-terminated) into a program, with the files it imports
 * (import.c) merged in. Returns NULL after reporting a diagnostic when the
 * text does not parse; `diags` names the file. `pp` says where #include
 * looks (NULL: the defaults). */
struct pp_options;
struct program *parse_program(struct arena *arena, struct diags *diags, const char *src,
			      const struct pp_options *pp);
/* Parse one file, its imports left in the preamble (grammar.y). */
struct program *parse_file(struct arena *arena, struct diags *diags, const char *src,
			   const struct pp_options *pp);

/* Node constructors used by the grammar. */
struct node *node_new(struct arena *a, enum node_kind kind, const struct src_loc *loc);
const char *binop_str(enum binop op);

#endif
