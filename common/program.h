/* What a compilation hands to the runtime: the BPF ELF object plus the
 * descriptions the runtime needs to create maps, attach programs and decode
 * events (the "required resources"). Everything lives in the compilation
 * arena. */
#ifndef SONDE_PROGRAM_H
#define SONDE_PROGRAM_H
#include <stddef.h>
#include <stdint.h>

#include "types.h"

/* A script map (@name). Aggregations use per-CPU hash maps; values are merged
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
 * (`@x = 1`) uses a uint64 key that is always 0. */
struct map_desc {
	const char *name;        /* "@calls", "@" */
	const char *bpf_name;    /* ELF symbol of the BPF map */
	const struct type *key;  /* NULL for a scalar map */
	const struct type *value;
	size_t key_size;         /* bytes of the BPF key (incl. bucket word for hists) */
	size_t value_size;       /* bytes of the BPF value (one CPU) */
	bool percpu;
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
};

enum { JOIN_MAX_ELEMS = 16, JOIN_ELEM_SIZE = 256 };

/* Every asynchronous event is a ring buffer record: u64 action index, then
 * the payload at offset 8. */
struct action {
	enum action_kind kind;
	const char *fmt;           /* printf / time format */
	const struct type *type;   /* printf: tuple of the arguments; print: the value */
	int map;                   /* index into maps for PRINT_MAP / CLEAR / ZERO */
};

enum probe_kind {
	PROBE_BEGIN, PROBE_END, PROBE_TRACEPOINT, PROBE_INTERVAL, PROBE_PROFILE,
	PROBE_UPROBE, PROBE_URETPROBE, PROBE_KPROBE, PROBE_KRETPROBE, PROBE_RAWTRACEPOINT,
	PROBE_SELF,
};

/* One BPF program = one expanded attach point. */
struct prog_desc {
	enum probe_kind kind;
	const char *fn_name;   /* ELF function name, e.g. "p3_tracepoint" */
	const char *section;   /* ELF section, chooses the libbpf program type */
	const char *canonical; /* probe name: "tracepoint:syscalls:sys_enter_openat" */
	/* attach parameters */
	const char *target;    /* tracepoint category / uprobe binary path */
	const char *func;      /* tracepoint event / uprobe function */
	uint64_t period_ns;    /* interval/profile: period; 0 when freq is used */
	uint64_t freq_hz;      /* profile:hz:N */
};

/* The globals map (one array entry) the runtime fills before begin runs. */
#define SONDE_GLOBALS_MAP "sonde_globals"
enum { GLOBAL_START_NS = 0, GLOBAL_CPID = 8, GLOBAL_LOST_EVENTS = 16, GLOBALS_SIZE = 24 };

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
	int nprobe_names;
	const char *ringbuf_name; /* BPF map carrying events */
	const char *scratch_name; /* per-CPU scratch array (max_entries = CPUs) */
	bool print_maps_on_exit;    /* config print_maps_on_exit */
	const char *stack_map_name; /* STACK_TRACE map of kstack/ustack values, NULL if unused */
	int stack_frames;           /* u64 frames per stack map entry */
};

#endif
