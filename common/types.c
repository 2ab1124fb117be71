#include "types.h"

#include <stdio.h>
#include <string.h>

#define INT_TYPE(b, s) { .kind = TY_INT, .bits = b, .is_signed = s, .size = 8 }
const struct type type_none = { .kind = TY_NONE };
const struct type type_void = { .kind = TY_VOID };
const struct type type_bool = { .kind = TY_BOOL, .size = 8 };
const struct type type_probe = { .kind = TY_PROBE, .size = 8 };
const struct type type_u8 = INT_TYPE(8, false), type_u16 = INT_TYPE(16, false),
		  type_u32 = INT_TYPE(32, false), type_u64 = INT_TYPE(64, false);
const struct type type_i8 = INT_TYPE(8, true), type_i16 = INT_TYPE(16, true),
		  type_i32 = INT_TYPE(32, true), type_i64 = INT_TYPE(64, true);

const struct type *type_int(int bits, bool is_signed)
{
	switch (bits) {
	case 8: return is_signed ? &type_i8 : &type_u8;
	case 16: return is_signed ? &type_i16 : &type_u16;
	case 32: return is_signed ? &type_i32 : &type_u32;
	default: return is_signed ? &type_i64 : &type_u64;
	}
}

const struct type *type_string(struct arena *a, size_t capacity)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_STRING;
	t->size = capacity;
	return t;
}

static size_t align_up(size_t n, size_t align)
{
	return (n + align - 1) / align * align;
}

/* C struct layout: each field at its natural alignment, the size rounded
 * up to the largest one. */
const struct type *type_tuple(struct arena *a, int n, const struct type **fields, const char **names)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_TUPLE;
	t->nfields = n;
	t->fields = arena_alloc(a, sizeof(*t->fields) * (size_t)(n ? n : 1));
	t->offsets = arena_alloc(a, sizeof(*t->offsets) * (size_t)(n ? n : 1));
	if (names) {
		t->names = arena_alloc(a, sizeof(*t->names) * (size_t)n);
		memcpy(t->names, names, sizeof(*names) * (size_t)n);
	}
	size_t off = 0, align = 1;
	for (int i = 0; i < n; i++) {
		size_t fa = type_align(fields[i]);
		t->fields[i] = fields[i];
		off = align_up(off, fa);
		t->offsets[i] = off;
		off += type_field_size(fields[i]);
		if (fa > align)
			align = fa;
	}
	t->align = align;
	t->size = align_up(off, align);
	return t;
}

const struct type *type_enum(struct arena *a, const struct type *base, const struct enum_names *enums)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	*t = *base;
	t->enums = enums;
	return t;
}

const struct type *type_bitfield(struct arena *a, const struct type *base, int shift, int width)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	*t = *base;
	t->bit_shift = shift;
	t->bit_width = width;
	return t;
}

const char *type_enum_name(const struct type *t, int64_t v)
{
	for (int i = 0; t->enums && i < t->enums->n; i++)
		if (t->enums->values[i] == v)
			return t->enums->names[i];
	return NULL;
}

const struct type *type_array(struct arena *a, const struct type *elem, size_t nelems)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_ARRAY;
	t->pointee = elem;
	t->nelems = nelems;
	t->size = nelems * type_field_size(elem);
	t->align = type_align(elem);
	return t;
}

bool type_is_byte_array(const struct type *t)
{
	return t->kind == TY_ARRAY && t->pointee && t->pointee->kind == TY_INT && t->pointee->bits == 8;
}

const struct type *type_struct_value(struct arena *a, const char *name, int n, const struct type **fields,
				     const char **names, const size_t *offsets, size_t size, size_t align)
{
	struct type *t = (struct type *)type_tuple(a, n, fields, names);
	memcpy(t->offsets, offsets, sizeof(*offsets) * (size_t)n);
	t->size = size;
	t->align = align;
	t->name = name;
	return t;
}

const struct type *type_pointer(struct arena *a, const struct type *pointee)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_POINTER;
	t->pointee = pointee;
	t->size = 8;
	return t;
}

