/* JSON rendering of values and map entry values (§10.7). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "output.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/types.h"
#include "hist.h"
#include "json.h"
#include "map_read.h"
#include "tseries.h"
#include "values.h"

static void json_string_value(FILE *f, const unsigned char *s, size_t cap)
{
	const unsigned char *nul = memchr(s, '\0', cap);

	if (nul || !cap) {
		json_write_string(f, (const char *)s, nul ? (size_t)(nul - s) : 0);
		return;
	}
	/* cut value: same text as in text mode, trailer included */
	char *buf = malloc(cap + sizeof(OUTPUT_TRUNC_TRAILER));
	if (!buf) {
		json_write_string(f, (const char *)s, cap);
		return;
	}
	memcpy(buf, s, cap);
	memcpy(buf + cap, OUTPUT_TRUNC_TRAILER, sizeof(OUTPUT_TRUNC_TRAILER));
	json_write_string(f, buf, cap + sizeof(OUTPUT_TRUNC_TRAILER) - 1);
	free(buf);
}

static void json_tuple(struct output *o, FILE *f, const struct type *t, const unsigned char *d)
{
	fputc(t->names ? '{' : '[', f);
	for (int i = 0; i < t->nfields; i++) {
		if (i)
			fputs(t->names ? ", " : ",", f);
		if (t->names) {
			json_write_cstr(f, t->names[i]);
			fputs(": ", f);
		}
		output_json(o, f, t->fields[i], d + t->offsets[i]);
	}
	fputc(t->names ? '}' : ']', f);
}

/* stats: the average divided by div. */
static void json_stats(FILE *f, const struct agg_value *a, int64_t div, bool is_signed)
{
	fputs("{\"count\": ", f);
	json_write_int(f, a->count, false);
	fputs(", \"average\": ", f);
	json_write_int(f, agg_div((uint64_t)a->num, is_signed, div), is_signed);
	fputs(", \"total\": ", f);
	json_write_int(f, (uint64_t)a->total, is_signed);
	fputc('}', f);
}

/* A stack, symbol, timestamp or address as its text, as a JSON string. */
static void json_text_string(struct output *o, FILE *f, const struct type *t, const void *d,
			     bool stack)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);

	if (!m) {
		fputs("null", f);
		return;
	}
	if (stack)
		output_stack_text(o, m, t, d, true);
	else
		output_sym_text(o, m, t, d);
	if (fclose(m))
		fputs("null", f);
	else
		json_write_string(f, buf, n);
	free(buf);
}

void output_json(struct output *o, FILE *f, const struct type *t, const void *data)
{
	const struct compiled_program *prog = o->prog;
	const unsigned char *d = data;
	uint64_t v = 0;

	switch (t->kind) {
	case TY_INT:
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
		if (type_enum_name(t, (int64_t)rd_scalar(t, d)))
			json_write_cstr(f, type_enum_name(t, (int64_t)rd_scalar(t, d)));
		else
			json_write_int(f, rd_scalar(t, d), t->is_signed);
		break;
	case TY_COUNT:
	case TY_POINTER:
		json_write_int(f, rd64(d), false);
		break;
	case TY_BOOL:
		fputs(rd_scalar(t, d) ? "true" : "false", f);
		break;
	case TY_STRING:
		json_string_value(f, d, t->size);
		break;
	case TY_TUPLE:
		json_tuple(o, f, t, d);
		break;
	case TY_ARRAY:
		output_array(o, f, t, d, output_json);
		break;
	case TY_PROBE:
		v = rd64(d);
		if (prog && v < (uint64_t)prog->nprobe_names && prog->probe_names[v])
			json_write_cstr(f, prog->probe_names[v]);
		else
			json_write_int(f, v, false);
		break;
	case TY_AVG:
		json_write_int(f, (uint64_t)agg_stats_read(d, t->is_signed).num, t->is_signed);
		break;
	case TY_STATS: {
		struct agg_value a = agg_stats_read(d, t->is_signed);
		json_stats(f, &a, 0, t->is_signed);
		break;
	}
	case TY_KSTACK:
	case TY_USTACK:
		json_text_string(o, f, t, d, true);
		break;
	case TY_KSYM:
	case TY_USYM:
	case TY_TIMESTAMP:
	case TY_INET:
	case TY_NAME:
	case TY_BUF:
		json_text_string(o, f, t, d, false);
		break;
	default:
		fputs("null", f);
		break;
	}
}

void output_json_entry(struct output *o, FILE *f, const struct type *vt,
		       const struct map_entry *e, int64_t div)
{
	uint64_t v;
	bool is_signed;

	if (vt->kind == TY_STATS)
		json_stats(f, &e->agg, div, vt->is_signed);
	else if (vt->kind == TY_HIST || vt->kind == TY_LHIST)
		hist_print_json(f, vt, e->buckets, e->nbuckets, div);
	else if (vt->kind == TY_TSERIES)
		tseries_print_json(f, vt, &e->ts, div, wall_minus_boot_ns());
	else if (!vt->enums && agg_number(vt, &e->agg, e->value, div, &v, &is_signed))
		json_write_int(f, v, is_signed);
	else
		output_json(o, f, vt, e->value);
}
