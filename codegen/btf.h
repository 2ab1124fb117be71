/* Kernel types from BTF (/sys/kernel/btf/vmlinux or $BPFTRACE_BTF): struct
 * and union members, typedefs, enum constants. Loaded once per compilation,
 * only when a script uses them. */
#ifndef SONDE_BTF_H
#define SONDE_BTF_H
#include <stdbool.h>
#include <stdint.h>

#include "../common/types.h"

struct btf_types;

/* NULL (with no message) when kernel BTF cannot be loaded. */
struct btf_types *btf_types_load(struct arena *a);
void btf_types_free(struct btf_types *bt);
/* The types include the kernel's (not only the script's definitions). */
bool btf_types_kernel(const struct btf_types *bt);

/* "struct task_struct", "union bpf_attr" or a typedef name: the type, or
 * NULL when BTF has no such type. */
const struct type *btf_named_type(struct btf_types *bt, const char *name);

/* A member of a struct/union (anonymous members searched too). */
struct btf_member_ref {
	const struct type *type; /* NULL: a member type sonde cannot handle */
	uint32_t bit_offset;     /* from the start of the outer struct */
	uint32_t bitfield_bits;  /* 0 unless a bitfield */
	uint32_t byte_size;      /* bytes to read for scalars */
};

/* Returns false when the struct has no member of that name. */
bool btf_find_member(struct btf_types *bt, const struct type *st, const char *name,
		     struct btf_member_ref *out);

/* The value of a struct or union (TY_STRUCT): a record of its members at
 * their offsets, nested structs as nested records. */
const struct type *btf_struct_value(struct btf_types *bt, const struct type *st);

/* The member name of st closest to a misspelt one, or NULL. */
const char *btf_member_suggestion(struct btf_types *bt, const struct type *st, const char *name);

/* Struct st is struct `inner` (a bare name) or begins with one, through
 * its first members: a pointer to st points to an `inner` too. */
bool btf_struct_begins_with(struct btf_types *bt, const struct type *st, const char *inner);

/* A kernel function of that name exists in BTF. */
bool btf_has_function(struct btf_types *bt, const char *name);
/* Its BTF id in the kernel's BTF, 0 when there is none. */
int btf_function_id(struct btf_types *bt, const char *name);

/* An enumerator's value, e.g. TASK_RUNNING or TCP_FIN_WAIT1. */
bool btf_enum_value(struct btf_types *bt, const char *name, int64_t *value);

/* The sonde type of a BTF type id (typedefs and qualifiers skipped):
 * integers and enums become TY_INT, pointers TY_POINTER, char arrays
 * strings, structs and unions TY_STRUCT; NULL for anything else. */
const struct type *btf_to_type(struct btf_types *bt, uint32_t id);

#endif
