/* LLVM module set-up, BTF-described maps and BPF object emission. */
#include <llvm-c/Analysis.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/Target.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/limits.h"
#include "lower.h"

/* LLVM's diagnostics become sonde's: an error of the BPF backend names the
 * source line it came from ("FILE:L:C: in function ...: text"). */
static void llvm_diagnostic(LLVMDiagnosticInfoRef info, void *arg)
{
	struct lower *l = arg;
	if (LLVMGetDiagInfoSeverity(info) != LLVMDSError)
		return;
	char *text = LLVMGetDiagInfoDescription(info);
	const char *name = l->c->diags->filename, *rest = text;
	struct src_loc loc = { 0 };
	size_t n = strlen(name);
	int used = 0;
	if (!strncmp(text, name, n) &&
	    sscanf(text + n, ":%d:%d: %n", &loc.first_line, &loc.first_column, &used) == 2 && used) {
		loc.last_line = loc.first_line;
		loc.last_column = loc.first_column + 1;
		rest = text + n + used;
	}
	int len = (int)strlen(rest);
	while (len && (rest[len - 1] == '\n' || rest[len - 1] == ' '))
		len--;
	diag_error(l->c->diags, loc.first_line ? &loc : NULL, "the BPF backend cannot compile this: %.*s", len, rest);
	LLVMDisposeMessage(text);
}

/* A fatal LLVM error ends the process; say so in sonde's words, with the
 * status of an internal compiler error. The handler keeps no state. */
static void llvm_fatal(const char *reason)
{
	fprintf(stderr, "ERROR: internal compiler error in LLVM: %s\n", reason);
	exit(2);
}

int emit_init(struct lower *l)
{
	LLVMInitializeBPFTargetInfo();
	LLVMInitializeBPFTarget();
	LLVMInitializeBPFTargetMC();
	LLVMInitializeBPFAsmPrinter();
	LLVMInstallFatalErrorHandler(llvm_fatal);

	l->ctx = LLVMContextCreate();
	LLVMContextSetDiagnosticHandler(l->ctx, llvm_diagnostic, l);
	l->mod = LLVMModuleCreateWithNameInContext("sonde", l->ctx);
	LLVMTargetRef target;
	char *err = NULL;
	if (LLVMGetTargetFromTriple("bpfel", &target, &err)) {
		diag_error(l->c->diags, NULL, "LLVM has no BPF target: %s", err);
		LLVMDisposeMessage(err);
		return -1;
	}
	l->tm = LLVMCreateTargetMachine(target, "bpfel", "v3", "", LLVMCodeGenLevelAggressive,
					LLVMRelocDefault, LLVMCodeModelDefault);
	LLVMSetTarget(l->mod, "bpfel");
	/* The data layout must be set before building IR: loads and stores
	 * take their alignment from it. */
	LLVMTargetDataRef td = LLVMCreateTargetDataLayout(l->tm);
	LLVMSetModuleDataLayout(l->mod, td);
	LLVMDisposeTargetData(td);

	l->b = LLVMCreateBuilderInContext(l->ctx);
	l->i1 = LLVMInt1TypeInContext(l->ctx);
	l->i8 = LLVMInt8TypeInContext(l->ctx);
	l->i32 = LLVMInt32TypeInContext(l->ctx);
	l->i64 = LLVMInt64TypeInContext(l->ctx);
	l->ptr = LLVMPointerTypeInContext(l->ctx, 0);

	l->di = LLVMCreateDIBuilder(l->mod);
	l->di_file = LLVMDIBuilderCreateFile(l->di, l->c->diags->filename,
					     strlen(l->c->diags->filename), ".", 1);
	l->di_cu = LLVMDIBuilderCreateCompileUnit(l->di, LLVMDWARFSourceLanguageC, l->di_file, "sonde", 5,
						  1, "", 0, 0, "", 0, LLVMDWARFEmissionFull, 0, 0, 0,
						  "", 0, "", 0);
	LLVMAddModuleFlag(l->mod, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18,
			  LLVMValueAsMetadata(LLVMConstInt(l->i32, LLVMDebugMetadataVersion(), 0)));
	l->di_int = LLVMDIBuilderCreateBasicType(l->di, "int", 3, 32, 5 /* DW_ATE_signed */, 0);
	l->di_u8 = LLVMDIBuilderCreateBasicType(l->di, "unsigned char", 13, 8, 8 /* DW_ATE_unsigned_char */, 0);
	l->di_u64 = LLVMDIBuilderCreateBasicType(l->di, "unsigned long long", 18, 64, 7 /* DW_ATE_unsigned */, 0);

	/* license */
	const char *license = l->c->opts->license ? l->c->opts->license : "GPL";
	unsigned len = (unsigned)strlen(license);
	LLVMValueRef lic = LLVMAddGlobal(l->mod, LLVMArrayType(l->i8, len + 1), "_license");
	LLVMSetInitializer(lic, LLVMConstStringInContext(l->ctx, license, len, 0));
	LLVMSetSection(lic, "license");
	return 0;
}

