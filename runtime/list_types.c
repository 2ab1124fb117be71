/* Listing kernel types (§1.4): the named structs, unions and enums of
 * kernel BTF ($SONDE_BTF, $BPFTRACE_BTF or the running kernel's) whose
 * "struct NAME" matches a pattern, by name or, verbose, with their
 * definitions (btf_defs.h, as bpftrace prints them); and the dispatch of
 * `-l` patterns between types and probes. */
#include "list_types.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/arena.h"
#include "../probes/probe.h"
#include "btf_defs.h"

/* The BTF kinds that can be listed, and how their names are spelled. */
static const struct {
	int kind;
	const char *prefix;
	const char *unknown; /* the message for a missing type */
} kinds[] = {
	{ BTF_KIND_STRUCT, "struct ", "Unknown struct/union: '%s'" },
	{ BTF_KIND_UNION, "union ", "Unknown struct/union: '%s'" },
	{ BTF_KIND_ENUM, "enum ", "Unknown enum: '%s'" },
	{ BTF_KIND_ENUM64, "enum ", "Unknown enum: '%s'" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int kind_of_pattern(const char *pattern)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strncmp(pattern, kinds[i].prefix, strlen(kinds[i].prefix)))
			return (int)i;
	return -1;
}

bool list_is_type_pattern(const char *pattern)
{
	return kind_of_pattern(pattern) >= 0;
}

struct named_type {
	const char *name; /* "struct task_struct" */
	uint32_t id;
};

struct type_vec {
	struct named_type *v;
	int n, cap;
};

static void push(struct arena *a, struct type_vec *tv, const char *name, uint32_t id)
{
	if (tv->n == tv->cap) {
		tv->cap = tv->cap ? tv->cap * 2 : 64;
		struct named_type *v = arena_alloc(a, sizeof(*v) * (size_t)tv->cap);
		if (tv->n)
			memcpy(v, tv->v, sizeof(*v) * (size_t)tv->n);
		tv->v = v;
	}
	tv->v[tv->n++] = (struct named_type){ name, id };
}

/* By name, then by id: the first of types with one name is kept. */
static int by_name(const void *pa, const void *pb)
{
	const struct named_type *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);
	return c ? c : (a->id > b->id) - (a->id < b->id);
}

/* The full name of a listable type, or NULL (other kinds, anonymous). */
static const char *full_name(struct arena *a, const struct btf *btf, const struct btf_type *t)
{
	for (size_t i = 0; i < NKINDS; i++) {
		if ((int)btf_kind(t) != kinds[i].kind)
			continue;
		const char *name = btf__name_by_offset(btf, t->name_off);
		return name && *name ? arena_printf(a, "%s%s", kinds[i].prefix, name) : NULL;
	}
	return NULL;
}

static void collect(struct arena *a, const struct btf *btf, const char *pattern, struct type_vec *out)
{
	uint32_t n = btf__type_cnt(btf);
	for (uint32_t id = 1; id < n; id++) {
		const char *name = full_name(a, btf, btf__type_by_id(btf, id));
		if (name && probe_glob_match(pattern, name))
			push(a, out, name, id);
	}
	if (out->n)
		qsort(out->v, (size_t)out->n, sizeof(*out->v), by_name);
}

int list_types(struct diags *d, const char *pattern, FILE *out, bool verbose)
{
	const char *path = btf_path();
	struct btf *btf = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	if (!btf) {
		diag_error(d, NULL, "Cannot list %s: kernel BTF is not available (%s)", pattern,
			   path ? path : "/sys/kernel/btf/vmlinux");
		return -1;
	}
	struct arena a = { 0 };
	struct type_vec found = { 0 };
	int err = 0;
	collect(&a, btf, pattern, &found);
	if (found.n == 0 && !strchr(pattern, '*')) {
		diag_error(d, NULL, kinds[kind_of_pattern(pattern)].unknown, pattern);
		err = -1;
	}
	struct btf_defs *defs = verbose && found.n ? btf_defs_new(btf) : NULL;
	if (verbose && found.n && !defs) {
		diag_error(d, NULL, "Cannot print %s: %s", pattern, strerror(errno));
		err = -1;
	}
	for (int i = 0; i < found.n && !err; i++) {
		if (i > 0 && !strcmp(found.v[i].name, found.v[i - 1].name))
			continue;
		if (!verbose) {
			fprintf(out, "%s\n", found.v[i].name);
			continue;
		}
		int e;
		const char *def = btf_defs_get(defs, found.v[i].id, found.v[i].name, &e);
		if (def) {
			fprintf(out, "%s\n\n", def);
		} else {
			diag_error(d, NULL, "Cannot print %s: %s", found.v[i].name, strerror(-e));
			err = -1;
		}
	}
	btf_defs_free(defs);
	arena_free(&a);
	btf__free(btf);
	return err;
}

int list_patterns(struct diags *d, const char *patterns, pid_t pid, FILE *out, bool verbose)
{
	if (!patterns || !*patterns)
		return probes_list(d, patterns, pid, out, verbose);
	struct arena a = { 0 };
	char *copy = arena_strdup(&a, patterns), *save = NULL;
	int err = 0;
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		p += strspn(p, " \t");
		for (char *e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		int r = list_is_type_pattern(p) ? list_types(d, p, out, verbose)
						: probes_list(d, p, pid, out, verbose);
		if (r < 0)
			err = -1;
	}
	arena_free(&a);
	return err;
}
