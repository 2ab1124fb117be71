/* tseries() values: per-CPU merge, chart and JSON list (§9, §10.4, §10.7). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* localtime_r */
#endif
#include "tseries.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "values.h"

#define GRAPH_WIDTH 53   /* W: the field of `|`, `.` and `*` */
#define LABEL_PADDING 21 /* P: where the lo number ends and hi begins */
#define SIGN_BIT (1ull << 63)

/* Does a beat b in the interval's aggregation (min/max)? */
static bool better(const struct type *vt, int64_t a, int64_t b)
{
	bool less = vt->is_signed ? a < b : (uint64_t)a < (uint64_t)b;
	return vt->ts_agg == TSERIES_MIN ? less : !less && a != b;
}

int tseries_merge(const struct type *vt, const struct tseries_sample *samples, size_t n, struct tseries *out,
		  int64_t *values, bool *has)
{
	size_t slots = vt->ts_intervals;
	uint64_t newest = 0;
	bool any = false;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (!samples[i].count)
			continue;
		newest = !any || samples[i].epoch > newest ? samples[i].epoch : newest;
		out->last_ns = samples[i].last_ns > out->last_ns ? samples[i].last_ns : out->last_ns;
		any = true;
	}
	if (!any || !slots)
		return 0;
	/* the window ends at the newest epoch; it cannot start before epoch 0 */
	size_t window = newest < slots - 1 ? (size_t)newest + 1 : slots;
	out->first_epoch = newest + 1 - window;
	out->n = window;
	out->values = values;
	out->has = has;
	memset(values, 0, window * sizeof(*values));
	memset(has, 0, window * sizeof(*has));
	/* per interval: the values' count (avg) or the newest write (last) */
	uint64_t *aux = calloc(window, sizeof(*aux));
	if (!aux)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct tseries_sample *s = &samples[i];
		if (!s->count || s->epoch < out->first_epoch)
			continue;
		size_t k = (size_t)(s->epoch - out->first_epoch);
		bool first = !has[k];
		has[k] = true;
		switch (vt->ts_agg) {
		case TSERIES_LAST:
			if (first || s->last_ns > aux[k]) {
				values[k] = s->value;
				aux[k] = s->last_ns;
			}
			break;
		case TSERIES_AVG:
			aux[k] += s->count;
			values[k] = (int64_t)((uint64_t)values[k] + (uint64_t)s->value);
			break;
		case TSERIES_SUM:
			values[k] = (int64_t)((uint64_t)values[k] + (uint64_t)s->value);
			break;
		case TSERIES_MIN: case TSERIES_MAX:
			if (first || better(vt, s->value, values[k]))
				values[k] = s->value;
			break;
		}
	}
	if (vt->ts_agg == TSERIES_AVG)
		for (size_t k = 0; k < window; k++)
			values[k] = (int64_t)agg_average(aux[k], (uint64_t)values[k], vt->is_signed);
	free(aux);
	return 0;
}

/* Values in an unsigned order whatever their signedness: signed ones with
 * the sign bit flipped, so that differences never overflow. */
static uint64_t ordered(int64_t v, bool is_signed)
{
	return is_signed ? (uint64_t)v ^ SIGN_BIT : (uint64_t)v;
}

static void number_text(char *buf, size_t len, uint64_t ord, bool is_signed)
{
	if (is_signed)
		snprintf(buf, len, "%" PRId64, (int64_t)(ord ^ SIGN_BIT));
	else
		snprintf(buf, len, "%" PRIu64, ord);
}

/* ⌊scale·(v − lo)/(hi − lo)⌋, clamped to the field. */
static size_t column(unsigned scale, uint64_t v, uint64_t lo, uint64_t hi)
{
	unsigned __int128 c = (unsigned __int128)scale * (v - lo) / (hi - lo);
	return c > GRAPH_WIDTH - 1 ? GRAPH_WIDTH - 1 : (size_t)c;
}

/* Fraction digits of the time labels: none for intervals of a second or
 * more, else milli-, micro- or nanoseconds. */
static int fraction_digits(uint64_t interval_ns)
{
	if (interval_ns >= 1000000000)
		return 0;
	if (interval_ns >= 1000000)
		return 3;
	return interval_ns >= 1000 ? 6 : 9;
}

