/* The OpenMetrics text exposition of the maps (--metrics):
 *   metric name   sonde_NAME for @NAME, sonde_map for @;
 *   count()       counter (sample NAME_total);
 *   sum, min, max and integer values: gauge;
 *   avg, stats    summary: NAME_count and NAME_sum (the total);
 *   hist, lhist   histogram: cumulative NAME_bucket{le="..."} up to the
 *                 highest bucket holding values, le the bucket's inclusive
 *                 upper bound, then le="+Inf" and NAME_count;
 *   other values (strings, tuples, stacks) are not numbers: not exposed.
 * A key becomes labels: key="..." for a single key, key0, key1, ... for
 * the parts of a tuple (its field names for a named tuple); a value is the
 * part's text as printed, a stack its frames outermost first joined by ';'.
 * Values are read as printing reads them (map_read.c: per-CPU copies
 * merged). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "metrics.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../common/types.h"
#include "folded.h"
#include "hist.h"
#include "map_read.h"
#include "values.h"

enum family { FAMILY_NONE, FAMILY_COUNTER, FAMILY_GAUGE, FAMILY_SUMMARY, FAMILY_HISTOGRAM };

static const char *const family_names[] = {
	[FAMILY_COUNTER] = "counter", [FAMILY_GAUGE] = "gauge",
	[FAMILY_SUMMARY] = "summary", [FAMILY_HISTOGRAM] = "histogram",
};

static enum family family_of(const struct type *vt)
{
	switch (vt->kind) {
	case TY_COUNT:
		return FAMILY_COUNTER;
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
	case TY_INT:
		return FAMILY_GAUGE;
	case TY_AVG:
	case TY_STATS:
		return FAMILY_SUMMARY;
	case TY_HIST:
	case TY_LHIST:
		return FAMILY_HISTOGRAM;
	default:
		return FAMILY_NONE;
	}
}

/* sonde_NAME: map names are identifiers after the '@', already valid. */
static void metric_name(FILE *f, const struct map_desc *m)
{
	fprintf(f, "sonde_%s", m->name[1] ? m->name + 1 : "map");
}

/* A label value with \\, \" and \n escaped (OpenMetrics ABNF). */
static void label_value(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == '"')
			fputc('\\', f);
		if (s[i] == '\n')
			fputs("\\n", f);
		else
			fputc(s[i], f);
	}
	fputc('"', f);
}

/* The text of one key part: stacks as folded frames, the rest as printed. */
static char *part_text(struct output *o, const struct type *t, const unsigned char *d, size_t *n)
{
	if (t->kind != TY_KSTACK && t->kind != TY_USTACK)
		return output_text_alloc(o, t, d, n);
	char *s = NULL;
	FILE *f = open_memstream(&s, n);
	if (!f)
		return NULL;
	folded_write_stack(o, f, t, d);
	if (fclose(f)) {
		free(s);
		return NULL;
	}
	return s;
}

/* A tuple field name usable as a label name: [a-zA-Z_][a-zA-Z0-9_]*,
 * not starting with the reserved "__". */
