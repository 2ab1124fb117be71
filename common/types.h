/* The value types of the language and their memory layout.
 *
 * Layout rule (shared by BPF code and the user-space reader): an integer,
 * bool or pointer stored alone (a variable, a map key or value, an event
 * record) takes 8 bytes, sign- or zero-extended. Tuples and records are
 * laid out like C structs of their fields: each field at its natural size
 * and alignment (intN N/8 bytes, bool 1, pointers 8, string[N] N bytes
 * aligned to 1, nested tuples aligned to their largest field, the other
 * values, made of u64 words, aligned to 8), the size rounded up to the
 * largest alignment, padding zeroed. */
#ifndef SONDE_TYPES_H
#define SONDE_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum type_kind {
	TY_NONE,    /* not yet known / error */
	TY_VOID,
	TY_INT,     /* bits 8/16/32/64, is_signed */
	TY_BOOL,
	TY_STRING,  /* capacity = size */
	TY_TUPLE,   /* fields / offsets */
	TY_POINTER, /* pointee (may be NULL for void *) */
	/* aggregation values, only as map values */
	TY_COUNT, TY_SUM, TY_MIN, TY_MAX, TY_AVG, TY_STATS, TY_HIST, TY_LHIST,
	TY_TSERIES, /* { u64 epoch; i64 value; u64 count; u64 last_ns } per interval slot */
	TY_PROBE,   /* `probe` builtin value: stored as uint64 index into the probe name table */
	/* resolved in user space when printed */
	TY_KSTACK,  /* { i64 stackid } (size 8); stack_mode, stack_limit */
	TY_USTACK,  /* { i64 stackid; u64 pid } (size 16); stack_mode, stack_limit */
	TY_KSYM,    /* { u64 address } (size 8) */
	TY_USYM,    /* { u64 address; u64 pid } (size 16) */
	TY_TIMESTAMP, /* { u64 boot-clock ns } (size 8); time_fmt = strftime format */
	TY_STRUCT,  /* a kernel struct/union from BTF, handled by its address (an
	               i64, like a C lvalue); btf_id, name, size = its size */
	TY_INET,    /* ntop(): { u64 family; u8 address[16] } (size 24) */
	TY_NAME,    /* a number printed by its name: { u64 value } (size 8); name_kind */
	TY_BUF,     /* buf(): { u64 length; u8 data[capacity] } (size 8 + capacity, rounded to 8) */
	TY_ARRAY,   /* a C array value: nelems elements of type pointee, laid out as in C */
};

/* build_id: ustack only, each frame as the file's build id and offset */
enum stack_mode { STACK_BPFTRACE, STACK_PERF, STACK_RAW, STACK_BUILD_ID };

/* How a tseries() interval combines the values written in it: the last
 * one (no 4th argument), or their average, sum, minimum or maximum. */
enum tseries_agg { TSERIES_LAST, TSERIES_AVG, TSERIES_SUM, TSERIES_MIN, TSERIES_MAX };

/* What a TY_NAME value names: strerror(), signal_name(), syscall_name(),
 * the username builtin (a uid), cgroup_path() (a cgroup id), macaddr()
 * (the 6 bytes of a MAC address, in memory order), `func` of a program on
 * several functions (the index of the attach point's name: its function) */
enum name_kind { NAME_ERRNO, NAME_SIGNAL, NAME_SYSCALL, NAME_USER, NAME_CGROUP, NAME_MAC, NAME_FUNC };

/* The enumerators of an enum-typed integer, printed by name. */
struct enum_names {
	int n;
	const char **names;
	int64_t *values;
};

