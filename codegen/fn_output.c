/* Functions whose work is done in user space when their event arrives:
 * printf(), system() and cat() (a format and its arguments), print() of a
 * value or a map, exit(), and join() of a user-space string array. Each
 * check registers the action the runtime carries out; each lowering copies
 * the arguments into the event. Also debugf(), which the kernel formats
 * into its trace pipe. */
#include <string.h>

#include "../common/format.h"
#include "functions.h"
#include "lower_internal.h"
#include "sema_internal.h"

/* errorf()/warnf(): "FILE:L:C1-C2: ERROR: " before the format (the
 * location's '%' written as "%%", so the format stays one). */
static const char *located_format(struct sema *s, struct node *n, enum diag_level level, const char *fmt)
{
	const char *first = diag_render(s->c->diags, level, &n->loc, "");
	size_t len = strcspn(first, "\n"); /* the first line: location and label */
	char *out = arena_alloc(s->c->arena, 2 * len + strlen(fmt) + 1), *p = out;
	for (size_t i = 0; i < len; i++) {
		*p++ = first[i];
		if (first[i] == '%')
			*p++ = '%';
	}
	strcpy(p, fmt);
	return out;
}

/* printf(fmt, ...), system(fmt, ...), cat(fmt, ...), errorf(fmt, ...),
 * warnf(fmt, ...): the action kind is the row's, the payload the tuple of
 * the arguments. */
/* A literal format and at most `max` arguments that match its conversions:
 * their number (types[] and specs[] filled), or -1 after the error. `label`
 * names the family in the messages ("printf", "debugf"). */
static int format_arguments(struct sema *s, struct node *n, const char *label, int max,
			    struct fmt_spec *specs, const struct type **types)
{
	if (!n->args || n->args->kind != N_STR) {
		ERR(s, n->args ? &n->args->loc : &n->loc, "%s() requires a string literal as its first argument", label);
		for (struct node *a = n->args; a; a = a->next)
			check_expr(s, a);
		return -1;
	}
	char err[256];
	int nspec = format_parse(n->args->str, specs, max, err, sizeof(err));
	int nargs = 0;
	for (struct node *a = n->args->next; a; a = a->next) {
		const struct type *t = check_expr(s, a);
		if (nargs < max)
			types[nargs] = storage_type(t);
		nargs++;
	}
	if (nspec < 0) {
		ERR(s, &n->loc, "%s", err);
		return -1;
	}
	if (nargs > max) {
		ERR(s, &n->loc, "%s: too many arguments (%d, at most %d)", label, nargs, max);
		return -1;
	}
	if (nargs != nspec) {
		ERR(s, &n->loc, "%s: %s arguments for format string (%d supplied, %d expected)", n->name,
		    nargs > nspec ? "too many" : "not enough", nargs, nspec);
		return -1;
	}
	return nargs;
}

/* printf in a pinned iterator: bpf_seq_printf formats in the kernel, which
 * takes at most 12 arguments of 8 bytes, integers and strings by address. */
enum { SEQ_PRINTF_MAX_ARGS = 12 };

static void check_seq_printf(struct sema *s, struct node *n, const struct fmt_spec *specs,
			     const struct type *const *types, int nargs)
{
	if (s->map_loop_depth) { /* a loop callback has no iterator context */
		ERR(s, &n->loc, "printf in a pinned iterator cannot be used in a map loop");
		return;
	}
	if (nargs > SEQ_PRINTF_MAX_ARGS) {
		ERR(s, &n->loc, "printf in a pinned iterator takes at most %d arguments, not %d",
		    SEQ_PRINTF_MAX_ARGS, nargs);
		return;
	}
	int i = 0;
	for (struct node *a = n->args->next; a; a = a->next, i++)
		if ((!is_int(types[i]) && types[i]->kind != TY_STRING) || specs[i].conv == 'r' ||
		    specs[i].conv == 'g') {
			ERR(s, &a->loc, "printf in a pinned iterator prints integers and strings, not '%s'",
			    tname(s, types[i]));
			return;
		}
}

