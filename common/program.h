/* What a compilation hands to the runtime: the BPF ELF object plus the
 * descriptions the runtime needs to create maps, attach programs and decode
 * events (the "required resources"). Everything lives in the compilation
 * arena. */
#ifndef SONDE_PROGRAM_H
#define SONDE_PROGRAM_H
#include <stddef.h>
#include <stdint.h>

#include "types.h"
#include "usdt_args.h"

/* A script map (@name). Aggregations use per-CPU maps; values are merged
 * in user space.
 *
 * Per-CPU value layouts (all little-endian 64-bit words):
 *   count, sum:  { u64 value }
 *   min, max:    { i64 value; u64 is_set }
 *   avg, stats:  { u64 count; i64 total }
 *   hist, lhist: { u64 count } and the BPF key is the user key followed by a
 *                u64 bucket index at offset type_storage_size(key).
 * Plain values (integers, strings, tuples) use an ordinary hash map whose
 * value is stored per the layout rule of types.h. A map without a key
 * (`@x = 1`) uses a uint64 key that is always 0.
 *
 * A keyless aggregation (`@ = count()`, `@ = hist(n)`; not tseries, not
 * declared, never delete()d by the program) is a per-CPU array instead
 * (`array`): no hash lookup and no insert when it is updated. Its u32 key
 * is 0, or the bucket index for hist/lhist (one entry per bucket). An
 * array entry always exists, so the value above is followed by a u64
 * present word standing for "the hash entry exists": the entry exists when
 * that word is set on some CPU, or (all but sum) when the aggregation has
 * counted there (count/hist/lhist/avg/stats: word 0; min/max: is_set).
 * sum() sets it; zero() sets it on entries that exist; clear() and
 * delete() zero the whole entry. */
struct map_desc {
	const char *name;        /* "@calls", "@" */
	const char *bpf_name;    /* ELF symbol of the BPF map */
	const struct type *key;  /* NULL for a scalar map */
	const struct type *value;
	size_t key_size;         /* bytes of the BPF key (incl. bucket word for hists) */
	size_t value_size;       /* bytes of the BPF value (one CPU) */
	bool percpu;
	bool lru;                /* an LRU hash (declared lruhash/percpulruhash) */
	bool array;              /* a per-CPU array (above); key_size 4, max_entries
				  * 1 or the number of buckets */
	uint32_t max_entries;
};

enum action_kind {
	ACT_PRINTF,    /* payload: args tuple */
	ACT_PRINT,     /* payload: the value, of type `type` */
	ACT_PRINT_MAP, /* payload: { i64 top; i64 div } */
	ACT_CLEAR,     /* no payload */
	ACT_ZERO,      /* no payload */
	ACT_EXIT,      /* payload: { i64 code } */
	ACT_TIME,      /* no payload; fmt = strftime format */
	ACT_SYSTEM,    /* payload: args tuple; fmt = the command (printf format) */
	ACT_WARNING,   /* no payload; fmt = the located warning text, for stderr */
	ACT_CAT,       /* payload: args tuple; fmt = the file name (printf format) */
	ACT_JOIN,      /* payload: { u64 count; char elem[JOIN_MAX_ELEMS][JOIN_ELEM_SIZE] };
			  fmt = the separator */
	ACT_ERRORF,    /* payload: args tuple; fmt = "LOC: ERROR: " and the printf format */
	ACT_WARNF,     /* the same with "LOC: WARNING: "; silenced by --no-warnings */
	ACT_UNWATCH,   /* payload: { u64 addr }: the watchpoints at addr are removed */
	ACT_SKB_OUTPUT, /* skboutput(): not a ring buffer record but a record of the
			   perf event array skb_events_name: struct skb_event
			   then the packet; fmt = the pcap file, skb_offset */
};

enum { JOIN_MAX_ELEMS = 16, JOIN_ELEM_SIZE = 256 };

/* A packet of skboutput(), as bpf_skb_output puts it in the perf event
 * array: this header of u64 words (the call's action, its boot-clock time,
 * the bytes sent, the packet's length skb->len), then the bytes sent (the
 * kernel pads the record to 8 bytes, so their count is said here). */
enum { SKB_EVENT_ACTION = 0, SKB_EVENT_BOOT_NS = 8, SKB_EVENT_LEN = 16, SKB_EVENT_PACKET_LEN = 24,
       SKB_EVENT_HEADER = 32 };

/* Every asynchronous event is a ring buffer record: u64 action index, then
 * the payload at offset 8. */
struct action {
	enum action_kind kind;
	const char *fmt;           /* printf / time format */
	const struct type *type;   /* printf: tuple of the arguments; print: the value */
	int map;                   /* index into maps for PRINT_MAP / CLEAR / ZERO */
	uint32_t skb_offset;       /* skboutput: bytes left out at the packet's start */
};