/* `int (*name)[N]`: how libbpf's __uint() encodes a number in BTF. */
static LLVMMetadataRef di_uint_member(struct lower *l, const char *name, uint64_t v, unsigned idx)
{
	LLVMMetadataRef sub = LLVMDIBuilderGetOrCreateSubrange(l->di, 0, (int64_t)v);
	LLVMMetadataRef arr = LLVMDIBuilderCreateArrayType(l->di, 32 * v, 32, l->di_int, &sub, 1);
	LLVMMetadataRef p = LLVMDIBuilderCreatePointerType(l->di, arr, 64, 0, 0, NULL, 0);
	return LLVMDIBuilderCreateMemberType(l->di, l->di_cu, name, strlen(name), l->di_file, 0, 64, 0,
					     64 * idx, 0, p);
}

/* `unsigned char (*name)[size]`: __type(name, bytes[size]) */
static LLVMMetadataRef di_type_member(struct lower *l, const char *name, size_t size, unsigned idx)
{
	LLVMMetadataRef sub = LLVMDIBuilderGetOrCreateSubrange(l->di, 0, (int64_t)size);
	LLVMMetadataRef arr = LLVMDIBuilderCreateArrayType(l->di, 8 * size, 8, l->di_u8, &sub, 1);
	if (size == 4) /* u32 keys of array maps */
		arr = l->di_int;
	LLVMMetadataRef p = LLVMDIBuilderCreatePointerType(l->di, arr, 64, 0, 0, NULL, 0);
	return LLVMDIBuilderCreateMemberType(l->di, l->di_cu, name, strlen(name), l->di_file, 0, 64, 0,
					     64 * idx, 0, p);
}

/* The IR global of a map; its BTF description is attached separately so
 * that the scratch map can be sized after all programs are lowered. */
static LLVMValueRef map_global(struct lower *l, const char *name, unsigned nfields)
{
	LLVMTypeRef fields[5] = { l->ptr, l->ptr, l->ptr, l->ptr, l->ptr };
	LLVMTypeRef ty = LLVMStructTypeInContext(l->ctx, fields, nfields, 0);
	LLVMValueRef g = LLVMAddGlobal(l->mod, ty, name);
	LLVMSetInitializer(g, LLVMConstNull(ty));
	LLVMSetSection(g, ".maps");
	LLVMSetAlignment(g, 8);
	return g;
}

/* BTF for a map definition; key_size 0 = no key/value (ring buffer). */
static void map_debug_info(struct lower *l, LLVMValueRef g, int type, uint32_t max_entries,
			   size_t key_size, size_t value_size, uint32_t flags)
{
	LLVMMetadataRef mem[5];
	unsigned n = 0;
	mem[n] = di_uint_member(l, "type", (uint64_t)type, n);
	n++;
	mem[n] = di_uint_member(l, "max_entries", max_entries, n);
	n++;
	if (key_size) {
		mem[n] = di_type_member(l, "key", key_size, n);
		n++;
		mem[n] = di_type_member(l, "value", value_size, n);
		n++;
	}
	if (flags) {
		mem[n] = di_uint_member(l, "map_flags", flags, n);
		n++;
	}
	LLVMMetadataRef st = LLVMDIBuilderCreateStructType(l->di, l->di_cu, "", 0, l->di_file, 0, 64 * n, 0,
							   0, NULL, mem, n, 0, NULL, "", 0);
	size_t len;
	const char *name = LLVMGetValueName2(g, &len);
	LLVMMetadataRef gve = LLVMDIBuilderCreateGlobalVariableExpression(
		l->di, l->di_cu, name, len, name, len, l->di_file, 0, st, 0,
		LLVMDIBuilderCreateExpression(l->di, NULL, 0), NULL, 0);
	LLVMGlobalSetMetadata(g, LLVMGetMDKindIDInContext(l->ctx, "dbg", 3), gve);
}

