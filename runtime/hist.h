/* hist()/lhist() buckets: labels, bounds, text rows and JSON arrays (§9,
 * §10.4, §10.7). */
#ifndef SONDE_HIST_H
#define SONDE_HIST_H
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

/* Bucket labels as the text rows print them; exposed for unit tests. */
void hist_bucket_label(char *buf, size_t len, int bits, uint64_t bucket);
void lhist_bucket_label(char *buf, size_t len, int64_t min, int64_t max, int64_t step,
			uint64_t bucket);

#endif
