// Runs a command and writes its wall time and peak RSS to a file:
//   bench-run RESULT_FILE CMD [ARG...]   ->   WALL_NS MAXRSS_KIB STATUS
// A fork of this small process, not of the benchmark's Python: the peak RSS
// the kernel reports for a child includes the memory of its parent at the
// fork (and all of it after a vfork), so a large parent would hide the
// child's own.
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "now_ns.h"


int main(int argc, char **argv)
{
	struct rusage usage;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-run RESULT_FILE CMD [ARG...]\n");
		return 2;
	}
	FILE *result = fopen(argv[1], "w");
	if (!result) {
		perror(argv[1]);
		return 1;
	}
	long long start = now_ns();
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench-run: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &usage) != pid) {
		perror("bench-run: wait4");
		return 1;
	}
	long long wall = now_ns() - start;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(result, "%lld %ld %d\n", wall, usage.ru_maxrss, code);
	return fclose(result) == 0 ? 0 : 1;
}