/* The kernel's form of a printf format (bpf_bprintf_prepare): every
 * integer is a 64-bit word (`ll`), %p prints as sonde's 0x-hex, and a '%'
 * that starts no conversion is escaped. */
static const char *seq_format(struct arena *a, const char *fmt)
{
	char *out = arena_alloc(a, 4 * strlen(fmt) + 1);
	char *o = out;
	for (size_t i = 0; fmt[i];) {
		struct fmt_spec sp;
		if (fmt[i] != '%') {
			*o++ = fmt[i++];
			continue;
		}
		enum fmt_item item = format_item_at(fmt, i, &sp, NULL, 0);
		if (item != FMT_CONV) { /* checked: a literal '%' or %% */
			o += sprintf(o, "%%%%");
			i += item == FMT_PERCENT ? 2 : 1;
			continue;
		}
		if (sp.conv == 'p') {
			o += sprintf(o, "0x%%llx");
		} else {
			*o++ = '%';
			o += sprintf(o, "%s%s%s%s%s", sp.minus ? "-" : "", sp.plus ? "+" : "", sp.space ? " " : "",
				     sp.hash ? "#" : "", sp.zero ? "0" : "");
			if (sp.width >= 0)
				o += sprintf(o, "%d", sp.width);
			if (sp.prec >= 0)
				o += sprintf(o, ".%d", sp.prec);
			o += sprintf(o, "%s%c", strchr("diouxX", sp.conv) ? "ll" : "", sp.conv);
		}
		i = sp.start + sp.len;
	}
	*o = 0;
	return out;
}

const struct type *check_printf(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct fmt_spec specs[LIMIT_PRINTF_ARGS];
	const struct type *types[LIMIT_PRINTF_ARGS];
	char err[256];
	int nargs = format_arguments(s, n, "printf", LIMIT_PRINTF_ARGS, specs, types);
	if (nargs < 0)
		return &type_void;
	int i = 0;
	for (struct node *a = n->args->next; a; a = a->next, i++) {
		if (types[i]->kind == TY_NONE)
			return &type_void;
		if (type_is_aggregate(types[i]) || types[i]->kind == TY_VOID || types[i]->kind == TY_STRUCT) {
			ERR(s, &a->loc, "printf: %s cannot be printed as an argument", tname(s, types[i]));
			return &type_void;
		}
		if (format_check_arg(&specs[i], types[i], err, sizeof(err), s->c->arena) < 0) {
			ERR(s, &a->loc, "%s", err);
			return &type_void;
		}
	}
	if (fn->action == ACT_PRINTF && s->probe && (s->probe->flags & PF_SEQ_OUTPUT)) {
		check_seq_printf(s, n, specs, types, nargs);
		return &type_void;
	}
	struct action act = { .kind = fn->action, .fmt = n->args->str, .map = -1 };
	act.type = type_tuple(s->c->arena, nargs, types, NULL);
	if (fn->action == ACT_ERRORF || fn->action == ACT_WARNF)
		act.fmt = located_format(s, n, fn->action == ACT_ERRORF ? DIAG_ERROR : DIAG_WARNING, act.fmt);
	sema_add_action(s, n, act);
	return &type_void;
}

static struct val lower_seq_printf(struct lower *l, struct node *n);

struct val lower_printf(struct lower *l, struct node *n)
{
	if (l->spec->flags & PF_SEQ_OUTPUT)
		return lower_seq_printf(l, n);
	int action = ((struct call_info *)n->sema)->action;
	const struct type *t = l->c->actions[action].type;
	LLVMValueRef ev = event_begin(l, action, t->size);
	int i = 0;
	for (struct node *a = n->args->next; a; a = a->next, i++)
		store_field(l, ev, 8 + t->offsets[i], t->fields[i], lower_expr(l, a), a->type);
	emit_event_buffer(l, ev, t->size);
	return (struct val){ lower_const(l, 0) };
}