/* Probe types; each has its own file in probes/. */
enum probe_kind {
	PROBE_BEGIN, PROBE_END, PROBE_TRACEPOINT, PROBE_INTERVAL, PROBE_PROFILE,
	PROBE_UPROBE, PROBE_URETPROBE, PROBE_KPROBE, PROBE_KRETPROBE, PROBE_RAWTRACEPOINT,
	PROBE_SELF, PROBE_SOFTWARE, PROBE_HARDWARE, PROBE_USDT, PROBE_WATCHPOINT,
	PROBE_ASYNCWATCHPOINT, PROBE_ITER, PROBE_FENTRY, PROBE_FEXIT,
	PROBE_KPROBE_FENTRY, PROBE_KRETPROBE_FEXIT, /* kprobes through fentry/fexit */
	PROBE_KPROBE_SESSION, /* a kprobe and a kretprobe as one kprobe session program */
	PROBE_TEST, PROBE_BENCH,
	PROBE_KINDS /* how many there are */
};

/* What a probe type allows and how it runs. probes/ sets them per type
 * (probe_ops.flags) and copies them into every attach_spec; the compiler
 * and the runtime test these flags, never probe kinds. */
enum probe_flag {
	PF_USER          = 1u << 0,  /* traces user space: func/argN are user values */
	PF_USER_CONTEXT  = 1u << 1,  /* may fire while user code runs (usym needs no warning) */
	PF_RUN_ONCE      = 1u << 2,  /* attaches nothing: the runtime runs the program */
	PF_ARGS          = 1u << 3,  /* args.FIELD from a tracepoint format */
	PF_RETVAL        = 1u << 4,  /* retval (register ax of the context) */
	PF_FUNC          = 1u << 5,  /* func: the probed function */
	PF_REGS          = 1u << 6,  /* reg(): the context holds registers (probe_ops.reg_offset) */
	PF_PID_FILTER    = 1u << 7,  /* sees every process: -p adds a pid check */
	PF_LISTED        = 1u << 8,  /* `-l` without a provider lists it */
	PF_GLOB_CANDIDATE = 1u << 9, /* a provider wildcard (`k*:f`) may expand to it
					(user types only with -p or a path target) */
	PF_SIGNAL        = 1u << 10, /* signal(): the current task is the one traced */
	PF_OVERRIDE      = 1u << 11, /* override(): at the entry of a kernel function */
	PF_LIFO          = 1u << 12, /* the kernel runs the probes of one place last-attached first */
	PF_DEBUG_REGISTER = 1u << 13, /* takes one of the CPU's few debug registers */
	PF_PROCESS       = 1u << 14, /* attaches to one process: -p PID, else the -c child
					(once it has exec'd) */
	PF_ITER          = 1u << 15, /* a BPF iterator: runs to completion when read, then the
					run ends; `ctx` is its context */
	PF_USDT_ARGS     = 1u << 16, /* argN per the argument specs of the location (attach_spec.usdt) */
	PF_DWARF_ARGS    = 1u << 17, /* args.NAME: the function's parameters from its DWARF */
	PF_DWARF_RETVAL  = 1u << 18, /* retval typed by the function's DWARF return type, if any */
	PF_BTF_ARGS      = 1u << 19, /* args.NAME: the parameters of the kernel BTF prototype,
					one context word each (fentry/fexit, raw tracepoints) */
	PF_BTF_RETVAL    = 1u << 20, /* retval typed by the BTF return type, read with
					bpf_get_func_ret (fexit) */
	PF_RESULT        = 1u << 21, /* `return N` sets the program's return value (test:, bench:) */
	PF_TIMED         = 1u << 22, /* returns how many ns its body ran instead (bench:) */
	PF_BTF_CONTEXT   = 1u << 23, /* a BPF_PROG_TYPE_TRACING program: the pointers of its context
					are typed for the verifier (socket_cookie()) */
	PF_SEQ_OUTPUT    = 1u << 24, /* a pinned iterator: printf writes to its seq file
					(bpf_seq_printf), nothing else reaches user space */
	PF_SKB_OUTPUT    = 1u << 25, /* skboutput(): a BPF_PROG_TYPE_TRACING program, or one
					that becomes one (probe_ops.tracing_section) */
};

/* A USDT probe (attach_spec.usdt): one location of it in a concrete spec;
 * in a pattern, what to look for. */
struct usdt_location {
	const char *provider;          /* NULL in a pattern that names no provider */
	const char *name;
	const struct usdt_arg *args;   /* this location's argument specs */
	int nargs;
	uint64_t semaphore_offset;     /* file offset of the semaphore (uprobe ref_ctr_offset), 0: none */
};

/* One concrete attach point (after wildcard expansion), as the probe type
 * parsed it; the compiled program carries it to the attach step. */
