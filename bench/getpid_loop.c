// The workload of the per-event benchmarks: N getpid() system calls in a
// tight loop, then the time they took on stderr:
//   getpid_loop: N calls in NS ns
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "now_ns.h"


int main(int argc, char **argv)
{
	char *end;
	long long calls = argc == 2 ? strtoll(argv[1], &end, 10) : -1;

	if (argc != 2 || *end != '\0' || calls < 0) {
		fprintf(stderr, "usage: bench-getpid N\n");
		return 2;
	}
	long long start = now_ns();
	// syscall(), not getpid(): every call must enter the kernel.
	for (long long i = 0; i < calls; i++)
		syscall(SYS_getpid);
	fprintf(stderr, "getpid_loop: %lld calls in %lld ns\n", calls, now_ns() - start);
	return 0;
}
