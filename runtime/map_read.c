/* Reading a script map from the kernel: merge per-CPU values, group
 * histogram buckets and tseries slots by user key, sort in print order (§9, §10.3). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* qsort_r */
#endif
#include "map_read.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/types.h"
#include "hist.h"
#include "values.h"

/* One BPF entry of a hist/lhist map, before grouping. */
struct hist_raw {
	const unsigned char *key; /* user key bytes */
	uint64_t bucket, count;
};

struct hist_raws {
	struct hist_raw *v;
	size_t n, cap;
};

/* One CPU's copy of one tseries slot, before grouping. */
struct tseries_raw {
	const unsigned char *key; /* user key bytes */
	struct tseries_sample sample;
};

struct tseries_raws {
	struct tseries_raw *v;
	size_t n, cap;
};

/* Everything the per-key reader needs. */
struct reader {
	const struct map_desc *m;
	struct map_snapshot *s;
	struct hist_raws raws;
	struct tseries_raws ts_raws;
	int ncpu;
	size_t stride;    /* bytes per CPU in a lookup result */
	size_t user_ksz;  /* user part of the key; the bucket (slot) word follows */
};

bool map_is_hist(const struct map_desc *m)
{
	return m->value->kind == TY_HIST || m->value->kind == TY_LHIST;
}

bool map_is_tseries(const struct map_desc *m)
{
	return m->value->kind == TY_TSERIES;
}

/* Room for one more element in *v (n used of *cap, elem bytes each). */
static bool grow(void **v, size_t n, size_t *cap, size_t elem, size_t first_cap)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : first_cap;
	void *p = realloc(*v, c * elem);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

int *map_order_by_name(const struct compiled_program *prog)
{
	int n = prog->nmaps;
	int *order = calloc((size_t)(n ? n : 1), sizeof(int));

	if (!order)
		return NULL;
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strcmp(prog->maps[order[j - 1]].name, prog->maps[order[j]].name) > 0; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	return order;
}

