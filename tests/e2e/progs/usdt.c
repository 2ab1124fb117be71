/* USDT workload for the usdt e2e cases (probe_usdt_*, err_usdt_*, cli_list_usdt*).
 *
 * usage: usdt [N [wait]]
 *   round i (1..N) fires, in order:
 *     sondee2e:sizes   (int8 -i, uint8 250+i, int16 -1000*i, uint16 60000+i,
 *                       int32 -100000*i, uint32 4000000000+i, int64 -10000000000*i,
 *                       uint64 18000000000000000000+i)
 *     sondee2e:consts  (5, -7): constant operands ($5, $-7)
 *     sondee2e:memory  (-3*i, -9*i, 2^40+i) from point.y, p->big, point.big: memory
 *                       operands (8+point(%rip), 16(%rdi) at -O2)
 *     sondee2e:twice   (i), then (100 + i): one probe inlined at two call sites
 *     guarded:probe    (i), only while a tracer has enabled its semaphore (usdt_guarded.c)
 *     sondelib:libtick (i) in libsondeusdt.so (usdt_lib.c)
 *     sondee2e:dup and sondeother:dup (no arguments): one name, two providers
 *   then prints "usdt done N guarded G" on stderr (stdout is the tracer's), G the rounds
 *   in which guarded:probe was enabled.
 *   With "wait", a round every 20 ms (N 0: 1000 rounds, 20 s), so that a tracer can
 *   attach with -p.
 * Build: gcc -O2 -o usdt usdt.c usdt_guarded.c -L. -lsondeusdt -Wl,-rpath,'$ORIGIN'
 *        after gcc -O2 -shared -fPIC -o libsondeusdt.so usdt_lib.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sdt.h>
#include <time.h>

int guarded_round(int i);  /* usdt_guarded.c: 1 when guarded:probe fired */
void lib_round(int i);     /* usdt_lib.c */

struct point {
	long x;
	int y;
	long big;
};

struct point point;

static inline __attribute__((always_inline)) void twice(int v)
{
	DTRACE_PROBE1(sondee2e, twice, v);
}

static __attribute__((noipa)) void memory_round(struct point *p)
{
	DTRACE_PROBE3(sondee2e, memory, point.y, p->big, point.big);
}

static __attribute__((noinline)) void round_of(int i)
{
	int8_t s8 = (int8_t)-i;
	uint8_t u8 = (uint8_t)(250 + i);
	int16_t s16 = (int16_t)(-1000 * i);
	uint16_t u16 = (uint16_t)(60000 + i);
	int32_t s32 = -100000 * i;
	uint32_t u32 = 4000000000u + (uint32_t)i;
	int64_t s64 = -10000000000LL * i;
	uint64_t u64 = 18000000000000000000ULL + (uint64_t)i;
	struct point local = { .big = -9 * i };

	DTRACE_PROBE8(sondee2e, sizes, s8, u8, s16, u16, s32, u32, s64, u64);
	DTRACE_PROBE2(sondee2e, consts, 5, -7);
	point.y = -3 * i;
	point.big = 1L << 40 | i;
	memory_round(&local);
	twice(i);
	twice(100 + i);
	DTRACE_PROBE(sondee2e, dup);
	DTRACE_PROBE(sondeother, dup);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	int wait = argc > 2 && !strcmp(argv[2], "wait");
	int guarded = 0;
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	if (wait && n == 0)
		n = 1000; /* 20 s */
	for (int i = 1; i <= n; i++) {
		round_of(i);
		guarded += guarded_round(i);
		lib_round(i);
		if (wait)
			nanosleep(&pause, NULL);
	}
	fprintf(stderr, "usdt done %d guarded %d\n", n, guarded);
	return 0;
}
