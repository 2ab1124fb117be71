/* Text rendering of values (§10.2), map keys and map entry values (§10.3). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/types.h"
#include "map_read.h"
#include "values.h"

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

static void render_tuple(struct output *o, FILE *f, const struct type *t,
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
		output_text(o, f, t->fields[i], data + t->offsets[i]);
	}
	fputs(t->names ? " }" : ")", f);
}

/* stats: the average divided by div. */
static void render_stats(FILE *f, const struct agg_value *a, int64_t div, bool is_signed)
{
	fprintf(f, "{ .count = %" PRIu64 ", .average = ", a->count);
	render_int(f, agg_div((uint64_t)a->num, is_signed, div), is_signed);
	fputs(", .total = ", f);
	render_int(f, (uint64_t)a->total, is_signed);
	fputs(" }", f);
}

/* ---- values ---- */

void output_text(struct output *o, FILE *f, const struct type *t, const void *data)
{
	const unsigned char *d = data;

	switch (t->kind) {
	case TY_INT:
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
		if (type_enum_name(t, (int64_t)rd_scalar(t, d)))
			fputs(type_enum_name(t, (int64_t)rd_scalar(t, d)), f);
		else
			render_int(f, rd_scalar(t, d), t->is_signed);
		break;
	case TY_COUNT:
		render_int(f, rd64(d), false);
		break;
	case TY_BOOL:
		fputs(rd_scalar(t, d) ? "true" : "false", f);
		break;
	case TY_POINTER:
		fprintf(f, "0x%" PRIx64, rd64(d));
		break;
	case TY_STRING:
		render_string(f, d, t->size);
		break;
	case TY_TUPLE:
		render_tuple(o, f, t, d);
		break;
	case TY_ARRAY:
		output_array(o, f, t, d, output_text);
		break;
	case TY_PROBE:
		render_probe(f, o->prog, rd64(d));
		break;
	case TY_AVG:
		render_int(f, (uint64_t)agg_stats_read(d, t->is_signed).num, t->is_signed);
		break;
	case TY_STATS: {
		struct agg_value a = agg_stats_read(d, t->is_signed);
		render_stats(f, &a, 0, t->is_signed);
		break;
	}
	case TY_KSTACK:
	case TY_USTACK:
	case TY_KSYM:
	case TY_USYM:
	case TY_TIMESTAMP:
	case TY_INET:
	case TY_NAME:
	case TY_BUF:
		output_sym_text(o, f, t, d);
		break;
	default:
		/* void, hist/lhist: nothing printable as a single value */
		break;
	}
}

char *output_text_alloc(struct output *o, const struct type *t, const void *data, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	output_text(o, f, t, data);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

char *output_map_key(struct output *o, const struct type *t, const void *key, bool json)
{
	size_t n;
	char *s;

	if (json && (t->kind == TY_KSTACK || t->kind == TY_USTACK)) {
		/* the JSON string of the stack, spaces kept */
		FILE *f = open_memstream(&s, &n);
		if (!f)
			return NULL;
		output_stack_text(o, f, t, key, true);
		if (fclose(f)) {
			free(s);
			return NULL;
		}
		return s;
	}
	s = output_text_alloc(o, t, key, &n);
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

void output_text_entry(struct output *o, FILE *f, const struct type *vt,
		       const struct map_entry *e, int64_t div)
{
	uint64_t v;
	bool is_signed;

	if (vt->kind == TY_STATS)
		render_stats(f, &e->agg, div, vt->is_signed);
	else if (!vt->enums && agg_number(vt, &e->agg, e->value, div, &v, &is_signed))
		render_int(f, v, is_signed);
	else
		output_text(o, f, vt, e->value);
}