struct type {
	enum type_kind kind;
	int bits;          /* TY_INT: 8, 16, 32, 64 */
	bool is_signed;    /* TY_INT; also the signedness of sum/min/max/avg/stats values */
	bool is_literal;   /* integer literal: sign-flexible */
	size_t size;       /* bytes when stored in memory (see layout rule) */
	int nfields;       /* TY_TUPLE */
	const struct type **fields;
	const char **names;/* TY_TUPLE used as record: field names, else NULL */
	size_t *offsets;
	size_t align;      /* TY_TUPLE: its largest field alignment (1 when empty) */
	const struct type *pointee; /* TY_POINTER */
	int hist_bits;               /* TY_HIST */
	int64_t lh_min, lh_max, lh_step; /* TY_LHIST */
	uint64_t ts_interval_ns;         /* TY_TSERIES: length of one interval */
	uint32_t ts_intervals;           /* TY_TSERIES: intervals kept */
	enum tseries_agg ts_agg;         /* TY_TSERIES */
	enum stack_mode stack_mode;      /* TY_KSTACK, TY_USTACK */
	int stack_limit;                 /* frames to print (1..1024) */
	const char *time_fmt;            /* TY_TIMESTAMP */
	int btf_id;                      /* TY_STRUCT */
	const char *name;                /* TY_STRUCT: "struct task_struct" */
	enum name_kind name_kind;        /* TY_NAME */
	size_t capacity;                 /* TY_BUF: bytes it holds */
	size_t nelems;                   /* TY_ARRAY */
	const struct enum_names *enums;  /* TY_INT of an enum type, else NULL */
	int bit_shift, bit_width;        /* TY_INT bitfield of a struct value: bit_width bits
	                                    from bit bit_shift of its bytes; 0: not one */
};

extern const struct type type_none, type_void, type_bool, type_probe;
extern const struct type type_u8, type_u16, type_u32, type_u64;
extern const struct type type_i8, type_i16, type_i32, type_i64;

const struct type *type_int(int bits, bool is_signed);
const struct type *type_string(struct arena *a, size_t capacity);
const struct type *type_tuple(struct arena *a, int n, const struct type **fields,
			      const char **names);
const struct type *type_pointer(struct arena *a, const struct type *pointee);
const struct type *type_aggregate(struct arena *a, enum type_kind kind, bool is_signed);
const struct type *type_stack(struct arena *a, bool user, enum stack_mode mode, int limit);
const struct type *type_symbol(struct arena *a, bool user);
const struct type *type_timestamp(struct arena *a, const char *fmt);
const struct type *type_inet(struct arena *a);
const struct type *type_name_of(struct arena *a, enum name_kind kind);
const struct type *type_buffer(struct arena *a, size_t capacity);
/* An integer bitfield (in a struct value) of `width` bits from bit `shift`. */
const struct type *type_bitfield(struct arena *a, const struct type *base, int shift, int width);
/* An integer type of an enum: printed as its enumerator's name. */
const struct type *type_enum(struct arena *a, const struct type *base, const struct enum_names *enums);
/* The name of v among t's enumerators, or NULL. */
const char *type_enum_name(const struct type *t, int64_t v);
const struct type *type_array(struct arena *a, const struct type *elem, size_t nelems);
/* An array of 1-byte integers (uint8[4] of pton()): %r prints its bytes. */
bool type_is_byte_array(const struct type *t);
/* A struct or union value (read from memory): a record of its members at
 * their C offsets; `name` is "struct foo". */
const struct type *type_struct_value(struct arena *a, const char *name, int n, const struct type **fields,
				     const char **names, const size_t *offsets, size_t size, size_t align);
/* The bytes a TY_BUF value can hold. */
size_t type_buffer_capacity(const struct type *t);

bool type_is_aggregate(const struct type *t); /* count..tseries */
/* hist, lhist and tseries maps: a bucket (or interval slot) word follows
 * the key in the BPF map, and user space groups the entries by key. */
bool type_has_bucket_key(const struct type *t);
/* Number of bucket indexes a hist/lhist value type can produce (0 for others). */
size_t type_bucket_count(const struct type *vt);
bool type_is_integer_like(const struct type *t); /* int, bool, pointer */
bool type_equal(const struct type *a, const struct type *b);
/* Bytes in memory when stored alone: integers widened to 8, see the layout rule. */
size_t type_storage_size(const struct type *t);
/* Bytes and alignment as a field of a tuple or record (C layout). */
size_t type_field_size(const struct type *t);
size_t type_align(const struct type *t);
/* Name as used in messages: int64, uint32, string[16], (int64,string[4]). */
const char *type_name(struct arena *a, const struct type *t);

#endif
