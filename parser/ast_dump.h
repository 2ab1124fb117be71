/* Printing the AST: a compact S-expression of one node (the parser tests
 * compare these), and the whole program as an indented tree, one node per
 * line (`-d ast`). */
#ifndef SONDE_AST_DUMP_H
#define SONDE_AST_DUMP_H
#include <stdio.h>

#include "ast.h"

/* `n` as an S-expression on one line, e.g. `(+ 1 (* 2 3))`; "NULL" for NULL. */
void ast_dump_sexpr(FILE *f, const struct node *n);

/* Names the type that semantic analysis set on a node (node->type). */
typedef const char *(*ast_type_name_fn)(struct arena *a, const struct type *t);

/* The program as an indented tree, one node per line. With `type_name`,
 * every node that has a type gets " :: TYPE" (names allocated in `a`). */
void ast_dump_program(FILE *f, const struct program *p, ast_type_name_fn type_name,
		      struct arena *a);

#endif