/* Local time of wall-clock ns: strftime fmt, then `digits` fraction digits. */
static void time_text(char *buf, size_t len, int64_t wall_ns, const char *fmt, int digits)
{
	int64_t secs = wall_ns / 1000000000, nanos = wall_ns % 1000000000;
	if (nanos < 0) {
		secs--;
		nanos += 1000000000;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	size_t n = strftime(buf, len, fmt, &tm);
	if (digits) {
		int64_t div = 1;
		for (int i = digits; i < 9; i++)
			div *= 10;
		snprintf(buf + n, len - n, ".%0*" PRId64, digits, nanos / div);
	}
}

/* Line 1 (and the last): the lo and hi numbers over the field. */
static void bounds_line(FILE *f, int label_width, const char *lo, const char *hi)
{
	fprintf(f, "%*s%-*s%*s\n", label_width + 1, "", LABEL_PADDING, lo, GRAPH_WIDTH - LABEL_PADDING, hi);
}

static void rule(FILE *f, char end)
{
	fputc(end, f);
	for (int i = 0; i < GRAPH_WIDTH - 2; i++)
		fputc('_', f);
	fputc(end, f);
	fputc('\n', f);
}

void tseries_chart(FILE *f, uint64_t interval_ns, int64_t first_wall_ns, const int64_t *values, const bool *has,
		   size_t n, bool is_signed)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (!has[i])
			continue;
		uint64_t v = ordered(values[i], is_signed);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		any = true;
	}
	if (!any) {
		fputs("<no data>\n", f);
		return;
	}
	if (lo == hi) { /* widen, unless at the integer limits */
		lo -= lo > 0;
		hi += hi < UINT64_MAX;
	}
	int digits = fraction_digits(interval_ns);
	static const char *const unit[] = { [3] = ".ms", [6] = ".us", [9] = ".ns" };
	int label_width = 8 + (digits ? digits + 1 : 0);
	char lo_text[24], hi_text[24], fmt_text[16];
	number_text(lo_text, sizeof(lo_text), lo, is_signed);
	number_text(hi_text, sizeof(hi_text), hi, is_signed);
	snprintf(fmt_text, sizeof(fmt_text), "hh:mm:ss%s", digits ? unit[digits] : "");

	bounds_line(f, label_width, lo_text, hi_text);
	fprintf(f, "%-*s", label_width + 1, fmt_text);
	rule(f, '|');
	/* the zero column, when zero lies strictly inside the range */
	bool zero = is_signed && lo < SIGN_BIT && SIGN_BIT < hi;
	size_t zero_col = zero ? column(GRAPH_WIDTH, SIGN_BIT, lo, hi) : 0;
	for (size_t i = 0; i < n; i++) {
		char label[40], field[GRAPH_WIDTH + 1];
		time_text(label, sizeof(label), first_wall_ns + (int64_t)(i * interval_ns), "%H:%M:%S", digits);
		memset(field, ' ', GRAPH_WIDTH);
		field[GRAPH_WIDTH] = '\0';
		field[0] = field[GRAPH_WIDTH - 1] = '|';
		if (zero)
			field[zero_col] = '.';
		if (!has[i]) {
			fprintf(f, "%s %s -\n", label, field);
			continue;
		}
		uint64_t v = ordered(values[i], is_signed);
		field[column(GRAPH_WIDTH - 1, v, lo, hi)] = '*';
		char text[24];
		number_text(text, sizeof(text), v, is_signed);
		fprintf(f, "%s %s %s\n", label, field, text);
	}
	fprintf(f, "%*s ", label_width, "");
	rule(f, 'v');
	bounds_line(f, label_width, lo_text, hi_text);
}

/* The series after div, its wall-clock start, into a chart. */
void tseries_print_text(FILE *f, const struct type *vt, const struct tseries *ts, int64_t div,
			int64_t wall_offset_ns)
{
	int64_t *values = ts->n ? malloc(ts->n * sizeof(*values)) : NULL;
	if (ts->n && !values) {
		fputs("<out of memory>\n", f);
		return;
	}
	for (size_t i = 0; i < ts->n; i++)
		values[i] = (int64_t)agg_div((uint64_t)ts->values[i], vt->is_signed, div);
	int64_t first = (int64_t)(ts->first_epoch * vt->ts_interval_ns) + wall_offset_ns;
	tseries_chart(f, vt->ts_interval_ns, first, values, ts->has, ts->n, vt->is_signed);
	free(values);
}

void tseries_print_json(FILE *f, const struct type *vt, const struct tseries *ts, int64_t div,
			int64_t wall_offset_ns)
{
	bool first = true;
	fputc('[', f);
	for (size_t i = 0; i < ts->n; i++) {
		if (!ts->has[i])
			continue;
		char start[64];
		int64_t wall = (int64_t)((ts->first_epoch + i) * vt->ts_interval_ns) + wall_offset_ns;
		time_text(start, sizeof(start), wall, "%Y-%m-%d %H:%M:%S", 9);
		fputs(first ? "{\"interval_start\": " : ",{\"interval_start\": ", f);
		json_write_cstr(f, start);
		fputs(", \"value\": ", f);
		json_write_int(f, agg_div((uint64_t)ts->values[i], vt->is_signed, div), vt->is_signed);
		fputc('}', f);
		first = false;
	}
	fputc(']', f);
}
