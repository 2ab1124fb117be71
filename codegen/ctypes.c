/* The script's C definitions (§1.6) as BTF types: parsed by parser/cdecl,
 * laid out here by the x86-64/arm64 SysV rules, and added to a split BTF
 * over the kernel's, so the rest of the compiler finds them exactly as it
 * finds kernel types (and a script type shadows a kernel one). */
#include "ctypes.h"

#include <bpf/btf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../parser/cdecl.h"
#include "btf.h"
#include "btf_internal.h"

/* What a laid-out type is: its BTF id, size and alignment in bytes. */
struct laid {
	int id;
	int64_t size, align;
};

/* Per record and enum: the BTF id once added, and the layout. */
struct emitted {
	const void *key; /* struct c_record * or struct c_enum * */
	struct laid laid;
	bool busy;       /* its members are being laid out */
};

/* A pointer to a script record, added before the record: patched at the end. */
struct fixup {
	int ptr_id;
	const struct c_type *target;
	const struct c_def *def;
};

struct emitter {
	struct compiler *c;
	struct btf_types *bt;
	struct btf *btf;
	const struct c_defs *defs;
	const struct c_def *def; /* the definition being added */
	struct emitted *done;
	int ndone, cap_done;
	struct fixup *fixups;
	int nfixups, cap_fixups;
	const struct c_def **typedefs; /* added so far, by name */
	int ntypedefs, cap_typedefs;
	bool failed;             /* the current definition failed */
};

#define GROW(arr, n, cap) \
	do { \
		if ((n) == (cap)) { \
			int ncap = (cap) ? (cap) * 2 : 16; \
			void *na = arena_alloc(e->c->arena, (size_t)ncap * sizeof(*(arr))); \
			if (n) \
				memcpy(na, (arr), (size_t)(n) * sizeof(*(arr))); \
			(arr) = na; \
			(cap) = ncap; \
		} \
	} while (0)

