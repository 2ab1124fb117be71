/* Functions on whole maps and their entries: clear() and zero() (done in
 * user space when their event arrives), delete(), has_key(), find() and len().
 * `f(@m, k)` and `f(@m[k])` are the same call. */
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* clear(@m), zero(@m) */
const struct type *check_map_fn(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct map_info *m = map_arg(s, n, n->args, false);
	if (m)
		sema_add_action(s, n, (struct action){ .kind = fn->action, .map = m->index });
	return &type_void;
}

struct val lower_map_event(struct lower *l, struct node *n)
{
	emit_event(l, ((struct call_info *)n->sema)->action);
	return (struct val){ lower_const(l, 0) };
}

/* `f(@m, k)` is kept as `f(@m[k])` (op = 1 marks the rewrite, which the
 * second pass must not undo), so lowering treats both spellings alike. */
static void fold_map_key_arg(struct node *n)
{
	struct node *m = n->args;
	if (m && m->kind == N_MAP && !m->a && m->next && !m->next->next) {
		m->a = m->next;
		m->next = NULL;
		n->op = 1;
	}
}

/* The map of `@m[k]` in delete()/has_key(), which must exist; checks the key. */
static struct map_info *existing_map(struct sema *s, struct node *mapnode)
{
	struct map_info *m = map_get(s->c, map_name(s, mapnode), false);
	if (!m) {
		ERR(s, &mapnode->loc, "Undefined map: %s", map_name(s, mapnode));
		return NULL;
	}
	use_map_key(s, mapnode, false);
	return m;
}

const struct type *check_delete(struct sema *s, struct node *n, const struct func_def *fn)
{
	fold_map_key_arg(n);
	if (n->op != 1 && !arity(s, n, 1, 2))
		return &type_bool;
	struct node *mapnode = n->args;
	if (!mapnode || mapnode->kind != N_MAP || mapnode->next) {
		ERR(s, &n->loc, "delete() expects a map argument: delete(@m, key), delete(@m[key]) or delete(@m)");
		return &type_bool;
	}
	struct map_info *m = existing_map(s, mapnode);
	if (m)
		m->deleted = true;
	return &type_bool;
}

const struct type *check_has_key(struct sema *s, struct node *n, const struct func_def *fn)
{
	fold_map_key_arg(n);
	if (n->op != 1) {
		if (arity(s, n, 2, 2))
			ERR(s, &n->args->loc, "has_key() expects a map without a key as its first argument");
		return &type_bool;
	}
	struct node *mapnode = n->args;
	struct map_info *m = existing_map(s, mapnode);
	if (!m)
		return &type_bool;
	if (!m->key && s->c->second_pass)
		ERR(s, &mapnode->loc, "has_key() cannot be used on a scalar map");
	return &type_bool;
}

/* What the error messages call a map whose entries are split by bucket. */
static const char *bucket_map_kind(const struct type *vt)
{
	return vt->kind == TY_TSERIES ? "tseries" : "histogram";
}

/* len(@m): number of entries */
const struct type *check_len(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct map_info *m = map_arg(s, n, n->args, false);
	if (m && !m->key && m->assigned) {
		ERR(s, &n->args->loc, "len() expects a map with keys");
		return &type_none;
	}
	if (m && type_has_bucket_key(m->value)) {
		ERR(s, &n->args->loc, "len() of a %s map is not supported yet", bucket_map_kind(m->value));
		return &type_none;
	}
	return &type_i64;
}

struct val lower_delete(struct lower *l, struct node *n)
{
	struct node *mapnode = n->args;
	struct map_info *m = ((struct call_info *)mapnode->sema)->map;
	if (type_has_bucket_key(m->value)) {
		diag_error(l->c->diags, &n->loc, "delete() of a %s entry is not supported yet", bucket_map_kind(m->value));
		return (struct val){ lower_const(l, 1) };
	}
	LLVMValueRef key = build_key(l, m, mapnode->a);
	LLVMValueRef args[2] = { l->map_globals[m->index], key };
	LLVMValueRef rc = lower_helper(l, H_MAP_DELETE, l->i64, args, 2);
	/* true when there was an entry to delete */
	return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, LLVMIntEQ, rc, lower_const(l, 0), "")) };
}

