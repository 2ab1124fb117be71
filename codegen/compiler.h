/* State of one compilation, shared by the semantic pass and IR lowering.
 * Nothing here is global: two compilations never share anything. */
#ifndef SONDE_COMPILER_H
#define SONDE_COMPILER_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../parser/ast.h"
#include "../probes/probe.h"
#include "../common/program.h"
#include "../common/types.h"

struct map_info {
	const char *name;          /* "@calls" */
	const struct type *key;    /* NULL: scalar map */
	const struct type *value;
	struct src_loc loc;        /* first assignment */
	bool assigned;
	bool used;                 /* looked up other than by an assignment */
	uint32_t max_entries;
	int index;
	/* `let @m = KIND(N)` */
	const struct src_loc *decl; /* NULL when not declared */
	const char *decl_kind;      /* "hash", "lruhash", "percpuhash", "percpulruhash" */
	bool lru;                   /* an LRU hash: full maps evict the oldest entry */
	bool decl_percpu;           /* declared per-CPU: aggregations only */
	const struct src_loc *keyless_use; /* the first use without a key, if any */
	bool deleted;               /* delete()d by the program: keeps a hash map */
};

/* A scratch variable ($x), one object per declaration scope. */
struct var_info {
	const char *name;
	const struct type *type;
	void *storage;       /* lowering: alloca of a scalar, or NULL */
	size_t scratch_off;  /* lowering: offset in scratch memory otherwise */
	const void *owner;   /* the probe function the storage belongs to */
};

/* One written probe and its expanded attach points. */
struct probe_info {
	struct probe *ast;
	struct attach_spec *specs;
	int nspecs;
	const struct probe_ops *ops; /* the probe type of every attach point */
	unsigned flags;       /* ops->flags: what the probe type allows */
	struct tp_format *tp; /* PF_ARGS: tracepoint format of specs[0] (for `args`) */
	bool has_map_loop;    /* a `for ($kv : @m)` body (or a range loop's with
				 run-time bounds) runs as a callback: its
				 variables then live in scratch memory */
	bool multi;           /* one uprobe_multi or kprobe_multi program for all attach points */
	/* A kprobe and a kretprobe on the same functions, where the kernel has
	 * kprobe sessions: one program runs the kprobe's body at entry, the
	 * kretprobe's at return. The kprobe has its kretprobe here; the
	 * kretprobe is in_session and has no program of its own. */
	struct probe_info *session_return;
	bool in_session;
	/* The programs when they are not one per attach point: syscall
	 * tracepoints served by one raw_syscalls program each side, next to
	 * the attach points that keep their own (NULL: one per attach point). */
	struct attach_spec *progs;
	int nprogs;
	bool reads_context;   /* a builtin or function reads the probe context
				 (kstack, ...): no program stands for several tracepoints */
	const char **tp_fields_read; /* args.FIELD names the probe reads */
	int ntp_fields_read, tp_fields_cap;
	struct func_args *fargs; /* PF_DWARF_ARGS/PF_BTF_ARGS: the parameters, once `args` is used */
	bool tracing_program; /* uses what only BPF_PROG_TYPE_TRACING programs have
				 (skboutput()): probe_ops.tracing_section, if set */
};

/* The BPF programs of a probe: one per attach point, or one for all. */
static inline int probe_programs(const struct probe_info *pi)
{
	return pi->in_session ? 0 : pi->multi ? 1 : pi->progs ? pi->nprogs : pi->nspecs;
}

/* The -d stages of compilation (§1.5). */
enum dump_stage {
	DUMP_AST = 1u << 0,    /* the AST after parsing and after analysis */
	DUMP_TYPES = 1u << 1,  /* the types of every variable and map */
	DUMP_IR = 1u << 2,     /* LLVM IR before optimisation */
	DUMP_IR_OPT = 1u << 3, /* LLVM IR after optimisation */
	DUMP_DIS = 1u << 4,    /* BPF instructions of every program */
};

/* Features whose design may still change (§1.10 `unstable_*`): using one
 * warns, fails or is silent, as its config key says. */
