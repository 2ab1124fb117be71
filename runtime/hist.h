/* hist()/lhist() buckets: labels, bounds, text rows and JSON arrays (§9,
 * §10.4, §10.7). */
#ifndef SONDE_HIST_H
#define SONDE_HIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/types.h"

/* Number of bucket indexes a hist/lhist value type can produce. */
size_t hist_max_buckets(const struct type *vt);
/* Histogram rows (§10.4), counts divided by div (hist only, not lhist). */
void hist_print_text(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
		     int64_t div);
/* The JSON bucket array of §10.7, counts divided as in hist_print_text. */
void hist_print_json(FILE *f, const struct type *vt, const uint64_t *counts, size_t n,
		     int64_t div);

/* A bucket's count as printed: hist counts are divided by div, lhist's not. */
uint64_t hist_bucket_count(const struct type *vt, const uint64_t *counts, size_t b, int64_t div);
/* Counts after `div` (hist only); the range of non-empty buckets and the
 * largest count. Returns false when every bucket is empty. */
bool hist_range(const struct type *vt, const uint64_t *counts, size_t n, int64_t div,
		size_t *lo, size_t *hi, uint64_t *max);
/* Inclusive bounds of bucket b (JSON, metrics `le`, percentiles); has_min
 * and has_max are false for the open-ended buckets. A hist max is
 * unsigned except for bucket 0, whose max is -1. */
void hist_bucket_bounds(const struct type *vt, uint64_t b, int64_t *min, bool *has_min,
			uint64_t *max, bool *has_max);

/* Bucket labels as the text rows print them; exposed for unit tests. */
void hist_bucket_label(char *buf, size_t len, int bits, uint64_t bucket);
void lhist_bucket_label(char *buf, size_t len, int64_t min, int64_t max, int64_t step,
			uint64_t bucket);

#endif
