/* Helpers the kernel runs on its own objects, given as pointers whose BTF
 * type the verifier follows: path() (bpf_d_path of a struct path) and
 * socket_cookie() (bpf_get_socket_cookie of a socket). A pointer read with
 * bpf_probe_read is a plain number to the verifier, so the argument must
 * reach its object from `ctx` through members: each pointer member is then
 * loaded straight from memory the verifier knows the type of, and checked
 * for NULL. */
#include "btf.h"
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

static bool verified_member(const struct node *n);

/* ctx, a member of ctx (a struct or a pointer), &member, or a pointer
 * cast of one. */
static bool verified_path(const struct node *n)
{
	switch (n->kind) {
	case N_IDENT:
		return !strcmp(n->name, "ctx");
	case N_CAST:
		return n->type->kind == TY_POINTER && verified_path(n->a);
	case N_ADDROF:
		return n->a->kind == N_FIELD && verified_member(n->a);
	case N_FIELD:
		return verified_member(n) && (n->type->kind == TY_STRUCT || n->type->kind == TY_POINTER);
	default:
		return false;
	}
}

static bool verified_member(const struct node *n)
{
	const struct call_info *ci = n->sema;
	return ci && ci->is_member && !ci->member_bitfield_bits && verified_path(n->a);
}

/* The kernel struct the first argument points to (or is), once checked:
 * `accepts` says which; NULL after an error. */
static const struct type *kernel_object(struct sema *s, struct node *n, bool by_value,
					bool (*accepts)(struct sema *s, const struct type *st), const char *want)
{
	struct node *arg = n->args;
	const struct type *t = check_expr(s, arg);
	if (t->kind == TY_NONE)
		return NULL;
	const struct type *st = t->kind == TY_POINTER ? t->pointee : by_value ? t : NULL;
	if (!st || st->kind != TY_STRUCT || !accepts(s, st)) {
		ERR(s, &arg->loc, "%s() expects %s (%s provided)", n->name, want, tname(s, t));
		return NULL;
	}
	if (!verified_path(arg)) {
		ERR(s, &arg->loc, "%s() needs a pointer the kernel's verifier knows the type of: one reached "
			"from ctx through members, such as ctx->file->f_path", n->name);
		return NULL;
	}
	/* the verifier checks the type it loaded, whatever the casts say */
	const struct node *loaded = arg;
	while (loaded->kind == N_CAST)
		loaded = loaded->a;
	const struct type *lt = loaded->type->kind == TY_POINTER ? loaded->type->pointee : loaded->type;
	if (!lt || lt->kind != TY_STRUCT || !accepts(s, lt)) {
		ERR(s, &arg->loc, "%s() expects %s, and a cast does not change the type the kernel checks (%s)",
		    n->name, want, tname(s, loaded->type));
		return NULL;
	}
	return st;
}

/* The object the argument names, as a pointer the verifier tracks; a NULL
 * pointer on the way branches to null_bb. */
static LLVMValueRef lower_verified(struct lower *l, struct node *n, LLVMBasicBlockRef null_bb)
{
	if (n->kind == N_IDENT)
		return l->ctx_arg;
	if (n->kind == N_CAST)
		return lower_verified(l, n->a, null_bb);
	struct node *member = n->kind == N_ADDROF ? n->a : n;
	const struct call_info *ci = member->sema;
	LLVMValueRef addr = gep(l, lower_verified(l, member->a, null_bb), ci->member_bit_offset / 8);
	if (n->kind == N_ADDROF || n->type->kind == TY_STRUCT)
		return addr;
	LLVMValueRef p = LLVMBuildLoad2(l->b, l->ptr, addr, "");
	LLVMBasicBlockRef ok = new_block(l, "kobj.nonnull");
	LLVMBuildCondBr(l->b, is_null(l, p), null_bb, ok);
	LLVMPositionBuilderAtEnd(l->b, ok);
	return p;
}

static bool is_struct_path(struct sema *s, const struct type *st)
{
	return !strcmp(st->name, "struct path");
}

/* path(p[, size]): the path of p, a string of max_strlen (or size) bytes */
const struct type *check_path(struct sema *s, struct node *n, const struct func_def *fn)
{
	size_t cap = (size_t)s->c->opts->max_strlen;
	struct node *size = n->args->next;
	if (size) {
		int64_t v;
		check_expr(s, size);
		if (!literal_value(size, &v) || v < 1) {
			ERR(s, &size->loc, "path() expects a positive integer literal as its size");
			return &type_none;
		}
		if ((uint64_t)v < cap)
			cap = (size_t)v;
	}
	if (!kernel_object(s, n, true, is_struct_path, "a struct path or a pointer to one"))
		return &type_none;
	return type_string(s->c->arena, cap);
}

/* The buffer starts zeroed: a NULL pointer or a failed call leaves the
 * empty string. A path longer than the buffer fails with ENAMETOOLONG
 * after d_path filled it with the path's end and a NUL: the path,
 * truncated at the front. */
struct val lower_path(struct lower *l, struct node *n)
{
	size_t cap = n->type->size;
	LLVMValueRef buf = scratch_alloc(l, cap);
	emit_memset0(l, buf, cap);
	LLVMBasicBlockRef done = new_block(l, "path.done");
	LLVMValueRef args[3] = { lower_verified(l, n->args, done), buf, LLVMConstInt(l->i32, cap, 0) };
	lower_helper(l, H_D_PATH, l->i64, args, 3);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	return (struct val){ buf };
}

static bool is_socket(struct sema *s, const struct type *st)
{
	return btf_struct_begins_with(compiler_btf(s->c), st, "sock_common");
}

/* socket_cookie(sk): the socket's cookie (uint64), 0 for NULL */
const struct type *check_socket_cookie(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (!kernel_object(s, n, false, is_socket, "a socket pointer (struct sock *)"))
		return &type_none;
	return &type_u64;
}

struct val lower_socket_cookie(struct lower *l, struct node *n)
{
	LLVMBasicBlockRef null_bb = new_block(l, "cookie.null"), done = new_block(l, "cookie.done");
	LLVMValueRef sk = lower_verified(l, n->args, null_bb);
	LLVMValueRef cookie = lower_helper(l, H_GET_SOCKET_COOKIE, l->i64, &sk, 1);
	LLVMBasicBlockRef from = LLVMGetInsertBlock(l->b);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, null_bb);
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	LLVMValueRef phi = LLVMBuildPhi(l->b, l->i64, "");
	LLVMValueRef vals[2] = { cookie, lower_const(l, 0) };
	LLVMBasicBlockRef bbs[2] = { from, null_bb };
	LLVMAddIncoming(phi, vals, bbs, 2);
	return (struct val){ phi };
}
