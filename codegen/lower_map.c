/* Lowering of map operations: building keys in scratch memory, lookups
 * and updates, reading a map (zero when the key is missing), delete() and
 * has_key(), len(), and `for ($kv : @m)` loops, whose body becomes a
 * bpf_for_each_map_elem callback. */
#include <string.h>

#include <errno.h>

#include "lower_internal.h"

const struct map_desc *desc_of(struct lower *l, struct map_info *m)
{
	return &l->out->maps[m->index];
}

/* Small keys and values of the hot path live on the stack rather than in
 * scratch memory, so that a probe using no scratch memory skips looking it
 * up. The budget keeps the stack (512 bytes, shared with scalars) safe. */
enum { STACK_SLOT_MAX = 16, STACK_SLOTS_BUDGET = 64 };

LLVMValueRef small_slot(struct lower *l, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	if (size == 0 || size > STACK_SLOT_MAX || l->stack_slots_used + size > STACK_SLOTS_BUDGET)
		return scratch_alloc(l, size);
	l->stack_slots_used += size;
	return entry_alloca(l, LLVMArrayType(l->i64, (unsigned)(size / 8)));
}

LLVMValueRef shared_word(struct lower *l)
{
	if (!l->shared_word)
		l->shared_word = entry_alloca(l, l->i64);
	return l->shared_word;
}

LLVMValueRef array_key(struct lower *l, LLVMValueRef index)
{
	LLVMValueRef slot = shared_word(l);
	LLVMBuildStore(l->b, LLVMBuildTrunc(l->b, index, l->i32, ""), slot);
	return slot;
}

/* The BPF key of a map access; extra bytes are left for a histogram's
 * bucket word. */
LLVMValueRef build_key(struct lower *l, struct map_info *m, struct node *keynode)
{
	const struct map_desc *d = desc_of(l, m);
	if (d->array)
		return array_key(l, lower_const(l, 0));
	LLVMValueRef slot = small_slot(l, d->key_size);
	if (!m->key) {
		LLVMBuildStore(l->b, lower_const(l, 0), slot);
		return slot;
	}
	struct val k = lower_expr(l, keynode);
	if (type_storage_size(m->key) % 8) /* padded to 8 by map_layout(): the map compares the padding too */
		emit_memset0(l, slot, d->key_size);
	store_value(l, slot, m->key, k, keynode->type);
	return slot;
}

LLVMValueRef map_lookup(struct lower *l, struct map_info *m, LLVMValueRef key)
{
	LLVMValueRef args[2] = { l->map_globals[m->index], key };
	return lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
}

void map_update(struct lower *l, struct map_info *m, LLVMValueRef key, LLVMValueRef val, uint64_t flags,
		int full_action)
{
	LLVMValueRef args[4] = { l->map_globals[m->index], key, val, lower_const(l, flags) };
	LLVMValueRef rc = lower_helper(l, H_MAP_UPDATE, l->i64, args, 4);
	emit_runtime_warning(l, LLVMBuildICmp(l->b, LLVMIntEQ, rc, lower_const(l, (uint64_t)-E2BIG), ""),
			     full_action);
}

