/* Shared by the lowering files (lower*.c): the value model and the
 * functions one of them provides to the others. */
#ifndef SONDE_LOWER_INTERNAL_H
#define SONDE_LOWER_INTERNAL_H
#include "lower.h"

/* An i64 for scalar types, a pointer to memory for strings and tuples. */
struct val {
	LLVMValueRef v;
};

/* The action the semantic pass registered for a node, -1 when none. */
static inline int node_action(const struct node *n)
{
	return n->sema ? ((const struct call_info *)n->sema)->action : -1;
}

/* The -k warning of a failed read or lookup at a node, -1 when none. */
static inline int node_check(const struct node *n)
{
	return n->sema ? ((const struct call_info *)n->sema)->check_action : -1;
}

/* lower_expr.c: value model, small IR helpers, the expression dispatch */
bool is_scalar(const struct type *t);
size_t scratch_reserve(struct lower *l, size_t size);
LLVMValueRef scratch_alloc(struct lower *l, size_t size);
LLVMValueRef gep(struct lower *l, LLVMValueRef p, size_t off);
LLVMBasicBlockRef new_block(struct lower *l, const char *name);
LLVMValueRef entry_alloca(struct lower *l, LLVMTypeRef t);
LLVMValueRef normalize_int(struct lower *l, LLVMValueRef v, const struct type *t);
void emit_memset0(struct lower *l, LLVMValueRef p, size_t size);
void emit_memcpy(struct lower *l, LLVMValueRef dst, LLVMValueRef src, size_t size);
/* align: what both dst and src are known to be aligned to (1, 2, 4 or 8) */
void emit_memcpy_aligned(struct lower *l, LLVMValueRef dst, LLVMValueRef src, size_t size, unsigned align);
void store_value(struct lower *l, LLVMValueRef dst, const struct type *dt, struct val v,
		 const struct type *st);
struct val load_value(struct lower *l, LLVMValueRef p, const struct type *t);
LLVMValueRef value_slot(struct lower *l, const struct type *t);
void store_zero(struct lower *l, LLVMValueRef slot, const struct type *t);
LLVMValueRef truth(struct lower *l, struct val v);
LLVMValueRef bool_to_i64(struct lower *l, LLVMValueRef b);
LLVMValueRef is_null(struct lower *l, LLVMValueRef p);
struct val lower_expr(struct lower *l, struct node *n);

/* lower_ops.c: operators, casts, ?: and if expressions */
/* warn_action: the runtime warning of a division by zero (-1: none) */
LLVMValueRef emit_arith(struct lower *l, int op, bool sgn, LLVMValueRef a, LLVMValueRef b, int warn_action);
struct val lower_binop(struct lower *l, struct node *n);
struct val lower_unop(struct lower *l, struct node *n);
struct val lower_cast(struct lower *l, struct node *n);
struct val lower_ternary(struct lower *l, struct node *n);
struct val lower_if_expr(struct lower *l, struct node *n);

/* lower_tuple.c: tuples and records in their C layout (common/types.h);
 * `slot` is 8-aligned */
struct val lower_tuple(struct lower *l, struct node *n);
/* field i of a tuple, an i64 or an 8-aligned pointer */
struct val lower_array_index(struct lower *l, struct node *n);
LLVMValueRef array_equal(struct lower *l, const struct type *t, LLVMValueRef a, LLVMValueRef b);
struct val load_field(struct lower *l, const struct type *t, LLVMValueRef slot, int i);
/* v into the field of type dt at byte `off` of slot, whose bytes are zero
 * or get all written (padding is not touched) */
void store_field(struct lower *l, LLVMValueRef slot, size_t off, const struct type *dt, struct val v,
		 const struct type *st);
/* zero the padding of a tuple slot (a whole memset when it has any) */
void zero_padding(struct lower *l, LLVMValueRef slot, const struct type *t);
/* a tuple of type st into dst laid out as dt, field by field */
void store_tuple(struct lower *l, LLVMValueRef dst, const struct type *dt, struct val v,
		 const struct type *st);
/* == of two tuples, field by field (i1) */
LLVMValueRef tuple_equal(struct lower *l, const struct type *at, LLVMValueRef a, const struct type *bt,
			 LLVMValueRef b);

/* lower_string.c: string values */
struct val lower_string_literal(struct lower *l, const char *s, int len, size_t cap);
LLVMValueRef string_equal(struct lower *l, struct node *an, LLVMValueRef a, size_t acap,
			  struct node *bn, LLVMValueRef b, size_t bcap, size_t limit);
struct val lower_string_index(struct lower *l, struct node *n);

/* lower_context.c: probe context, globals, tracepoint fields */
LLVMValueRef globals_lookup(struct lower *l);
LLVMValueRef global_word(struct lower *l, unsigned off);
LLVMValueRef ctx_word(struct lower *l, size_t off);
LLVMValueRef current_tgid(struct lower *l);
struct val lower_tp_field(struct lower *l, struct node *n);
/* func_args.c: args.NAME and `args` of a probed function, from its context words */
struct val lower_func_arg(struct lower *l, struct node *n);
struct val lower_func_args_value(struct lower *l, struct node *n);

/* fn_symbols.c: a symbol address for the runtime to resolve */
struct val lower_symbol(struct lower *l, LLVMValueRef addr, bool user);

/* functions.c: calls and builtins through the hooks the semantic pass recorded */
struct val lower_call(struct lower *l, struct node *n);
struct val lower_builtin(struct lower *l, struct node *n);

