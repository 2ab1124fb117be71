/* Workload for the typed tracepoint argument cases: calls nanosleep(2)
 * directly (libc's sleep functions use clock_nanosleep) with a request of
 * SEC seconds and NSEC nanoseconds. An NSEC of 1000000000 or more makes
 * the call fail at once with EINVAL, so any SEC can be traced quickly.
 * usage: nanosleep SEC NSEC   (exit status 0 when the call was made)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: nanosleep SEC NSEC\n");
		return 2;
	}
	struct timespec req = { .tv_sec = atol(argv[1]), .tv_nsec = atol(argv[2]) };
	syscall(SYS_nanosleep, &req, NULL);
	return 0;
}
