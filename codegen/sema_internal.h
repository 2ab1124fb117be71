/* Shared by the semantic-pass files (sema*.c): the pass state, scopes, the
 * error macros and the helpers more than one of them uses. Lowering sees
 * only sema.h. */
#ifndef SONDE_SEMA_INTERNAL_H
#define SONDE_SEMA_INTERNAL_H
#include <string.h>

#include "../common/limits.h"

#include "sema.h"

/* The variables declared in one block; a chain up to the probe's scope. */
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
	int64_t unroll_copies; /* copies the enclosing unrolls make of the current block */
};

/* Diagnostics are reported on the second pass only (the first one only
 * collects map types). */
#define ERR(s, loc, ...) ((s)->c->second_pass ? (void)diag_error((s)->c->diags, loc, __VA_ARGS__) : (void)0)
#define WARN(s, loc, ...) ((s)->c->second_pass ? (void)diag_warning((s)->c->diags, loc, __VA_ARGS__) : (void)0)

static inline bool is_int(const struct type *t)
{
	return type_is_integer_like(t);
}

/* sema.c */
void *grow_array(struct arena *a, void *items, int count, int *cap, size_t size, int first);
int compiler_add_action(struct compiler *c, struct action act);

/* sema_types.c: scopes, type names, merging and declared types */
const char *tname(struct sema *s, const struct type *t);
struct var_info *scope_find(struct sema *s, const char *name);
struct var_info *use_var(struct sema *s, struct node *n);
struct var_info *scope_add(struct sema *s, const char *name, const struct type *t);
void scope_push(struct sema *s, struct scope *sc);
void scope_pop(struct sema *s);
const struct type *storage_type(const struct type *t);
const struct type *merge_types(struct arena *a, const struct type *old, const struct type *new);
/* == and != of tuples: the same shape, integers against integers and
 * strings against strings (of any capacity) */
bool tuples_comparable(const struct type *a, const struct type *b);
const struct type *cast_type(struct sema *s, struct type_spec *ts);
const struct type *declared_type(struct sema *s, struct type_spec *ts);
bool literal_value(struct node *n, int64_t *v);

/* sema_map.c: maps and map arguments */
struct map_info *map_get(struct compiler *c, const char *name, bool create);
const char *map_name(struct sema *s, struct node *n);
struct map_info *use_map_key(struct sema *s, struct node *mapnode, bool create);
void assign_map_value(struct sema *s, struct map_info *m, const struct type *t, const struct src_loc *loc);
struct map_info *map_arg(struct sema *s, struct node *call, struct node *arg, bool keyed_ok);
void note_map_update(struct sema *s, struct node *n, const struct src_loc *loc);
const struct type *check_map_read(struct sema *s, struct node *n);

/* usdt_args.c: the type of argN of a usdt probe (index N) */
const struct type *check_usdt_arg(struct sema *s, struct node *n, int index);

/* builtins.c: args.FIELD, kernel enum constants */
const struct type *check_args_field(struct sema *s, struct node *n);
/* func_args.c: args.NAME and `args` of a probed function, from its DWARF or BTF */
const struct type *check_func_args_field(struct sema *s, struct node *n);
const struct type *check_func_args_value(struct sema *s, struct node *n);
/* The type of a return probe's retval from DWARF or BTF: NULL (uint64 then)
 * without debug info, for void and for values wider than a register. */
const struct type *func_retval_type(struct sema *s);
const struct type *fold_enum_constant(struct sema *s, struct node *n);

/* sema_tpargs.c: the type of a tracepoint field from its C type; NULL for
 * an array of elements that are not integers */
const struct type *tp_field_type(struct sema *s, const struct tp_field *f);

/* sema_call.c: argument checks shared by the function hooks */
int count_args(struct node *args);
bool arity(struct sema *s, struct node *n, int min, int max);
bool want_int(struct sema *s, struct node *arg, const char *fn, const char *what);
const char *literal_string_arg(struct sema *s, struct node *n);

/* fn_symbols.c: the address /proc/kallsyms gives a kernel symbol */
bool kallsyms_address(const char *sym, uint64_t *addr);

/* syscall_dispatch.c: one raw_syscalls program for the syscall tracepoints
 * of a probe (pi->progs), once its body has been checked */
void plan_syscall_dispatch(struct compiler *c, struct probe_info *pi);

/* fn_compile.c: the named parameters no getopt() asks for */
void check_named_params(struct compiler *c);

/* functions.c: calls and builtins through their tables */
const struct type *check_call(struct sema *s, struct node *n);
const struct type *check_builtin(struct sema *s, struct node *n);
bool is_aggregate_fn(const char *name);
const struct type *check_aggregate(struct sema *s, struct node *n);
/* Register the event a call sends, on the final pass. */
void sema_add_action(struct sema *s, struct node *n, struct action act);

/* sema_expr.c: expressions */
const struct type *arith_result(const struct type *l, const struct type *r);
const struct type *check_condition(struct sema *s, struct node *n, const char *what);
const struct type *check_expr(struct sema *s, struct node *n);
/* check_expr of an expression whose value is used (stored, printed, put
 * in a tuple): a struct is then read as a whole. */
const struct type *check_value(struct sema *s, struct node *n);
/* The byte offset of member "a.b.c" of struct t; false after an error. */
bool member_offset(struct sema *s, const struct src_loc *loc, const struct type *t, const char *member,
		   uint64_t *out);
void note_divmod(struct sema *s, struct node *n, int op);
void note_runtime_check(struct sema *s, struct node *n, bool probe_read);
void posparam_as_string(struct sema *s, struct node *n);

/* sema_stmt.c: statements, assignments, loops, inlined fns */
void check_stmt(struct sema *s, struct node *st);
void assign_var(struct sema *s, const struct src_loc *loc, struct node *target, const struct type *t);
/* A block's statements, with the warning for code after exit()/return */
void check_statements(struct sema *s, struct node *first);
const struct type *check_incdec(struct sema *s, struct node *n);
const struct type *check_inline_fn(struct sema *s, struct node *n);

#endif
