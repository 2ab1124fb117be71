/* Functions on the bytes of a value: bswap() reverses them, ntop() makes
 * an IPv4 or IPv6 address value that prints in its usual notation, pton()
 * the bytes of an address, buf() copies bytes into a buffer that prints
 * them (%r, %rx, %rh), is_err() tells an error pointer. */
#include <arpa/inet.h>

#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* bswap(n): the bytes of an integer reversed, same width, unsigned */
const struct type *check_bswap(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *t = check_expr(s, n->args);
	if (t->kind == TY_NONE)
		return t;
	if (t->kind != TY_INT) {
		ERR(s, &n->args->loc, "bswap() expects an integer (%s provided)", tname(s, t));
		return &type_none;
	}
	return type_int(t->is_literal ? 64 : t->bits, false);
}

struct val lower_bswap(struct lower *l, struct node *n)
{
	unsigned bits = (unsigned)n->type->bits;
	LLVMValueRef v = lower_expr(l, n->args).v;
	if (bits == 8)
		return (struct val){ LLVMBuildAnd(l->b, v, lower_const(l, 0xff), "") };
	LLVMTypeRef it = LLVMIntTypeInContext(l->ctx, bits);
	unsigned id = LLVMLookupIntrinsicID("llvm.bswap", 10);
	LLVMValueRef fn = LLVMGetIntrinsicDeclaration(l->mod, id, &it, 1);
	LLVMValueRef narrow = bits < 64 ? LLVMBuildTrunc(l->b, v, it, "") : v;
	LLVMValueRef r = LLVMBuildCall2(l->b, LLVMIntrinsicGetType(l->ctx, id, &it, 1), fn, &narrow, 1, "");
	return (struct val){ bits < 64 ? LLVMBuildZExt(l->b, r, l->i64, "") : r };
}

/* ntop([af,] addr): an IPv4 (integer or 4 bytes) or IPv6 (16 bytes) address */
const struct type *check_ntop(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *addr = n->args->next ? n->args->next : n->args;
	if (n->args->next)
		want_int(s, n->args, "ntop", "address family");
	const struct type *t = check_expr(s, addr);
	if (t->kind == TY_NONE)
		return t;
	bool ok = t->kind == TY_INT || ((t->kind == TY_STRING || t->kind == TY_ARRAY) && (t->size == 4 || t->size == 16)) ||
		  (t->kind == TY_STRUCT && (t->size == 4 || t->size == 16)) ||
		  (t->kind == TY_BUF && (t->capacity == 4 || t->capacity == 16));
	if (!ok) {
		ERR(s, &addr->loc, "ntop() expects an integer or a 4 or 16 byte address (%s provided)", tname(s, t));
		return &type_none;
	}
	return type_inet(s->c->arena);
}

enum { AF_INET_VALUE = 2, AF_INET6_VALUE = 10 };

/* { u64 family; u8 address[16] }: integers hold an IPv4 address in
 * network byte order as stored in memory, 16-byte values IPv6. */
struct val lower_ntop(struct lower *l, struct node *n)
{
	struct node *addr = n->args->next ? n->args->next : n->args;
	const struct type *t = addr->type;
	LLVMValueRef slot = scratch_alloc(l, 24);
	emit_memset0(l, slot, 24);
	size_t bytes = t->kind == TY_INT ? 4 : t->kind == TY_BUF ? t->capacity : t->size;
	LLVMValueRef family = lower_const(l, bytes == 16 ? AF_INET6_VALUE : AF_INET_VALUE);
	if (n->args->next)
		family = lower_expr(l, n->args).v;
	LLVMBuildStore(l->b, family, slot);
	struct val v = lower_expr(l, addr);
	LLVMValueRef dst = gep(l, slot, 8);
	if (t->kind == TY_INT) {
		LLVMBuildStore(l->b, LLVMBuildTrunc(l->b, v.v, l->i32, ""), dst);
	} else if (t->kind == TY_STRUCT) {
		LLVMValueRef args[3] = { dst, LLVMConstInt(l->i32, bytes, 0), LLVMBuildIntToPtr(l->b, v.v, l->ptr, "") };
		lower_helper(l, H_PROBE_READ, l->i64, args, 3);
	} else {
		emit_memcpy(l, dst, t->kind == TY_BUF ? gep(l, v.v, 8) : v.v, bytes);
	}
	return (struct val){ slot };
}

/* pton("addr"): the 4 or 16 bytes of an IPv4 or IPv6 address, in network
 * order, as a uint8[4] or uint8[16] array */
