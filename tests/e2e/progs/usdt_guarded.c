/* A probe with a semaphore (sys/sdt.h, _SDT_HAS_SEMAPHORES): the kernel
 * counts the semaphore up while a tracer has the probe attached, so the
 * program can skip the work of its arguments otherwise. Part of usdt.c. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

__extension__ unsigned short guarded_probe_semaphore __attribute__((unused)) __attribute__((section(".probes")));
#define GUARDED_PROBE_ENABLED() __builtin_expect(guarded_probe_semaphore, 0)

int guarded_round(int i)
{
	if (!GUARDED_PROBE_ENABLED())
		return 0;
	DTRACE_PROBE1(guarded, probe, i);
	return 1;
}