const struct type *type_aggregate(struct arena *a, enum type_kind kind, bool is_signed)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = kind;
	t->is_signed = is_signed;
	t->size = (kind == TY_COUNT || kind == TY_SUM || kind == TY_HIST || kind == TY_LHIST) ? 8 : 16;
	if (kind == TY_TSERIES)
		t->size = 32;
	return t;
}

const struct type *type_stack(struct arena *a, bool user, enum stack_mode mode, int limit)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = user ? TY_USTACK : TY_KSTACK;
	t->size = user ? 16 : 8;
	t->stack_mode = mode;
	t->stack_limit = limit;
	return t;
}

const struct type *type_symbol(struct arena *a, bool user)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = user ? TY_USYM : TY_KSYM;
	t->size = user ? 16 : 8;
	return t;
}

const struct type *type_inet(struct arena *a)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_INET;
	t->size = 24;
	return t;
}

const struct type *type_name_of(struct arena *a, enum name_kind kind)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_NAME;
	t->size = 8;
	t->name_kind = kind;
	return t;
}

const struct type *type_buffer(struct arena *a, size_t capacity)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_BUF;
	t->size = 8 + ((capacity + 7) & ~(size_t)7);
	t->capacity = capacity;
	return t;
}

size_t type_buffer_capacity(const struct type *t)
{
	return t->capacity;
}

const struct type *type_timestamp(struct arena *a, const char *fmt)
{
	struct type *t = arena_alloc(a, sizeof(*t));
	t->kind = TY_TIMESTAMP;
	t->size = 8;
	t->time_fmt = fmt;
	return t;
}

bool type_is_aggregate(const struct type *t)
{
	return t->kind >= TY_COUNT && t->kind <= TY_TSERIES;
}

bool type_has_bucket_key(const struct type *t)
{
	return t->kind == TY_HIST || t->kind == TY_LHIST || t->kind == TY_TSERIES;
}

size_t type_bucket_count(const struct type *vt)
{
	if (vt->kind == TY_HIST) {
		int k = vt->hist_bits < 0 || vt->hist_bits > 5 ? 0 : vt->hist_bits;
		/* n up to 2^64-1: p = 63, l = 63-k, x = 2^k-1 */
		return ((size_t)(65 - k) << k) + 1;
	}
	if (vt->kind == TY_LHIST && vt->lh_step > 0 && vt->lh_max >= vt->lh_min)
		return 2 + (size_t)((vt->lh_max - vt->lh_min) / vt->lh_step);
	return 0;
}

bool type_is_integer_like(const struct type *t)
{
	return t->kind == TY_INT || t->kind == TY_BOOL || t->kind == TY_POINTER;
}

bool type_equal(const struct type *a, const struct type *b)
{
	if (a == b)
		return true;
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TY_INT:
		return a->bits == b->bits && a->is_signed == b->is_signed && a->bit_shift == b->bit_shift &&
		       a->bit_width == b->bit_width;
	case TY_STRING:
		return a->size == b->size;
	case TY_TUPLE:
		if (a->nfields != b->nfields || (a->name == NULL) != (b->name == NULL) ||
		    (a->name && strcmp(a->name, b->name)))
			return false;
		for (int i = 0; i < a->nfields; i++) {
			if (!type_equal(a->fields[i], b->fields[i]))
				return false;
			if ((a->names == NULL) != (b->names == NULL) ||
			    (a->names && strcmp(a->names[i], b->names[i])))
				return false;
		}
		return true;
	case TY_POINTER:
		return !a->pointee || !b->pointee || type_equal(a->pointee, b->pointee);
	case TY_HIST:
		return a->hist_bits == b->hist_bits;
	case TY_LHIST:
		return a->lh_min == b->lh_min && a->lh_max == b->lh_max && a->lh_step == b->lh_step;
	case TY_TSERIES:
		return a->ts_interval_ns == b->ts_interval_ns && a->ts_intervals == b->ts_intervals &&
		       a->ts_agg == b->ts_agg;
	case TY_KSTACK: case TY_USTACK:
		return a->stack_mode == b->stack_mode && a->stack_limit == b->stack_limit;
	case TY_TIMESTAMP:
		return !strcmp(a->time_fmt, b->time_fmt);
	case TY_STRUCT:
		return a->btf_id == b->btf_id;
	case TY_NAME:
		return a->name_kind == b->name_kind;
	case TY_BUF:
		return a->capacity == b->capacity;
	case TY_ARRAY:
		return a->nelems == b->nelems && type_equal(a->pointee, b->pointee);
	default:
		return true;
	}
}

