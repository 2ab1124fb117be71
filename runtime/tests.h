/* --test and --bench (docs/testing.md): run the test: or bench: probes of a
 * loaded program and report on them. */
#ifndef SONDE_TESTS_H
#define SONDE_TESTS_H
#include <stdio.h>

#include "../common/program.h"

struct bpf_program;

struct test_runner {
	const struct compiled_program *prog;
	struct bpf_program **progs; /* loaded, by prog_desc index */
	FILE *out;                  /* the report, after the probes' own output */
	void *ctx;
	/* Handle the events of the last run (the probe's output); returns the
	 * code of the exit() (or failed assert()) among them, -1: none. */
	int (*drain)(void *ctx);
};

/* Run each test: probe once, in source order. Returns the exit status:
 * 0 when all passed, 1 when one failed. */
int tests_run(const struct test_runner *t);

/* Run each bench: probe BENCH_RUNS times; print the average run time of
 * each. Returns the exit status (1 when one failed). */
enum { BENCH_RUNS = 1000 };
int benches_run(const struct test_runner *t);

#endif
