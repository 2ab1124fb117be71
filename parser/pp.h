/* Internals of the preprocessor shared by its files: the state of one run,
 * the macro table, #if evaluation and #include. */
#ifndef SONDE_PP_H
#define SONDE_PP_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ast.h"
#include "preproc.h"

enum { MAX_PARAMS = 32, MAX_COND_DEPTH = 64, MAX_EXPANSION_DEPTH = 64 };
/* Macros can grow exponentially (`#define B A A`, `#define C B B`, ...):
 * past these budgets per line, far above what any real line needs,
 * expansion stops with an error. */
enum { MAX_EXPANSIONS = 4096, MAX_OUTPUT = 256 << 10 };

struct pp_macro {
	struct pp_macro *next; /* hash chain */
	const char *name;
	size_t len;
	const char *body;
	int nparams; /* -1: object-like */
	bool variadic; /* the last parameter takes the rest of the arguments */
	bool busy;     /* being expanded: not expanded again inside itself (C rule) */
	const char *params[MAX_PARAMS];
};

/* A growing text (arena memory, NUL-terminated). */
struct buf {
	struct arena *arena;
	char *out;
	size_t len, cap;
};

/* A file read once, with what makes including it again a no-op. */
struct pp_known {
	struct pp_known *next;
	dev_t dev;
	ino_t ino;
	const char *text;
	const char *guard; /* include guard macro, or NULL */
	bool once;         /* #pragma once */
};

/* The file being preprocessed: the script or an included header. */
struct pp_file {
	struct pp_file *parent;
	const char *path; /* as shown in diagnostics; NULL: the script */
	const char *src;
	const char *dir;  /* where its "..." includes are looked up first */
	int found_at;     /* index in the search list it was found in, -1: none */
	bool header;
	bool in_comment;  /* headers: inside a block comment spanning lines */
	int cond_base;    /* conditional depth when the file started */
	int guard_state;  /* include guard detection, see note_guard() */
	const char *guard;
	struct buf out;   /* headers: the C text */
};

struct pp {
	struct arena *arena;
	struct diags *diags;
	struct pp_options opts;
	struct pp_macro **buckets;
	size_t nbuckets, nmacros;
	bool *active, *taken; /* per conditional level */
	int depth, cond_cap;
	bool in_comment;      /* the script: inside a block comment spanning lines */
	struct src_loc line_loc; /* the line being expanded */
	int expansions;       /* per line */
	size_t line_bytes;    /* per line */
	bool too_large;       /* a budget was exceeded (and reported) on this line */
	struct pp_file *cur;
	int include_depth;
	bool includes_stopped; /* nested too deeply: no more includes */
	struct pp_known *known;
	const char **search;  /* -I dirs, then the system dirs */
	int nsearch;
	struct buf script_out;
	struct c_header *headers, **headers_tail;
};

void buf_add(struct buf *b, const char *s, size_t n);
bool ident_start(char c);
bool ident_char(char c);

/* macros (pp_macro.c) */
struct pp_macro *pp_find(struct pp *p, const char *name, size_t n);
struct pp_macro *pp_define(struct pp *p, const char *name, const char *body);
void pp_undef(struct pp *p, const char *name, size_t n);
/* Copy text (length n) to out expanding macros outside strings and comments. */
void pp_expand(struct pp *p, struct buf *out, const char *text, size_t n, int level);

/* a diagnostic in the current file */
void pp_diag(struct pp *p, enum diag_level level, const struct src_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* #if (pp_expr.c) */
bool pp_eval_cond(struct pp *p, const char *expr, const struct src_loc *loc);

/* #include (pp_include.c) */
void pp_search_init(struct pp *p);
/* The path of header name, or NULL; *found gets its search index. */
const char *pp_search(struct pp *p, const char *name, bool quoted, int from, int *found);
void pp_include(struct pp *p, const char *line, size_t n, const char *rest, const struct src_loc *loc, bool next);
int pp_include_file(struct pp *p, const char *path, int found_at, const struct src_loc *loc);
/* preprocess one file (preproc.c) */
void pp_process(struct pp *p, struct pp_file *f);

#endif