size_t type_storage_size(const struct type *t)
{
	return t->size;
}

size_t type_field_size(const struct type *t)
{
	switch (t->kind) {
	case TY_INT: return (size_t)t->bits / 8;
	case TY_BOOL: return 1;
	default: return t->size;
	}
}

size_t type_align(const struct type *t)
{
	switch (t->kind) {
	case TY_INT: return (size_t)t->bits / 8;
	case TY_BOOL: case TY_STRING: return 1;
	case TY_TUPLE: case TY_ARRAY: return t->align;
	default: return 8; /* pointers, and the values made of u64 words */
	}
}

static void append_name(char *buf, size_t len, const struct type *t)
{
	size_t used = strlen(buf);
	char *p = buf + used;
	size_t left = len - used;
	static const char *const agg[] = { "count_t", "sum_t", "min_t", "max_t", "avg_t",
					   "stats_t", "hist_t", "lhist_t", "tseries_t" };
	switch (t->kind) {
	case TY_NONE: snprintf(p, left, "none"); break;
	case TY_VOID: snprintf(p, left, "void"); break;
	case TY_BOOL: snprintf(p, left, "bool"); break;
	case TY_PROBE: snprintf(p, left, "probe"); break;
	case TY_KSTACK: snprintf(p, left, "kstack"); break;
	case TY_USTACK: snprintf(p, left, "ustack"); break;
	case TY_KSYM: snprintf(p, left, "ksym_t"); break;
	case TY_USYM: snprintf(p, left, "usym_t"); break;
	case TY_TIMESTAMP: snprintf(p, left, "timestamp"); break;
	case TY_STRUCT: snprintf(p, left, "%s", t->name); break;
	case TY_INET: snprintf(p, left, "inet"); break;
	case TY_NAME: {
		static const char *const names[] = { [NAME_ERRNO] = "strerror_t", [NAME_SIGNAL] = "signame_t",
						     [NAME_SYSCALL] = "syscall_t", [NAME_USER] = "username_t",
						     [NAME_CGROUP] = "cgroup_path_t", [NAME_MAC] = "macaddr_t",
						     [NAME_FUNC] = "func_t" };
		snprintf(p, left, "%s", names[t->name_kind]);
		break;
	}
	case TY_INT: snprintf(p, left, "%sint%d", t->is_signed ? "" : "u", t->bits); break;
	case TY_BUF: snprintf(p, left, "buffer[%zu]", type_buffer_capacity(t)); break;
	case TY_ARRAY: {
		append_name(buf, len, t->pointee);
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "[%zu]", t->nelems);
		break;
	}
	case TY_STRING: snprintf(p, left, "string[%zu]", t->size); break;
	case TY_POINTER:
		if (t->pointee)
			append_name(buf, len, t->pointee);
		else
			snprintf(p, left, "void");
		used = strlen(buf);
		snprintf(buf + used, len - used, " *");
		break;
	case TY_TUPLE:
		if (t->name) { /* a struct value */
			snprintf(p, left, "%s", t->name);
			break;
		}
		snprintf(p, left, "(");
		for (int i = 0; i < t->nfields; i++) {
			if (i)
				strncat(buf, ",", len - strlen(buf) - 1);
			if (t->names) {
				strncat(buf, t->names[i], len - strlen(buf) - 1);
				strncat(buf, "=", len - strlen(buf) - 1);
			}
			append_name(buf, len, t->fields[i]);
		}
		strncat(buf, ")", len - strlen(buf) - 1);
		break;
	default:
		snprintf(p, left, "%s", agg[t->kind - TY_COUNT]);
		break;
	}
}

const char *type_name(struct arena *a, const struct type *t)
{
	char buf[512] = "";
	append_name(buf, sizeof(buf), t);
	return arena_strdup(a, buf);
}
