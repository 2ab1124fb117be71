/* Events sent to user space through the ring buffer: each is an action
 * index and a payload (the functions that send them are in fn_*.c), and
 * the runtime warnings; a full ring buffer counts the lost event. */
#include "lower_internal.h"

LLVMValueRef event_begin(struct lower *l, int action, size_t payload)
{
	LLVMValueRef ev = small_slot(l, 8 + payload);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)action), ev);
	return ev;
}

/* Send an event to user space. A full ring buffer drops it: count it for
 * the exit warning. */
void emit_event_buffer(struct lower *l, LLVMValueRef ev, size_t payload)
{
	l->streams = true;
	LLVMValueRef args[4] = { l->ringbuf, ev, lower_const(l, 8 + ((payload + 7) & ~(size_t)7)), lower_const(l, 0) };
	LLVMValueRef rc = lower_helper(l, H_RINGBUF_OUTPUT, l->i64, args, 4);
	LLVMBasicBlockRef lost = new_block(l, "event.lost"), done = new_block(l, "event.done");
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntSLT, rc, lower_const(l, 0), ""), lost, done);
	LLVMPositionBuilderAtEnd(l->b, lost);
	LLVMValueRef g = globals_lookup(l);
	LLVMBasicBlockRef have = new_block(l, "event.count");
	LLVMBuildCondBr(l->b, is_null(l, g), done, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	LLVMBuildAtomicRMW(l->b, LLVMAtomicRMWBinOpAdd, gep(l, g, GLOBAL_LOST_EVENTS), lower_const(l, 1),
			   LLVMAtomicOrderingMonotonic, 0);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

void emit_event(struct lower *l, int action)
{
	emit_event_buffer(l, event_begin(l, action, 0), 0);
}

/* The located warning `action` (registered by the semantic pass), printed
 * by the runtime when `cond` holds: once per run, because a full map or a
 * zero divisor would otherwise warn at every event and fill the ring
 * buffer that the program's own output needs. */
void emit_runtime_warning(struct lower *l, LLVMValueRef cond, int action)
{
	if (action < 0)
		return;
	LLVMBasicBlockRef warn = new_block(l, "warn"), first = new_block(l, "warn.first"),
			  done = new_block(l, "warn.done");
	LLVMBuildCondBr(l->b, cond, warn, done);
	LLVMPositionBuilderAtEnd(l->b, warn);
	LLVMValueRef key = shared_word(l);
	LLVMBuildStore(l->b, LLVMConstInt(l->i32, (unsigned)action, 0), key);
	LLVMValueRef args[2] = { l->warned, key };
	LLVMValueRef flag = lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
	LLVMBasicBlockRef have = new_block(l, "warn.flag");
	LLVMBuildCondBr(l->b, is_null(l, flag), done, have);
	LLVMPositionBuilderAtEnd(l->b, have);
	LLVMValueRef old = LLVMBuildAtomicRMW(l->b, LLVMAtomicRMWBinOpXchg, flag, lower_const(l, 1),
					      LLVMAtomicOrderingMonotonic, 0);
	LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, old, lower_const(l, 0), ""), first, done);
	LLVMPositionBuilderAtEnd(l->b, first);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)action), key);
	bool streams = l->streams;
	emit_event_buffer(l, key, 0);
	l->streams = streams; /* once a run */
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
}