static bool label_name_ok(const char *name)
{
	if (!name || !(isalpha((unsigned char)name[0]) || name[0] == '_') || !strncmp(name, "__", 2))
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

/* The labels of an entry, without braces: key="..." or key0="...",... */
static char *entry_labels(struct output *o, const struct map_desc *m, const struct map_entry *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const struct type *key = m->key;

	if (!f)
		return NULL;
	bool tuple = key && key->kind == TY_TUPLE;
	int parts = !key ? 0 : tuple ? key->nfields : 1;
	for (int i = 0; i < parts; i++) {
		const struct type *t = tuple ? key->fields[i] : key;
		const unsigned char *d = tuple ? e->key + key->offsets[i] : e->key;
		if (i)
			fputc(',', f);
		if (!tuple)
			fputs("key=", f);
		else if (key->names && label_name_ok(key->names[i]))
			fprintf(f, "%s=", key->names[i]);
		else
			fprintf(f, "key%d=", i);
		size_t n = 0;
		char *s = part_text(o, t, d, &n);
		label_value(f, s ? s : "", s ? n : 0);
		free(s);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* NAME SUFFIX{LABELS[,EXTRA]} */
static void sample_start(FILE *f, const struct map_desc *m, const char *suffix, const char *labels,
			 const char *extra)
{
	metric_name(f, m);
	fputs(suffix, f);
	bool any = labels && *labels;
	if (any || extra)
		fprintf(f, "{%s%s%s}", any ? labels : "", any && extra ? "," : "", extra ? extra : "");
	fputc(' ', f);
}

static void write_int(FILE *f, uint64_t v, bool is_signed)
{
	if (is_signed)
		fprintf(f, "%" PRId64 "\n", (int64_t)v);
	else
		fprintf(f, "%" PRIu64 "\n", v);
}

static void write_histogram(FILE *f, const struct map_desc *m, const struct map_entry *e, const char *labels)
{
	const struct type *vt = m->value;
	size_t lo, hi;
	uint64_t maxc, cumulative = 0;

	if (hist_range(vt, e->buckets, e->nbuckets, 0, &lo, &hi, &maxc)) {
		for (size_t b = 0; b <= hi; b++) {
			int64_t min;
			uint64_t max;
			bool has_min, has_max;
			char le[48];
			cumulative += e->buckets[b];
			hist_bucket_bounds(vt, b, &min, &has_min, &max, &has_max);
			if (!has_max)
				continue; /* the open last lhist bucket: +Inf below */
			bool is_signed = vt->kind == TY_LHIST || b == 0;
			if (is_signed)
				snprintf(le, sizeof(le), "le=\"%" PRId64 "\"", (int64_t)max);
			else
				snprintf(le, sizeof(le), "le=\"%" PRIu64 "\"", max);
			sample_start(f, m, "_bucket", labels, le);
			write_int(f, cumulative, false);
		}
	}
	sample_start(f, m, "_bucket", labels, "le=\"+Inf\"");
	write_int(f, e->agg.count, false);
	sample_start(f, m, "_count", labels, NULL);
	write_int(f, e->agg.count, false);
}

static void write_entry(FILE *f, const struct map_desc *m, enum family fam, const struct map_entry *e,
			const char *labels)
{
	uint64_t v;
	bool is_signed;

	switch (fam) {
	case FAMILY_COUNTER:
	case FAMILY_GAUGE:
		if (!agg_number(m->value, &e->agg, e->value, 0, &v, &is_signed))
			return;
		sample_start(f, m, fam == FAMILY_COUNTER ? "_total" : "", labels, NULL);
		write_int(f, v, is_signed);
		return;
	case FAMILY_SUMMARY:
		sample_start(f, m, "_count", labels, NULL);
		write_int(f, e->agg.count, false);
		sample_start(f, m, "_sum", labels, NULL);
		write_int(f, (uint64_t)e->agg.total, m->value->is_signed);
		return;
	case FAMILY_HISTOGRAM:
		write_histogram(f, m, e, labels);
		return;
	case FAMILY_NONE:
		return;
	}
}

static void write_map(FILE *f, struct output *o, const struct map_desc *m, int fd, int ncpus)
{
	enum family fam = family_of(m->value);
	struct map_snapshot s;

	if (fam == FAMILY_NONE || fd < 0)
		return;
	fputs("# TYPE ", f);
	metric_name(f, m);
	fprintf(f, " %s\n# HELP ", family_names[fam]);
	metric_name(f, m);
	fprintf(f, " sonde map %s\n", m->name);
	if (map_snapshot_read(&s, m, fd, ncpus) == 0) {
		map_snapshot_sort(&s, m);
		for (size_t i = 0; i < s.n; i++) {
			char *labels = entry_labels(o, m, &s.entries[i]);
			write_entry(f, m, fam, &s.entries[i], labels);
			free(labels);
		}
	}
	map_snapshot_free(&s);
}

void metrics_write(FILE *f, struct output *o, const struct metrics_source *src)
{
	int *order = map_order_by_name(src->prog);

	for (int i = 0; order && i < src->prog->nmaps; i++)
		write_map(f, o, &src->prog->maps[order[i]], src->map_fds[order[i]], src->ncpus);
	free(order);
	fputs("# EOF\n", f);
}
