/* DWARF types of uprobe targets as BTF types (see dwarf_btf.h). Pointers
 * are added pointing nowhere and aimed at their target afterwards, from a
 * work list: every cycle of C types runs through a pointer, so none is
 * followed while a struct is being added. */
#include "dwarf_btf.h"

#include <bpf/btf.h>
#include <string.h>

#include "btf.h"
#include "btf_internal.h"

struct dwarf_target *dwarf_target_get(struct compiler *c, const char *path)
{
	for (struct dwarf_target *t = c->dwarf; t; t = t->next)
		if (!strcmp(t->path, path))
			return t;
	struct dwarf_target *t = arena_alloc(c->arena, sizeof(*t));
	t->path = arena_strdup(c->arena, path);
	t->df = dwarf_open(c->arena, path);
	t->next = c->dwarf;
	c->dwarf = t;
	return t;
}

void dwarf_targets_close(struct compiler *c)
{
	for (struct dwarf_target *t = c->dwarf; t; t = t->next)
		dwarf_close(t->df);
	c->dwarf = NULL;
}

/* A pointer waiting for its target's id. */
struct pending_ptr {
	int ptr_id;
	const struct dwarf_type *target;
};

struct converter {
	struct compiler *c;
	struct dwarf_target *t;
	struct btf *btf;
	struct pending_ptr *pending;
	int npending, cap_pending;
	bool failed;
};

/* 0 while a struct is being added: reaching it again by value is a cycle */
#define BUSY (-1)

static int convert(struct converter *cv, const struct dwarf_type *dt);

static int *id_slot(struct converter *cv, const struct dwarf_type *dt)
{
	struct dwarf_target *t = cv->t;
	if (dt->index >= t->nids) {
		int n = dwarf_type_count(t->df) > dt->index ? dwarf_type_count(t->df) : dt->index + 1;
		int *ids = arena_alloc(cv->c->arena, (size_t)n * sizeof(*ids));
		if (t->nids)
			memcpy(ids, t->btf_ids, (size_t)t->nids * sizeof(*ids));
		t->btf_ids = ids;
		t->nids = n;
	}
	return &t->btf_ids[dt->index];
}

static int check(struct converter *cv, int id)
{
	if (id < 0)
		cv->failed = true;
	return id;
}

static int add_pointer(struct converter *cv, const struct dwarf_type *dt)
{
	int id = check(cv, btf__add_ptr(cv->btf, 0));
	/* pointers to functions (and to void) stay pointers to void */
	if (id > 0 && dt->target && dt->target->kind != DWARF_FUNC) {
		if (cv->npending == cv->cap_pending) {
			int cap = cv->cap_pending ? cv->cap_pending * 2 : 16;
			struct pending_ptr *p = arena_alloc(cv->c->arena, (size_t)cap * sizeof(*p));
			if (cv->npending)
				memcpy(p, cv->pending, (size_t)cv->npending * sizeof(*p));
			cv->pending = p;
			cv->cap_pending = cap;
		}
		cv->pending[cv->npending++] = (struct pending_ptr){ id, dt->target };
	}
	return id;
}

static int index_type(struct converter *cv)
{
	if (!cv->t->index_type)
		cv->t->index_type = check(cv, btf__add_int(cv->btf, "unsigned int", 4, 0));
	return cv->t->index_type;
}

static int add_int(struct converter *cv, const struct dwarf_type *dt)
{
	int enc = dt->kind == DWARF_BOOL ? BTF_INT_BOOL : dt->is_signed ? BTF_INT_SIGNED : dt->is_char ? BTF_INT_CHAR : 0;
	if (!dt->size || dt->size > 16)
		return 0;
	return check(cv, btf__add_int(cv->btf, dt->name ? dt->name : "int", dt->size, enc));
}

static int add_enum(struct converter *cv, const struct dwarf_type *dt)
{
	if (!dt->complete)
		return dt->name ? check(cv, btf__add_fwd(cv->btf, dt->name, BTF_FWD_ENUM)) : 0;
	bool wide = dt->size == 8;
	int id = wide ? btf__add_enum64(cv->btf, dt->name, 8, dt->is_signed)
		      : btf__add_enum(cv->btf, dt->name, dt->size ? (uint32_t)dt->size : 4);
	for (int i = 0; i < dt->n && id > 0; i++) {
		const struct dwarf_enumerator *e = &dt->enums[i];
		if ((wide ? btf__add_enum64_value(cv->btf, e->name, (uint64_t)e->value)
			  : btf__add_enum_value(cv->btf, e->name, e->value)) < 0)
			id = -1;
	}
	return check(cv, id);
}

