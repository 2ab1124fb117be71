/* Function symbols of a user-space ELF file, as uprobes resolve them. */
#ifndef SONDE_PROBES_USER_FUNCS_H
#define SONDE_PROBES_USER_FUNCS_H
#include <stdint.h>

#include "../common/arena.h"

struct user_func {
	const char *name;      /* without a version suffix: "pthread_create" */
	uint64_t addr, size;   /* virtual address and size in the file */
	unsigned rank;         /* among names of one address the highest is the best */
};

/* Sorted by name, one entry per name. */
struct user_funcs {
	struct user_func *v;
	int n;
};

/* The defined functions of the ELF file at path: its .symtab (else the
 * separate debug file's, found by build id) and its .dynsym. Versioned
 * names (`pthread_create@GLIBC_2.2.5`, `pthread_create@@GLIBC_2.34`) are
 * one name; of several symbols of one name the global, default-version,
 * sized one wins. 0, or -1 when path is not a readable ELF file. */
int user_funcs_load(struct arena *a, const char *path, struct user_funcs *out);

const struct user_func *user_funcs_find(const struct user_funcs *f, const char *name);

#endif
