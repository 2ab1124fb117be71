/* Shared by the lowering files: the value model and small IR helpers. */
#ifndef SONDE_LOWER_INTERNAL_H
#define SONDE_LOWER_INTERNAL_H
#include "lower.h"

/* An i64 for scalar types, a pointer to memory for strings and tuples. */
struct val {
	LLVMValueRef v;
};

bool is_scalar(const struct type *t);
size_t scratch_reserve(struct lower *l, size_t size);
LLVMValueRef scratch_alloc(struct lower *l, size_t size);
LLVMValueRef gep(struct lower *l, LLVMValueRef p, size_t off);
LLVMBasicBlockRef new_block(struct lower *l, const char *name);
LLVMValueRef entry_alloca(struct lower *l, LLVMTypeRef t);
LLVMValueRef normalize_int(struct lower *l, LLVMValueRef v, const struct type *t);
void emit_memset0(struct lower *l, LLVMValueRef p, size_t size);
void emit_memcpy(struct lower *l, LLVMValueRef dst, LLVMValueRef src, size_t size);
void store_value(struct lower *l, LLVMValueRef dst, const struct type *dt, struct val v,
		 const struct type *st);
struct val load_value(struct lower *l, LLVMValueRef p, const struct type *t);
LLVMValueRef truth(struct lower *l, struct val v);
LLVMValueRef globals_lookup(struct lower *l);

struct val lower_expr(struct lower *l, struct node *n);
/* lower_stmt.c */
LLVMValueRef var_storage(struct lower *l, struct var_info *v);
void lower_statements(struct lower *l, struct node *first);
struct val lower_inline_fn(struct lower *l, struct node *n);
struct val lower_map_read(struct lower *l, struct node *n);
struct val lower_incdec(struct lower *l, struct node *n);
struct val lower_call_stmt(struct lower *l, struct node *n);
struct val lower_map_len(struct lower *l, struct node *n);
void emit_event(struct lower *l, int action);
void emit_runtime_warning(struct lower *l, LLVMValueRef cond, const struct src_loc *loc, const char *msg);
LLVMValueRef emit_arith(struct lower *l, int op, bool sgn, LLVMValueRef a, LLVMValueRef b, const struct src_loc *loc);

#endif
