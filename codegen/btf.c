/* Kernel types from BTF, through libbpf's BTF API. */
#include "btf.h"
#include "btf_internal.h"

#include <bpf/btf.h>
#include "../common/suggest.h"
#include "../probes/probe.h"
#include <stdlib.h>
#include <string.h>

static struct btf_types *wrap(struct arena *a, struct btf *btf, bool kernel)
{
	struct btf_types *bt = arena_alloc(a, sizeof(*bt));
	bt->arena = a;
	bt->btf = btf;
	bt->has_kernel = kernel;
	bt->nids = btf__type_cnt(btf);
	bt->split_start = bt->nids;
	bt->by_id = calloc(bt->nids, sizeof(*bt->by_id));
	if (!bt->by_id) {
		btf__free(btf);
		return NULL;
	}
	return bt;
}

struct btf_types *btf_types_load(struct arena *a)
{
	const char *path = btf_path();
	struct btf *btf = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	return btf ? wrap(a, btf, true) : NULL;
}

struct btf_types *btf_types_empty(struct arena *a)
{
	struct btf *btf = btf__new_empty();
	return btf ? wrap(a, btf, false) : NULL;
}

int btf_types_begin_script(struct btf_types *bt)
{
	if (bt->base)
		return 0;
	struct btf *split = btf__new_empty_split(bt->btf);
	if (!split)
		return -1;
	bt->base = bt->btf;
	bt->btf = split;
	return 0;
}

int btf_types_end_script(struct btf_types *bt)
{
	uint32_t n = btf__type_cnt(bt->btf);
	const struct type **by_id = realloc(bt->by_id, n * sizeof(*by_id));
	if (!by_id)
		return -1;
	memset(by_id + bt->nids, 0, (n - bt->nids) * sizeof(*by_id));
	bt->by_id = by_id;
	bt->nids = n;
	return 0;
}

bool btf_types_kernel(const struct btf_types *bt)
{
	return bt && bt->has_kernel;
}

void btf_types_free(struct btf_types *bt)
{
	if (!bt)
		return;
	btf__free(bt->btf);
	btf__free(bt->base);
	free(bt->by_id);
}

/* Skip typedefs and const/volatile/restrict/type tags. */
static uint32_t resolve(const struct btf *btf, uint32_t id)
{
	for (int guard = 0; guard < 64; guard++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF: case BTF_KIND_CONST: case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
			id = t->type;
			continue;
		default:
			return id;
		}
	}
	return 0;
}

static const struct type *make_struct(struct btf_types *bt, uint32_t id, const struct btf_type *t)
{
	struct type *st = arena_alloc(bt->arena, sizeof(*st));
	const char *name = btf__name_by_offset(bt->btf, t->name_off);
	st->kind = TY_STRUCT;
	st->btf_id = (int)id;
	st->size = t->size;
	st->name = arena_printf(bt->arena, "%s %s", btf_is_union(t) ? "union" : "struct",
				name && *name ? name : "(anonymous)");
	return st;
}

/* The enumerators of an enum, copied: BTF is freed after compiling. */
static const struct enum_names *enum_names(struct btf_types *bt, const struct btf_type *t)
{
	struct enum_names *en = arena_alloc(bt->arena, sizeof(*en));
	int n = btf_vlen(t);
	en->names = arena_alloc(bt->arena, (size_t)(n ? n : 1) * sizeof(*en->names));
	en->values = arena_alloc(bt->arena, (size_t)(n ? n : 1) * sizeof(*en->values));
	for (int i = 0; i < n; i++) {
		uint32_t name_off;
		if (btf_is_enum64(t)) {
			name_off = btf_enum64(t)[i].name_off;
			en->values[i] = (int64_t)btf_enum64_value(&btf_enum64(t)[i]);
		} else {
			name_off = btf_enum(t)[i].name_off;
			en->values[i] = btf_kflag(t) ? btf_enum(t)[i].val : (int64_t)(uint32_t)btf_enum(t)[i].val;
		}
		en->names[i] = arena_strdup(bt->arena, btf__name_by_offset(bt->btf, name_off));
	}
	en->n = n;
	return en;
}

