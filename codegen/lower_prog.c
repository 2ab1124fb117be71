/* Lowering of whole programs: one BPF function per attach point of each
 * probe (its section, the scratch-memory lookup, the -p pid check and the
 * filter), and lower_program, which lays out the maps, lowers every probe
 * and emits the object. */
#include <string.h>

#include "../common/limits.h"
#include "lower_internal.h"

/* No unwind tables (.eh_frame) in BPF objects. */
void set_nounwind(struct lower *l, LLVMValueRef fn)
{
	unsigned kind = LLVMGetEnumAttributeKindForName("nounwind", 8);
	LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(l->ctx, kind, 0));
}

/* At the builder: find this CPU's scratch memory (l->scratch_base), then
 * branch to `found`, or to `missing` when the lookup fails. */
void scratch_lookup(struct lower *l, LLVMBasicBlockRef missing, LLVMBasicBlockRef found)
{
	/* after a filter in the entry block, the alloca still belongs there */
	LLVMValueRef cpu_key = LLVMGetBasicBlockTerminator(l->entry_bb) ? entry_alloca(l, l->i32)
									  : LLVMBuildAlloca(l->b, l->i32, "");
	LLVMBuildStore(l->b, lower_helper(l, H_GET_SMP_PROCESSOR_ID, l->i32, NULL, 0), cpu_key);
	LLVMValueRef args[2] = { l->scratch, cpu_key };
	l->scratch_base = lower_helper(l, H_MAP_LOOKUP, l->ptr, args, 2);
	LLVMBuildCondBr(l->b, is_null(l, l->scratch_base), missing, found);
}

/* A probe that uses no scratch memory skips looking it up: the lookup at
 * its entry (the processor id, the map lookup and the branch on its
 * result) is removed when the null check is the only use of the result. */
static void drop_unused_scratch_lookup(struct lower *l)
{
	LLVMUseRef use = LLVMGetFirstUse(l->scratch_base);
	if (!use || LLVMGetNextUse(use))
		return;
	LLVMValueRef check = LLVMGetUser(use);
	LLVMUseRef check_use = LLVMGetFirstUse(check);
	if (!check_use || LLVMGetNextUse(check_use))
		return;
	LLVMValueRef branch = LLVMGetUser(check_use);
	LLVMBasicBlockRef found = LLVMGetSuccessor(branch, 1);
	LLVMValueRef cpu_key = LLVMGetOperand(l->scratch_base, 1);
	LLVMInstructionEraseFromParent(branch);
	LLVMInstructionEraseFromParent(check);
	LLVMInstructionEraseFromParent(l->scratch_base);
	LLVMUseRef key_use = LLVMGetFirstUse(cpu_key);
	LLVMValueRef key_store = key_use ? LLVMGetUser(key_use) : NULL;
	if (key_store && !LLVMGetNextUse(key_use) && LLVMIsAStoreInst(key_store)) {
		LLVMValueRef cpu = LLVMGetOperand(key_store, 0);
		LLVMInstructionEraseFromParent(key_store);
		if (!LLVMGetFirstUse(cpu))
			LLVMInstructionEraseFromParent(cpu);
		LLVMInstructionEraseFromParent(cpu_key);
	}
	l->scratch_base = NULL;
	LLVMBasicBlockRef cur = LLVMGetInsertBlock(l->b);
	LLVMPositionBuilderAtEnd(l->b, l->entry_bb);
	LLVMBuildBr(l->b, found);
	LLVMPositionBuilderAtEnd(l->b, cur);
}

/* The attach point of a program standing for specs[0..n-1] (uprobe_multi,
 * kprobe_multi, kprobe session): the first one's, standing for all, each
 * with its `probe` index as the BPF cookie. */
static struct attach_spec *spec_for_all(struct compiler *c, const struct attach_spec *specs, int n)
{
	struct attach_spec *s = arena_alloc(c->arena, sizeof(*s));
	uint64_t *cookies = arena_alloc(c->arena, sizeof(*cookies) * (size_t)n);
	for (int k = 0; k < n; k++)
		cookies[k] = (uint64_t)compiler_probe_index(c, specs[k].canonical);
	*s = specs[0];
	s->multi = specs;
	s->multi_cookies = cookies;
	s->nmulti = n;
	s->func_name = NULL;
	s->canonical = arena_printf(c->arena, "%s (and %d more)", specs[0].canonical, n - 1);
	return s;
}

