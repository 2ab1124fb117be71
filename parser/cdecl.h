/* C declarations (§1.6): struct, union, enum and typedef definitions of
 * the script's preamble and of included headers, parsed without a C
 * compiler. The result is a list of definitions; laying them out and
 * turning them into types is the compiler's job. */
#ifndef SONDE_CDECL_H
#define SONDE_CDECL_H
#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/diag.h"

enum c_kind {
	C_VOID,
	C_INT,     /* name: canonical spelling ("unsigned long"); size, is_signed */
	C_BOOL,
	C_FLOAT,   /* float, double, long double: size */
	C_NAMED,   /* a typedef name: script typedef or BTF */
	C_RECORD,  /* struct or union: record (definition or reference by tag) */
	C_ENUM,    /* enumdef */
	C_POINTER, /* target */
	C_ARRAY,   /* target, nelems (-1: flexible `[]`) */
	C_FUNC,    /* a function type: only usable behind a pointer */
};

struct c_record;
struct c_enum;

struct c_type {
	enum c_kind kind;
	const char *name;
	int size;
	bool is_signed;
	struct c_record *record;
	struct c_enum *enumdef;
	const struct c_type *target;
	int64_t nelems;
	struct src_loc loc;
};

struct c_member {
	struct c_member *next;
	const char *name;   /* NULL: an anonymous struct/union or unnamed bitfield */
	const struct c_type *type;
	int bits;           /* bitfield width, -1 when not a bitfield */
	int64_t aligned;    /* __attribute__((aligned(N))) on the member, 0 if none */
	bool packed;        /* __attribute__((packed)) on the member */
	struct src_loc loc;
};

struct c_record {
	const char *tag;    /* NULL: anonymous */
	bool is_union;
	bool complete;      /* has a body */
	bool packed;
	int64_t aligned;
	struct c_member *members;
	struct src_loc loc;
};

struct c_enumerator {
	struct c_enumerator *next;
	const char *name;
	int64_t value;
	struct src_loc loc;
};

struct c_enum {
	const char *tag;
	bool complete;
	bool is_signed;     /* some value is negative */
	int size;           /* 4, or 8 when a value needs it */
	struct c_enumerator *items;
	struct src_loc loc;
};

enum c_def_kind { CDEF_RECORD, CDEF_ENUM, CDEF_TYPEDEF };

/* One definition, in source order (a nested struct comes before the struct
 * that holds it). */
struct c_def {
	struct c_def *next;
	enum c_def_kind kind;
	struct c_record *record;   /* CDEF_RECORD */
	struct c_enum *enumdef;    /* CDEF_ENUM */
	const char *name;          /* CDEF_TYPEDEF */
	const struct c_type *type; /* CDEF_TYPEDEF */
	bool lenient;              /* from a header: problems skip it quietly */
	struct src_loc loc;
};

struct c_defs {
	struct c_def *first, **tail;
	/* enumerators seen so far, for enum values that refer to earlier ones */
	struct c_enumerator *consts;
};

void c_defs_init(struct c_defs *defs);

/* Parse C text whose first byte is at `start` (line and column). strict:
 * every problem is a located error in d; otherwise (headers) a declaration
 * that cannot be parsed, a prototype or a function body is skipped quietly.
 * Definitions are appended to defs. Returns the number of errors. */
int cdecl_parse(struct arena *a, struct diags *d, const char *text, const struct src_loc *start, bool strict,
		struct c_defs *defs);

#endif
