/* Percentiles estimated from histogram buckets: the rank of percentile p of
 * N values is ceil(p * N / 100); the estimate is the inclusive upper bound
 * of the bucket where the running count reaches that rank. */
#include "hist_percentiles.h"

#include <inttypes.h>

#include "hist.h"
#include "json.h"

static const unsigned reported[] = { 50, 90, 99 };
#define NREPORTED (sizeof(reported) / sizeof(reported[0]))

bool hist_percentile(const struct type *vt, const uint64_t *counts, size_t n, int64_t div,
		     unsigned pct, struct percentile *out)
{
	size_t lo, hi;
	uint64_t max, total = 0, seen = 0;

	if (!hist_range(vt, counts, n, div, &lo, &hi, &max))
		return false;
	for (size_t b = lo; b <= hi; b++)
		total += hist_bucket_count(vt, counts, b, div);
	/* ceil(pct * total / 100) without overflow for any total */
	uint64_t rank = total / 100 * pct + (total % 100 * pct + 99) / 100;
	if (rank == 0)
		rank = 1;
	size_t b = lo;
	for (; b < hi; b++) {
		seen += hist_bucket_count(vt, counts, b, div);
		if (seen >= rank)
			break;
	}
	int64_t bmin = 0;
	uint64_t bmax = 0;
	bool has_min, has_max;
	hist_bucket_bounds(vt, b, &bmin, &has_min, &bmax, &has_max);
	out->open = !has_max;
	out->bound = has_max ? bmax : (uint64_t)bmin;
	/* hist bounds are unsigned but for bucket 0 (-1); lhist's are signed */
	out->is_signed = vt->kind == TY_LHIST || b == 0;
	return true;
}

static void write_bound(FILE *f, const struct percentile *p)
{
	if (p->is_signed)
		fprintf(f, "%s%" PRId64, p->open ? ">=" : "", (int64_t)p->bound);
	else
		fprintf(f, "%s%" PRIu64, p->open ? ">=" : "", p->bound);
}

void hist_percentiles_text(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
			   int64_t div)
{
	struct percentile p;

	for (size_t i = 0; i < NREPORTED; i++) {
		if (!hist_percentile(vt, counts, n, div, reported[i], &p))
			return;
		fprintf(f, "%sp%u: ", i ? ", " : "", reported[i]);
		write_bound(f, &p);
	}
	fputc('\n', f);
}

void hist_percentiles_json(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
			   int64_t div)
{
	struct percentile p;

	for (size_t i = 0; i < NREPORTED; i++) {
		if (!hist_percentile(vt, counts, n, div, reported[i], &p)) {
			fputs("null", f);
			return;
		}
		fprintf(f, "%s\"p%u\": ", i ? ", " : "{", reported[i]);
		if (p.open) {
			fputc('"', f);
			write_bound(f, &p);
			fputc('"', f);
		} else {
			json_write_int(f, p.bound, p.is_signed);
		}
	}
	fputc('}', f);
}
