/* Running a compiled program: load, run begin probes, attach, process
 * events until the end condition, run end probes, print maps, detach. */
#ifndef SONDE_RUN_H
#define SONDE_RUN_H
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "../common/program.h"
#include "../probes/probe.h"
#include "metrics.h"
#include "output.h"

struct run_options {
	pid_t pid;            /* -p: 0 when absent */
	char *const *cmd_argv;/* -c: NULL when absent */
	const char *cmd_path; /* -c: the executable cmd_argv[0] resolved to */
	bool quiet;           /* -q */
	bool dry_run;         /* --dry-run */
	bool verbose;         /* -v: libbpf and verifier logs */
	bool dump_verifier;   /* -d verifier */
	bool dump_libbpf;     /* -d libbpf */
	bool print_maps_on_exit;
	bool no_warnings;     /* --no-warnings: also the runtime warnings */
	FILE *out;
	const char *out_name; /* -o FILE for messages, NULL: stdout */
	enum output_mode mode;
	enum probe_run_mode run; /* --test / --bench: run those probes (tests.c) instead of tracing */
	bool folded;          /* -f folded: maps print as folded stacks */
	FILE *flamegraph;     /* --flamegraph FILE, open for writing: the SVG at exit; NULL: none */
	const char *flamegraph_name;
	double duration;      /* --duration SECONDS: the run ends after it; 0: no limit */
	const struct metrics_address *metrics; /* --metrics ADDR:PORT; NULL: none */
};

/* Returns the process exit status (§1.8), or RUN_BROKEN_PIPE when the
 * reader of the output went away: everything is cleaned up then and the
 * caller ends as a process killed by SIGPIPE would. */
enum { RUN_BROKEN_PIPE = -1 };
int run_program(const struct compiled_program *prog, const struct run_options *opts);

/* -c: the child is forked up front and waits until started. */
struct child {
	pid_t pid;
	int release_fd;       /* write end of the pipe the child waits on */
	int exec_fd;          /* read end of the pipe an exec failure is reported on */
	bool exited;
	bool stopped;         /* stopped after its exec (child_start), until child_resume */
	int status;
};

/* Find the -c executable as execvp would (a name without '/' is looked up
 * in $PATH, first match): 0 and a malloc'ed path in *path, or -errno. */
int child_resolve(const char *name, char **path);
int child_spawn(struct child *c, const char *path, char *const *argv);
/* Let the child exec: 0 once it has, -errno if the exec failed. With
 * stop_at_exec it stays stopped at the start of the new program until
 * child_resume() (ptrace), so probes on its memory can be attached first. */
int child_start(struct child *c, bool stop_at_exec);
int child_resume(struct child *c);
bool child_poll_exit(struct child *c);
void child_terminate(struct child *c);

#endif