static __attribute__((format(printf, 3, 4))) void error(struct emitter *e, const struct src_loc *loc,
							 const char *fmt, ...)
{
	if (!e->failed && !e->def->lenient) {
		char msg[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		diag_error(e->c->diags, loc, "%s", msg);
	}
	e->failed = true;
}

static struct emitted *find_done(struct emitter *e, const void *key)
{
	for (int i = 0; i < e->ndone; i++)
		if (e->done[i].key == key)
			return &e->done[i];
	return NULL;
}

static struct emitted *add_done(struct emitter *e, const void *key)
{
	GROW(e->done, e->ndone, e->cap_done);
	struct emitted *d = &e->done[e->ndone++];
	memset(d, 0, sizeof(*d));
	d->key = key;
	return d;
}

static int64_t round_up(int64_t v, int64_t align)
{
	return align > 1 ? (v + align - 1) / align * align : v;
}

/* A base integer type added once under its C name. */
static struct laid int_type(struct emitter *e, const char *name, int size, int encoding)
{
	int id = 0;
	for (uint32_t i = e->bt->split_start; i < btf__type_cnt(e->btf) && !id; i++) {
		const struct btf_type *t = btf__type_by_id(e->btf, i);
		if (btf_is_int(t) && !strcmp(btf__name_by_offset(e->btf, t->name_off), name))
			id = (int)i;
	}
	if (!id)
		id = btf__add_int(e->btf, name, size, encoding);
	return (struct laid){ id, size, size };
}

/* The fixed-width names of §1.6 that need no BTF. */
static const struct {
	const char *name;
	int size;
	bool is_signed;
} builtin_names[] = {
	{ "u8", 1, false }, { "u16", 2, false }, { "u32", 4, false }, { "u64", 8, false },
	{ "s8", 1, true }, { "s16", 2, true }, { "s32", 4, true }, { "s64", 8, true },
	{ "__u8", 1, false }, { "__u16", 2, false }, { "__u32", 4, false }, { "__u64", 8, false },
	{ "__s8", 1, true }, { "__s16", 2, true }, { "__s32", 4, true }, { "__s64", 8, true },
	{ "uint8_t", 1, false }, { "uint16_t", 2, false }, { "uint32_t", 4, false }, { "uint64_t", 8, false },
	{ "int8_t", 1, true }, { "int16_t", 2, true }, { "int32_t", 4, true }, { "int64_t", 8, true },
	{ "size_t", 8, false }, { "ssize_t", 8, true }, { "uintptr_t", 8, false }, { "intptr_t", 8, true },
	{ "pid_t", 4, true }, { "uid_t", 4, false }, { "gid_t", 4, false },
};

static struct laid base_btf_type(struct emitter *e, int id)
{
	struct laid l = { id, btf__resolve_size(e->btf, (uint32_t)id), btf__align_of(e->btf, (uint32_t)id) };
	if (l.size < 0 || l.align <= 0)
		l.id = -1;
	return l;
}

static struct laid emit_type(struct emitter *e, const struct c_type *t);

static struct laid emit_typedef_def(struct emitter *e, const struct c_def *d)
{
	struct emitted *done = find_done(e, d);
	if (done)
		return done->laid;
	struct laid target = emit_type(e, d->type);
	if (e->failed)
		return target;
	int id = btf__add_typedef(e->btf, d->name, (uint32_t)target.id);
	done = add_done(e, d);
	done->laid = (struct laid){ id, target.size, target.align };
	GROW(e->typedefs, e->ntypedefs, e->cap_typedefs);
	e->typedefs[e->ntypedefs++] = d;
	return done->laid;
}

static struct laid named_type(struct emitter *e, const struct c_type *t)
{
	for (int i = e->ntypedefs - 1; i >= 0; i--)
		if (!strcmp(e->typedefs[i]->name, t->name))
			return emit_typedef_def(e, e->typedefs[i]);
	int id = e->bt->has_kernel ? btf_find_named(e->bt, t->name, BTF_KIND_TYPEDEF) : 0;
	if (id > 0)
		return base_btf_type(e, id);
	for (size_t i = 0; i < sizeof(builtin_names) / sizeof(builtin_names[0]); i++)
		if (!strcmp(builtin_names[i].name, t->name))
			return int_type(e, t->name, builtin_names[i].size, builtin_names[i].is_signed ? BTF_INT_SIGNED : 0);
	if (!strcmp(t->name, "bool"))
		return int_type(e, "_Bool", 1, BTF_INT_BOOL);
	error(e, &t->loc, "Unknown type name '%s'", t->name);
	return (struct laid){ -1, 0, 1 };
}

/* A script record of this tag and kind with a body, if any. */
static struct c_record *script_record(struct emitter *e, const struct c_record *ref)
{
	for (const struct c_def *d = e->defs->first; d; d = d->next)
		if (d->kind == CDEF_RECORD && d->record->tag && d->record->is_union == ref->is_union &&
		    !strcmp(d->record->tag, ref->tag))
			return d->record;
	return NULL;
}

static struct c_enum *script_enum(struct emitter *e, const struct c_enum *ref)
{
	for (const struct c_def *d = e->defs->first; d; d = d->next)
		if (d->kind == CDEF_ENUM && d->enumdef->tag && !strcmp(d->enumdef->tag, ref->tag))
			return d->enumdef;
	return NULL;
}

static const char *record_name(const struct c_record *r)
{
	return r->tag ? r->tag : "(anonymous)";
}

static const char *record_kind(const struct c_record *r)
{
	return r->is_union ? "union" : "struct";
}

/* One member placed: its type, and where it starts. */
struct placed {
	const char *name;
	struct laid type;
	int64_t bit_offset;
	int bits; /* 0: not a bitfield */
};

/* The names a record's members bring into its scope (those of anonymous
 * members included): a duplicate is an error. */
static bool duplicate_member(struct emitter *e, const struct c_record *outer, const struct c_record *r,
			     const char **names, int *n, int cap)
{
	for (const struct c_member *m = r->members; m; m = m->next) {
		if (!m->name) {
			const struct c_record *inner = m->type->kind == C_RECORD ? m->type->record : NULL;
			if (inner && inner->complete && duplicate_member(e, outer, inner, names, n, cap))
				return true;
			continue;
		}
		for (int i = 0; i < *n; i++)
			if (!strcmp(names[i], m->name)) {
				error(e, &m->loc, "duplicate member '%s' in %s %s", m->name, record_kind(outer),
				      record_name(outer));
				return true;
			}
		if (*n < cap)
			names[(*n)++] = m->name;
	}
	return false;
}

static int count_members(const struct c_record *r)
{
	int n = 0;
	for (const struct c_member *m = r->members; m; m = m->next)
		n++;
	return n;
}

/* Member names in the record's scope, those of anonymous members included. */
static int count_names(const struct c_record *r)
{
	int n = 0;
	for (const struct c_member *m = r->members; m; m = m->next)
		n += m->name ? 1 : m->type->kind == C_RECORD && m->type->record->complete ? count_names(m->type->record) : 0;
	return n;
}

/* aligned(N): N a power of two (0: none given) */
static bool power_of_two(struct emitter *e, int64_t n, const struct src_loc *loc)
{
	if (n >= 0 && n <= (1 << 28) && !(n & (n - 1)))
		return true;
	error(e, loc, "requested alignment %lld is not a power of 2 (up to 2^28)", (long long)n);
	return false;
}

/* Lay out a record's members (SysV): each at its alignment; a bitfield in
 * the storage unit of its type unless it would cross one; packed drops
 * alignment; aligned(N) raises it. */
static bool lay_out(struct emitter *e, const struct c_record *r, struct placed *out, int64_t *size,
		    int64_t *align)
{
	int64_t off = 0, max_bits = 0, max_align = 1;
	int k = 0;
	if (!power_of_two(e, r->aligned, &r->loc))
		return false;
	for (const struct c_member *m = r->members; m; m = m->next, k++) {
		struct laid lt = emit_type(e, m->type);
		if (e->failed)
			return false;
		bool flexible = m->type->kind == C_ARRAY && m->type->nelems < 0;
		if (flexible && (m->next || r->is_union)) {
			error(e, &m->loc, "flexible array member '%s' must be the last member of a struct", m->name);
			return false;
		}
		if (lt.size == 0 && !flexible && m->bits < 0) {
			error(e, &m->loc, "member '%s' of %s %s has an incomplete type", m->name ? m->name : "",
			      record_kind(r), record_name(r));
			return false;
		}
		if (!power_of_two(e, m->aligned, &m->loc))
			return false;
		int64_t a = r->packed || m->packed ? 1 : lt.align;
		if (m->aligned > a)
			a = m->aligned;
		out[k] = (struct placed){ m->name, lt, 0, m->bits > 0 ? m->bits : 0 };
		if (m->bits >= 0) {
			if (m->type->kind != C_INT && m->type->kind != C_BOOL && m->type->kind != C_ENUM &&
			    m->type->kind != C_NAMED) {
				error(e, &m->loc, "bitfield '%s' must have an integer type", m->name ? m->name : "");
				return false;
			}
			if (m->bits > lt.size * 8) {
				error(e, &m->loc, "width of bitfield '%s' (%d bits) exceeds the width of its type (%lld bits)",
				      m->name ? m->name : "", m->bits, (long long)lt.size * 8);
				return false;
			}
			int64_t unit = lt.size * 8;
			int64_t at = r->is_union ? 0 : off;
			if (m->bits == 0)
				at = round_up(at, lt.align * 8);
			else if (!r->packed && !m->packed && at / unit != (at + m->bits - 1) / unit)
				at = round_up(at, unit);
			out[k].bit_offset = at;
			if (!r->is_union)
				off = at + m->bits;
			if (at + m->bits > max_bits)
				max_bits = at + m->bits;
			if (m->name && a > max_align) /* unnamed bitfields do not align the record */
				max_align = a;
			continue;
		}
		int64_t at = r->is_union ? 0 : round_up((off + 7) / 8, a) * 8;
		out[k].bit_offset = at;
		if (!r->is_union)
			off = at + lt.size * 8;
		if (at + lt.size * 8 > max_bits)
			max_bits = at + lt.size * 8;
		if (a > max_align)
			max_align = a;
	}
	if (r->aligned > max_align)
		max_align = r->aligned;
	if (max_bits / 8 > (int64_t)UINT32_MAX / 2) {
		error(e, &r->loc, "%s %s is too large", record_kind(r), record_name(r));
		return false;
	}
	*align = max_align;
	*size = round_up((max_bits + 7) / 8, max_align);
	return true;
}

static struct laid emit_record(struct emitter *e, struct c_record *r, const struct src_loc *use)
{
	struct emitted *done = find_done(e, r);
	if (done && done->busy) {
		error(e, use, "recursive definition: %s %s contains itself", record_kind(r), record_name(r));
		return (struct laid){ -1, 0, 1 };
	}
	if (done)
		return done->laid;
	int n = count_members(r);
	int cap = count_names(r) + 1;
	const char **names = arena_alloc(e->c->arena, (size_t)cap * sizeof(*names));
	int nnames = 0;
	if (duplicate_member(e, r, r, names, &nnames, cap))
		return (struct laid){ -1, 0, 1 };
	done = add_done(e, r);
	done->busy = true;
	struct placed *placed = arena_alloc(e->c->arena, (size_t)(n ? n : 1) * sizeof(*placed));
	int64_t size = 0, align = 1;
	bool ok = lay_out(e, r, placed, &size, &align);
	done = find_done(e, r); /* the table may have moved */
	done->busy = false;
	if (!ok) {
		done->key = NULL;
		return (struct laid){ -1, 0, 1 };
	}
	int id = r->is_union ? btf__add_union(e->btf, r->tag, (uint32_t)size)
			     : btf__add_struct(e->btf, r->tag, (uint32_t)size);
	for (int k = 0; k < n && id > 0; k++) {
		if (placed[k].bits == 0 && !placed[k].name && placed[k].type.size == 0)
			continue; /* `int : 0` only moves the next member */
		if (btf__add_field(e->btf, placed[k].name, (uint32_t)placed[k].type.id, (uint32_t)placed[k].bit_offset,
				   (uint32_t)placed[k].bits) < 0)
			id = -1;
	}
	if (id <= 0) {
		error(e, &r->loc, "cannot add %s %s to the type table", record_kind(r), record_name(r));
		return (struct laid){ -1, 0, 1 };
	}
	done->laid = (struct laid){ id, size, align };
	return done->laid;
}

static struct laid emit_enum(struct emitter *e, const struct c_enum *en)
{
	struct emitted *done = find_done(e, en);
	if (done)
		return done->laid;
	int id = en->size == 8 ? btf__add_enum64(e->btf, en->tag, 8, en->is_signed)
			       : btf__add_enum(e->btf, en->tag, (uint32_t)en->size);
	for (const struct c_enumerator *it = en->items; it && id > 0; it = it->next)
		if ((en->size == 8 ? btf__add_enum64_value(e->btf, it->name, (uint64_t)it->value)
				   : btf__add_enum_value(e->btf, it->name, it->value)) < 0)
			id = -1;
	if (id <= 0) {
		error(e, &en->loc, "cannot add enum %s to the type table", en->tag ? en->tag : "(anonymous)");
		return (struct laid){ -1, 0, 1 };
	}
	done = add_done(e, en);
	done->laid = (struct laid){ id, en->size, en->size };
	return done->laid;
}

/* struct/union NAME used by value: the script's definition, else BTF's. */
static struct laid record_ref(struct emitter *e, const struct c_type *t)
{
	struct c_record *r = t->record;
	if (!r->complete && r->tag)
		r = script_record(e, r) ? script_record(e, r) : r;
	if (r->complete)
		return emit_record(e, r, &t->loc);
	int id = e->bt->has_kernel ? btf_find_named(e->bt, r->tag, r->is_union ? BTF_KIND_UNION : BTF_KIND_STRUCT) : 0;
	if (id > 0)
		return base_btf_type(e, id);
	error(e, &t->loc, "Unknown struct/union: '%s %s'", record_kind(r), r->tag);
	return (struct laid){ -1, 0, 1 };
}

static struct laid enum_ref(struct emitter *e, const struct c_type *t)
{
	const struct c_enum *en = t->enumdef;
	if (!en->complete && en->tag && script_enum(e, en))
		en = script_enum(e, en);
	if (en->complete)
		return emit_enum(e, en);
	int id = e->bt->has_kernel ? btf_find_named(e->bt, en->tag, BTF_KIND_ENUM) : 0;
	if (id <= 0 && e->bt->has_kernel)
		id = btf_find_named(e->bt, en->tag, BTF_KIND_ENUM64);
	if (id > 0)
		return base_btf_type(e, id);
	error(e, &t->loc, "Unknown enum: 'enum %s'", en->tag);
	return (struct laid){ -1, 0, 1 };
}

static struct laid pointer_to(struct emitter *e, const struct c_type *target)
{
	int ptr;
	if (target->kind == C_RECORD) {
		/* the record may be the one being laid out: point at it later */
		ptr = btf__add_ptr(e->btf, 0);
		GROW(e->fixups, e->nfixups, e->cap_fixups);
		e->fixups[e->nfixups++] = (struct fixup){ ptr, target, e->def };
	} else if (target->kind == C_FUNC || target->kind == C_VOID) {
		ptr = btf__add_ptr(e->btf, 0);
	} else {
		struct laid l = emit_type(e, target);
		if (e->failed)
			return l;
		ptr = btf__add_ptr(e->btf, (uint32_t)l.id);
	}
	return (struct laid){ ptr, 8, 8 };
}

static struct laid emit_type(struct emitter *e, const struct c_type *t)
{
	switch (t->kind) {
	case C_VOID:
		return (struct laid){ 0, 0, 1 };
	case C_INT:
		return int_type(e, t->name, t->size, t->is_signed ? BTF_INT_SIGNED : 0);
	case C_BOOL:
		return int_type(e, "_Bool", 1, BTF_INT_BOOL);
	case C_FLOAT: {
		const char *name = t->size == 4 ? "float" : t->size == 8 ? "double" : "long double";
		return (struct laid){ btf__add_float(e->btf, name, (size_t)t->size), t->size, t->size };
	}
	case C_NAMED:
		return named_type(e, t);
	case C_RECORD:
		return record_ref(e, t);
	case C_ENUM:
		return enum_ref(e, t);
	case C_POINTER:
		return pointer_to(e, t->target);
	case C_ARRAY: {
		struct laid elem = emit_type(e, t->target);
		if (e->failed)
			return elem;
		if (elem.size == 0) {
			error(e, &t->loc, "array of an incomplete type");
			return (struct laid){ -1, 0, 1 };
		}
		struct laid index = int_type(e, "unsigned int", 4, 0);
		int64_t n = t->nelems < 0 ? 0 : t->nelems;
		if (n > (int64_t)(UINT32_MAX / (uint64_t)elem.size)) {
			error(e, &t->loc, "array of %lld elements of %lld bytes is too large", (long long)n,
			      (long long)elem.size);
			return (struct laid){ -1, 0, 1 };
		}
		int id = btf__add_array(e->btf, (uint32_t)index.id, (uint32_t)elem.id, (uint32_t)n);
		return (struct laid){ id, n * elem.size, elem.align };
	}
	case C_FUNC:
		error(e, &t->loc, "a function type can only be used through a pointer");
		return (struct laid){ -1, 0, 1 };
	}
	return (struct laid){ -1, 0, 1 };
}

/* Point the placeholder pointers at their records. */
static void apply_fixups(struct emitter *e)
{
	for (int i = 0; i < e->nfixups; i++) {
		const struct c_type *t = e->fixups[i].target;
		e->def = e->fixups[i].def;
		e->failed = false;
		struct c_record *r = t->record;
		int id = 0;
		if (!r->complete && r->tag && script_record(e, r))
			r = script_record(e, r);
		if (r->complete) {
			struct laid l = emit_record(e, r, &t->loc);
			id = l.id > 0 ? l.id : 0;
		} else if (r->tag) {
			int kind = r->is_union ? BTF_KIND_UNION : BTF_KIND_STRUCT;
			id = e->bt->has_kernel ? btf_find_named(e->bt, r->tag, kind) : 0;
			if (id <= 0) /* a pointer to an unknown struct: a forward declaration */
				id = btf__add_fwd(e->btf, r->tag, r->is_union ? BTF_FWD_UNION : BTF_FWD_STRUCT);
		}
		/* libbpf's types stay writable until the BTF is used */
		struct btf_type *ptr = (struct btf_type *)btf__type_by_id(e->btf, (uint32_t)e->fixups[i].ptr_id);
		if (ptr && id > 0)
			ptr->type = (uint32_t)id;
	}
}

static void emit_def(struct emitter *e, const struct c_def *d)
{
	e->def = d;
	e->failed = false;
	switch (d->kind) {
	case CDEF_RECORD:
		emit_record(e, d->record, &d->loc);
		break;
	case CDEF_ENUM:
		emit_enum(e, d->enumdef);
		break;
	case CDEF_TYPEDEF:
		emit_typedef_def(e, d);
		break;
	}
}

/* Parse every C text of the program: the script's own strictly, headers
 * leniently. */
static int parse_all(struct compiler *c, struct c_defs *defs)
{
	int errors = 0;
	for (const struct c_header *h = c->ast->headers; h; h = h->next)
		cdecl_parse(c->arena, c->diags, h->text, NULL, false, defs);
	for (const struct preamble_item *it = c->ast->preamble; it; it = it->next) {
		if (strcmp(it->what, "C definitions"))
			continue;
		if (it->late) {
			diag_error(c->diags, &it->loc, "C definitions must appear before probes and functions");
			errors++;
			continue;
		}
		errors += cdecl_parse(c->arena, c->diags, it->text, &it->loc, true, defs);
	}
	return errors;
}

int ctypes_define(struct compiler *c)
{
	struct c_defs defs;
	c_defs_init(&defs);
	if (parse_all(c, &defs))
		return -1;
	if (!defs.first)
		return 0;
	struct btf_types *bt = compiler_script_btf(c);
	if (!bt) {
		diag_error(c->diags, NULL, "cannot create the type table for the script's C definitions");
		return -1;
	}
	struct emitter e = { .c = c, .bt = bt, .btf = bt->btf, .defs = &defs };
	int errors = c->diags->errors;
	for (const struct c_def *d = defs.first; d; d = d->next)
		emit_def(&e, d);
	apply_fixups(&e);
	if (btf_types_end_script(bt) < 0) {
		diag_error(c->diags, NULL, "out of memory adding the script's C definitions");
		return -1;
	}
	return c->diags->errors > errors ? -1 : 0;
}