/* A kprobe session program stands for the kprobes, then the kretprobes. */
static const struct attach_spec *session_spec(struct compiler *c, const struct probe_info *pi)
{
	int n = pi->nspecs;
	struct attach_spec *both = arena_alloc(c->arena, sizeof(*both) * (size_t)n * 2);
	memcpy(both, pi->specs, sizeof(*both) * (size_t)n);
	memcpy(both + n, pi->session_return->specs, sizeof(*both) * (size_t)n);
	struct attach_spec *s = spec_for_all(c, both, 2 * n);
	s->kind = PROBE_KPROBE_SESSION;
	s->flags = probe_ops_of(s)->flags;
	return s;
}

LLVMValueRef probe_result(struct lower *l, LLVMValueRef value)
{
	if (!l->timed_start)
		return value ? value : LLVMConstInt(l->i32, 0, 0);
	LLVMValueRef ns = LLVMBuildSub(l->b, lower_helper(l, H_KTIME_GET_NS, l->i64, NULL, 0), l->timed_start, "");
	return LLVMBuildTrunc(l->b, ns, l->i32, "");
}

/* At the builder: the body of probe pi, after the checks that may end the
 * program early (the -p pid, the filter). l->spec is the program's. */
void lower_probe_body(struct lower *l, struct probe_info *pi)
{
	const struct attach_spec *spec = l->spec;
	l->probe = pi;
	l->vars_in_scratch = pi->has_map_loop;
	l->timed_start = spec->flags & PF_TIMED ? lower_helper(l, H_KTIME_GET_NS, l->i64, NULL, 0) : NULL;
	if (spec->syscall_nrs)
		lower_syscall_native(l);
	else if (spec->nmulti && pi->has_map_loop && !l->probe_value)
		l->probe_value = lower_helper(l, H_GET_ATTACH_COOKIE, l->i64, &l->ctx_arg, 1);
	if (l->probe_value && pi->has_map_loop) {
		/* a map-loop callback has no context of its own to read it from */
		l->probe_value_off = scratch_reserve(l, 8);
		LLVMBuildStore(l->b, l->probe_value, gep(l, l->scratch_base, l->probe_value_off));
	}
	if (l->c->opts->pid > 0 && (spec->flags & PF_PID_FILTER)) {
		/* -p: kernel probes see every process; keep only the traced one */
		LLVMValueRef tgid = current_tgid(l);
		LLVMBasicBlockRef mine = new_block(l, "pid.match"), other = new_block(l, "pid.other");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntEQ, tgid, lower_const(l, (uint64_t)l->c->opts->pid), ""),
				mine, other);
		LLVMPositionBuilderAtEnd(l->b, other);
		LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
		LLVMPositionBuilderAtEnd(l->b, mine);
	}
	if (spec->flags & PF_ITER) {
		/* the kernel calls an iterator once more at the end, with no
		 * object (the member after `meta`): nothing to do then */
		LLVMBasicBlockRef item = new_block(l, "iter.item"), end = new_block(l, "iter.end");
		LLVMBuildCondBr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, ctx_word(l, 8), lower_const(l, 0), ""),
				item, end);
		LLVMPositionBuilderAtEnd(l->b, end);
		LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
		LLVMPositionBuilderAtEnd(l->b, item);
	}
	if (pi->ast->filter) {
		emit_set_loc(l, &pi->ast->filter->loc);
		struct val f = lower_expr(l, pi->ast->filter);
		LLVMBasicBlockRef pass = new_block(l, "filter.pass"), skip = new_block(l, "filter.skip");
		LLVMBuildCondBr(l->b, truth(l, f), pass, skip);
		LLVMPositionBuilderAtEnd(l->b, skip);
		LLVMBuildRet(l->b, probe_result(l, NULL));
		LLVMPositionBuilderAtEnd(l->b, pass);
	}
	lower_statements(l, pi->ast->body);
	LLVMBuildRet(l->b, probe_result(l, NULL));
}

