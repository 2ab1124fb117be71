/* Printing a map (§10.3, §10.4, §10.7): read a snapshot, sort it, and
 * print its entries as text lines or one JSON record. Sits above both
 * renderers: JSON map keys are the text of the key. */
#include "output.h"

#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "hist.h"
#include "hist_percentiles.h"
#include "json.h"
#include "map_read.h"

static void print_entry_name(struct output *o, FILE *f, const struct map_desc *m,
			     const struct map_entry *e)
{
	fputs(m->name, f);
	if (!m->key)
		return;
	char *k = output_map_key(o, m->key, e->key, false);
	fprintf(f, "[%s]", k ? k : "?");
	free(k);
}

/* Entries [first, n) of a sorted snapshot, one text line (or histogram)
 * each. */
static void print_text(struct output *o, const struct map_desc *m, const struct map_snapshot *s,
		       size_t first, int64_t div)
{
	FILE *f = o->out;
	bool hist = map_is_hist(m), tseries = map_is_tseries(m);
	int64_t wall_offset = tseries ? wall_minus_boot_ns() : 0;

	for (size_t i = first; i < s->n; i++) {
		const struct map_entry *e = &s->entries[i];

		print_entry_name(o, f, m, e);
		if (hist || tseries) {
			fputs(":\n", f);
			if (tseries) {
				tseries_print_text(f, m->value, &e->ts, div, wall_offset);
			} else {
				hist_print_text(f, m->value, e->buckets, e->nbuckets, div);
				if (o->prog && o->prog->hist_percentiles)
					hist_percentiles_text(f, m->value, e->buckets, e->nbuckets, div);
			}
			fputc('\n', f);
			continue;
		}
		fputs(": ", f);
		output_text_entry(o, f, m->value, e, div);
		fputc('\n', f);
	}
}

/* The JSON record type of a map (§10.7). */
static const char *record_type(const struct type *vt)
{
	switch (vt->kind) {
	case TY_HIST:
	case TY_LHIST:
		return "hist";
	case TY_AVG:
	case TY_STATS:
		return "stats";
	case TY_TSERIES:
		return "tseries";
	default:
		return "map";
	}
}

/* What a JSON map object holds for each entry. */
typedef void (*json_entry_writer)(struct output *o, FILE *f, const struct type *vt,
				  const struct map_entry *e, int64_t div);

static void json_percentiles_entry(struct output *o, FILE *f, const struct type *vt,
				   const struct map_entry *e, int64_t div)
{
	hist_percentiles_json(f, vt, e->buckets, e->nbuckets, div);
}

/* {"@name": VALUE} or {"@name": {"key": VALUE, ...}} of entries [first, n). */
static void print_json_object(struct output *o, const struct map_desc *m, const struct map_snapshot *s,
			      size_t first, int64_t div, json_entry_writer write)
{
	FILE *f = o->out;

	fputc('{', f);
	json_write_cstr(f, m->name);
	fputs(": ", f);
	if (!m->key) {
		write(o, f, m->value, &s->entries[first], div);
	} else {
		fputc('{', f);
		for (size_t i = first; i < s->n; i++) {
			const struct map_entry *e = &s->entries[i];
			char *k = output_map_key(o, m->key, e->key, true);

			if (i > first)
				fputs(", ", f);
			json_write_cstr(f, k ? k : "");
			free(k);
			fputs(": ", f);
			write(o, f, m->value, e, div);
		}
		fputc('}', f);
	}
	fputc('}', f);
}

/* Entries [first, n) of a sorted snapshot as one JSON record; with
 * hist_percentiles a histogram record also has "percentiles", shaped like
 * its data. */
static void print_json(struct output *o, const struct map_desc *m, const struct map_snapshot *s,
		       size_t first, int64_t div)
{
	if (first >= s->n)
		return;
	json_record_begin(o->out, record_type(m->value));
	print_json_object(o, m, s, first, div, output_json_entry);
	if (map_is_hist(m) && o->prog && o->prog->hist_percentiles) {
		fputs(", \"percentiles\": ", o->out);
		print_json_object(o, m, s, first, div, json_percentiles_entry);
	}
	json_record_end(o->out);
}

int output_map(struct output *o, const struct map_desc *m, int map_fd, int64_t top, int64_t div,
	       bool explicit_print)
{
	struct map_snapshot s;
	int ncpus = o->ncpus > 0 ? o->ncpus : libbpf_num_possible_cpus();
	int err = map_snapshot_read(&s, m, map_fd, ncpus > 0 ? ncpus : 1);

	if (!err && s.n == 0 && explicit_print && !m->key && !map_is_hist(m))
		err = map_snapshot_add_zero(&s, m);
	if (err) {
		map_snapshot_free(&s);
		return err;
	}
	map_snapshot_sort(&s, m);
	/* top: the last `top` entries of the ascending order */
	size_t first = top > 0 && (uint64_t)top < s.n ? s.n - (size_t)top : 0;
	if (o->folded)
		folded_print_map(o, m, &s, first, div);
	else if (o->mode == OUTPUT_JSON)
		print_json(o, m, &s, first, div);
	else
		print_text(o, m, &s, first, div);
	map_snapshot_free(&s);
	return 0;
}
