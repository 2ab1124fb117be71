/* Text rendering of values (§10.2) and text map printing (§10.3). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../codegen/types.h"

static uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void render_int(FILE *f, uint64_t v, bool is_signed)
{
	if (is_signed)
		fprintf(f, "%" PRId64, (int64_t)v);
	else
		fprintf(f, "%" PRIu64, v);
}

/* Raw bytes up to the NUL; no NUL within the capacity means the value was
 * cut: mark it with the trailer. */
static void render_string(FILE *f, const unsigned char *s, size_t cap)
{
	const unsigned char *nul = memchr(s, '\0', cap);

	fwrite(s, 1, nul ? (size_t)(nul - s) : cap, f);
	if (!nul && cap)
		fputs(OUTPUT_TRUNC_TRAILER, f);
}

static void render_probe(FILE *f, const struct compiled_program *prog, uint64_t idx)
{
	if (prog && idx < (uint64_t)prog->nprobe_names && prog->probe_names[idx])
		fputs(prog->probe_names[idx], f);
	else
		fprintf(f, "%" PRIu64, idx);
}

static void render_tuple(FILE *f, const struct compiled_program *prog, const struct type *t,
			 const unsigned char *data)
{
	if (t->names && t->nfields == 0) {
		fputs("{}", f);
		return;
	}
	fputs(t->names ? "{ " : "(", f);
	for (int i = 0; i < t->nfields; i++) {
		if (i)
			fputs(", ", f);
		if (t->names)
			fprintf(f, ".%s = ", t->names[i]);
		output_render_text(f, prog, t->fields[i], data + t->offsets[i]);
	}
	fputs(t->names ? " }" : ")", f);
}

static void render_stats(FILE *f, uint64_t count, uint64_t total, uint64_t avg, bool is_signed)
{
	fprintf(f, "{ .count = %" PRIu64 ", .average = ", count);
	render_int(f, avg, is_signed);
	fputs(", .total = ", f);
	render_int(f, total, is_signed);
	fputs(" }", f);
}

void output_render_text(FILE *f, const struct compiled_program *prog, const struct type *t,
			const void *data)
{
	const unsigned char *d = data;

	switch (t->kind) {
	case TY_INT:
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
		render_int(f, rd64(d), t->is_signed);
		break;
	case TY_COUNT:
		render_int(f, rd64(d), false);
		break;
	case TY_BOOL:
		fputs(rd64(d) ? "true" : "false", f);
		break;
	case TY_POINTER:
		fprintf(f, "0x%" PRIx64, rd64(d));
		break;
	case TY_STRING:
		render_string(f, d, t->size);
		break;
	case TY_TUPLE:
		render_tuple(f, prog, t, d);
		break;
	case TY_PROBE:
		render_probe(f, prog, rd64(d));
		break;
	case TY_AVG:
		render_int(f, agg_average(rd64(d), rd64(d + 8), t->is_signed), t->is_signed);
		break;
	case TY_STATS:
		render_stats(f, rd64(d), rd64(d + 8),
			     agg_average(rd64(d), rd64(d + 8), t->is_signed), t->is_signed);
		break;
	default:
		/* void, hist/lhist: nothing printable as a single value */
		break;
	}
}

char *output_render_text_alloc(const struct compiled_program *prog, const struct type *t,
			       const void *data, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	output_render_text(f, prog, t, data);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

char *output_key_text(const struct compiled_program *prog, const struct type *t, const void *key,
		      bool json)
{
	size_t n;
	char *s = output_render_text_alloc(prog, t, key, &n);

	if (!s)
		return NULL;
	/* done on the text, as bpftrace does: "(x)" prints as x too */
	if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
		memmove(s, s + 1, n - 2);
		n -= 2;
		s[n] = '\0';
	}
	if (json) {
		size_t j = 0;
		for (size_t i = 0; i < n; i++)
			if (s[i] != ' ')
				s[j++] = s[i];
		s[j] = '\0';
	}
	return s;
}

uint64_t agg_average(uint64_t count, uint64_t total, bool is_signed)
{
	if (!count)
		return 0;
	if (is_signed)
		return (uint64_t)((int64_t)total / (int64_t)count);
	return total / count;
}

uint64_t agg_div(uint64_t v, bool is_signed, int64_t div)
{
	if (div <= 1)
		return v;
	if (is_signed)
		return (uint64_t)((int64_t)v / div);
	return v / (uint64_t)div;
}

/* The value part of a non-histogram entry. */
static void print_entry_value(FILE *f, const struct compiled_program *prog, const struct type *vt,
			      const struct map_entry *e, int64_t div)
{
	switch (vt->kind) {
	case TY_COUNT:
		render_int(f, agg_div((uint64_t)e->num, false, div), false);
		break;
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
	case TY_AVG:
		render_int(f, agg_div((uint64_t)e->num, vt->is_signed, div), vt->is_signed);
		break;
	case TY_STATS:
		render_stats(f, e->count, (uint64_t)e->total,
			     agg_div((uint64_t)e->num, vt->is_signed, div), vt->is_signed);
		break;
	case TY_INT:
		render_int(f, agg_div(rd64(e->value), vt->is_signed, div), vt->is_signed);
		break;
	default:
		output_render_text(f, prog, vt, e->value);
		break;
	}
}

static void print_entry_name(FILE *f, const struct compiled_program *prog,
			     const struct map_desc *m, const struct map_entry *e)
{
	fputs(m->name, f);
	if (!m->key)
		return;
	char *k = output_key_text(prog, m->key, e->key, false);
	fprintf(f, "[%s]", k ? k : "?");
	free(k);
}

void output_map_text(FILE *f, const struct compiled_program *prog, const struct map_desc *m,
		     const struct map_snapshot *s, size_t first, int64_t div)
{
	bool hist = map_is_hist(m);

	for (size_t i = first; i < s->n; i++) {
		const struct map_entry *e = &s->entries[i];

		print_entry_name(f, prog, m, e);
		if (hist) {
			fputs(":\n", f);
			hist_print_text(f, m->value, e->buckets, e->nbuckets, div);
			fputc('\n', f);
			continue;
		}
		fputs(": ", f);
		print_entry_value(f, prog, m->value, e, div);
		fputc('\n', f);
	}
}
