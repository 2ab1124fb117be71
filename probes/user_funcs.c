/* Function symbols of user-space ELF files (see user_funcs.h). */
#include "user_funcs.h"

#include <stdlib.h>
#include <string.h>

#include "../common/dwarf.h"
#include "../common/elf_syms.h"

struct collect {
	struct arena *a;
	struct user_func *v;
	int n, cap;
};

static const unsigned bind_rank[] = {
	[ELF_BIND_LOCAL] = 1,
	[ELF_BIND_WEAK] = 2,
	[ELF_BIND_GLOBAL] = 3,
};

static int collect_func(const struct elf_func *f, void *arg)
{
	struct collect *c = arg;

	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 256;
		struct user_func *v = arena_alloc(c->a, sizeof(*v) * (size_t)cap);
		if (c->n)
			memcpy(v, c->v, sizeof(*v) * (size_t)c->n);
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct user_func){
		.name = arena_strndup(c->a, f->name, f->len),
		.addr = f->addr,
		.size = f->size,
		.rank = bind_rank[f->bind] + (f->size ? 4u : 0u) + (f->plain ? 8u : 0u),
	};
	return 0;
}

/* Name, then best first. */
static int func_cmp(const void *a, const void *b)
{
	const struct user_func *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->rank != y->rank ? (x->rank > y->rank ? -1 : 1) : 0;
}

/* The separate debug file's symbols: by build id, else as libdw finds it
 * (also by .gnu_debuglink alone, or in --debuginfo directories). */
static void collect_debug_file(const char *path, const struct elf_syms *e, struct collect *c)
{
	struct elf_syms de;

	if (!elf_syms_open_debug(e, &de)) {
		elf_syms_each_func(&de, ELF_SYMTAB, collect_func, c);
		elf_syms_close(&de);
		return;
	}
	struct dwarf_file *df = dwarf_open(c->a, path);
	if (df)
		dwarf_each_function_symbol(df, collect_func, c);
	dwarf_close(df);
}

int user_funcs_load(struct arena *a, const char *path, struct user_funcs *out)
{
	struct elf_syms e;
	struct collect c = { .a = a };

	out->v = NULL;
	out->n = 0;
	if (elf_syms_open(&e, path))
		return -1;
	/* a table that cannot be read just yields no names, like a missing one */
	if (elf_syms_has_table(&e, ELF_SYMTAB))
		elf_syms_each_func(&e, ELF_SYMTAB, collect_func, &c);
	else
		collect_debug_file(path, &e, &c);
	elf_syms_each_func(&e, ELF_DYNSYM, collect_func, &c);
	elf_syms_close(&e);
	if (c.n > 1)
		qsort(c.v, (size_t)c.n, sizeof(*c.v), func_cmp);
	int n = 0;
	for (int i = 0; i < c.n; i++)
		if (!n || strcmp(c.v[n - 1].name, c.v[i].name))
			c.v[n++] = c.v[i];
	out->v = c.v;
	out->n = n;
	return 0;
}

const struct user_func *user_funcs_find(const struct user_funcs *f, const char *name)
{
	int lo = 0, hi = f->n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(f->v[mid].name, name);
		if (!c)
			return &f->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
