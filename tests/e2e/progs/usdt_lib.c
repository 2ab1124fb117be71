/* The shared library of usdt.c: a probe in a shared object. */
#include <sys/sdt.h>

void lib_round(int i)
{
	DTRACE_PROBE1(sondelib, libtick, i);
}
