// Monotonic time in nanoseconds, for the bench helpers.
#ifndef BENCH_NOW_NS_H
#define BENCH_NOW_NS_H
#include <time.h>

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
