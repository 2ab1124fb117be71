/* --test and --bench. Each test: or bench: probe is a program run from user
 * space (BPF_PROG_TEST_RUN), as begin is. A test fails when it returns
 * non-zero or ends in exit(N != 0), which is what a failed assert() does.
 * A bench: program returns how long its body ran (codegen: PF_TIMED), so
 * the syscall around it is not measured. */
#include "tests.h"

#include <stdint.h>
#include <string.h>

#include "../probes/probe.h"

/* Why one run failed (buf), or NULL when it passed. */
static const char *run_once(const struct test_runner *t, int i, uint32_t *retval, char *buf, size_t size)
{
	int err = probe_test_run(t->progs[i], retval);
	if (err) {
		snprintf(buf, size, "cannot run: %s", strerror(-err));
		return buf;
	}
	int code = t->drain(t->ctx);
	if (code > 0) {
		snprintf(buf, size, "exit code %d", code);
		return buf;
	}
	return NULL;
}

int tests_run(const struct test_runner *t)
{
	int passed = 0, failed = 0;
	for (int i = 0; i < t->prog->nprogs; i++) {
		const struct prog_desc *d = &t->prog->progs[i];
		if (d->spec.kind != PROBE_TEST || !t->progs[i])
			continue;
		uint32_t retval = 0;
		char why[96];
		const char *fail = run_once(t, i, &retval, why, sizeof(why));
		if (!fail && retval) {
			snprintf(why, sizeof(why), "returned %d", (int32_t)retval);
			fail = why;
		}
		if (fail)
			fprintf(t->out, "FAIL %s (%s)\n", d->spec.canonical, fail);
		else
			fprintf(t->out, "PASS %s\n", d->spec.canonical);
		fflush(t->out);
		failed += fail != NULL;
		passed += fail == NULL;
	}
	fprintf(t->out, "%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

int benches_run(const struct test_runner *t)
{
	int width = (int)strlen("BENCH"), failed = 0;
	for (int i = 0; i < t->prog->nprogs; i++)
		if (t->prog->progs[i].spec.kind == PROBE_BENCH && (int)strlen(t->prog->progs[i].spec.canonical) > width)
			width = (int)strlen(t->prog->progs[i].spec.canonical);
	fprintf(t->out, "%-*s %15s %8s\n", width, "BENCH", "AVERAGE", "RUNS");
	char row[128];
	for (int i = 0; i < t->prog->nprogs; i++) {
		const struct prog_desc *d = &t->prog->progs[i];
		if (d->spec.kind != PROBE_BENCH || !t->progs[i])
			continue;
		uint64_t total = 0;
		const char *fail = NULL;
		char why[96];
		for (int run = 0; run < BENCH_RUNS && !fail; run++) {
			uint32_t ns = 0;
			fail = run_once(t, i, &ns, why, sizeof(why));
			total += ns;
		}
		if (fail)
			snprintf(row, sizeof(row), "FAILED (%s)", fail);
		else
			snprintf(row, sizeof(row), "%12llu ns %8d", (unsigned long long)(total / BENCH_RUNS), BENCH_RUNS);
		fprintf(t->out, "%-*s %s\n", width, d->spec.canonical, row);
		fflush(t->out);
		failed += fail != NULL;
	}
	return failed ? 1 : 0;
}