static LLVMValueRef define_map_flags(struct lower *l, const char *name, int type,
				     uint32_t max_entries, size_t key_size, size_t value_size,
				     uint32_t flags)
{
	LLVMValueRef g = map_global(l, name, (key_size ? 4 : 2) + (flags ? 1 : 0));
	map_debug_info(l, g, type, max_entries, key_size, value_size, flags);
	return g;
}

static LLVMValueRef define_map(struct lower *l, const char *name, int type, uint32_t max_entries,
			       size_t key_size, size_t value_size)
{
	return define_map_flags(l, name, type, max_entries, key_size, value_size, 0);
}

/* A tseries map has one BPF entry per key and interval slot: every slot of
 * a scalar map, of a keyed one at most 65536 entries (or one key's slots). */
static uint32_t tseries_entries(const struct map_desc *d)
{
	uint64_t slots = d->value->ts_intervals, entries = d->key ? (uint64_t)d->max_entries * slots : slots;
	uint64_t cap = slots > 65536 ? slots : 65536;
	return (uint32_t)(entries < cap ? entries : cap);
}

/* A keyless aggregation is a per-CPU array (program.h) unless its
 * declaration names a hash, it is a tseries, or the program deletes it
 * (arrays have no delete). */
static bool keyless_array(const struct map_info *m)
{
	return !m->key && type_is_aggregate(m->value) && m->value->kind != TY_TSERIES && !m->decl && !m->deleted;
}

void map_layout(const struct map_info *m, struct map_desc *d, struct arena *a)
{
	d->name = m->name;
	d->bpf_name = arena_printf(a, "AT_%s", m->name + 1);
	d->key = m->key;
	d->value = m->value;
	d->max_entries = m->max_entries;
	d->percpu = type_is_aggregate(m->value);
	d->lru = m->lru;
	d->key_size = m->key ? type_storage_size(m->key) : 8;
	if (type_has_bucket_key(m->value))
		d->key_size += 8; /* bucket index or interval slot */
	d->value_size = type_storage_size(m->value);
	if (d->value_size == 0)
		d->value_size = 8;
	d->key_size = (d->key_size + 7) & ~(size_t)7;
	if (keyless_array(m)) {
		size_t buckets = type_bucket_count(m->value);
		d->array = true;
		d->key_size = 4;
		d->value_size += 8; /* the present word */
		d->max_entries = buckets ? (uint32_t)buckets : 1;
	}
}

static bool uses_action(const struct compiler *c, enum action_kind kind)
{
	for (int i = 0; i < c->nactions; i++)
		if (c->actions[i].kind == kind)
			return true;
	return false;
}

static uint32_t ncpus(const struct compiler *c)
{
	return c->opts->ncpus > 0 ? (uint32_t)c->opts->ncpus : 1;
}