const struct type *btf_to_type(struct btf_types *bt, uint32_t id)
{
	id = resolve(bt->btf, id);
	if (!id || id >= bt->nids)
		return NULL;
	if (bt->by_id[id])
		return bt->by_id[id];
	const struct btf_type *t = btf__type_by_id(bt->btf, id);
	const struct type *out = NULL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		int bits = t->size * 8;
		bool sign = btf_int_encoding(t) & BTF_INT_SIGNED;
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			out = &type_bool;
		else if (bits == 8 || bits == 16 || bits == 32 || bits == 64)
			out = type_int(bits, sign);
		break;
	}
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		out = type_enum(bt->arena,
				type_int(t->size == 8 ? 64 : t->size == 2 ? 16 : t->size == 1 ? 8 : 32, btf_kflag(t)),
				enum_names(bt, t));
		break;
	case BTF_KIND_PTR: {
		/* pointers to structs stay typed; others point to bytes */
		uint32_t target = resolve(bt->btf, t->type);
		const struct btf_type *tt = target ? btf__type_by_id(bt->btf, target) : NULL;
		const struct type *pointee = NULL;
		if (tt && (btf_is_struct(tt) || btf_is_union(tt)))
			pointee = btf_to_type(bt, target);
		else if (tt && btf_is_int(tt))
			pointee = btf_to_type(bt, target);
		out = type_pointer(bt->arena, pointee);
		break;
	}
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		out = make_struct(bt, id, t);
		break;
	case BTF_KIND_ARRAY: {
		/* char arrays are strings; other arrays are values of their
		 * elements (structs as struct values) */
		const struct btf_array *arr = btf_array(t);
		uint32_t elem = resolve(bt->btf, arr->type);
		const struct btf_type *et = elem ? btf__type_by_id(bt->btf, elem) : NULL;
		if (!et || arr->nelems == 0)
			break;
		if (btf_is_int(et) && et->size == 1 &&
		    ((btf_int_encoding(et) & (BTF_INT_SIGNED | BTF_INT_CHAR)) ||
		     !strcmp(btf__name_by_offset(bt->btf, et->name_off), "char"))) {
			out = type_string(bt->arena, arr->nelems);
			break;
		}
		const struct type *e = btf_to_type(bt, elem);
		if (e && e->kind == TY_STRUCT)
			e = btf_struct_value(bt, e);
		if (e)
			out = type_array(bt->arena, e, arr->nelems);
		break;
	}
	default:
		break;
	}
	bt->by_id[id] = out;
	return out;
}

int btf_find_named(const struct btf_types *bt, const char *name, int kind)
{
	/* script definitions (the split part) shadow the kernel's */
	for (uint32_t id = bt->split_start; id < btf__type_cnt(bt->btf); id++) {
		const struct btf_type *t = btf__type_by_id(bt->btf, id);
		if ((int)btf_kind(t) == kind && !strcmp(btf__name_by_offset(bt->btf, t->name_off), name))
			return (int)id;
	}
	return btf__find_by_name_kind(bt->base ? bt->base : bt->btf, name, (uint32_t)kind);
}

/* The BTF kind and bare name of "struct x", "union x", "enum x" or "x". */
static int split_name(const char **name)
{
	static const struct {
		const char *prefix;
		int kind;
	} prefixes[] = { { "struct ", BTF_KIND_STRUCT }, { "union ", BTF_KIND_UNION }, { "enum ", BTF_KIND_ENUM } };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(*name, prefixes[i].prefix, strlen(prefixes[i].prefix))) {
			*name += strlen(prefixes[i].prefix);
			return prefixes[i].kind;
		}
	return BTF_KIND_TYPEDEF;
}

const struct type *btf_named_type(struct btf_types *bt, const char *name)
{
	int kind = split_name(&name);
	int id = btf_find_named(bt, name, kind);
	if (id <= 0 && kind == BTF_KIND_ENUM)
		id = btf_find_named(bt, name, BTF_KIND_ENUM64);
	return id > 0 ? btf_to_type(bt, (uint32_t)id) : NULL;
}

static bool find_member(struct btf_types *bt, uint32_t struct_id, const char *name, uint32_t base_bits,
			struct btf_member_ref *out)
{
	const struct btf_type *t = btf__type_by_id(bt->btf, struct_id);
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(bt->btf, m->name_off);
		uint32_t off = base_bits + btf_member_bit_offset(t, (uint32_t)i);
		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			uint32_t mid = resolve(bt->btf, m->type);
			const struct btf_type *mt = btf__type_by_id(bt->btf, mid);
			out->type = btf_to_type(bt, m->type);
			out->bit_offset = off;
			out->bitfield_bits = btf_member_bitfield_size(t, (uint32_t)i);
			out->byte_size = mt && (btf_is_int(mt) || btf_is_enum(mt) || btf_is_ptr(mt) || btf_is_enum64(mt))
						 ? (btf_is_ptr(mt) ? 8 : mt->size)
						 : 0;
			return true;
		}
		/* anonymous struct/union: its members belong to the outer one */
		uint32_t mid = resolve(bt->btf, m->type);
		const struct btf_type *mt = btf__type_by_id(bt->btf, mid);
		if (mt && (btf_is_struct(mt) || btf_is_union(mt)) && find_member(bt, mid, name, off, out))
			return true;
	}
	return false;
}

/* A struct value's fields: its members (those of anonymous members
 * flattened) that have a value type; a bitfield at the byte where it starts. */
struct value_fields {
	const struct type **types;
	const char **names;
	size_t *offsets;
	int n, cap;
};

