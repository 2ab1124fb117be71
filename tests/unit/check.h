/* Checks shared by the unit tests: every check counts as passed or failed,
 * a failure prints one "FAIL ..." line (and the values that differ), and
 * main ends with `return check_summary();`, which prints the totals as the
 * last line: "N passed, M failed" plus ", K skipped" when something was
 * skipped. */
#ifndef SONDE_TESTS_CHECK_H
#define SONDE_TESTS_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_skipped;

static inline void check_pass(void)
{
	check_passed++;
}

/* A failed check: "FAIL what: " and the formatted detail. */
static inline void check_vfail(const char *what, const char *fmt, va_list ap)
{
	check_failed++;
	printf("FAIL %s: ", what);
	vprintf(fmt, ap);
	printf("\n");
}

static inline void check_fail(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void check_fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vfail(what, fmt, ap);
	va_end(ap);
}

static inline bool check_true(const char *what, bool cond)
{
	if (cond) {
		check_pass();
	} else {
		check_failed++;
		printf("FAIL %s\n", what);
	}
	return cond;
}

/* Equal strings (two NULLs are equal). Values with a newline are printed
 * as blocks between "--- got", "--- want" and "---" lines. */
static inline bool check_str(const char *what, const char *got, const char *want)
{
	if (got == want || (got && want && !strcmp(got, want))) {
		check_pass();
		return true;
	}
	const char *g = got ? got : "(null)", *w = want ? want : "(null)";
	if (strchr(g, '\n') || strchr(w, '\n')) {
		check_failed++;
		printf("FAIL %s:\n--- got\n%s\n--- want\n%s\n---\n", what, g, w);
	} else {
		check_fail(what, "got \"%s\", want \"%s\"", g, w);
	}
	return false;
}

static inline bool check_int(const char *what, long long got, long long want)
{
	if (got == want) {
		check_pass();
		return true;
	}
	check_fail(what, "got %lld, want %lld", got, want);
	return false;
}

/* Checks not run here, with the reason (printf-style): "SKIP what: reason". */
static inline void check_skip(const char *what, const char *reason, ...)
	__attribute__((format(printf, 2, 3)));

static inline void check_skip(const char *what, const char *reason, ...)
{
	va_list ap;

	check_skipped++;
	printf("SKIP %s: ", what);
	va_start(ap, reason);
	vprintf(reason, ap);
	va_end(ap);
	printf("\n");
}

/* check_true with a printf-style description, prefixed by the place of the
 * check; the description's arguments are evaluated only on failure. */
#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (cond)                                                    \
			check_pass();                                        \
		else                                                         \
			check_fail(__FILE__ ":" CHECK_LINE_(__LINE__), __VA_ARGS__); \
	} while (0)
#define CHECK_LINE_(n) CHECK_LINE2_(n)
#define CHECK_LINE2_(n) #n

/* Prints the totals; the exit status of the test. */
static inline int check_summary(void)
{
	printf("%d passed, %d failed", check_passed, check_failed);
	if (check_skipped > 0)
		printf(", %d skipped", check_skipped);
	printf("\n");
	return check_failed ? 1 : 0;
}

#endif
