/* The tables of functions and builtins: what each name needs and which
 * hooks check and lower it (functions.def, builtins.def). The semantic pass
 * finds every call and builtin here; the lowering calls the hook the
 * semantic pass recorded on the node. */
#ifndef SONDE_FUNCTIONS_H
#define SONDE_FUNCTIONS_H
#include "sema.h"

struct sema;
struct lower;
struct val;

enum { NO_ACTION = -1 };

enum fn_option {
	FN_UNSAFE = 1u << 0,  /* needs --unsafe */
	FN_CONTEXT = 1u << 1, /* reads the probe context: not in map-loop callbacks */
};

enum fn_kind { FN_CALL, FN_AGGREGATE, FN_UNSUPPORTED };

struct func_def {
	const char *name;
	enum fn_kind kind;
	int min_args, max_args; /* -1: checked by the hook */
	unsigned needs;         /* enum probe_flag: the probe must have one of them (0: any) */
	const char *where;      /* the probes that have them, for the error;
				   FN_UNSUPPORTED: what is missing */
	unsigned options;       /* enum fn_option */
	int action;             /* enum action_kind, or NO_ACTION */
	enum type_kind value_kind; /* FN_AGGREGATE: the map value it makes */
	const struct type *(*check)(struct sema *s, struct node *n, const struct func_def *fn);
	struct val (*lower)(struct lower *l, struct node *n);
};

/* A builtin identifier (LANGUAGE.md §7): pid, comm, arg0, ... */
struct builtin_def {
	const char *name;
	bool supported;
	const struct type *type; /* the result type of check_fixed */
	unsigned needs;          /* enum probe_flag, as for functions */
	const char *where;
	unsigned options;        /* FN_CONTEXT */
	const struct type *(*check)(struct sema *s, struct node *n, const struct builtin_def *b);
	struct val (*lower)(struct lower *l, struct node *n);
};

/* Hooks shared by rows: the fixed type of a builtin; the lowering of a
 * name the semantic pass replaced by a constant. */
const struct type *check_fixed(struct sema *s, struct node *n, const struct builtin_def *b);
struct val lower_folded(struct lower *l, struct node *n);

/* Hook prototypes, from the tables. */
#define FN(NAME, MIN, MAX, NEEDS, WHERE, OPTIONS, ACTION, CHECK, LOWER)                 \
	const struct type *CHECK(struct sema *s, struct node *n, const struct func_def *fn); \
	struct val LOWER(struct lower *l, struct node *n);
#define AGGREGATE(NAME, MIN, MAX, KIND, CHECK) \
	const struct type *CHECK(struct sema *s, struct node *n, const struct func_def *fn);
#define UNSUPPORTED(NAME, WHY)
#include "functions.def"
#undef FN
#undef AGGREGATE
#undef UNSUPPORTED

#define BUILTIN(NAME, TYPE, NEEDS, WHERE, OPTIONS, CHECK, LOWER)                              \
	const struct type *CHECK(struct sema *s, struct node *n, const struct builtin_def *b); \
	struct val LOWER(struct lower *l, struct node *n);
#define UNSUPPORTED(NAME)
#include "builtins.def"
#undef BUILTIN
#undef UNSUPPORTED

#endif