void emit_define_maps(struct lower *l, struct compiled_program *out)
{
	struct compiler *c = l->c;
	l->map_globals = arena_alloc(c->arena, sizeof(LLVMValueRef) * (size_t)(c->nmaps ? c->nmaps : 1));
	for (int i = 0; i < c->nmaps; i++) {
		const struct map_desc *d = &out->maps[i];
		uint32_t entries = d->max_entries;
		/* a histogram has one BPF entry per key and bucket */
		if (!d->array && (d->value->kind == TY_HIST || d->value->kind == TY_LHIST))
			entries = entries < 65536 ? entries * 16 : entries;
		if (d->value->kind == TY_TSERIES)
			entries = tseries_entries(d);
		int type = d->array ? MT_PERCPU_ARRAY
			 : d->lru ? (d->percpu ? MT_LRU_PERCPU_HASH : MT_LRU_HASH)
				  : (d->percpu ? MT_PERCPU_HASH : MT_HASH);
		l->map_globals[i] = define_map(l, d->bpf_name, type, entries, d->key_size, d->value_size);
	}
	l->ringbuf = define_map(l, out->ringbuf_name, MT_RINGBUF, 512u << 10, 0, 0);
	if (uses_action(c, ACT_SKB_OUTPUT)) {
		/* one perf event per CPU; the runtime sizes it for its machine */
		out->skb_events_name = "sonde_skb_events";
		l->skb_events = define_map(l, out->skb_events_name, MT_PERF_EVENT_ARRAY, ncpus(c), 4, 4);
	}
	l->globals = define_map(l, SONDE_GLOBALS_MAP, MT_ARRAY, 1, 4, GLOBALS_SIZE);
	l->warned = define_map(l, "sonde_warned", MT_ARRAY, c->nactions ? (uint32_t)c->nactions : 1, 4, 8);
	l->scratch = map_global(l, out->scratch_name, 4);
	if (c->stack_frames) {
		out->stack_map_name = "sonde_stacks";
		/* the kernel caps stack depth at perf_event_max_stack (127) */
		out->stack_frames = c->stack_frames < 127 ? c->stack_frames : 127;
		l->stacks = define_map(l, out->stack_map_name, MT_STACK_TRACE, 4096, 4,
				       8 * (size_t)out->stack_frames);
	}
	if (c->ustack_frames) {
		out->ustack_map_name = "sonde_ustacks";
		out->ustack_frames = c->ustack_frames < 127 ? c->ustack_frames : 127;
		l->ustacks = define_map_flags(l, out->ustack_map_name, MT_STACK_TRACE, 4096, 4,
					      BUILD_ID_FRAME_SIZE * (size_t)out->ustack_frames,
					      BPF_F_STACK_BUILD_ID_FLAG);
	}
}

/* Per-CPU scratch memory: an array with one entry per CPU, indexed by the
 * current CPU id, big enough for the hungriest program. */
void emit_define_scratch(struct lower *l)
{
	size_t size = l->scratch_size < 8 ? 8 : (l->scratch_size + 7) & ~(size_t)7;
	map_debug_info(l, l->scratch, MT_ARRAY, ncpus(l->c), 4, size, 0);
}

/* A function returning int with named `void *` parameters. Names are
 * required: the kernel rejects BTF FUNC_PROTOs with unnamed arguments, and
 * libbpf then silently drops all BTF. */
LLVMMetadataRef emit_di_function_params(struct lower *l, const char *name, unsigned line,
					const char *const *params, unsigned nparams, bool is_static)
{
	LLVMMetadataRef vp = LLVMDIBuilderCreatePointerType(l->di, NULL, 64, 0, 0, NULL, 0);
	LLVMMetadataRef types[8] = { l->di_int };
	for (unsigned i = 0; i < nparams && i < 7; i++)
		types[i + 1] = vp;
	LLVMMetadataRef fty = LLVMDIBuilderCreateSubroutineType(l->di, l->di_file, types, nparams + 1, 0);
	LLVMMetadataRef sp = LLVMDIBuilderCreateFunction(l->di, l->di_file, name, strlen(name), name,
							 strlen(name), l->di_file, line, fty, is_static, 1, line,
							 LLVMDIFlagPrototyped, 1);
	for (unsigned i = 0; i < nparams && i < 7; i++)
		LLVMDIBuilderCreateParameterVariable(l->di, sp, params[i], strlen(params[i]), i + 1, l->di_file,
						     line, vp, 1, 0);
	return sp;
}

LLVMMetadataRef emit_di_function(struct lower *l, const char *name, unsigned line)
{
	static const char *const ctx[1] = { "ctx" };
	return emit_di_function_params(l, name, line, ctx, 1, false);
}

void emit_set_loc(struct lower *l, const struct src_loc *loc)
{
	LLVMMetadataRef dl = LLVMDIBuilderCreateDebugLocation(l->ctx, (unsigned)diag_file_line(loc->first_line),
							      (unsigned)loc->first_column, l->sp, NULL);
	LLVMSetCurrentDebugLocation2(l->b, dl);
}

static void dump_module(LLVMModuleRef mod, const char *title)
{
	char *ir = LLVMPrintModuleToString(mod);
	fprintf(stderr, ";; %s\n%s", title, ir);
	LLVMDisposeMessage(ir);
}

