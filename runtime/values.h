/* The value layer under the text and JSON renderers: reading the words
 * and scalars of values, merging the per-CPU copies of aggregates, averages and
 * division (§9, §10.3). */
#ifndef SONDE_VALUES_H
#define SONDE_VALUES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/types.h"

/* A 64-bit word of a value as BPF wrote it; records need not be aligned. */
static inline uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A scalar of type t (int, bool, pointer, probe id, count/sum/min/max) as
 * a u64, sign- or zero-extended from its width: a tuple field holds its
 * natural width (common/types.h), a value stored alone an 8-byte word
 * whose low bytes, on a little-endian machine, are the same value. */
uint64_t rd_scalar(const struct type *t, const void *p);

/* An aggregate's value after merging its per-CPU copies. */
struct agg_value {
	int64_t num;    /* count/sum/min/max value; avg/stats average */
	uint64_t count; /* avg/stats count; hist/lhist total count */
	int64_t total;  /* avg/stats total */
};

/* v / div (div <= 1: v), with the signedness of the value. */
uint64_t agg_div(uint64_t v, bool is_signed, int64_t div);
/* total / count with C division; 0 when count is 0. */
uint64_t agg_average(uint64_t count, uint64_t total, bool is_signed);
/* An avg/stats value's bytes { u64 count; u64 total } with its average. */
struct agg_value agg_stats_read(const void *data, bool is_signed);
/* The number a count/sum/min/max/avg aggregate or an integer (value bytes)
 * prints as, divided by div, and its signedness. false for other kinds. */
bool agg_number(const struct type *vt, const struct agg_value *a, const void *value,
		int64_t div, uint64_t *v, bool *is_signed);

/* A per-CPU map lookup result: ncpu copies of a value, stride bytes apart
 * (ncpu is 1 for a map that is not per-CPU). */
struct percpu_value {
	const unsigned char *data;
	int ncpu;
	size_t stride;
};

/* The sum over the CPUs of the word at byte offset off. */
uint64_t percpu_sum(const struct percpu_value *v, size_t off);
/* Merge the copies of a count/sum/min/max/avg/stats aggregate of type vt
 * into *out. false for other kinds: a plain value has a single copy, and
 * hist buckets are summed one by one (percpu_sum). */
bool percpu_merge(const struct percpu_value *v, const struct type *vt, struct agg_value *out);

/* Wall clock minus boot clock, in ns, now: boot-clock timestamps from BPF
 * plus this are wall-clock times. */
int64_t wall_minus_boot_ns(void);

#endif
