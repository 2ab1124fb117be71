/* Internal state of IR lowering, shared by lower*.c and emit.c. */
#ifndef SONDE_LOWER_H
#define SONDE_LOWER_H
#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/TargetMachine.h>

#include "compiler.h"
#include "sema.h"

/* BPF helper function ids (uapi/linux/bpf.h) */
enum {
	H_MAP_LOOKUP = 1, H_MAP_UPDATE = 2, H_MAP_DELETE = 3, H_PROBE_READ = 4,
	H_KTIME_GET_NS = 5, H_GET_PRANDOM = 7, H_GET_SMP_PROCESSOR_ID = 8, H_GET_PID_TGID = 14,
	H_GET_UID_GID = 15, H_GET_COMM = 16, H_GET_CURRENT_TASK = 35, H_GET_NUMA_NODE = 42,
	H_PROBE_READ_STR = 45, H_GET_CGROUP_ID = 80, H_PROBE_READ_USER = 112, H_PROBE_READ_KERNEL = 113,
	H_JIFFIES64 = 118, H_KTIME_BOOT_NS = 125, H_RINGBUF_OUTPUT = 130,
	H_GET_STACKID = 27, H_PROBE_WRITE_USER = 36, H_OVERRIDE_RETURN = 58, H_SEND_SIGNAL = 109, H_SEND_SIGNAL_THREAD = 117, H_TRACE_VPRINTK = 177, H_FOR_EACH_MAP_ELEM = 164, H_GET_FUNC_IP = 173, H_GET_FUNC_RET = 184, H_GET_ATTACH_COOKIE = 174, H_MAP_LOOKUP_PERCPU = 195, H_LOOP = 181,
	H_GET_SOCKET_COOKIE = 46, H_SKB_OUTPUT = 111, H_SEQ_PRINTF = 126, H_D_PATH = 147, H_PER_CPU_PTR = 153, H_THIS_CPU_PTR = 154,
};

/* BPF map types */
/* map_flags of a stack map whose frames are build ids and offsets */
enum { BPF_F_STACK_BUILD_ID_FLAG = 1u << 5 };
enum { MT_HASH = 1, MT_ARRAY = 2, MT_PERF_EVENT_ARRAY = 4, MT_PERCPU_HASH = 5, MT_PERCPU_ARRAY = 6, MT_STACK_TRACE = 7, MT_LRU_HASH = 9, MT_LRU_PERCPU_HASH = 10, MT_RINGBUF = 27 };


struct lower {
	struct compiler *c;
	struct compiled_program *out;
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMTargetMachineRef tm;
	LLVMDIBuilderRef di;
	LLVMMetadataRef di_file, di_cu, di_int, di_u8, di_u64;
	LLVMTypeRef i1, i8, i32, i64, ptr;

	LLVMValueRef *map_globals; /* per script map */
	LLVMValueRef ringbuf, scratch, globals, stacks, ustacks;
	LLVMValueRef skb_events;   /* perf event array of skboutput() packets, NULL if unused */
	LLVMValueRef warned;       /* one u64 per action: runtime warning already sent */
	LLVMValueRef timed_start;  /* bench: probes: ktime at the start of the body, else NULL */
	size_t scratch_size;       /* value size of the scratch map (max over programs) */

	/* current function (a probe, or the callback of a map loop) */
	LLVMValueRef prog_fn;      /* the probe's own function */
	bool vars_in_scratch;      /* all variables in scratch memory (map loops) */
	bool streams;              /* the program sends a stream of events (prog_desc) */
	int loop_callbacks;        /* callbacks made for this probe so far */
	LLVMValueRef fn, ctx_arg, scratch_base;
	LLVMMetadataRef sp;
	LLVMBasicBlockRef entry_bb; /* allocas */
	LLVMBasicBlockRef init_bb;  /* zeroing of scratch variables, after the scratch lookup */
	size_t scratch_used;
	size_t stack_slots_used;    /* bytes of small_slot() stack memory in this function */
	LLVMValueRef shared_word;   /* shared_word() of this function, once made */
	struct probe_info *probe;
	const struct attach_spec *spec;
	struct tp_format spec_tp;
	int probe_name_index;
	LLVMValueRef probe_value;   /* `probe` known only at run time (a raw_syscalls program: from the
				       syscall number; a multi program: its attach cookie), else NULL */
	size_t probe_value_off;     /* ... also kept in scratch memory then, for map-loop callbacks */
	LLVMBasicBlockRef break_bb, continue_bb;
	/* inside an inlined fn: where `return` goes and where its value is kept */
	LLVMBasicBlockRef fn_return_bb;
	LLVMValueRef fn_result;
	const struct type *fn_result_type;
};

/* emit.c: module set-up, BTF-described maps, object emission */
int emit_init(struct lower *l);
void emit_define_maps(struct lower *l, struct compiled_program *out);
void emit_define_scratch(struct lower *l);
int emit_object(struct lower *l, struct compiled_program *out);
void emit_dispose(struct lower *l);
LLVMMetadataRef emit_di_function(struct lower *l, const char *name, unsigned line);
LLVMMetadataRef emit_di_function_params(struct lower *l, const char *name, unsigned line,
					const char *const *params, unsigned nparams, bool is_static);
void emit_set_loc(struct lower *l, const struct src_loc *loc);
/* How each script map is laid out in BPF (key/value sizes, map type). */
void map_layout(const struct map_info *m, struct map_desc *d, struct arena *a);

/* lower_expr.c: a call of BPF helper `id`, an i64 constant */
LLVMValueRef lower_helper(struct lower *l, int id, LLVMTypeRef ret, LLVMValueRef *args, unsigned n);
LLVMValueRef lower_const(struct lower *l, uint64_t v);

#endif
