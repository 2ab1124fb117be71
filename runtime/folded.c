/* Folded stacks: a map keyed by stacks as "root;...;leaf COUNT" lines. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "folded.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/types.h"
#include "values.h"

static bool is_stack(const struct type *t)
{
	return t->kind == TY_KSTACK || t->kind == TY_USTACK;
}

/* The parts of a key: the key itself, or the fields of a tuple key. */
static int key_parts(const struct type *key)
{
	return key->kind == TY_TUPLE ? key->nfields : 1;
}

static const struct type *key_part(const struct type *key, int i, const unsigned char *data,
				   const unsigned char **part)
{
	if (key->kind != TY_TUPLE) {
		*part = data;
		return key;
	}
	*part = data + key->offsets[i];
	return key->fields[i];
}

const char *folded_unusable(const struct map_desc *m)
{
	bool stack = false;

	for (int i = 0; m->key && i < key_parts(m->key); i++)
		stack |= is_stack(m->key->kind == TY_TUPLE ? m->key->fields[i] : m->key);
	if (!stack)
		return "its key holds no kstack or ustack";
	switch (m->value->kind) {
	case TY_COUNT:
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
	case TY_AVG:
	case TY_INT:
		return NULL;
	default:
		return "its value is not a number";
	}
}

/* One frame name: ';' separates frames and a line holds one stack, so
 * both become something else. */
static void put_frame(FILE *f, bool *first, const char *name, size_t n)
{
	if (!n)
		return;
	if (!*first)
		fputc(';', f);
	*first = false;
	for (size_t i = 0; i < n; i++)
		fputc(name[i] == ';' ? ':' : name[i] == '\n' || name[i] == '\r' ? ' ' : name[i], f);
}

/* The frames of one stack, outermost first (the names come leaf first). */
static void put_stack(struct output *o, FILE *f, bool *first, const struct type *t, const unsigned char *d)
{
	char *names = output_stack_names(o, t, d);
	size_t n = names ? strlen(names) : 0;

	while (n > 0) {
		size_t end = n - 1; /* the '\n' that ends the last frame */
		size_t start = end;
		while (start > 0 && names[start - 1] != '\n')
			start--;
		put_frame(f, first, names + start, end - start);
		n = start;
	}
	free(names);
}

void folded_write_stack(struct output *o, FILE *f, const struct type *t, const void *data)
{
	bool first = true;

	put_stack(o, f, &first, t, data);
}

/* Key parts of one group: 0 not stacks, 1 user stacks, 2 kernel stacks. */
static int part_group(const struct type *t)
{
	return t->kind == TY_USTACK ? 1 : t->kind == TY_KSTACK ? 2 : 0;
}

char *folded_path(struct output *o, const struct map_desc *m, const struct map_entry *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	bool first = true;

	if (!f)
		return NULL;
	for (int group = 0; group < 3; group++) {
		for (int i = 0; i < key_parts(m->key); i++) {
			const unsigned char *d;
			const struct type *t = key_part(m->key, i, e->key, &d);
			if (part_group(t) != group)
				continue;
			if (group) {
				put_stack(o, f, &first, t, d);
				continue;
			}
			size_t n = 0;
			char *s = output_text_alloc(o, t, d, &n);
			put_frame(f, &first, s ? s : "?", s ? n : 1);
			free(s);
		}
	}
	if (first)
		put_frame(f, &first, "[unknown]", strlen("[unknown]"));
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

bool folded_count(const struct map_desc *m, const struct map_entry *e, int64_t div, uint64_t *count)
{
	bool is_signed;

	if (!agg_number(m->value, &e->agg, e->value, div, count, &is_signed))
		return false;
	return is_signed ? (int64_t)*count > 0 : *count > 0;
}

void folded_print_map(struct output *o, const struct map_desc *m, const struct map_snapshot *s, size_t first,
		      int64_t div)
{
	const char *why = folded_unusable(m);

	if (why) {
		fflush(o->out);
		fprintf(stderr, "WARNING: %s is not printed in the folded format: %s\n", m->name, why);
		return;
	}
	for (size_t i = first; i < s->n; i++) {
		uint64_t count;
		if (!folded_count(m, &s->entries[i], div, &count))
			continue;
		char *path = folded_path(o, m, &s->entries[i]);
		if (path)
			fprintf(o->out, "%s %" PRIu64 "\n", path, count);
		free(path);
	}
}