enum unstable_feature { UNSTABLE_TSERIES, UNSTABLE_DW_USTACK, UNSTABLE_IMPORT, UNSTABLE_TYPEINFO, UNSTABLE_NFEATURES };
enum unstable_mode { UNSTABLE_WARN, UNSTABLE_ERROR, UNSTABLE_ENABLE }; /* warn: the default */

/* --mode compiler-bench: how long each stage of compile_source took. */
enum compile_stage { CSTAGE_PARSE, CSTAGE_MACROS, CSTAGE_SEMA, CSTAGE_CODEGEN, COMPILE_STAGES };
extern const char *const compile_stage_names[COMPILE_STAGES];
struct compile_timings {
	uint64_t ns[COMPILE_STAGES];
};

struct compile_options {
	char *const *params; /* positional parameters $1.. */
	int nparams;
	char *const *named;  /* named parameters: "name" or "name=value" (getopt()) */
	int nnamed;
	pid_t pid;           /* -p: uprobes without a target probe /proc/PID/exe */
	bool child;          /* -c: a process to trace is started */
	bool unsafe;         /* --unsafe: system() and friends */
	bool usdt_file_activation; /* usdt probes attach to every process mapping the binary */
	bool no_uprobe_multi;      /* --no-feature uprobe_multi: one program per uprobe */
	bool no_kprobe_multi;      /* --no-feature kprobe_multi: one program per kprobe */
	bool no_kprobe_session;    /* --no-feature kprobe_session: a kprobe and a kretprobe stay two programs */
	bool no_raw_syscalls;      /* --no-feature raw_syscalls: one program per syscall tracepoint */
	const struct kernel_features *features; /* what to assume of the kernel (tests); NULL: ask it */
	bool runtime_checks; /* -k: warn about failed probe reads and map lookups */
	int ncpus;           /* possible CPUs (scratch map size, per-CPU reads) */
	int max_strlen;      /* str() capacity */
	uint32_t max_map_keys;
	uint32_t max_probes; /* attach points of one program; 0: LIMIT_PROBES */
	uint64_t max_cat_bytes; /* 0: the default, 10240 */
	uint32_t perf_rb_pages; /* event ring buffer pages; 0: the runtime's default */
	unsigned dumps;      /* enum dump_stage: -d stages that compilation writes to stderr */
	const char *emit_llvm; /* --emit-llvm FILE: FILE.original.ll and FILE.optimized.ll */
	const char *probe_filter; /* --probe-filter REGEX: keep matching attach points (and begin/end) */
	enum probe_run_mode run;  /* --test / --bench: only the test: / bench: probes */
	struct compile_timings *timings; /* filled when not NULL */
	const char *script_dir;   /* where the script's `#include "f.h"` and `import` look first */
	const char *script_path;  /* the script file (NULL: -e, stdin): importing it again is a no-op */
	const char *const *include_dirs;  /* -I */
	int ninclude_dirs;
	const char *const *include_files; /* --include */
	int ninclude_files;
	bool verbose;             /* -v: note the <headers> that are not found */
	struct input_log *inputs; /* notes the headers and imports read (the compile cache), or NULL */
	/* config variables (§1.10), set by config_apply */
	bool print_maps_on_exit;
	bool no_cpp_demangle;   /* config cpp_demangle = false: C++ names stay mangled */
	bool no_debug_info;     /* config show_debug_info = false: no @file:line in ustack */
	bool hist_percentiles;  /* config hist_percentiles: p50/p90/p99 after each histogram */
	enum stack_mode stack_mode; /* default mode of kstack/ustack */
	int missing_probes;         /* enum probe_missing_mode */
	const char *license;
	enum unstable_mode unstable[UNSTABLE_NFEATURES];
};

/* A named program parameter: getopt("name"[, default[, "description"]]) */
struct getopt_def {
	const char *name, *description;
};

/* What the kernel answered kfunc_allowed(kfunc) for programs of a section:
 * 1 allowed, 0 refused, -1 could not be asked. */
struct kfunc_answer {
	const char *kfunc, *section;
	int allowed;
};