/* print(value) or print(@m[, top[, div]]) */
const struct type *check_print(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *arg = n->args;
	if (arg->kind == N_MAP && !arg->a) {
		struct map_info *m = map_arg(s, n, arg, false);
		for (struct node *a = arg->next; a; a = a->next)
			want_int(s, a, "print", "argument");
		if (m)
			sema_add_action(s, n, (struct action){ .kind = ACT_PRINT_MAP, .map = m->index });
		return &type_void;
	}
	if (arg->next) {
		ERR(s, &n->loc, "print() with top and div arguments expects a map");
		return &type_void;
	}
	const struct type *t = check_value(s, arg);
	if (t->kind == TY_NONE)
		return &type_void;
	if (type_is_aggregate(t) || t->kind == TY_VOID) {
		ERR(s, &arg->loc, "print() of a single %s value is not supported yet", tname(s, t));
		return &type_void;
	}
	sema_add_action(s, n, (struct action){ .kind = ACT_PRINT, .type = storage_type(t), .map = -1 });
	return &type_void;
}

struct val lower_print(struct lower *l, struct node *n)
{
	int action = ((struct call_info *)n->sema)->action;
	const struct action *act = &l->c->actions[action];
	if (act->kind == ACT_PRINT_MAP) {
		LLVMValueRef ev = event_begin(l, action, 16);
		struct node *top = n->args->next, *div = top ? top->next : NULL;
		LLVMBuildStore(l->b, top ? lower_expr(l, top).v : lower_const(l, 0), gep(l, ev, 8));
		LLVMBuildStore(l->b, div ? lower_expr(l, div).v : lower_const(l, 0), gep(l, ev, 16));
		emit_event_buffer(l, ev, 16);
	} else {
		LLVMValueRef ev = event_begin(l, action, act->type->size);
		store_value(l, gep(l, ev, 8), act->type, lower_expr(l, n->args), n->args->type);
		emit_event_buffer(l, ev, act->type->size);
	}
	return (struct val){ lower_const(l, 0) };
}

/* exit([code]): also ends the probe invocation */
const struct type *check_exit(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (n->args)
		want_int(s, n->args, "exit", "code");
	if (s->for_depth)
		ERR(s, &n->loc, "'return' statement is not allowed in a for-loop");
	sema_add_action(s, n, (struct action){ .kind = ACT_EXIT, .map = -1 });
	return &type_void;
}

struct val lower_exit(struct lower *l, struct node *n)
{
	LLVMValueRef ev = event_begin(l, ((struct call_info *)n->sema)->action, 8);
	LLVMBuildStore(l->b, n->args ? lower_expr(l, n->args).v : lower_const(l, 0), gep(l, ev, 8));
	bool streams = l->streams;
	emit_event_buffer(l, ev, 8);
	l->streams = streams; /* the run ends: one event, not a stream */
	emit_return(l, NULL);
	return (struct val){ lower_const(l, 0) };
}

/* unwatch(addr): the runtime removes the watchpoints at addr */
const struct type *check_unwatch(struct sema *s, struct node *n, const struct func_def *fn)
{
	if (want_int(s, n->args, "unwatch", "address"))
		sema_add_action(s, n, (struct action){ .kind = ACT_UNWATCH, .map = -1 });
	return &type_void;
}

struct val lower_unwatch(struct lower *l, struct node *n)
{
	LLVMValueRef ev = event_begin(l, ((struct call_info *)n->sema)->action, 8);
	LLVMBuildStore(l->b, lower_expr(l, n->args).v, gep(l, ev, 8));
	emit_event_buffer(l, ev, 8);
	return (struct val){ lower_const(l, 0) };
}

/* join(argv[, sep]): a user-space array of strings, printed joined */
const struct type *check_join(struct sema *s, struct node *n, const struct func_def *fn)
{
	const struct type *t = check_expr(s, n->args);
	if (t->kind != TY_NONE && t->kind != TY_POINTER && t->kind != TY_INT)
		ERR(s, &n->args->loc, "join() expects an array of strings (char **), not '%s'", tname(s, t));
	const char *sep = " ";
	if (n->args->next) {
		if (n->args->next->kind != N_STR) {
			ERR(s, &n->args->next->loc, "join() expects a string literal separator");
			return &type_void;
		}
		sep = n->args->next->str;
	}
	sema_add_action(s, n, (struct action){ .kind = ACT_JOIN, .fmt = sep, .map = -1 });
	return &type_void;
}