static int lower_function(struct lower *l, struct probe_info *pi, const struct attach_spec *spec, int idx,
			  struct prog_desc *pd)
{
	struct arena *a = l->c->arena;
	const char *name = arena_printf(a, "probe_%d", idx);
	LLVMTypeRef pt = l->ptr;
	LLVMTypeRef fty = LLVMFunctionType(l->i32, &pt, 1, 0);
	l->fn = LLVMAddFunction(l->mod, name, fty);
	set_nounwind(l, l->fn);
	const char *section = probe_section(a, pi, spec);
	if (!section) {
		diag_error(l->c->diags, &pi->ast->loc, "probe type of %s is not supported yet", spec->canonical);
		return -1;
	}
	LLVMSetSection(l->fn, section);
	l->sp = emit_di_function(l, name, (unsigned)diag_file_line(pi->ast->loc.first_line));
	LLVMSetSubprogram(l->fn, l->sp);
	l->ctx_arg = LLVMGetParam(l->fn, 0);
	l->prog_fn = l->fn;
	l->vars_in_scratch = pi->has_map_loop;
	l->streams = false;
	l->loop_callbacks = 0;
	l->probe = pi;
	l->spec = spec;
	l->scratch_used = 0;
	l->stack_slots_used = 0;
	l->shared_word = NULL;
	l->probe_name_index = compiler_probe_index(l->c, spec->multi ? spec->multi[0].canonical
								   : spec->canonical);
	l->probe_value = NULL;
	memset(&l->spec_tp, 0, sizeof(l->spec_tp));
	/* a raw_syscalls program reads args.FIELD as its tracepoints do */
	const struct attach_spec *fields = spec->syscall_nrs ? &spec->multi[0] : spec;
	if ((spec->flags & PF_ARGS) && tracepoint_format(a, fields->target, fields->func, &l->spec_tp) < 0) {
		diag_error(l->c->diags, &pi->ast->points->loc, "Cannot read the format of tracepoint %s",
			   spec->canonical);
		return -1;
	}

	pd->fn_name = name;
	pd->section = section;
	pd->spec = *spec;

	/* entry: find this CPU's scratch memory */
	l->entry_bb = LLVMAppendBasicBlockInContext(l->ctx, l->fn, "entry");
	l->init_bb = new_block(l, "init");
	LLVMBasicBlockRef body = new_block(l, "body"), bail = new_block(l, "bail");
	LLVMPositionBuilderAtEnd(l->b, l->entry_bb);
	emit_set_loc(l, &pi->ast->loc);
	if (spec->syscall_nrs)
		lower_syscall_filter(l);
	scratch_lookup(l, bail, l->init_bb);
	LLVMPositionBuilderAtEnd(l->b, bail);
	LLVMBuildRet(l->b, LLVMConstInt(l->i32, 0, 0));
	LLVMPositionBuilderAtEnd(l->b, l->init_bb);
	LLVMBuildBr(l->b, body);

	LLVMPositionBuilderAtEnd(l->b, body);
	if (pi->session_return)
		lower_session(l, pi);
	else
		lower_probe_body(l, pi);
	pd->streams = l->streams;
	drop_unused_scratch_lookup(l);
	if (l->scratch_used > l->scratch_size)
		l->scratch_size = l->scratch_used;
	if (l->scratch_used > LIMIT_SCRATCH) {
		diag_error(l->c->diags, &pi->ast->loc, "probe needs %zu bytes of scratch memory (limit 4 MiB)",
			   l->scratch_used);
		return -1;
	}
	return l->c->diags->errors ? -1 : 0;
}

int lower_program(struct compiler *c, struct compiled_program *out)
{
	struct lower l = { .c = c, .out = out };
	struct arena *a = c->arena;
	int ret = -1;
	out->ringbuf_name = "sonde_events";
	out->scratch_name = "sonde_scratch";
	out->missing_probes = c->opts->missing_probes;
	out->nmaps = c->nmaps;
	out->maps = arena_alloc(a, sizeof(*out->maps) * (size_t)(c->nmaps ? c->nmaps : 1));
	for (int i = 0; i < c->nmaps; i++)
		map_layout(c->maps[i], &out->maps[i], a);
	if (emit_init(&l) < 0)
		goto done;
	emit_define_maps(&l, out);

	int nprogs = 0;
	for (int i = 0; i < c->nprobes; i++)
		nprogs += probe_programs(&c->probes[i]);
	out->progs = arena_alloc(a, sizeof(*out->progs) * (size_t)(nprogs ? nprogs : 1));
	int idx = 0;
	for (int i = 0; i < c->nprobes; i++) {
		struct probe_info *pi = &c->probes[i];
		for (int k = 0; k < probe_programs(pi); k++, idx++) {
			const struct attach_spec *spec = pi->session_return ? session_spec(c, pi)
							 : pi->multi ? spec_for_all(c, pi->specs, pi->nspecs)
							 : pi->progs ? &pi->progs[k] : &pi->specs[k];
			if (lower_function(&l, pi, spec, idx, &out->progs[idx]) < 0)
				goto done;
		}
	}
	out->nprogs = idx;
	emit_define_scratch(&l);
	if (emit_object(&l, out) < 0)
		goto done;
	out->actions = c->actions;
	out->nactions = c->nactions;
	out->probe_names = c->probe_names;
	out->probe_funcs = c->probe_funcs;
	out->nprobe_names = c->nprobe_names;
	ret = 0;
done:
	emit_dispose(&l);
	return ret;
}