/* The probe whose program function is `name` ("probe_N"), NULL if none. */
static const struct src_loc *probe_of_function(const struct compiler *c, const char *name)
{
	int idx;
	if (sscanf(name, "probe_%d", &idx) != 1)
		return NULL;
	for (int i = 0; i < c->nprobes; idx -= probe_programs(&c->probes[i++]))
		if (idx < probe_programs(&c->probes[i]))
			return &c->probes[i].ast->loc;
	return NULL;
}

/* A function too large for BPF's 16-bit branch offsets would stop the BPF
 * backend with a fatal error: say which probe it is before emitting. */
static int check_program_size(struct lower *l)
{
	for (LLVMValueRef fn = LLVMGetFirstFunction(l->mod); fn; fn = LLVMGetNextFunction(fn)) {
		size_t n = 0;
		for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
			for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in; in = LLVMGetNextInstruction(in))
				n++;
		if (n <= LIMIT_PROGRAM_SIZE)
			continue;
		size_t len;
		const char *name = LLVMGetValueName2(fn, &len);
		diag_error(l->c->diags, probe_of_function(l->c, name),
			   "this probe compiles to %zu instructions, more than the limit of %d (BPF branches reach "
			   "32767 instructions): use fewer unroll copies or split the probe",
			   n, LIMIT_PROGRAM_SIZE);
		return -1;
	}
	return 0;
}

/* --emit-llvm FILE: the module as FILE + suffix */
static int write_module(struct lower *l, const char *suffix)
{
	if (!l->c->opts->emit_llvm)
		return 0;
	const char *path = arena_printf(l->c->arena, "%s%s", l->c->opts->emit_llvm, suffix);
	char *err = NULL;
	if (LLVMPrintModuleToFile(l->mod, path, &err)) {
		diag_error(l->c->diags, NULL, "cannot write %s: %s", path, err);
		LLVMDisposeMessage(err);
		return -1;
	}
	return 0;
}

int emit_object(struct lower *l, struct compiled_program *out)
{
	LLVMDIBuilderFinalize(l->di);
	if (l->c->opts->dumps & DUMP_IR)
		dump_module(l->mod, "LLVM IR before optimisation");
	if (write_module(l, ".original.ll") < 0)
		return -1;
	char *err = NULL;
	if (LLVMVerifyModule(l->mod, LLVMReturnStatusAction, &err)) {
		diag_error(l->c->diags, NULL, "internal error: invalid LLVM IR: %s", err);
		LLVMDisposeMessage(err);
		return -1;
	}
	LLVMDisposeMessage(err);
	LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
	LLVMErrorRef perr = LLVMRunPasses(l->mod, "default<O2>", l->tm, po);
	LLVMDisposePassBuilderOptions(po);
	if (perr) {
		char *msg = LLVMGetErrorMessage(perr);
		diag_error(l->c->diags, NULL, "internal error: LLVM optimisation failed: %s", msg);
		LLVMDisposeErrorMessage(msg);
		return -1;
	}
	if (l->c->opts->dumps & DUMP_IR_OPT)
		dump_module(l->mod, "LLVM IR after optimisation");
	if (check_program_size(l) < 0)
		return -1;
	if (write_module(l, ".optimized.ll") < 0)
		return -1;
	LLVMMemoryBufferRef mb;
	if (LLVMTargetMachineEmitToMemoryBuffer(l->tm, l->mod, LLVMObjectFile, &err, &mb)) {
		diag_error(l->c->diags, NULL, "internal error: BPF code generation failed: %s", err);
		LLVMDisposeMessage(err);
		return -1;
	}
	if (l->c->diags->errors) { /* reported by llvm_diagnostic */
		LLVMDisposeMemoryBuffer(mb);
		return -1;
	}
	size_t size = LLVMGetBufferSize(mb);
	void *elf = arena_alloc(l->c->arena, size);
	memcpy(elf, LLVMGetBufferStart(mb), size);
	LLVMDisposeMemoryBuffer(mb);
	out->elf = elf;
	out->elf_size = size;
	return 0;
}

void emit_dispose(struct lower *l)
{
	if (l->di)
		LLVMDisposeDIBuilder(l->di);
	if (l->b)
		LLVMDisposeBuilder(l->b);
	if (l->mod)
		LLVMDisposeModule(l->mod);
	if (l->tm)
		LLVMDisposeTargetMachine(l->tm);
	if (l->ctx)
		LLVMContextDispose(l->ctx);
}
