/* C definitions of BTF types ("struct x {\n\tint a;\n};"), as libbpf's
 * btf_dump writes them, for `-lv 'struct NAME'`. One writer serves many
 * definitions: what it writes for one type (the types that one needs
 * first) is kept for the next, so listing all types stays fast. */
#ifndef SONDE_BTF_DEFS_H
#define SONDE_BTF_DEFS_H
#include <stdint.h>

struct btf;
struct btf_defs;

/* NULL with errno set when out of memory. */
struct btf_defs *btf_defs_new(const struct btf *btf);
void btf_defs_free(struct btf_defs *defs);

/* The definition of the struct, union or enum `id`, whose full name is
 * `name` ("struct task_struct"), without a trailing newline; it lives as
 * long as defs. NULL and a negative errno in *err on failure. When BTF
 * has several types of that name, the definition may be any of them. */
const char *btf_defs_get(struct btf_defs *defs, uint32_t id, const char *name, int *err);

#endif
