/* Workload for the uprobe cases: calls e2e_add(i, 1) for i = 1..N, then
 * stays alive for MS milliseconds (so that its symbols can be read).
 * usage: target [N [MS]]   (default 10, 0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* the running sum, for uaddr() */
volatile long e2e_total;

__attribute__((noinline)) int e2e_add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	long sum = 0;
	for (int i = 1; i <= n; i++)
		e2e_total = sum += e2e_add(i, 1);
	printf("target done %ld\n", sum);
	fflush(stdout);
	if (argc > 2)
		usleep((useconds_t)atoi(argv[2]) * 1000);
	return 0;
}