/* Up to JOIN_MAX_ELEMS strings of an array of user pointers, stopping at
 * the first NULL. */
struct val lower_join(struct lower *l, struct node *n)
{
	int action = ((struct call_info *)n->sema)->action;
	size_t payload = 8 + (size_t)JOIN_MAX_ELEMS * JOIN_ELEM_SIZE;
	LLVMValueRef ev = scratch_alloc(l, 8 + payload);
	emit_memset0(l, ev, 8 + payload);
	LLVMBuildStore(l->b, lower_const(l, (uint64_t)action), ev);
	LLVMValueRef base = lower_expr(l, n->args).v;
	LLVMValueRef count = gep(l, ev, 8);
	LLVMBasicBlockRef done = new_block(l, "join.done");
	for (unsigned i = 0; i < JOIN_MAX_ELEMS; i++) {
		LLVMValueRef p = read_memory(l, LLVMBuildAdd(l->b, base, lower_const(l, 8 * i), ""), 8, -1);
		LLVMBasicBlockRef copy = new_block(l, "join.elem");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, p, lower_const(l, 0), ""), done, copy);
		LLVMPositionBuilderAtEnd(l->b, copy);
		LLVMValueRef args[3] = { gep(l, ev, 16 + (size_t)i * JOIN_ELEM_SIZE), LLVMConstInt(l->i32, JOIN_ELEM_SIZE, 0),
					 LLVMBuildIntToPtr(l->b, p, l->ptr, "") };
		lower_helper(l, H_PROBE_READ_STR, l->i64, args, 3);
		LLVMBuildStore(l->b, lower_const(l, i + 1), count);
	}
	LLVMBuildBr(l->b, done);
	LLVMPositionBuilderAtEnd(l->b, done);
	emit_event_buffer(l, ev, payload);
	return (struct val){ lower_const(l, 0) };
}

/* debugf(fmt, ...): bpf_trace_vprintk, which takes at most 12 arguments of
 * 8 bytes; strings are passed by address and read by the kernel. */
enum { DEBUGF_MAX_ARGS = 12 };

const struct type *check_debugf(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct fmt_spec specs[DEBUGF_MAX_ARGS];
	const struct type *types[DEBUGF_MAX_ARGS];
	int nargs = format_arguments(s, n, "debugf", DEBUGF_MAX_ARGS, specs, types);
	if (nargs < 0)
		return &type_void;
	int i = 0;
	for (struct node *a = n->args->next; a; a = a->next, i++)
		if (types[i]->kind != TY_NONE && !is_int(types[i]) && types[i]->kind != TY_STRING) {
			ERR(s, &a->loc, "debugf() prints integers and strings, not '%s'", tname(s, types[i]));
			return &type_void;
		}
	WARN(s, &n->loc, "debugf() is not for production: it writes to the kernel trace pipe "
	     "(/sys/kernel/tracing/trace_pipe), shared by all tracers");
	return &type_void;
}

/* The arguments of a format the kernel formats: one word each, strings by
 * address. Returns the array (NULL constant without arguments). */
static LLVMValueRef lower_format_words(struct lower *l, struct node *fmt, int *nwords)
{
	int nargs = 0;
	for (struct node *a = fmt->next; a; a = a->next)
		nargs++;
	LLVMValueRef data = nargs ? scratch_alloc(l, 8 * (size_t)nargs) : LLVMConstNull(l->ptr);
	int i = 0;
	for (struct node *a = fmt->next; a; a = a->next, i++) {
		struct val v = lower_expr(l, a);
		LLVMValueRef word = a->type->kind == TY_STRING ? LLVMBuildPtrToInt(l->b, v.v, l->i64, "") : v.v;
		LLVMBuildStore(l->b, word, gep(l, data, 8 * (size_t)i));
	}
	*nwords = nargs;
	return data;
}

