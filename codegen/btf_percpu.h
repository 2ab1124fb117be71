/* Per-CPU kernel variables from the kernel's BTF (btf_percpu.c). */
#ifndef SONDE_BTF_PERCPU_H
#define SONDE_BTF_PERCPU_H
#include <llvm-c/DebugInfo.h>
#include <stdint.h>

struct btf_types;

/* The BTF id of the VAR of per-CPU variable `name`, 0 when there is none
 * (or no kernel BTF). */
uint32_t btf_percpu_var(struct btf_types *bt, const char *name);
/* Its offset in the per-CPU section, which every CPU's copy keeps. */
uint32_t btf_percpu_offset(struct btf_types *bt, uint32_t var_id);
/* The per-CPU variable name closest to a misspelt one, or NULL. */
const char *btf_percpu_suggestion(struct btf_types *bt, const char *name);
/* Debug info for an extern of the variable var_id, whose BTF libbpf finds
 * compatible with the kernel's; NULL: void. */
LLVMMetadataRef btf_percpu_debug_type(struct btf_types *bt, LLVMDIBuilderRef di, LLVMMetadataRef scope,
				      uint32_t var_id);

#endif
