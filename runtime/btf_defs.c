/* C definitions of BTF types through libbpf's btf_dump. btf_dump writes a
 * type after the ones it needs and never writes a type twice; each
 * top-level declaration ends in a blank line and none holds one. So the
 * output splits into declarations, and those that open with
 * "struct|union|enum NAME {" are definitions, kept by name. */
#include "btf_defs.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"

enum { NBUCKETS = 8192 };

struct def {
	const char *name; /* "struct task_struct" */
	const char *text;
	struct def *next;
};

struct btf_defs {
	const struct btf *btf;
	struct btf_dump *dump;
	FILE *mem;        /* where dump writes */
	char *buf;        /* mem's contents */
	size_t len, done; /* bytes written, bytes split into definitions */
	struct arena arena;
	struct def *buckets[NBUCKETS];
};

static const char *const def_kinds[] = { "struct ", "union ", "enum " };

static void to_stream(void *ctx, const char *fmt, va_list args)
{
	vfprintf(ctx, fmt, args);
}

static unsigned hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h % NBUCKETS;
}

static struct def *lookup(struct btf_defs *defs, const char *name, size_t n)
{
	for (struct def *d = defs->buckets[hash(name, n)]; d; d = d->next)
		if (strlen(d->name) == n && !strncmp(d->name, name, n))
			return d;
	return NULL;
}

/* The length of "struct NAME" when the declaration opens a definition
 * that way, else 0. */
static size_t definition_name(const char *decl, size_t len)
{
	for (size_t i = 0; i < sizeof(def_kinds) / sizeof(def_kinds[0]); i++) {
		size_t k = strlen(def_kinds[i]);
		if (len <= k || strncmp(decl, def_kinds[i], k))
			continue;
		size_t n = k;
		while (n < len && decl[n] != ' ' && decl[n] != '\n' && decl[n] != ';')
			n++;
		return n > k && n + 1 < len && !strncmp(decl + n, " {", 2) ? n : 0;
	}
	return 0;
}

/* Keep a declaration (without its trailing newlines) if it is a
 * definition not seen yet. */
static void keep(struct btf_defs *defs, const char *decl, size_t len)
{
	while (len > 0 && decl[len - 1] == '\n')
		len--;
	size_t n = definition_name(decl, len);
	if (!n || lookup(defs, decl, n))
		return;
	struct def *d = arena_alloc(&defs->arena, sizeof(*d));
	d->name = arena_strndup(&defs->arena, decl, n);
	d->text = arena_strndup(&defs->arena, decl, len);
	unsigned h = hash(decl, n);
	d->next = defs->buckets[h];
	defs->buckets[h] = d;
}

/* Split what was written since the last call into declarations. */
static int split_new_output(struct btf_defs *defs)
{
	if (fflush(defs->mem))
		return -errno;
	const char *p = defs->buf + defs->done, *end = defs->buf + defs->len;
	while (p < end) {
		const char *blank = strstr(p, "\n\n");
		const char *stop = blank ? blank + 2 : end;
		keep(defs, p, (size_t)(stop - p));
		p = stop;
	}
	defs->done = defs->len;
	return 0;
}

struct btf_defs *btf_defs_new(const struct btf *btf)
{
	struct btf_defs *defs = calloc(1, sizeof(*defs));
	if (!defs)
		return NULL;
	defs->btf = btf;
	defs->mem = open_memstream(&defs->buf, &defs->len);
	if (defs->mem)
		defs->dump = btf_dump__new(btf, to_stream, defs->mem, NULL);
	if (!defs->dump) {
		int err = errno;
		btf_defs_free(defs);
		errno = err;
		return NULL;
	}
	return defs;
}

void btf_defs_free(struct btf_defs *defs)
{
	if (!defs)
		return;
	btf_dump__free(defs->dump);
	if (defs->mem)
		fclose(defs->mem);
	free(defs->buf);
	arena_free(&defs->arena);
	free(defs);
}

/* A writer of its own, for a type the shared one wrote under another name
 * (libbpf renames the second of two types with one name). */
static int dump_alone(struct btf_defs *defs, uint32_t id)
{
	struct btf_defs *one = btf_defs_new(defs->btf);
	if (!one)
		return -errno;
	int err = btf_dump__dump_type(one->dump, id);
	if (!err)
		err = split_new_output(one);
	/* the last declaration is the type asked for */
	const char *text = one->buf, *last = text;
	for (size_t i = 0; !err && i + 2 < one->len; i++)
		if (text[i] == '\n' && text[i + 1] == '\n')
			last = text + i + 2;
	if (!err)
		keep(defs, last, one->len - (size_t)(last - text));
	btf_defs_free(one);
	return err;
}

const char *btf_defs_get(struct btf_defs *defs, uint32_t id, const char *name, int *err)
{
	size_t n = strlen(name);
	struct def *d = lookup(defs, name, n);
	*err = 0;
	if (!d) {
		*err = btf_dump__dump_type(defs->dump, id);
		if (!*err)
			*err = split_new_output(defs);
		d = *err ? NULL : lookup(defs, name, n);
	}
	if (!d && !*err) {
		*err = dump_alone(defs, id);
		d = *err ? NULL : lookup(defs, name, n);
	}
	if (!d && !*err)
		*err = -ENOENT;
	return d ? d->text : NULL;
}