struct val lower_debugf(struct lower *l, struct node *n)
{
	struct node *fmt = n->args;
	struct val f = lower_string_literal(l, fmt->str, fmt->str_len, (size_t)fmt->str_len + 1);
	int nargs;
	LLVMValueRef data = lower_format_words(l, fmt, &nargs);
	LLVMValueRef args[4] = { f.v, LLVMConstInt(l->i32, (unsigned)fmt->str_len + 1, 0), data,
				 LLVMConstInt(l->i32, 8 * (unsigned)nargs, 0) };
	lower_helper(l, H_TRACE_VPRINTK, l->i64, args, 4);
	return (struct val){ lower_const(l, 0) };
}

/* bpf_seq_printf(ctx->meta->seq, ...): meta is the first member of every
 * struct bpf_iter__NAME and seq the first of struct bpf_iter_meta; plain
 * loads, so that the verifier knows the pointer as a seq_file. */
static struct val lower_seq_printf(struct lower *l, struct node *n)
{
	struct node *fmt = n->args;
	const char *kfmt = seq_format(l->c->arena, fmt->str);
	size_t klen = strlen(kfmt);
	struct val f = lower_string_literal(l, kfmt, (int)klen, klen + 1);
	int nargs;
	LLVMValueRef data = lower_format_words(l, fmt, &nargs);
	LLVMValueRef meta = LLVMBuildLoad2(l->b, l->ptr, l->ctx_arg, "meta");
	LLVMValueRef seq = LLVMBuildLoad2(l->b, l->ptr, meta, "seq");
	LLVMValueRef args[5] = { seq, f.v, LLVMConstInt(l->i32, (unsigned)klen + 1, 0), data,
				 LLVMConstInt(l->i32, 8 * (unsigned)nargs, 0) };
	lower_helper(l, H_SEQ_PRINTF, l->i64, args, 5);
	return (struct val){ lower_const(l, 0) };
}

/* assert(cond, msg): when cond is false, errorf("assert failed: msg") and
 * exit(1) */
const struct type *check_assert(struct sema *s, struct node *n, const struct func_def *fn)
{
	struct node *cond = n->args, *msg = cond->next;
	check_condition(s, cond, "assert");
	if (msg->kind != N_STR) {
		ERR(s, &msg->loc, "assert() expects a string literal message");
		return &type_void;
	}
	if (s->for_depth)
		ERR(s, &n->loc, "'return' statement is not allowed in a for-loop");
	const char *fmt = arena_printf(s->c->arena, "assert failed: %s", msg->str);
	struct action act = { .kind = ACT_ERRORF, .map = -1, .type = type_tuple(s->c->arena, 0, NULL, NULL) };
	act.fmt = located_format(s, n, DIAG_ERROR, fmt);
	sema_add_action(s, n, act);
	if (s->c->second_pass)
		n->ival = (uint64_t)compiler_add_action(s->c, (struct action){ .kind = ACT_EXIT, .map = -1 });
	return &type_void;
}

struct val lower_assert(struct lower *l, struct node *n)
{
	LLVMBasicBlockRef fail = new_block(l, "assert.fail"), ok = new_block(l, "assert.ok");
	LLVMBuildCondBr(l->b, truth(l, lower_expr(l, n->args)), ok, fail);
	LLVMPositionBuilderAtEnd(l->b, fail);
	emit_event(l, ((struct call_info *)n->sema)->action);
	LLVMValueRef ev = event_begin(l, (int)n->ival, 8);
	LLVMBuildStore(l->b, lower_const(l, 1), gep(l, ev, 8));
	emit_event_buffer(l, ev, 8);
	LLVMBuildRet(l->b, probe_result(l, NULL)); /* like exit(): the probe ends */
	LLVMPositionBuilderAtEnd(l->b, ok);
	return (struct val){ lower_const(l, 0) };
}