const struct type *check_pton(struct sema *s, struct node *n, const struct func_def *fn)
{
	const char *text = literal_string_arg(s, n);
	if (!text)
		return &type_none;
	unsigned char b[16];
	bool v6 = strchr(text, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, text, b) != 1) {
		ERR(s, &n->args->loc, "pton(): '%s' is not an IPv4 or IPv6 address", text);
		return &type_none;
	}
	return type_array(s->c->arena, &type_u8, v6 ? 16 : 4);
}

struct val lower_pton(struct lower *l, struct node *n)
{
	unsigned char b[16] = { 0 };
	inet_pton(n->type->size == 16 ? AF_INET6 : AF_INET, n->args->str, b); /* checked by check_pton */
	LLVMValueRef slot = scratch_alloc(l, n->type->size);
	for (size_t off = 0; off < n->type->size; off += 4) {
		uint32_t w;
		memcpy(&w, b + off, 4);
		LLVMBuildStore(l->b, LLVMConstInt(l->i32, w, 0), gep(l, slot, off));
	}
	return (struct val){ slot };
}

/* buf(p, n) of n bytes at address p, buf(s[, n]) of a string value's
 * bytes: at most max_strlen bytes, NULs included */
const struct type *check_buf(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *t = check_expr(s, n->args);
	struct node *len = n->args->next;
	size_t cap = (size_t)s->c->opts->max_strlen;
	if (t->kind == TY_STRING && t->size < cap)
		cap = t->size;
	if (len) {
		if (!want_int(s, len, "buf", "length"))
			return &type_none;
		int64_t v;
		if (literal_value(len, &v)) {
			if (v < 0) {
				ERR(s, &len->loc, "buf() length cannot be negative");
				return &type_none;
			}
			if ((uint64_t)v < cap)
				cap = (size_t)v;
		}
	} else if (t->kind != TY_STRING && t->kind != TY_NONE) {
		ERR(s, &n->loc, "buf() of an address needs a length: buf(p, n)");
		return &type_none;
	}
	if (t->kind != TY_NONE && t->kind != TY_STRING && !is_int(t)) {
		ERR(s, &n->args->loc, "buf() expects an address or a string (%s provided)", tname(s, t));
		return &type_none;
	}
	return type_buffer(s->c->arena, cap);
}

struct val lower_buf(struct lower *l, struct node *n)
{
	const struct type *t = n->type, *src = n->args->type;
	size_t cap = type_buffer_capacity(t);
	LLVMValueRef slot = scratch_alloc(l, t->size);
	emit_memset0(l, slot, t->size);
	struct val p = lower_expr(l, n->args);
	LLVMValueRef len = lower_const(l, cap);
	if (n->args->next) {
		LLVMValueRef want = lower_expr(l, n->args->next).v;
		len = LLVMBuildSelect(l->b, LLVMBuildICmp(l->b, LLVMIntULT, want, len, ""), want, len, "");
	}
	LLVMBuildStore(l->b, len, slot);
	if (src->kind == TY_STRING) {
		emit_memcpy(l, gep(l, slot, 8), p.v, cap);
	} else if (cap) {
		/* the verifier needs a length it can bound: at least 1, at most cap */
		LLVMBasicBlockRef read = new_block(l, "buf.read"), done = new_block(l, "buf.done");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, len, lower_const(l, 0), ""), done, read);
		LLVMPositionBuilderAtEnd(l->b, read);
		LLVMValueRef args[3] = { gep(l, slot, 8), LLVMBuildTrunc(l->b, len, l->i32, ""),
					 LLVMBuildIntToPtr(l->b, p.v, l->ptr, "") };
		lower_helper(l, H_PROBE_READ, l->i64, args, 3);
		LLVMBuildBr(l->b, done);
		LLVMPositionBuilderAtEnd(l->b, done);
	}
	return (struct val){ slot };
}

/* is_err(p): an ERR_PTR value, -4095..-1 */
const struct type *check_is_err(struct sema *s, struct node *n, const struct func_def *fn)
{
	want_int(s, n->args, "is_err", "pointer");
	return &type_bool;
}

struct val lower_is_err(struct lower *l, struct node *n)
{
	LLVMValueRef v = lower_expr(l, n->args).v;
	return (struct val){ bool_to_i64(l, LLVMBuildICmp(l->b, LLVMIntUGE, v, lower_const(l, (uint64_t)-4095), "")) };
}