static void collect_fields(struct btf_types *bt, uint32_t id, size_t base, struct value_fields *v)
{
	const struct btf_type *t = btf__type_by_id(bt->btf, id);
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(bt->btf, m->name_off);
		size_t off = base + btf_member_bit_offset(t, (uint32_t)i) / 8;
		uint32_t mid = resolve(bt->btf, m->type);
		const struct btf_type *mt = mid ? btf__type_by_id(bt->btf, mid) : NULL;
		uint32_t bits = btf_member_bitfield_size(t, (uint32_t)i);
		uint32_t bit_off = btf_member_bit_offset(t, (uint32_t)i);
		if (!mt || (bits && bit_off % 8 + bits > 64))
			continue;
		if (!(name && *name)) {
			if (btf_is_struct(mt) || btf_is_union(mt))
				collect_fields(bt, mid, off, v);
			continue;
		}
		const struct type *ft = btf_to_type(bt, mid);
		if (ft && ft->kind == TY_STRUCT)
			ft = btf_struct_value(bt, ft);
		if (!ft || (bits && ft->kind != TY_INT))
			continue;
		if (bits)
			ft = type_bitfield(bt->arena, ft, (int)(bit_off % 8), (int)bits);
		if (v->n == v->cap) {
			int cap = v->cap ? v->cap * 2 : 16;
			const struct type **types = arena_alloc(bt->arena, (size_t)cap * sizeof(*types));
			const char **names = arena_alloc(bt->arena, (size_t)cap * sizeof(*names));
			size_t *offsets = arena_alloc(bt->arena, (size_t)cap * sizeof(*offsets));
			if (v->n) {
				memcpy(types, v->types, (size_t)v->n * sizeof(*types));
				memcpy(names, v->names, (size_t)v->n * sizeof(*names));
				memcpy(offsets, v->offsets, (size_t)v->n * sizeof(*offsets));
			}
			v->types = types;
			v->names = names;
			v->offsets = offsets;
			v->cap = cap;
		}
		v->types[v->n] = ft;
		v->names[v->n] = arena_strdup(bt->arena, name); /* BTF is freed after compiling */
		v->offsets[v->n] = off;
		v->n++;
	}
}

const struct type *btf_struct_value(struct btf_types *bt, const struct type *st)
{
	struct value_fields v = { 0 };
	collect_fields(bt, (uint32_t)st->btf_id, 0, &v);
	int align = btf__align_of(bt->btf, (uint32_t)st->btf_id);
	return type_struct_value(bt->arena, st->name, v.n, v.types, v.names, v.offsets, st->size,
				 align > 0 ? (size_t)align : 1);
}

bool btf_find_member(struct btf_types *bt, const struct type *st, const char *name, struct btf_member_ref *out)
{
	memset(out, 0, sizeof(*out));
	return st->kind == TY_STRUCT && find_member(bt, (uint32_t)st->btf_id, name, 0, out);
}

static bool enum_in(const struct btf *btf, uint32_t id, const char *name, int64_t *value)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
				*value = btf_kflag(t) ? e->val : (int64_t)(uint32_t)e->val;
				return true;
			}
	} else if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
				*value = (int64_t)btf_enum64_value(e);
				return true;
			}
	}
	return false;
}

bool btf_enum_value(struct btf_types *bt, const char *name, int64_t *value)
{
	/* the script's enumerators first: they shadow the kernel's */
	for (uint32_t id = bt->split_start; id < bt->nids; id++)
		if (enum_in(bt->btf, id, name, value))
			return true;
	for (uint32_t id = 1; id < bt->split_start; id++)
		if (enum_in(bt->btf, id, name, value))
			return true;
	return false;
}

bool btf_has_function(struct btf_types *bt, const char *name)
{
	return btf_function_id(bt, name) > 0;
}

int btf_function_id(struct btf_types *bt, const char *name)
{
	int id = bt->has_kernel ? btf__find_by_name_kind(bt->btf, name, BTF_KIND_FUNC) : 0;
	return id > 0 ? id : 0;
}

bool btf_struct_begins_with(struct btf_types *bt, const struct type *st, const char *inner)
{
	uint32_t id = (uint32_t)st->btf_id;
	for (int depth = 0; depth < 16 && id; depth++) {
		const struct btf_type *t = btf__type_by_id(bt->btf, id);
		if (!t || !btf_is_composite(t))
			return false;
		if (!strcmp(btf__name_by_offset(bt->btf, t->name_off), inner))
			return true;
		if (!btf_vlen(t) || btf_member_bit_offset(t, 0))
			return false;
		id = resolve(bt->btf, btf_members(t)->type);
	}
	return false;
}

static void offer_members(struct btf_types *bt, uint32_t id, struct suggestion *sg)
{
	const struct btf_type *t = btf__type_by_id(bt->btf, id);
	const struct btf_member *m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(bt->btf, m->name_off);
		uint32_t mid = resolve(bt->btf, m->type);
		const struct btf_type *mt = mid ? btf__type_by_id(bt->btf, mid) : NULL;
		if (name && *name)
			suggestion_offer(sg, name);
		else if (mt && (btf_is_struct(mt) || btf_is_union(mt)))
			offer_members(bt, mid, sg);
	}
}

const char *btf_member_suggestion(struct btf_types *bt, const struct type *st, const char *name)
{
	struct suggestion sg;
	suggestion_init(&sg, name);
	offer_members(bt, (uint32_t)st->btf_id, &sg);
	return sg.found ? arena_strdup(bt->arena, sg.found) : NULL;
}
