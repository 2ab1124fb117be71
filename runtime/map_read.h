/* A snapshot of a script map read from the kernel: per-CPU values merged
 * (values.h), histogram buckets and tseries slots grouped by user key, entries sorted in
 * print order (§9, §10.3). What the map printers print. */
#ifndef SONDE_MAP_READ_H
#define SONDE_MAP_READ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/program.h"
#include "tseries.h"
#include "values.h"

/* One printed entry of a map, after merging the per-CPU values and (for
 * hist/lhist) grouping the buckets of one user key. */
struct map_entry {
	const unsigned char *key;   /* user key bytes; NULL for a scalar map */
	const unsigned char *value; /* plain (non-aggregate) value bytes */
	struct agg_value agg;       /* merged aggregate; hist/lhist: agg.count */
	uint64_t *buckets;          /* hist/lhist: count per bucket index */
	size_t nbuckets;
	struct tseries ts;          /* tseries: the merged intervals */
};

struct map_snapshot {
	struct arena arena;         /* keys, values, buckets */
	struct map_entry *entries;  /* malloc'ed */
	size_t n, cap;
};

/* Read every entry of the BPF map fd. Returns 0 or -errno. Free the snapshot
 * with map_snapshot_free() whatever the result. */
int map_snapshot_read(struct map_snapshot *s, const struct map_desc *m, int fd, int ncpus);
/* clear() (zero_only false) or zero() of a per-CPU array map (map_desc.array),
 * which has no delete: entries that exist become absent, or present with
 * nothing counted. Returns 0 or -errno. */
int map_array_reset(const struct map_desc *m, int fd, int ncpus, bool zero_only);
/* Add the zero value of a scalar map (print() of an empty map). */
int map_snapshot_add_zero(struct map_snapshot *s, const struct map_desc *m);
/* Sort in print order (§10.3): ascending by value, ties by key. */
void map_snapshot_sort(struct map_snapshot *s, const struct map_desc *m);
void map_snapshot_free(struct map_snapshot *s);
/* Whole-map key comparison used for sorting: <0, 0, >0. */
int map_key_compare(const struct type *t, const void *a, const void *b);

bool map_is_hist(const struct map_desc *m);
bool map_is_tseries(const struct map_desc *m);
/* The indexes of the program's maps ordered by name (byte order), as the
 * maps print at exit: malloc'ed, NULL if out of memory. */
int *map_order_by_name(const struct compiled_program *prog);

#endif