struct val lower_map_read(struct lower *l, struct node *n)
{
	struct map_info *m = ((struct call_info *)n->sema)->map;
	LLVMValueRef key = build_key(l, m, n->a);
	if (type_is_aggregate(m->value))
		return read_aggregate(l, m, key);
	const struct type *t = m->value;
	LLVMValueRef p = map_lookup(l, m, key);
	emit_runtime_warning(l, is_null(l, p), node_check(n));
	LLVMValueRef slot = value_slot(l, t);
	store_zero(l, slot, t);
	LLVMBasicBlockRef have = new_block(l, "map.have"), done = new_block(l, "map.done");
	LLVMBuildCondBr(l->b, is_null(l, p), done, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	if (is_scalar(t))
		LLVMBuildStore(l->b, LLVMBuildLoad2(l->b, l->i64, p, ""), slot);
	else
		emit_memcpy(l, slot, p, t->size);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return load_value(l, slot, t);
}

void map_store(struct lower *l, struct map_info *m, LLVMValueRef key, struct val v, const struct type *vt,
	       int full_action)
{
	const struct map_desc *d = desc_of(l, m);
	LLVMValueRef slot = scratch_alloc(l, d->value_size);
	store_value(l, slot, m->value, v, vt);
	map_update(l, m, key, slot, 0, full_action);
}

/* A static `long NAME(params...)` callback of a helper (pointer-sized
 * parameters), with its debug info in l->sp. */
static LLVMValueRef callback_function(struct lower *l, const char *name, unsigned line,
				      const char *const *pnames, unsigned nparams)
{
	LLVMTypeRef params[4] = { l->ptr, l->ptr, l->ptr, l->ptr };
	LLVMValueRef cb = LLVMAddFunction(l->mod, name, LLVMFunctionType(l->i64, params, nparams, 0));
	LLVMSetLinkage(cb, LLVMInternalLinkage);
	LLVMSetSection(cb, ".text");
	l->sp = emit_di_function_params(l, name, line, pnames, nparams, true);
	LLVMSetSubprogram(cb, l->sp);
	return cb;
}

/* A static `long NAME(map, key, value, ctx)` callback for
 * bpf_for_each_map_elem, with its debug info in l->sp. */
LLVMValueRef map_callback(struct lower *l, const char *name, unsigned line)
{
	static const char *const pnames[4] = { "map", "key", "value", "ctx" };
	return callback_function(l, name, line, pnames, 4);
}

void loop_callback_begin(struct lower *l, struct loop_callback *cb, const struct node *st,
			 const char *const *pnames, unsigned nparams)
{
	cb->saved = *l;
	cb->caller_bb = LLVMGetInsertBlock(l->b);
	const char *name = arena_printf(l->c->arena, "%s_loop%d", LLVMGetValueName(l->prog_fn), l->loop_callbacks++);
	cb->fn = callback_function(l, name, (unsigned)diag_file_line(st->loc.first_line), pnames, nparams);
	set_nounwind(l, cb->fn);
	l->fn = cb->fn;
	l->ctx_arg = NULL; /* none, unless the caller passes it in */
	emit_set_loc(l, &st->loc);

	l->entry_bb = LLVMAppendBasicBlockInContext(l->ctx, cb->fn, "entry");
	l->stack_slots_used = 0;
	l->shared_word = NULL;
	LLVMBasicBlockRef body = new_block(l, "body");
	cb->stop = new_block(l, "stop");
	cb->next = new_block(l, "next");
	LLVMPositionBuilderAtEnd(l->b, l->entry_bb);
	scratch_lookup(l, cb->stop, body);
	LLVMPositionBuilderAtEnd(l->b, cb->stop);
	LLVMBuildRet(l->b, lower_const(l, 1));
	LLVMPositionBuilderAtEnd(l->b, cb->next);
	LLVMBuildRet(l->b, lower_const(l, 0));
	LLVMPositionBuilderAtEnd(l->b, body);
}

void loop_callback_end(struct lower *l, struct loop_callback *cb, const struct node *st)
{
	LLVMBuildBr(l->b, cb->next);
	size_t used = l->scratch_used;
	int callbacks = l->loop_callbacks;
	*l = cb->saved;
	l->scratch_used = used;
	l->loop_callbacks = callbacks;
	LLVMPositionBuilderAtEnd(l->b, cb->caller_bb);
	emit_set_loc(l, &st->loc);
}

/* `for ($kv : @m) { body }` runs the body as a bpf_for_each_map_elem
 * callback. */
void lower_for_map(struct lower *l, struct node *st)
{
	struct map_info *m = ((struct call_info *)st->a->sema)->map;
	struct var_info *kv = ((struct call_info *)st->sema)->var;
	const struct type *kvt = kv->type;
	var_storage(l, kv); /* reserve its slot while still in the probe */

	struct loop_callback cb;
	static const char *const pnames[4] = { "map", "key", "value", "ctx" };
	loop_callback_begin(l, &cb, st, pnames, 4);
	LLVMValueRef slot = var_storage(l, kv);
	LLVMValueRef key = LLVMGetParam(cb.fn, 1), value = LLVMGetParam(cb.fn, 2);
	zero_padding(l, slot, kvt);
	store_field(l, slot, kvt->offsets[0], kvt->fields[0], load_value(l, key, m->key), m->key);
	const struct type *vt = kvt->fields[1];
	if (type_is_aggregate(m->value)) /* this CPU's count/sum/min/max */
		store_field(l, slot, kvt->offsets[1], vt, (struct val){ LLVMBuildLoad2(l->b, l->i64, value, "") }, vt);
	else
		store_field(l, slot, kvt->offsets[1], vt, load_value(l, value, vt), vt);
	lower_loop_body(l, st->body, cb.stop, cb.next);
	loop_callback_end(l, &cb, st);

	LLVMValueRef call_args[4] = { l->map_globals[m->index], cb.fn, LLVMConstNull(l->ptr), lower_const(l, 0) };
	lower_helper(l, H_FOR_EACH_MAP_ELEM, l->i64, call_args, 4);
}