struct val lower_has_key(struct lower *l, struct node *n)
{
	struct node *mapnode = n->args;
	struct map_info *m = ((struct call_info *)mapnode->sema)->map;
	LLVMValueRef p = map_lookup(l, m, build_key(l, m, mapnode->a));
	return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, LLVMIntNE, p, LLVMConstNull(l->ptr), "")) };
}

/* The callback counting map entries for len(): ctx points to a u64 on the
 * caller's stack. One per module. */
static LLVMValueRef count_callback(struct lower *l)
{
	LLVMValueRef cb = LLVMGetNamedFunction(l->mod, "sonde_count_entry");
	if (cb)
		return cb;
	struct lower saved = *l;
	LLVMBasicBlockRef caller_bb = LLVMGetInsertBlock(l->b);
	cb = map_callback(l, "sonde_count_entry", 1);
	LLVMSetCurrentDebugLocation2(l->b, LLVMDIBuilderCreateDebugLocation(l->ctx, 1, 1, l->sp, NULL));
	LLVMPositionBuilderAtEnd(l->b, LLVMAppendBasicBlockInContext(l->ctx, cb, "entry"));
	LLVMValueRef counter = LLVMGetParam(cb, 3);
	LLVMBuildStore(l->b, LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i64, counter, ""), lower_const(l, 1), ""), counter);
	LLVMBuildRet(l->b, lower_const(l, 0));
	*l = saved;
	LLVMPositionBuilderAtEnd(l->b, caller_bb);
	return cb;
}

struct val lower_len(struct lower *l, struct node *n)
{
	struct map_info *m = ((struct call_info *)n->args->sema)->map;
	LLVMValueRef cb = count_callback(l);
	emit_set_loc(l, &n->loc);
	LLVMValueRef counter = entry_alloca(l, l->i64);
	LLVMBuildStore(l->b, lower_const(l, 0), counter);
	LLVMValueRef args[4] = { l->map_globals[m->index], cb, counter, lower_const(l, 0) };
	lower_helper(l, H_FOR_EACH_MAP_ELEM, l->i64, args, 4);
	return (struct val){ LLVMBuildLoad2(l->b, l->i64, counter, "") };
}

/* find(@m, k, $v): true, and $v set to @m[k], when the key exists. Kept as
 * find(@m[k], $v). */
const struct type *check_find(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *mapnode = n->args;
	if (n->op != 1) {
		if (!arity(s, n, 3, 3))
			return &type_bool;
		if (mapnode->kind != N_MAP || mapnode->a) {
			ERR(s, &mapnode->loc, "find() expects a map without a key as its first argument");
			return &type_bool;
		}
		mapnode->a = mapnode->next;
		mapnode->next = mapnode->next->next;
		mapnode->a->next = NULL;
		n->op = 1;
	}
	struct node *var = mapnode->next;
	if (var->kind != N_VAR) {
		ERR(s, &var->loc, "find() expects a variable as its third argument");
		return &type_bool;
	}
	if (!existing_map(s, mapnode))
		return &type_bool;
	const struct type *t = mapnode->type = check_map_read(s, mapnode);
	if (t->kind == TY_NONE)
		return &type_bool;
	assign_var(s, &var->loc, var, t);
	return &type_bool;
}

struct val lower_find(struct lower *l, struct node *n)
{
	struct node *mapnode = n->args, *var = mapnode->next;
	struct map_info *m = ((struct call_info *)mapnode->sema)->map;
	struct var_info *v = ((struct call_info *)var->sema)->var;
	LLVMValueRef p = map_lookup(l, m, build_key(l, m, mapnode->a));
	LLVMValueRef found = LLVMBuildICmp(l->b, LLVMIntNE, p, LLVMConstNull(l->ptr), "");
	LLVMBasicBlockRef set = new_block(l, "find.set"), done = new_block(l, "find.done");
	LLVMBuildCondBr(l->b, found, set, done);
	LLVMPositionBuilderAtEnd(l->b, set);
	store_value(l, var_storage(l, v), v->type, lower_map_read(l, mapnode), mapnode->type);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return (struct val){ bool_to_i64(l, found) };
}