static struct map_entry *add_entry(struct map_snapshot *s)
{
	if (!grow((void **)&s->entries, s->n, &s->cap, sizeof(*s->entries), 64))
		return NULL;
	struct map_entry *e = &s->entries[s->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static int add_raw(struct hist_raws *r, const unsigned char *key, uint64_t bucket, uint64_t count)
{
	if (!grow((void **)&r->v, r->n, &r->cap, sizeof(*r->v), 256))
		return -ENOMEM;
	r->v[r->n++] = (struct hist_raw){ key, bucket, count };
	return 0;
}

/* The slot's copies on every CPU: those that never wrote it (count 0) are
 * kept too, so that a key whose slots were zeroed still has an entry. */
static int add_tseries_raws(struct reader *r, const unsigned char *key, const unsigned char *val)
{
	struct tseries_raws *t = &r->ts_raws;
	for (int c = 0; c < r->ncpu; c++) {
		const unsigned char *w = val + (size_t)c * r->stride;
		struct tseries_sample s = { rd64(w), (int64_t)rd64(w + 8), rd64(w + 16), rd64(w + 24) };
		if (!grow((void **)&t->v, t->n, &t->cap, sizeof(*t->v), 256))
			return -ENOMEM;
		t->v[t->n++] = (struct tseries_raw){ key, s };
	}
	return 0;
}

/* Aggregates merge their per-CPU copies; a plain value is copied. */
static int merge_value(struct reader *r, struct map_entry *e, const unsigned char *val)
{
	struct percpu_value pv = { val, r->ncpu, r->stride };

	if (percpu_merge(&pv, r->m->value, &e->agg))
		return 0;
	unsigned char *v = arena_alloc(&r->s->arena, r->m->value_size);
	memcpy(v, val, r->m->value_size);
	e->value = v;
	return 0;
}

/* The word of an array entry that shows the aggregation has counted there
 * (program.h), -1 for sum, which has only the present word. */
static int counted_word(const struct type *vt)
{
	switch (vt->kind) {
	case TY_MIN: case TY_MAX:
		return 8; /* is_set */
	case TY_SUM:
		return -1;
	default:
		return 0; /* the count */
	}
}

/* Whether an entry of a per-CPU array stands for an existing hash entry:
 * its present word, or its count, is set on some CPU. */
static bool array_entry_present(const struct reader *r, const unsigned char *val)
{
	int counted = counted_word(r->m->value);
	for (int c = 0; c < r->ncpu; c++) {
		const unsigned char *w = val + (size_t)c * r->stride;
		if (rd64(w + r->m->value_size - 8) || (counted >= 0 && rd64(w + counted)))
			return true;
	}
	return false;
}

static int read_one(struct reader *r, const unsigned char *key, const unsigned char *val)
{
	const unsigned char *ukey = NULL;

	if (r->m->array) {
		if (!array_entry_present(r, val))
			return 0;
		if (map_is_hist(r->m)) { /* the key is the bucket index */
			struct percpu_value pv = { val, r->ncpu, r->stride };
			uint32_t bucket;
			memcpy(&bucket, key, sizeof(bucket));
			return add_raw(&r->raws, (const unsigned char *)"", bucket, percpu_sum(&pv, 0));
		}
	}

	if (r->m->key || type_has_bucket_key(r->m->value)) {
		unsigned char *k = arena_alloc(&r->s->arena, r->user_ksz ? r->user_ksz : 1);
		memcpy(k, key, r->user_ksz);
		ukey = k;
	}
	if (map_is_tseries(r->m))
		return add_tseries_raws(r, ukey, val);
	if (map_is_hist(r->m)) {
		struct percpu_value pv = { val, r->ncpu, r->stride };
		return add_raw(&r->raws, ukey, rd64(key + r->user_ksz), percpu_sum(&pv, 0));
	}
	struct map_entry *e = add_entry(r->s);
	if (!e)
		return -ENOMEM;
	e->key = r->m->key ? ukey : NULL;
	return merge_value(r, e, val);
}

static int hist_raw_cmp(const void *a, const void *b, void *arg)
{
	const struct hist_raw *x = a, *y = b;
	int c = memcmp(x->key, y->key, *(const size_t *)arg);

	if (c)
		return c;
	return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/* One entry per user key with its bucket array; bucket indexes the value
 * type cannot produce are dropped. */
static int group_hist(struct reader *r)
{
	struct hist_raws *rw = &r->raws;
	size_t max = hist_max_buckets(r->m->value);

	if (rw->n > 1)
		qsort_r(rw->v, rw->n, sizeof(*rw->v), hist_raw_cmp, &r->user_ksz);
	for (size_t i = 0, j; i < rw->n; i = j) {
		size_t nb = 0;
		for (j = i; j < rw->n && !memcmp(rw->v[i].key, rw->v[j].key, r->user_ksz); j++)
			if (rw->v[j].bucket < max)
				nb = rw->v[j].bucket + 1;
		struct map_entry *e = add_entry(r->s);
		if (!e)
			return -ENOMEM;
		e->key = r->m->key ? rw->v[i].key : NULL;
		e->nbuckets = nb;
		e->buckets = arena_alloc(&r->s->arena, (nb ? nb : 1) * sizeof(uint64_t));
		for (size_t k = i; k < j; k++) {
			if (rw->v[k].bucket >= nb)
				continue;
			e->buckets[rw->v[k].bucket] += rw->v[k].count;
			e->agg.count += rw->v[k].count;
		}
	}
	return 0;
}

static int tseries_raw_cmp(const void *a, const void *b, void *arg)
{
	return memcmp(((const struct tseries_raw *)a)->key, ((const struct tseries_raw *)b)->key,
		      *(const size_t *)arg);
}

/* One entry per user key with its merged intervals (none when zero()
 * reset all its slots). */
static int group_tseries(struct reader *r)
{
	struct tseries_raws *rw = &r->ts_raws;
	size_t slots = r->m->value->ts_intervals;
	struct tseries_sample *samples = malloc((rw->n ? rw->n : 1) * sizeof(*samples));
	int err = samples ? 0 : -ENOMEM;

	if (rw->n > 1)
		qsort_r(rw->v, rw->n, sizeof(*rw->v), tseries_raw_cmp, &r->user_ksz);
	for (size_t i = 0, j; !err && i < rw->n; i = j) {
		size_t n = 0;
		for (j = i; j < rw->n && !memcmp(rw->v[i].key, rw->v[j].key, r->user_ksz); j++)
			samples[n++] = rw->v[j].sample;
		struct map_entry *e = add_entry(r->s);
		if (!e) {
			err = -ENOMEM;
			break;
		}
		e->key = r->m->key ? rw->v[i].key : NULL;
		int64_t *values = arena_alloc(&r->s->arena, slots * sizeof(*values));
		bool *has = arena_alloc(&r->s->arena, slots * sizeof(*has));
		err = tseries_merge(r->m->value, samples, n, &e->ts, values, has);
	}
	free(samples);
	return err;
}

/* Walk the keys. A concurrent delete can restart the walk, so the number of
 * steps is bounded. */
static int walk_map(struct reader *r, int fd)
{
	const struct map_desc *m = r->m;
	size_t vbytes = r->stride * (size_t)r->ncpu;
	unsigned char *key = malloc(m->key_size), *next = malloc(m->key_size);
	unsigned char *val = malloc(vbytes ? vbytes : 8);
	uint64_t limit = ((uint64_t)(m->max_entries ? m->max_entries : 1u << 20)) * 2 + 16;
	int err = -ENOMEM;

	if (!key || !next || !val)
		goto out;
	err = bpf_map_get_next_key(fd, NULL, next);
	while (!err && limit--) {
		err = bpf_map_lookup_elem(fd, next, val);
		if (!err)
			err = read_one(r, next, val);
		else if (err == -ENOENT) /* deleted meanwhile */
			err = 0;
		if (err)
			break;
		unsigned char *t = key;
		key = next;
		next = t;
		err = bpf_map_get_next_key(fd, key, next);
	}
	if (err == -ENOENT)
		err = 0;
out:
	free(key);
	free(next);
	free(val);
	return err;
}

int map_snapshot_read(struct map_snapshot *s, const struct map_desc *m, int fd, int ncpus)
{
	struct reader r = {
		.m = m,
		.s = s,
		.ncpu = m->percpu ? (ncpus > 0 ? ncpus : 1) : 1,
		.stride = (m->value_size + 7) & ~(size_t)7,
	};
	int err;

	memset(s, 0, sizeof(*s));
	if (m->array)
		r.user_ksz = 0;
	else if (type_has_bucket_key(m->value) && m->key_size < 16)
		return -EINVAL;
	else if (type_has_bucket_key(m->value))
		r.user_ksz = m->key_size - 8; /* the key, padded to 8, then the bucket */
	else
		r.user_ksz = m->key ? m->key_size : 0;
	err = walk_map(&r, fd);
	if (!err && map_is_hist(m))
		err = group_hist(&r);
	if (!err && map_is_tseries(m))
		err = group_tseries(&r);
	free(r.raws.v);
	free(r.ts_raws.v);
	return err;
}

int map_array_reset(const struct map_desc *m, int fd, int ncpus, bool zero_only)
{
	struct reader r = { .m = m, .ncpu = ncpus > 0 ? ncpus : 1, .stride = (m->value_size + 7) & ~(size_t)7 };
	size_t bytes = r.stride * (size_t)r.ncpu;
	unsigned char *val = malloc(bytes), *zero = calloc(1, bytes), *zeroed = calloc(1, bytes);
	int err = val && zero && zeroed ? 0 : -ENOMEM;

	if (zeroed) /* present, with nothing counted: what zero() leaves */
		memset(zeroed + m->value_size - 8, 0xff, 8);
	for (uint32_t i = 0; !err && i < m->max_entries; i++) {
		err = bpf_map_lookup_elem(fd, &i, val);
		if (err || !memcmp(val, zero, bytes))
			continue;
		bool keep = zero_only && array_entry_present(&r, val);
		err = bpf_map_update_elem(fd, &i, keep ? zeroed : zero, BPF_EXIST);
	}
	free(val);
	free(zero);
	free(zeroed);
	return err;
}

int map_snapshot_add_zero(struct map_snapshot *s, const struct map_desc *m)
{
	struct map_entry *e = add_entry(s);

	if (!e)
		return -ENOMEM;
	e->value = arena_alloc(&s->arena, m->value_size ? m->value_size : 8);
	return 0;
}

void map_snapshot_free(struct map_snapshot *s)
{
	free(s->entries);
	arena_free(&s->arena);
	memset(s, 0, sizeof(*s));
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

int map_key_compare(const struct type *t, const void *a, const void *b)
{
	const unsigned char *x = a, *y = b;

	switch (t->kind) {
	case TY_INT:
	case TY_BOOL:
	case TY_POINTER:
	case TY_PROBE:
		/* integer keys compare as signed numbers */
		return cmp_i64((int64_t)rd_scalar(t, x), (int64_t)rd_scalar(t, y));
	case TY_TUPLE:
		for (int i = 0; i < t->nfields; i++) {
			int c = map_key_compare(t->fields[i], x + t->offsets[i], y + t->offsets[i]);
			if (c)
				return c;
		}
		return 0;
	default:
		return memcmp(x, y, type_storage_size(t));
	}
}

/* Order of the values alone; 0 when only the key can decide. */
static int value_compare(const struct type *vt, const struct map_entry *a,
			 const struct map_entry *b)
{
	switch (vt->kind) {
	case TY_COUNT:
	case TY_MIN:
	case TY_MAX:
		/* min/max as uint64: negatives last */
		return cmp_u64((uint64_t)a->agg.num, (uint64_t)b->agg.num);
	case TY_SUM:
	case TY_AVG:
	case TY_STATS:
		return vt->is_signed ? cmp_i64(a->agg.num, b->agg.num)
				     : cmp_u64((uint64_t)a->agg.num, (uint64_t)b->agg.num);
	case TY_HIST:
	case TY_LHIST:
		return cmp_u64(a->agg.count, b->agg.count);
	case TY_TSERIES:
		return cmp_u64(a->ts.last_ns, b->ts.last_ns);
	case TY_INT:
		return vt->is_signed ? cmp_i64((int64_t)rd_scalar(vt, a->value), (int64_t)rd_scalar(vt, b->value))
				     : cmp_u64(rd_scalar(vt, a->value), rd_scalar(vt, b->value));
	case TY_BOOL:
		return cmp_u64(rd_scalar(vt, a->value) != 0, rd_scalar(vt, b->value) != 0);
	default:
		return 0;
	}
}

static int entry_cmp(const void *a, const void *b, void *arg)
{
	const struct map_desc *m = arg;
	int c = value_compare(m->value, a, b);

	if (c || !m->key)
		return c;
	return map_key_compare(m->key, ((const struct map_entry *)a)->key,
			       ((const struct map_entry *)b)->key);
}

void map_snapshot_sort(struct map_snapshot *s, const struct map_desc *m)
{
	if (s->n > 1)
		qsort_r(s->entries, s->n, sizeof(*s->entries), entry_cmp, (void *)m);
}
