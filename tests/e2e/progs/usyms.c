/* Workload for the user-symbol cases: calls usym_outer(i) -> usym_add(i, 100)
 * for i = 1..N; usym_alias is a second name of usym_add; usym_empty is a
 * function symbol of size 0. Prints "usyms done SUM".
 * usage: usyms [N [MS]]  (default 2; with MS, sleeps MS milliseconds before
 * each round, so that a tracer can attach by pid)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__asm__(".globl usym_empty\n.type usym_empty,@function\nusym_empty:\n ret\n");
void usym_empty(void);

__attribute__((noinline)) int usym_add(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a + b;
}
int usym_alias(int a, int b) __attribute__((alias("usym_add")));

__attribute__((noinline)) int usym_outer(int a)
{
	return usym_add(a, 100) + 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	long sum = 0;
	usym_empty();
	for (int i = 1; i <= n; i++) {
		if (argc > 2)
			usleep((useconds_t)atoi(argv[2]) * 1000);
		sum += usym_outer(i);
	}
	printf("usyms done %ld\n", sum);
	return 0;
}
