/* tseries() values: merging the per-CPU interval slots of one key, and the
 * time-series chart and JSON list (§9, §10.4, §10.7). */
#ifndef SONDE_TSERIES_H
#define SONDE_TSERIES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/types.h"

/* One CPU's copy of one interval slot, as BPF wrote it (fn_tseries.c). */
struct tseries_sample {
	uint64_t epoch;   /* boot-clock ns / interval */
	int64_t value;    /* last value, or the sum/total/min/max */
	uint64_t count;   /* values written in the interval; 0: never written */
	uint64_t last_ns; /* boot-clock ns of the last write */
};

/* The most recent intervals of one key, oldest first. */
struct tseries {
	uint64_t first_epoch; /* epoch of values[0] */
	size_t n;             /* intervals; 0 when there is no data */
	int64_t *values;      /* n values (avg: the average) */
	bool *has;            /* whether interval i has a value */
	uint64_t last_ns;     /* the newest write: the print order (§10.3) */
};

/* Merge the samples of one key (every slot on every CPU) into out: the
 * vt->ts_intervals intervals ending at the newest epoch seen. values and
 * has must hold vt->ts_intervals elements. Returns 0 or -ENOMEM. */
int tseries_merge(const struct type *vt, const struct tseries_sample *samples, size_t n, struct tseries *out,
		  int64_t *values, bool *has);

/* The chart of §10.4 for n intervals of interval_ns each, the first
 * starting at first_wall_ns (wall-clock ns, printed as local time). */
void tseries_chart(FILE *f, uint64_t interval_ns, int64_t first_wall_ns, const int64_t *values, const bool *has,
		   size_t n, bool is_signed);
/* A merged series as text (the chart, or `<no data>`) and as the JSON list
 * of §10.7; values divided by div; wall_offset_ns = wall clock − boot clock. */
void tseries_print_text(FILE *f, const struct type *vt, const struct tseries *ts, int64_t div,
			int64_t wall_offset_ns);
void tseries_print_json(FILE *f, const struct type *vt, const struct tseries *ts, int64_t div,
			int64_t wall_offset_ns);

#endif
