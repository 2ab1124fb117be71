/* Workload for pthread_create probes: starts N threads one after another
 * and joins each. Prints "uthreads done N". usage: uthreads [N] (default 3) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *run(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	for (int i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, run, NULL) || pthread_join(t, NULL))
			return 1;
	}
	printf("uthreads done %d\n", n);
	return 0;
}
