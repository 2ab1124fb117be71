/* The state behind struct btf_types, shared by btf.c (lookups), ctypes.c
 * (script definitions added as BTF types) and btf_percpu.c (per-CPU
 * variables). */
#ifndef SONDE_BTF_INTERNAL_H
#define SONDE_BTF_INTERNAL_H
#include <bpf/btf.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/types.h"

struct btf_types {
	struct arena *arena;
	struct btf *btf;   /* lookups: the kernel's types, and the script's on top */
	struct btf *base;  /* the kernel's (or an empty) BTF once script types were
	                      added in a split BTF over it; else NULL */
	bool has_kernel;   /* base types are the kernel's */
	uint32_t split_start; /* first id of a script type */
	/* sonde types made so far, by BTF id: structs must be unique so that
	 * pointers to them compare equal, and the lookup is cheap */
	const struct type **by_id;
	uint32_t nids;
};

/* A type id by BTF kind and bare name, script definitions first; <= 0 if none. */
int btf_find_named(const struct btf_types *bt, const char *name, int kind);

/* Start adding script types (a split BTF over the loaded one); then, when
 * all are added, make them visible to lookups. Both return 0 or -1. */
int btf_types_begin_script(struct btf_types *bt);
int btf_types_end_script(struct btf_types *bt);

/* A BTF with no types, for script definitions when the kernel's is missing. */
struct btf_types *btf_types_empty(struct arena *a);

#endif