/* lower_map.c: map access, map functions, map loops */
const struct map_desc *desc_of(struct lower *l, struct map_info *m);
LLVMValueRef build_key(struct lower *l, struct map_info *m, struct node *keynode);
/* The u32 key of a per-CPU array map (map_desc.array), in shared_word():
 * store it right before the lookups that read it. */
LLVMValueRef array_key(struct lower *l, LLVMValueRef index);
/* Memory for a small key or value on the stack, else in scratch memory. */
LLVMValueRef small_slot(struct lower *l, size_t size);
/* A stack word of the current function for keys and events that are
 * stored right before the helper call that reads them (constant keys,
 * runtime warnings): one word for all of them. */
LLVMValueRef shared_word(struct lower *l);
LLVMValueRef map_lookup(struct lower *l, struct map_info *m, LLVMValueRef key);
/* full_action: the warning when the map is full (-1: none) */
void map_update(struct lower *l, struct map_info *m, LLVMValueRef key, LLVMValueRef val, uint64_t flags,
		int full_action);
void map_store(struct lower *l, struct map_info *m, LLVMValueRef key, struct val v, const struct type *vt,
	       int full_action);
struct val lower_map_read(struct lower *l, struct node *n);
void lower_for_map(struct lower *l, struct node *st);
LLVMValueRef map_callback(struct lower *l, const char *name, unsigned line);
/* A loop body run as a helper's callback: a static function of its own
 * that finds the same per-CPU scratch memory, where all of the probe's
 * variables then live. begin leaves the builder in the callback's body
 * (return 1 at stop, for break; 0 at next); end goes back to the caller. */
struct loop_callback {
	struct lower saved;
	LLVMBasicBlockRef caller_bb, stop, next;
	LLVMValueRef fn;
};
void loop_callback_begin(struct lower *l, struct loop_callback *cb, const struct node *st,
			 const char *const *pnames, unsigned nparams);
void loop_callback_end(struct lower *l, struct loop_callback *cb, const struct node *st);

/* fn_aggregate.c: count/sum/avg/min/max/stats/hist/lhist */
struct val read_aggregate(struct lower *l, struct map_info *m, LLVMValueRef key);
void lower_aggregate(struct lower *l, struct map_info *m, struct node *target, struct node *call);
/* fn_tseries.c: the interval slot of `now` (and its epoch), and the update of
 * this CPU's slot p with value v */
LLVMValueRef tseries_slot(struct lower *l, const struct type *t, LLVMValueRef now, LLVMValueRef *epoch);
void tseries_update(struct lower *l, const struct type *t, LLVMValueRef p, LLVMValueRef v, LLVMValueRef now,
		    LLVMValueRef epoch);

/* lower_event.c: ring-buffer events */
void emit_runtime_warning(struct lower *l, LLVMValueRef cond, int action);
/* an event in scratch memory: the u64 action, then `payload` bytes to fill */
LLVMValueRef event_begin(struct lower *l, int action, size_t payload);
/* send an event already filled in scratch memory (u64 action, payload) */
void emit_event_buffer(struct lower *l, LLVMValueRef ev, size_t payload);
/* an event without payload */
void emit_event(struct lower *l, int action);
/* warn_action: the -k warning of a failed read (-1: none) */
LLVMValueRef read_memory(struct lower *l, LLVMValueRef addr, uint32_t bytes, int warn_action);
/* The same with the helper given: H_PROBE_READ_USER for user memory. */
LLVMValueRef read_memory_with(struct lower *l, int helper, LLVMValueRef addr, uint32_t bytes, int warn_action);
/* Sign-extend the low `bits` bits of v. */
LLVMValueRef sign_extend(struct lower *l, LLVMValueRef v, unsigned bits);
void emit_read_check(struct lower *l, LLVMValueRef rc, int warn_action);

/* usdt_args.c: argN of a usdt probe, per the location being lowered */
struct val lower_usdt_arg(struct lower *l, struct node *n);

/* lower_stmt.c: statements */
LLVMValueRef var_storage(struct lower *l, struct var_info *v);
void lower_statements(struct lower *l, struct node *first);
void lower_loop_body(struct lower *l, struct node *body, LLVMBasicBlockRef brk, LLVMBasicBlockRef cont);
/* End the probe: return value (i32; NULL: 0) or, in a bench: probe, its run time. */
void emit_return(struct lower *l, LLVMValueRef value);
/* What the probe function returns at an exit (see emit_return). */
LLVMValueRef probe_result(struct lower *l, LLVMValueRef value);
struct val lower_incdec(struct lower *l, struct node *n);
struct val lower_inline_fn(struct lower *l, struct node *n);

/* syscall_dispatch.c: a raw_syscalls program returns at once for a system
 * call it does not stand for, before any helper call, and sets
 * l->probe_value; then, with scratch memory, for an ia32 system call */
void lower_syscall_filter(struct lower *l);
void lower_syscall_native(struct lower *l);

/* lower_prog.c: the body of probe pi in the current program (l->spec),
 * its -p and filter checks first */
void lower_probe_body(struct lower *l, struct probe_info *pi);
/* lower_session.c: the body of a kprobe session program: entry's at entry,
 * its session_return's at return */
void lower_session(struct lower *l, struct probe_info *entry);

/* lower_prog.c: function set-up shared by probes and map-loop callbacks */
void set_nounwind(struct lower *l, LLVMValueRef fn);
void scratch_lookup(struct lower *l, LLVMBasicBlockRef missing, LLVMBasicBlockRef found);

#endif
