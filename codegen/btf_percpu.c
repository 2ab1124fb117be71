/* Per-CPU kernel variables from BTF: the VARs of vmlinux's `.data..percpu`
 * DATASEC (kallsyms may list no data symbols), and the debug-info type an
 * extern `.ksyms` global of one needs: libbpf resolves such a typed ksym
 * only when its BTF type has the kind of the kernel's, level by level
 * (structs and unions by kind alone). */
#include <string.h>

#include "../common/suggest.h"
#include "btf_internal.h"
#include "btf_percpu.h"

#define PERCPU_SECTION ".data..percpu"

/* Calls fn for each per-CPU variable until it returns true; that one's
 * place in the section, NULL if none. */
static const struct btf_var_secinfo *each_percpu_var(const struct btf_types *bt,
						     bool (*fn)(const char *name, uint32_t id, void *arg),
						     void *arg)
{
	if (!bt->has_kernel)
		return NULL;
	int sec = btf__find_by_name_kind(bt->btf, PERCPU_SECTION, BTF_KIND_DATASEC);
	const struct btf_type *t = sec > 0 ? btf__type_by_id(bt->btf, (uint32_t)sec) : NULL;
	if (!t)
		return NULL;
	const struct btf_var_secinfo *vi = btf_var_secinfos(t);
	for (int i = 0; i < btf_vlen(t); i++, vi++) {
		const struct btf_type *var = btf__type_by_id(bt->btf, vi->type);
		if (var && btf_is_var(var) && fn(btf__name_by_offset(bt->btf, var->name_off), vi->type, arg))
			return vi;
	}
	return NULL;
}

static bool same_name(const char *name, uint32_t id, void *arg)
{
	return !strcmp(name, arg);
}

uint32_t btf_percpu_var(struct btf_types *bt, const char *name)
{
	const struct btf_var_secinfo *vi = each_percpu_var(bt, same_name, (void *)name);
	return vi ? vi->type : 0;
}

static bool same_id(const char *name, uint32_t id, void *arg)
{
	return id == *(uint32_t *)arg;
}

uint32_t btf_percpu_offset(struct btf_types *bt, uint32_t var_id)
{
	const struct btf_var_secinfo *vi = each_percpu_var(bt, same_id, &var_id);
	return vi ? vi->offset : 0;
}

static bool offer(const char *name, uint32_t id, void *arg)
{
	suggestion_offer(arg, name);
	return false;
}

const char *btf_percpu_suggestion(struct btf_types *bt, const char *name)
{
	struct suggestion sg;
	suggestion_init(&sg, name);
	each_percpu_var(bt, offer, &sg);
	return sg.found ? arena_strdup(bt->arena, sg.found) : NULL;
}

/* The kernel type at id as debug info of the same kinds: integers of its
 * size and sign, pointers and arrays of mirrored elements, structs, unions
 * and enums by name and size without members. */
static LLVMMetadataRef mirror(LLVMDIBuilderRef di, LLVMMetadataRef scope, const struct btf *btf,
			      uint32_t id, int depth)
{
	id = id ? (uint32_t)btf__resolve_type(btf, id) : 0;
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	if (!t || depth > 8)
		return NULL; /* void */
	const char *name = btf__name_by_offset(btf, t->name_off);
	size_t len = strlen(name);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return LLVMDIBuilderCreateBasicType(di, name, len, 8 * t->size,
						    btf_int_encoding(t) & BTF_INT_SIGNED ? 5 : 7, 0);
	case BTF_KIND_PTR:
		return LLVMDIBuilderCreatePointerType(di, mirror(di, scope, btf, t->type, depth + 1), 64, 0, 0,
						      NULL, 0);
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		LLVMMetadataRef sub = LLVMDIBuilderGetOrCreateSubrange(di, 0, a->nelems);
		__s64 size = btf__resolve_size(btf, id);
		return LLVMDIBuilderCreateArrayType(di, size > 0 ? 8 * (uint64_t)size : 0, 8,
						    mirror(di, scope, btf, a->type, depth + 1), &sub, 1);
	}
	case BTF_KIND_UNION:
		return LLVMDIBuilderCreateUnionType(di, scope, name, len, NULL, 0, 8 * t->size, 8, 0, NULL, 0,
						    0, "", 0);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: {
		LLVMMetadataRef e = LLVMDIBuilderCreateEnumerator(di, "_", 1, 0, 1);
		return LLVMDIBuilderCreateEnumerationType(di, scope, name, len, NULL, 0, 8 * t->size, 8, &e, 1,
							  NULL);
	}
	default: /* structs, and what a per-CPU variable is not: a struct of its size */
		return LLVMDIBuilderCreateStructType(di, scope, name, len, NULL, 0, 8 * (uint64_t)t->size, 8, 0,
						     NULL, NULL, 0, 0, NULL, "", 0);
	}
}

LLVMMetadataRef btf_percpu_debug_type(struct btf_types *bt, LLVMDIBuilderRef di, LLVMMetadataRef scope,
				      uint32_t var_id)
{
	const struct btf_type *var = btf__type_by_id(bt->btf, var_id);
	return var ? mirror(di, scope, bt->btf, var->type, 0) : NULL;
}
