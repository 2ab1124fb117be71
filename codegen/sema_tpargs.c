/* The type of a tracepoint field (args.FIELD), from the C type its format
 * file declares: "const struct __kernel_timespec *", "pid_t", "char[16]".
 * C integer names need nothing else; struct, union, enum and typedef names
 * resolve through kernel BTF. Without BTF (or for a name BTF lacks), the
 * field keeps the size and sign the format states, and pointers point to
 * bytes. */
#include <ctype.h>
#include <string.h>

#include "btf.h"
#include "sema_internal.h"

/* The integer spellings of format files, after qualifiers are dropped. */
static const struct {
	const char *name;
	const struct type *type;
} c_ints[] = {
	{ "char", &type_i8 },
	{ "signed char", &type_i8 },
	{ "unsigned char", &type_u8 },
	{ "short", &type_i16 },
	{ "short int", &type_i16 },
	{ "signed short", &type_i16 },
	{ "unsigned short", &type_u16 },
	{ "short unsigned int", &type_u16 },
	{ "unsigned short int", &type_u16 },
	{ "int", &type_i32 },
	{ "signed", &type_i32 },
	{ "signed int", &type_i32 },
	{ "unsigned", &type_u32 },
	{ "unsigned int", &type_u32 },
	{ "long", &type_i64 },
	{ "long int", &type_i64 },
	{ "signed long", &type_i64 },
	{ "unsigned long", &type_u64 },
	{ "long unsigned int", &type_u64 },
	{ "unsigned long int", &type_u64 },
	{ "long long", &type_i64 },
	{ "long long int", &type_i64 },
	{ "unsigned long long", &type_u64 },
	{ "long long unsigned int", &type_u64 },
	{ "unsigned long long int", &type_u64 },
	{ "_Bool", &type_bool },
	{ "bool", &type_bool },
};

/* Words that do not change what a field holds. */
static const char *const qualifiers[] = { "const", "volatile", "restrict", "__user", "__rcu" };

static bool is_qualifier(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(qualifiers) / sizeof(qualifiers[0]); i++)
		if (strlen(qualifiers[i]) == n && !strncmp(qualifiers[i], w, n))
			return true;
	return false;
}

/* Split a C type into its base name (words joined by one blank,
 * qualifiers dropped) and the number of '*'. False if it does not fit or
 * holds anything else (arrays, function pointers). */
static bool split_ctype(const char *ctype, char *base, size_t cap, int *stars)
{
	size_t len = 0;
	*stars = 0;
	for (const char *p = ctype; *p;) {
		if (isspace((unsigned char)*p)) {
			p++;
		} else if (*p == '*') {
			(*stars)++;
			p++;
		} else if (isalnum((unsigned char)*p) || *p == '_') {
			const char *w = p;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			size_t n = (size_t)(p - w);
			if (is_qualifier(w, n))
				continue;
			if (*stars || len + n + 2 > cap)
				return false; /* a name after a '*' */
			if (len)
				base[len++] = ' ';
			memcpy(base + len, w, n);
			len += n;
		} else {
			return false;
		}
	}
	base[len] = '\0';
	return len > 0;
}

static const struct type *c_int_type(const char *name)
{
	for (size_t i = 0; i < sizeof(c_ints) / sizeof(c_ints[0]); i++)
		if (!strcmp(c_ints[i].name, name))
			return c_ints[i].type;
	return NULL;
}

/* The base type by name: C integers first, then BTF; NULL if unknown. */
static const struct type *base_type(struct sema *s, const char *name)
{
	const struct type *t = c_int_type(name);
	if (t)
		return t;
	if (!strcmp(name, "void"))
		return NULL;
	struct btf_types *bt = compiler_btf(s->c);
	return btf_types_kernel(bt) ? btf_named_type(bt, name) : NULL;
}

/* A scalar field: the type named base (NULL: none) if it has the field's
 * size, else the format's size and sign. */
static const struct type *scalar_type(struct sema *s, const struct tp_field *f, const char *base)
{
	const struct type *t = base ? base_type(s, base) : NULL;
	if (t && t->kind == TY_BOOL && f->size == 1)
		return t;
	if (t && t->kind == TY_INT && t->bits == f->size * 8)
		return t;
	int bits = f->size == 1 ? 8 : f->size == 2 ? 16 : f->size == 4 ? 32 : 64;
	return type_int(bits, f->is_signed);
}

/* A pointer field: typed when kernel BTF is there (bpftrace reads the
 * pointee from user memory in sys_enter_* events; sonde's reads work on
 * either address space). Without BTF, a pointer to bytes as before. */
static const struct type *pointer_type(struct sema *s, const char *base, int stars)
{
	const struct type *pointee = &type_i8;
	if (btf_types_kernel(compiler_btf(s->c))) {
		const struct type *t = base_type(s, base);
		pointee = t && (t->kind == TY_INT || t->kind == TY_BOOL || t->kind == TY_STRUCT) ? t : &type_i8;
		while (--stars > 0)
			pointee = type_pointer(s->c->arena, pointee);
	}
	return type_pointer(s->c->arena, pointee);
}

/* `u8 saddr[4]`: an array of its element type, or, when that is unknown
 * or does not fit the field, of integers of the field's size over its
 * length and of its sign. NULL for arrays of anything else. */
static const struct type *array_type(struct sema *s, const struct tp_field *f)
{
	char elem_ctype[128], base[128];
	int stars;
	const char *bracket = strchr(f->ctype, '[');
	size_t bl = bracket ? (size_t)(bracket - f->ctype) : 0;
	if (!bl || bl >= sizeof(elem_ctype))
		return NULL;
	memcpy(elem_ctype, f->ctype, bl);
	elem_ctype[bl] = '\0';
	if (!split_ctype(elem_ctype, base, sizeof(base), &stars) || stars)
		return NULL;
	const struct type *elem = base_type(s, base);
	size_t n = (size_t)f->array_len;
	if (!elem || (elem->kind != TY_INT && elem->kind != TY_BOOL) || type_field_size(elem) * n != (size_t)f->size) {
		size_t bytes = (size_t)f->size / n;
		if (bytes * n != (size_t)f->size || (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8))
			return NULL;
		elem = type_int((int)bytes * 8, f->is_signed);
	}
	return type_array(s->c->arena, elem, n);
}

const struct type *tp_field_type(struct sema *s, const struct tp_field *f)
{
	/* the string a __data_loc field locates; checked before the char
	 * array test, which its `char[]` type passes too */
	if (f->is_data_loc)
		return type_string(s->c->arena, (size_t)s->c->opts->max_strlen);
	if (f->is_char_array)
		return type_string(s->c->arena, (size_t)f->array_len);
	if (f->array_len > 0)
		return array_type(s, f);
	char base[128];
	int stars;
	if (!split_ctype(f->ctype, base, sizeof(base), &stars))
		return f->is_pointer ? type_pointer(s->c->arena, &type_i8) : scalar_type(s, f, NULL);
	if (stars)
		return pointer_type(s, base, stars);
	return scalar_type(s, f, base);
}