struct compiler {
	struct arena *arena;
	struct diags *diags;
	const struct compile_options *opts;
	struct program *ast;
	struct probe_info *probes;
	int nprobes;
	struct map_info **maps;
	int nmaps, cap_maps;
	struct action *actions;
	int nactions, cap_actions;
	const char **probe_names;
	const char **probe_funcs; /* func_name of the attach point of each name */
	int nprobe_names, cap_probe_names;
	bool second_pass; /* sema: report errors only on the final pass */
	struct kernel_features features; /* what the kernel was asked so far */
	int stack_frames; /* deepest kstack limit used, 0 if none */
	int ustack_frames; /* deepest ustack limit used, 0 if none */
	struct btf_types *btf; /* kernel types, loaded on first use */
	struct getopt_def *getopts; /* the named parameters getopt() asks for */
	int ngetopts, cap_getopts;
	bool btf_tried;
	int percpu_by_name;   /* kallsyms lists per-CPU variables: 1 yes, -1 no, 0 not read yet */
	struct kfunc_answer *kfunc_answers; /* kfunc_allowed() asked of the kernel so far */
	int nkfunc_answers, cap_kfunc_answers;
	struct dwarf_target *dwarf; /* uprobe targets whose DWARF was read */
	unsigned unstable_reported; /* bit per enum unstable_feature already diagnosed */
	const char *uncacheable; /* what the compilation read that a cache key cannot cover, or NULL */
};

/* Apply the script's config block and the BPFTRACE_/SONDE_ environment
 * variables to o. Returns 0 or -1 (with diagnostics). */
int config_apply(struct compiler *c, struct compile_options *o);
/* A use of an unstable feature at loc: per its config key a warning
 * (default), an error, or nothing; reported once per compilation. */
void unstable_feature_use(struct compiler *c, enum unstable_feature f, const struct src_loc *loc);

/* Kernel BTF types, loaded on first use; NULL when unavailable. */
struct btf_types *compiler_btf(struct compiler *c);
/* The same (or, without kernel BTF, an empty table), ready to take the
 * types the program defines or takes from DWARF; NULL on failure. */
struct btf_types *compiler_script_btf(struct compiler *c);

/* Replace macro calls by copies of the macro bodies. Returns 0 or -1. */
int macros_expand(struct compiler *c);
/* A deep copy of a statement list (or one expression, with its next), for
 * a body that is checked and lowered more than once. */
struct node *ast_copy_list(struct compiler *c, const struct node *first);

/* Semantic analysis: resolve, type and check the whole program. Returns 0
 * when there are no errors. */
int sema_run(struct compiler *c);

/* Lower to LLVM IR, optimise, emit the BPF ELF into *out. Returns 0 or -1
 * (with a diagnostic). */
int lower_program(struct compiler *c, struct compiled_program *out);

/* Index of an attach point's name in the probe name table that semantic
 * analysis filled (-1: not there). */
int compiler_probe_index(const struct compiler *c, const char *name);

/* The ELF section of a probe's program for one attach point (it chooses
 * the program type): a tracing program's when the probe needs one; NULL
 * when the probe type has no programs. */
const char *probe_section(struct arena *a, const struct probe_info *pi, const struct attach_spec *spec);

/* Compile `src` end to end. Returns NULL on errors (diagnostics in d). */
struct compiled_program *compile_source(struct arena *a, struct diags *d,
					const struct compile_options *opts);

/* The compiler as the sonde binary sees it: codegen and LLVM are a shared
 * object (sonde-compiler.so) loaded only when a program is compiled, so a
 * run served by the compile cache never maps LLVM. The object and the
 * binary come from one build: the version and the sizes of the structures
 * they exchange must agree. */
struct compiler_api {
	const char *version;
	size_t options_size, program_size;
	struct compiled_program *(*compile_source)(struct arena *a, struct diags *d,
						   const struct compile_options *opts);
	const char *const *stage_names; /* COMPILE_STAGES of them */
};
#define COMPILER_API_SYMBOL "sonde_compiler_api"
#define COMPILER_OBJECT "sonde-compiler.so"

#endif
