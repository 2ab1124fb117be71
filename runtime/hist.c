/* hist()/lhist() buckets: labels, bounds and rows (§9, §10.4, §10.7). */
#include "hist.h"

#include "json.h"
#include "values.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define BAR_WIDTH 52

size_t hist_max_buckets(const struct type *vt)
{
	return type_bucket_count(vt);
}

/* Exclusive upper bound of hist bucket b >= 1 (modulo 2^64: the last one is
 * 2^64). *p gets the power of two for suffix printing, -1 for plain. */
static uint64_t hist_upper(int k, uint64_t b, int *p, uint64_t *mant)
{
	if (b <= (2u << k)) {
		*p = -1;
		*mant = b;
		return b;
	}
	uint64_t i = b & ((1u << k) - 1);
	uint64_t pp = (b >> k) - 1;
	*p = pp > 64 ? 64 : (int)pp;
	*mant = (1u << k) + i;
	return *p >= 64 ? 0 : *mant << *p;
}

static void hist_bound_text(char *buf, size_t len, int k, uint64_t b)
{
	static const char *const suffix[] = { "", "K", "M", "G", "T", "P", "E" };
	int p;
	uint64_t mant;
	uint64_t v = hist_upper(k, b, &p, &mant);

	if (p < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%s", mant << (p % 10), suffix[p / 10]);
}

void hist_bucket_label(char *buf, size_t len, int bits, uint64_t bucket)
{
	char lo[24], hi[24]; /* 20 digits and a suffix */

	if (bucket == 0) {
		snprintf(buf, len, "(..., 0)");
		return;
	}
	if (bucket <= (2u << bits)) {
		snprintf(buf, len, "[%" PRIu64 "]", bucket - 1);
		return;
	}
	hist_bound_text(lo, sizeof(lo), bits, bucket - 1);
	hist_bound_text(hi, sizeof(hi), bits, bucket);
	snprintf(buf, len, "[%s, %s)", lo, hi);
}

static void lhist_bound_text(char *buf, size_t len, int64_t v, int64_t step)
{
	if (step % 1024 == 0 && v != 0 && v % 1048576 == 0)
		snprintf(buf, len, "%" PRId64 "M", v / 1048576);
	else if (step % 1024 == 0 && v != 0 && v % 1024 == 0)
		snprintf(buf, len, "%" PRId64 "K", v / 1024);
	else
		snprintf(buf, len, "%" PRId64, v);
}

void lhist_bucket_label(char *buf, size_t len, int64_t min, int64_t max, int64_t step,
			uint64_t bucket)
{
	char lo[32], hi[32];
	uint64_t last = 1 + (uint64_t)((max - min) / step);

	if (bucket == 0) {
		lhist_bound_text(lo, sizeof(lo), min, step);
		snprintf(buf, len, "(..., %s)", lo);
		return;
	}
	if (bucket >= last) {
		lhist_bound_text(lo, sizeof(lo), min + (int64_t)(last - 1) * step, step);
		snprintf(buf, len, "[%s, ...)", lo);
		return;
	}
	int64_t l = min + (int64_t)(bucket - 1) * step;
	lhist_bound_text(lo, sizeof(lo), l, step);
	if (step == 1) {
		snprintf(buf, len, "[%s]", lo);
		return;
	}
	lhist_bound_text(hi, sizeof(hi), l + step, step);
	snprintf(buf, len, "[%s, %s)", lo, hi);
}

static void bucket_label(char *buf, size_t len, const struct type *vt, uint64_t b)
{
	if (vt->kind == TY_HIST)
		hist_bucket_label(buf, len, vt->hist_bits, b);
	else
		lhist_bucket_label(buf, len, vt->lh_min, vt->lh_max, vt->lh_step, b);
}

uint64_t hist_bucket_count(const struct type *vt, const uint64_t *counts, size_t b, int64_t div)
{
	return vt->kind == TY_HIST ? agg_div(counts[b], false, div) : counts[b];
}

bool hist_range(const struct type *vt, const uint64_t *counts, size_t n, int64_t div,
		       size_t *lo, size_t *hi, uint64_t *max)
{
	bool found = false;

	*max = 0;
	for (size_t b = 0; b < n; b++) {
		uint64_t c = hist_bucket_count(vt, counts, b, div);
		if (!c)
			continue;
		if (!found)
			*lo = b;
		found = true;
		*hi = b;
		if (c > *max)
			*max = c;
	}
	return found;
}

void hist_print_text(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
		     int64_t div)
{
	size_t lo, hi;
	uint64_t max;
	char label[64], bar[BAR_WIDTH + 1];

	if (!hist_range(vt, counts, n, div, &lo, &hi, &max))
		return;
	for (size_t b = lo; b <= hi; b++) {
		uint64_t c = hist_bucket_count(vt, counts, b, div);
		/* single precision, truncated: what bpftrace computes */
		int w = (int)((float)c / (float)max * 52.0f);
		if (w < 0)
			w = 0;
		if (w > BAR_WIDTH)
			w = BAR_WIDTH;
		memset(bar, '@', (size_t)w);
		bar[w] = '\0';
		bucket_label(label, sizeof(label), vt, b);
		fprintf(f, "%-16s%8" PRIu64 " |%-52s|\n", label, c, bar);
	}
}

void hist_bucket_bounds(const struct type *vt, uint64_t b, int64_t *min, bool *has_min,
			  uint64_t *max, bool *has_max)
{
	int p;
	uint64_t mant;

	*has_min = *has_max = b != 0;
	if (b == 0) {
		*has_max = true;
		*max = (uint64_t)(vt->kind == TY_HIST ? -1 : vt->lh_min - 1);
		return;
	}
	if (vt->kind == TY_HIST) {
		*min = (int64_t)(b == 1 ? 0 : hist_upper(vt->hist_bits, b - 1, &p, &mant));
		*max = hist_upper(vt->hist_bits, b, &p, &mant) - 1;
		return;
	}
	uint64_t last = 1 + (uint64_t)((vt->lh_max - vt->lh_min) / vt->lh_step);
	*min = vt->lh_min + (int64_t)(b - 1) * vt->lh_step;
	*max = (uint64_t)(*min + vt->lh_step - 1);
	*has_max = b < last;
}

void hist_print_json(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
		     int64_t div)
{
	size_t lo, hi;
	uint64_t maxc;

	fputc('[', f);
	if (hist_range(vt, counts, n, div, &lo, &hi, &maxc)) {
		for (size_t b = lo; b <= hi; b++) {
			uint64_t c = hist_bucket_count(vt, counts, b, div);
			int64_t min = 0;
			uint64_t max = 0;
			bool has_min, has_max;

			hist_bucket_bounds(vt, b, &min, &has_min, &max, &has_max);
			fputs(b == lo ? "{" : ",{", f);
			if (has_min) {
				fputs("\"min\": ", f);
				json_write_int(f, (uint64_t)min, true);
				fputs(", ", f);
			}
			if (has_max) {
				fputs("\"max\": ", f);
				/* hist bounds above INT64_MAX are unsigned; -1 is signed */
				json_write_int(f, max, b == 0 || (int64_t)max >= 0);
				fputs(", ", f);
			}
			fputs("\"count\": ", f);
			json_write_int(f, c, false);
			fputc('}', f);
		}
	}
	fputc(']', f);
}
