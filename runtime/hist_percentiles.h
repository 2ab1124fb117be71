/* Percentiles of a hist/lhist estimated from its buckets (config
 * hist_percentiles): p50, p90 and p99 after the histogram, in text and
 * JSON. */
#ifndef SONDE_HIST_PERCENTILES_H
#define SONDE_HIST_PERCENTILES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/types.h"

/* The estimate of one percentile: the inclusive upper bound of the bucket
 * that holds the value of that rank, so at least that share of the values
 * is <= it. The last lhist bucket has no upper bound: `open` is set and
 * `bound` is its lower bound (the value is >= it). */
struct percentile {
	uint64_t bound;
	bool is_signed;
	bool open;
};

/* Percentile pct (0 < pct <= 100) of the buckets (counts divided by div as
 * printed); false when every bucket is empty. */
bool hist_percentile(const struct type *vt, const uint64_t *counts, size_t n, int64_t div,
		     unsigned pct, struct percentile *out);
/* "p50: A, p90: B, p99: C\n"; nothing for an empty histogram. */
void hist_percentiles_text(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
			   int64_t div);
/* {"p50": A, "p90": B, "p99": C}: numbers, an open bound as the string
 * ">=N"; null for an empty histogram. */
void hist_percentiles_json(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
			   int64_t div);

#endif
