/* Workload for the watchpoint cases: a counter at a fixed address (link
 * with -no-pie -Wl,--section-start=.watched=0x600000), written N times
 * (+5 each), then read once. Prints "watched done TOTAL".
 * usage: watched [N]  (default 3); built with -DSLOW it sleeps 100 ms
 * before each write, so that a tracer can attach by pid. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((section(".watched"), used)) volatile long watched_counter;

__attribute__((noinline)) void bump(void)
{
	watched_counter += 5;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	for (int i = 0; i < n; i++) {
#ifdef SLOW
		usleep(100 * 1000);
#endif
		bump();
	}
	printf("watched done %ld\n", watched_counter);
	return 0;
}
