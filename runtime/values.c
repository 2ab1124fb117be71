/* The value layer (see values.h). */
#include "values.h"

#include <time.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "rd_scalar() reads the low bytes of 8-byte words: little-endian only"
#endif

uint64_t rd_scalar(const struct type *t, const void *p)
{
	size_t width = t->kind == TY_INT || t->kind == TY_BOOL ? type_field_size(t) : 8;
	bool sgn = t->kind == TY_INT && t->is_signed;
	uint64_t v = 0;

	if (t->bit_width) { /* a bitfield: its bytes, shifted and masked */
		size_t bytes = (size_t)(t->bit_shift + t->bit_width + 7) / 8;
		memcpy(&v, p, bytes);
		v >>= t->bit_shift;
		if (t->bit_width < 64)
			v &= (1ull << t->bit_width) - 1;
		if (t->bit_width < 64 && sgn && (v >> (t->bit_width - 1)) & 1)
			v |= ~0ull << t->bit_width;
		return v;
	}
	memcpy(&v, p, width);
	if (width < 8 && sgn && (v >> (width * 8 - 1)) & 1)
		v |= ~0ull << (width * 8);
	return v;
}

uint64_t agg_div(uint64_t v, bool is_signed, int64_t div)
{
	if (div <= 1)
		return v;
	if (is_signed)
		return (uint64_t)((int64_t)v / div);
	return v / (uint64_t)div;
}

uint64_t agg_average(uint64_t count, uint64_t total, bool is_signed)
{
	if (!count)
		return 0;
	if (is_signed)
		return (uint64_t)((int64_t)total / (int64_t)count);
	return total / count;
}

struct agg_value agg_stats_read(const void *data, bool is_signed)
{
	const unsigned char *d = data;
	struct agg_value a = { .count = rd64(d), .total = (int64_t)rd64(d + 8) };

	a.num = (int64_t)agg_average(a.count, (uint64_t)a.total, is_signed);
	return a;
}

bool agg_number(const struct type *vt, const struct agg_value *a, const void *value,
		int64_t div, uint64_t *v, bool *is_signed)
{
	switch (vt->kind) {
	case TY_COUNT:
		*is_signed = false;
		*v = agg_div((uint64_t)a->num, false, div);
		return true;
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
	case TY_AVG:
		*is_signed = vt->is_signed;
		*v = agg_div((uint64_t)a->num, vt->is_signed, div);
		return true;
	case TY_INT:
		*is_signed = vt->is_signed;
		*v = agg_div(rd_scalar(vt, value), vt->is_signed, div);
		return true;
	default:
		return false;
	}
}

uint64_t percpu_sum(const struct percpu_value *v, size_t off)
{
	uint64_t sum = 0;

	for (int c = 0; c < v->ncpu; c++)
		sum += rd64(v->data + (size_t)c * v->stride + off);
	return sum;
}

/* min/max over the CPUs that saw a value ({ u64 value; u64 set }); the
 * signedness of the value type decides the order. */
static int64_t merge_minmax(const struct percpu_value *v, const struct type *vt)
{
	bool set = false, is_min = vt->kind == TY_MIN;
	int64_t num = 0;

	for (int c = 0; c < v->ncpu; c++) {
		const unsigned char *w = v->data + (size_t)c * v->stride;
		uint64_t x = rd64(w);
		if (!rd64(w + 8))
			continue;
		bool less = vt->is_signed ? (int64_t)x < num : x < (uint64_t)num;
		if (!set || less == is_min)
			num = (int64_t)x;
		set = true;
	}
	return num;
}

bool percpu_merge(const struct percpu_value *v, const struct type *vt, struct agg_value *out)
{
	*out = (struct agg_value){ 0 };
	switch (vt->kind) {
	case TY_COUNT:
	case TY_SUM:
		out->num = (int64_t)percpu_sum(v, 0);
		return true;
	case TY_MIN:
	case TY_MAX:
		out->num = merge_minmax(v, vt);
		return true;
	case TY_AVG:
	case TY_STATS:
		out->count = percpu_sum(v, 0);
		out->total = (int64_t)percpu_sum(v, 8);
		out->num = (int64_t)agg_average(out->count, (uint64_t)out->total, vt->is_signed);
		return true;
	default:
		return false;
	}
}

int64_t wall_minus_boot_ns(void)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return ((int64_t)real.tv_sec - (int64_t)boot.tv_sec) * 1000000000 + (real.tv_nsec - boot.tv_nsec);
}