struct attach_spec {
	enum probe_kind kind;
	unsigned flags;        /* enum probe_flag of the probe type */
	const char *canonical; /* "tracepoint:syscalls:sys_enter_openat", "interval:us:1000000", "begin" */
	const char *target;    /* tracepoint category; uprobe binary (absolute path);
				* pinned iterator: the pin path (absolute);
				* kprobe/rawtracepoint module (NULL: not given) */
	const char *func;      /* tracepoint/rawtracepoint event; uprobe/kprobe
				* function as written in the canonical name
				* ("SYM", "SYM+OFF", "0xADDR"); software/hardware
				* event name */
	const char *symbol;    /* kprobe/uprobe: the bare symbol, NULL for an address */
	uint64_t offset;       /* kprobe: +OFF, or the address; uprobe: +OFF, or the
				* address, until expansion makes it the virtual
				* address probed (symbol + OFF); usdt: file offset
				* of the location */
	uint64_t func_offset;  /* uprobe at a symbol: the +OFF into it (0: its entry) */
	bool cpp;              /* uprobe `cpp:` qualifier: FN matches demangled names */
	const char *func_name; /* uprobe at a symbol: the function `func` names
				* (demangled with cpp:); NULL otherwise */
	/* A uprobe_multi program: the attach points it stands for (one
	 * binary), and the BPF cookie of each, the index of its name in the
	 * `probe` table; a raw_syscalls program the same (its "cookies" go
	 * into a table by syscall_nrs). nmulti 0: a program of one attach point. */
	const struct attach_spec *multi;
	const uint64_t *multi_cookies;
	int nmulti;
	/* A program on raw_syscalls standing for the syscall tracepoints in
	 * multi: the system call number of each; NULL otherwise. */
	const uint32_t *syscall_nrs;
	uint64_t period_ns;    /* interval/profile; software/hardware: the COUNT */
	uint64_t freq_hz;      /* interval/profile:hz:N */
	int watch_len;         /* watchpoint: bytes watched at offset (the address);
				* func is the mode ("w", "rw", "x") */
	const struct usdt_location *usdt; /* usdt: provider, name, argument specs */
	bool source_line;      /* uprobe BIN@FILE:LINE: offset is the line's address */
};

/* One BPF program = one expanded attach point. */
struct prog_desc {
	const char *fn_name;   /* ELF function name, e.g. "probe_3" */
	const char *section;   /* ELF section, chooses the libbpf program type */
	struct attach_spec spec;
	bool streams;          /* sends events other than exit() and the once-a-run
				  warnings: the ring buffer must take a stream */
};

/* The globals map (one array entry) the runtime fills before begin runs. */
#define SONDE_GLOBALS_MAP "sonde_globals"
enum { GLOBAL_START_NS = 0, GLOBAL_CPID = 8, GLOBAL_LOST_EVENTS = 16, GLOBALS_SIZE = 24 };

/* A frame of a build-id stack map, the kernel's struct bpf_stack_build_id:
 * s32 status, u8 build_id[20], then (u64) the file offset when the status
 * is valid, or the address when the kernel could only give that. */
enum { BUILD_ID_FRAME_SIZE = 32, BUILD_ID_LEN = 20, BUILD_ID_FRAME_OFFSET = 24 };
enum { BUILD_ID_FRAME_EMPTY = 0, BUILD_ID_FRAME_VALID = 1, BUILD_ID_FRAME_IP = 2 };

struct compiled_program {
	const void *elf;
	size_t elf_size;
	struct map_desc *maps;
	int nmaps;
	struct action *actions;
	int nactions;
	struct prog_desc *progs;
	int nprogs;
	const char **probe_names; /* values of the `probe` builtin, by index */
	const char **probe_funcs; /* the function of each (uprobes on a symbol), else NULL */
	int nprobe_names;
	const char *ringbuf_name; /* BPF map carrying events */
	const char *skb_events_name; /* perf event array of skboutput() packets, NULL if unused */
	const char *scratch_name; /* per-CPU scratch array (max_entries = CPUs) */
	bool print_maps_on_exit;    /* config print_maps_on_exit */
	bool no_cpp_demangle;       /* config cpp_demangle = false */
	bool no_debug_info;         /* config show_debug_info = false */
	bool hist_percentiles;      /* config hist_percentiles: p50/p90/p99 with histograms */
	uint64_t max_cat_bytes;     /* config max_cat_bytes: what one cat() prints */
	uint32_t ringbuf_pages;     /* config perf_rb_pages: the event ring buffer's
				     * size in pages; 0: sized by the runtime */
	int missing_probes;         /* config missing_probes, as enum probe_missing_mode
				     * (0 error, 1 warn, 2 ignore): also applies when an
				     * attach fails at run time */
	const char *stack_map_name; /* STACK_TRACE map of kstack values, NULL if unused */
	int stack_frames;           /* u64 frames per stack map entry */
	/* STACK_TRACE map of ustack values, NULL if unused: a build-id map
	 * (BPF_F_STACK_BUILD_ID), each frame a struct bpf_stack_build_id, so
	 * that frames resolve even after the process is gone */
	const char *ustack_map_name;
	int ustack_frames;
	/* What the compilation read from the machine that the compile cache's
	 * key does not cover (the cache then does not keep it), or NULL.
	 * Not serialized. */
	const char *uncacheable;
};

#endif
