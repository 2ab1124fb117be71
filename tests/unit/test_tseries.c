/* tseries(): merging per-CPU interval slots and the exact chart text of
 * §10.4 for fixed inputs (labels in UTC). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../common/types.h"
#include "../../runtime/tseries.h"
#include "check.h"

#define SEC 1000000000LL
#define MS 1000000LL

static void chart(const char *what, uint64_t interval, int64_t first, const int64_t *values, const bool *has,
		  size_t n, bool is_signed, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!check_true(what, f != NULL))
		return;
	tseries_chart(f, interval, first, values, has, n, is_signed);
	fclose(f);
	check_str(what, buf, want);
	free(buf);
}

static void test_charts(void)
{
	chart("seconds, a missing interval", SEC, 0, (int64_t[]){ 0, 3, 9 }, (bool[]){ false, true, true }, 3, true,
	      "         3                                                   9\n"
	      "hh:mm:ss |___________________________________________________|\n"
	      "00:00:00 |                                                   | -\n"
	      "00:00:01 *                                                   | 3\n"
	      "00:00:02 |                                                   * 9\n"
	      "         v___________________________________________________v\n"
	      "         3                                                   9\n");
	chart("milliseconds, negative values and the zero column", 250 * MS, 1500 * MS,
	      (int64_t[]){ -4, 0, 8, 2 }, (bool[]){ true, false, true, true }, 4, true,
	      "             -4                                                  8\n"
	      "hh:mm:ss.ms  |___________________________________________________|\n"
	      "00:00:01.500 *                .                                  | -4\n"
	      "00:00:01.750 |                .                                  | -\n"
	      "00:00:02.000 |                .                                  * 8\n"
	      "00:00:02.250 |                .        *                         | 2\n"
	      "             v___________________________________________________v\n"
	      "             -4                                                  8\n");
	chart("microseconds, lo == hi widened", 100000, 0, (int64_t[]){ 7 }, (bool[]){ true }, 1, false,
	      "                6                                                   8\n"
	      "hh:mm:ss.us     |___________________________________________________|\n"
	      "00:00:00.000000 |                         *                         | 7\n"
	      "                v___________________________________________________v\n"
	      "                6                                                   8\n");
	chart("nanoseconds, no widening below INT64_MIN", 10, 0, (int64_t[]){ INT64_MIN, 0 }, (bool[]){ true, false },
	      2, true,
	      "                   -9223372036854775808             -9223372036854775807\n"
	      "hh:mm:ss.ns        |___________________________________________________|\n"
	      "00:00:00.000000000 *                                                   | -9223372036854775808\n"
	      "00:00:00.000000010 |                                                   | -\n"
	      "                   v___________________________________________________v\n"
	      "                   -9223372036854775808             -9223372036854775807\n");
	chart("unsigned values above INT64_MAX", SEC, 0, (int64_t[]){ -1 }, (bool[]){ true }, 1, false,
	      "         18446744073709551614             18446744073709551615\n"
	      "hh:mm:ss |___________________________________________________|\n"
	      "00:00:00 |                                                   * 18446744073709551615\n"
	      "         v___________________________________________________v\n"
	      "         18446744073709551614             18446744073709551615\n");
	chart("no values", SEC, 0, (int64_t[]){ 0, 0 }, (bool[]){ false, false }, 2, true, "<no data>\n");
}

static struct type series_type(enum tseries_agg agg, uint32_t intervals)
{
	return (struct type){ .kind = TY_TSERIES, .is_signed = true, .size = 32, .ts_interval_ns = SEC,
			      .ts_intervals = intervals, .ts_agg = agg };
}

/* Merge samples and compare the window (first epoch and values, -1 for none). */
static void merge(const char *what, enum tseries_agg agg, uint32_t intervals, const struct tseries_sample *s,
		  size_t n, uint64_t want_first, const int64_t *want, const bool *want_has, size_t want_n)
{
	struct type t = series_type(agg, intervals);
	int64_t values[8];
	bool has[8];
	struct tseries ts;
	if (!check_int(what, tseries_merge(&t, s, n, &ts, values, has), 0))
		return;
	check_int(what, (long long)ts.n, (long long)want_n);
	if (!want_n || ts.n != want_n)
		return;
	check_int(what, (long long)ts.first_epoch, (long long)want_first);
	for (size_t i = 0; i < want_n; i++) {
		check_int(what, ts.has[i], want_has[i]);
		if (want_has[i])
			check_int(what, ts.values[i], want[i]);
	}
}

static void test_merge(void)
{
	/* two CPUs wrote epoch 10; epoch 5 is older than the window of 3 */
	const struct tseries_sample s[] = {
		{ 10, 4, 2, 1000 }, { 10, 6, 1, 2000 }, { 9, -3, 1, 900 }, { 5, 99, 1, 500 }, { 0, 0, 0, 0 },
	};
	merge("last: the newest write", TSERIES_LAST, 3, s, 5, 8, (int64_t[]){ 0, -3, 6 },
	      (bool[]){ false, true, true }, 3);
	merge("sum over CPUs", TSERIES_SUM, 3, s, 5, 8, (int64_t[]){ 0, -3, 10 }, (bool[]){ false, true, true }, 3);
	merge("avg: totals over counts", TSERIES_AVG, 3, s, 5, 8, (int64_t[]){ 0, -3, 3 },
	      (bool[]){ false, true, true }, 3);
	merge("min", TSERIES_MIN, 3, s, 5, 8, (int64_t[]){ 0, -3, 4 }, (bool[]){ false, true, true }, 3);
	merge("max", TSERIES_MAX, 3, s, 5, 8, (int64_t[]){ 0, -3, 6 }, (bool[]){ false, true, true }, 3);
	merge("window before epoch 0", TSERIES_LAST, 5, (struct tseries_sample[]){ { 1, 7, 1, 10 } }, 1, 0,
	      (int64_t[]){ 0, 7 }, (bool[]){ false, true }, 2);
	merge("zeroed slots: no data", TSERIES_LAST, 3, (struct tseries_sample[]){ { 0, 0, 0, 0 } }, 1, 0, NULL, NULL,
	      0);

	struct type t = series_type(TSERIES_LAST, 3);
	int64_t values[3];
	bool has[3];
	struct tseries ts;
	tseries_merge(&t, s, 5, &ts, values, has);
	check_int("last update is the newest write", (long long)ts.last_ns, 2000);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_charts();
	test_merge();
	return check_summary();
}