static int add_record(struct converter *cv, const struct dwarf_type *dt, int *slot)
{
	bool is_union = dt->kind == DWARF_UNION;
	if (!dt->complete && dt->name)
		return check(cv, btf__add_fwd(cv->btf, dt->name, is_union ? BTF_FWD_UNION : BTF_FWD_STRUCT));
	/* the members' types first: BTF wants a record's members right after it */
	*slot = BUSY;
	int *member_ids = arena_alloc(cv->c->arena, (size_t)(dt->n ? dt->n : 1) * sizeof(*member_ids));
	for (int i = 0; i < dt->n && !cv->failed; i++)
		member_ids[i] = convert(cv, dt->members[i].type);
	if (cv->failed)
		return -1;
	int id = is_union ? btf__add_union(cv->btf, dt->name, (uint32_t)dt->size)
			  : btf__add_struct(cv->btf, dt->name, (uint32_t)dt->size);
	for (int i = 0; i < dt->n && id > 0; i++) {
		const struct dwarf_member *m = &dt->members[i];
		if (btf__add_field(cv->btf, m->name, member_ids[i], (uint32_t)m->bit_offset, (uint32_t)m->bit_size) < 0)
			id = -1;
	}
	return check(cv, id);
}

static int add_array(struct converter *cv, const struct dwarf_type *dt)
{
	int elem = convert(cv, dt->target);
	if (elem <= 0)
		return elem;
	return check(cv, btf__add_array(cv->btf, index_type(cv), elem, (uint32_t)dt->nelems));
}

/* Something BTF has no kind for, by its size: an array of bytes. */
static int add_opaque(struct converter *cv, const struct dwarf_type *dt)
{
	if (!dt->size || dt->size > UINT32_MAX)
		return 0;
	int byte = check(cv, btf__add_int(cv->btf, "unsigned char", 1, BTF_INT_CHAR));
	return byte > 0 ? check(cv, btf__add_array(cv->btf, index_type(cv), byte, (uint32_t)dt->size)) : byte;
}

static int add_type(struct converter *cv, const struct dwarf_type *dt, int *slot)
{
	switch (dt->kind) {
	case DWARF_INT: case DWARF_BOOL:
		return add_int(cv, dt);
	case DWARF_FLOAT:
		return dt->size == 4 || dt->size == 8 || dt->size == 16
			       ? check(cv, btf__add_float(cv->btf, dt->name ? dt->name : "double", (size_t)dt->size))
			       : add_opaque(cv, dt);
	case DWARF_ENUM:
		return add_enum(cv, dt);
	case DWARF_POINTER:
		return add_pointer(cv, dt);
	case DWARF_STRUCT: case DWARF_UNION:
		return add_record(cv, dt, slot);
	case DWARF_ARRAY:
		return add_array(cv, dt);
	case DWARF_TYPEDEF: {
		int target = convert(cv, dt->target);
		return target < 0 || !dt->name ? target : check(cv, btf__add_typedef(cv->btf, dt->name, target));
	}
	case DWARF_CONST: case DWARF_VOLATILE: {
		int target = convert(cv, dt->target);
		if (target < 0)
			return target;
		return check(cv, dt->kind == DWARF_CONST ? btf__add_const(cv->btf, target)
							 : btf__add_volatile(cv->btf, target));
	}
	default:
		return add_opaque(cv, dt);
	}
}

/* The BTF id of dt (0: void), added on first use. */
static int convert(struct converter *cv, const struct dwarf_type *dt)
{
	if (!dt || cv->failed)
		return 0;
	int *slot = id_slot(cv, dt);
	if (*slot == BUSY) {
		cv->failed = true; /* a record containing itself: not C */
		return -1;
	}
	if (*slot)
		return *slot;
	int id = add_type(cv, dt, slot);
	slot = id_slot(cv, dt); /* the table may have grown */
	*slot = id > 0 ? id : 0;
	return id;
}

/* Aim the pending pointers; their targets may add more. */
static void resolve_pending(struct converter *cv)
{
	for (int i = 0; i < cv->npending && !cv->failed; i++) {
		int id = convert(cv, cv->pending[i].target);
		/* libbpf's types stay writable until the BTF is used */
		struct btf_type *ptr = (struct btf_type *)btf__type_by_id(cv->btf, (uint32_t)cv->pending[i].ptr_id);
		if (ptr && id > 0)
			ptr->type = (uint32_t)id;
	}
}

const struct type *dwarf_btf_type(struct compiler *c, struct dwarf_target *t, const struct dwarf_type *dt)
{
	struct btf_types *bt = compiler_script_btf(c);
	if (!dt || !bt)
		return NULL;
	struct converter cv = { .c = c, .t = t, .btf = bt->btf };
	int id = convert(&cv, dt);
	resolve_pending(&cv);
	if (btf_types_end_script(bt) < 0 || cv.failed || id <= 0)
		return NULL;
	return btf_to_type(bt, (uint32_t)id);
}
