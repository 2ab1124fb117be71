/* skboutput("file.pcap", skb, len, off): the first len bytes of a packet's
 * data, from bpf_skb_output into the perf event array; the runtime writes
 * them to the pcap file, leaving out the first off bytes (an ethernet
 * header, where the data has one). The helper exists in tracing programs
 * only, and wants the struct sk_buff pointer as the kernel gave it: a
 * parameter of the probe, loaded from its context, whose type the verifier
 * knows. A rawtracepoint probe that calls it becomes a tp_btf program. */
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* BPF_F_CURRENT_CPU: the perf event of the CPU the program runs on */
#define CURRENT_CPU 0xffffffffull
#define SKB_FN "skboutput"

/* args.NAME: a parameter of the probe as the context holds it */
static bool is_probe_param(const struct node *n)
{
	return n->kind == N_FIELD && n->a->kind == N_IDENT && !strcmp(n->a->name, "args");
}

/* n->ival: the offset of skb->len, the packet's length */
static bool check_skb(struct sema *s, struct node *n, struct node *skb)
{
	const struct type *t = check_expr(s, skb);
	if (t->kind == TY_NONE)
		return false;
	if (t->kind != TY_POINTER || !t->pointee || t->pointee->kind != TY_STRUCT ||
	    strcmp(t->pointee->name, "struct sk_buff")) {
		ERR(s, &skb->loc, SKB_FN "() expects a struct sk_buff pointer (%s provided)", tname(s, t));
		return false;
	}
	if (!is_probe_param(skb)) {
		ERR(s, &skb->loc, SKB_FN "() needs the packet as the probe receives it, args.NAME of a struct "
		    "sk_buff * parameter: the kernel's verifier must know the pointer's type");
		return false;
	}
	return member_offset(s, &skb->loc, t->pointee, "len", &n->ival);
}

/* off: a literal the runtime applies (the kernel copies from the start) */
static bool check_offset(struct sema *s, struct node *off, int64_t *v)
{
	if (check_expr(s, off)->kind == TY_NONE)
		return false;
	if (!literal_value(off, v) || *v < 0 || *v > UINT32_MAX) {
		ERR(s, &off->loc, SKB_FN "() expects a non-negative integer literal as its offset");
		return false;
	}
	return true;
}

const struct type *check_skboutput(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *path = n->args, *skb = path->next, *len = skb->next, *off = len->next;
	bool ok = true;
	if (path->kind != N_STR || !*path->str) {
		ERR(s, &path->loc, SKB_FN "() expects the pcap file's path as a string literal");
		ok = false;
	}
	ok = check_skb(s, n, skb) && ok;
	ok = want_int(s, len, SKB_FN, "length") && ok;
	int64_t skip = 0;
	ok = check_offset(s, off, &skip) && ok;
	if (!ok)
		return &type_none;
	s->probe->tracing_program = true;
	sema_add_action(s, n, (struct action){ .kind = ACT_SKB_OUTPUT, .fmt = path->str, .map = -1,
					       .skb_offset = (uint32_t)skip });
	/* as bpftrace: the helper's result as a uint32, 0 on success */
	return &type_u32;
}

/* The header (program.h: action, boot time, lengths), then the packet: a
 * NULL skb sends nothing and gives -EINVAL. */
struct val lower_skboutput(struct lower *l, struct node *n)
{
	struct node *skb = n->args->next, *len = skb->next;
	LLVMValueRef skb_addr = lower_expr(l, skb).v;
	LLVMValueRef p = LLVMBuildIntToPtr(l->b, skb_addr, l->ptr, "");
	/* the helper takes the length from the flags' upper half */
	LLVMValueRef size = LLVMBuildAnd(l->b, lower_expr(l, len).v, lower_const(l, UINT32_MAX), "");
	LLVMBasicBlockRef send = new_block(l, "skb.send"), none = new_block(l, "skb.null"),
			  done = new_block(l, "skb.done");
	LLVMBuildCondBr(l->b, is_null(l, p), none, send);

	LLVMPositionBuilderAtEnd(l->b, send);
	LLVMValueRef hdr = small_slot(l, SKB_EVENT_HEADER);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)node_action(n)), gep(l, hdr, SKB_EVENT_ACTION));
	LLVMBuildStore(l->b, lower_helper(l, H_KTIME_BOOT_NS, l->i64, NULL, 0), gep(l, hdr, SKB_EVENT_BOOT_NS));
	LLVMBuildStore(l->b, size, gep(l, hdr, SKB_EVENT_LEN));
	LLVMValueRef len_addr = LLVMBuildAdd(l->b, skb_addr, lower_const(l, n->ival), "");
	LLVMBuildStore(l->b, read_memory(l, len_addr, 4, -1), gep(l, hdr, SKB_EVENT_PACKET_LEN));
	LLVMValueRef flags = LLVMBuildOr(l->b, LLVMBuildShl(l->b, size, lower_const(l, 32), ""),
					 lower_const(l, CURRENT_CPU), "");
	LLVMValueRef args[5] = { p, l->skb_events, flags, hdr, lower_const(l, SKB_EVENT_HEADER) };
	LLVMValueRef rc = lower_helper(l, H_SKB_OUTPUT, l->i64, args, 5);
	LLVMBasicBlockRef sent = LLVMGetInsertBlock(l->b);
	LLVMBuildBr(l->b, done);

	LLVMPositionBuilderAtEnd(l->b, none);
	LLVMBuildBr(l->b, done);

	LLVMPositionBuilderAtEnd(l->b, done);
	LLVMValueRef phi = LLVMBuildPhi(l->b, l->i64, "");
	LLVMValueRef vals[2] = { rc, lower_const(l, (uint64_t)-22) /* -EINVAL */ };
	LLVMBasicBlockRef bbs[2] = { sent, none };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return (struct val){ LLVMBuildAnd(l->b, phi, lower_const(l, UINT32_MAX), "") };
}
