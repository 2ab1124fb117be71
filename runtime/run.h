/* Running a compiled program: load, run begin probes, attach, process
 * events until the end condition, run end probes, print maps, detach. */
#ifndef SONDE_RUN_H
#define SONDE_RUN_H
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "../common/program.h"
#include "output.h"

struct run_options {
	pid_t pid;            /* -p: 0 when absent */
	char *const *cmd_argv;/* -c: NULL when absent */
	bool quiet;           /* -q */
	bool dry_run;         /* --dry-run */
	bool verbose;         /* -v: libbpf and verifier logs */
	bool dump_verifier;   /* -d verifier */
	bool dump_libbpf;     /* -d libbpf */
	bool print_maps_on_exit;
	FILE *out;
	enum output_mode mode;
};

/* Returns the process exit status (§1.8). */
int run_program(const struct compiled_program *prog, const struct run_options *opts);

/* -c: the child is forked up front and waits until released. */
struct child {
	pid_t pid;
	int release_fd;       /* write end of the pipe the child waits on */
	bool exited;
	int status;
};

int child_spawn(struct child *c, char *const *argv);
void child_release(struct child *c);
bool child_poll_exit(struct child *c);
void child_terminate(struct child *c);

#endif
