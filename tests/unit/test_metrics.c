/* --metrics address parsing and the histogram percentile estimate. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/types.h"
#include "../../runtime/hist_percentiles.h"
#include "../../runtime/metrics.h"
#include "check.h"

/* arg parses to want ("ADDR PORT"), or is refused when want is NULL. */
static void address(const char *arg, const char *want)
{
	struct metrics_address a;
	FILE *saved = stderr;
	char *msg = NULL;
	size_t n = 0;
	stderr = open_memstream(&msg, &n); /* the refusal's message */
	int r = metrics_parse_address(arg, &a);
	fclose(stderr);
	stderr = saved;
	char got[96] = "refused", host[INET6_ADDRSTRLEN];
	if (r == 0 && a.addr.ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a.addr;
		snprintf(got, sizeof(got), "%s %u", inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host)),
			 ntohs(a4->sin_port));
	} else if (r == 0) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a.addr;
		snprintf(got, sizeof(got), "[%s] %u", inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host)),
			 ntohs(a6->sin6_port));
	}
	check_str(arg, got, want ? want : "refused");
	if (!want)
		check_true("refusal explained", msg && strstr(msg, "ERROR: --metrics"));
	free(msg);
}

static void test_addresses(void)
{
	address("9100", "127.0.0.1 9100");
	address(":9100", "127.0.0.1 9100");
	address("localhost:9100", "127.0.0.1 9100");
	address("127.0.0.1:0", "127.0.0.1 0");
	address("0.0.0.0:9100", "0.0.0.0 9100");
	address("[::1]:9100", "[::1] 9100");
	address("[::]:65535", "[::] 65535");
	address("example.com:9100", NULL);
	address("127.0.0.1:65536", NULL);
	address("127.0.0.1:-1", NULL);
	address("127.0.0.1:", NULL);
	address("::1:9100", NULL);
	address("[::1:9100", NULL);
	address("1.2.3:80", NULL);
	address("", NULL);
}

/* "pNN" of counts as text, "" when empty. */
static void percentile(const struct type *vt, const uint64_t *counts, size_t n, unsigned pct,
		       const char *want)
{
	struct percentile p;
	char got[48] = "";
	if (hist_percentile(vt, counts, n, 0, pct, &p))
		snprintf(got, sizeof(got), p.is_signed ? "%s%lld" : "%s%llu", p.open ? ">=" : "",
			 (unsigned long long)p.bound);
	char what[64];
	snprintf(what, sizeof(what), "p%u of %s", pct, want);
	check_str(what, got, want);
}

static void test_percentiles(void)
{
	struct type h = { .kind = TY_HIST, .size = 8 };
	struct type l = { .kind = TY_LHIST, .size = 8, .lh_min = 0, .lh_max = 100, .lh_step = 10 };
	/* hist buckets: 0 (..., 0), 1 [0], 2 [1], 3 [2, 4), 4 [4, 8) */
	uint64_t a[] = { 0, 0, 0, 50, 50 };
	percentile(&h, a, 5, 50, "3");
	percentile(&h, a, 5, 51, "7");
	percentile(&h, a, 5, 99, "7");
	uint64_t neg[] = { 99, 0, 1 };
	percentile(&h, neg, 3, 99, "-1");
	percentile(&h, neg, 3, 100, "1");
	uint64_t one[] = { 0, 1 };
	percentile(&h, one, 2, 1, "0");
	uint64_t none[] = { 0, 0 };
	percentile(&h, none, 2, 50, "");
	/* lhist buckets: 0 (..., 0), 1 [0, 10), ..., 10 [90, 100), 11 [100, ...) */
	uint64_t lc[12] = { 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	percentile(&l, lc, 12, 10, "-1");
	percentile(&l, lc, 12, 50, "19");
	percentile(&l, lc, 12, 90, "19");
	percentile(&l, lc, 12, 91, ">=100");
	/* ranks of a large count stay exact: ceil(99 * N / 100) */
	uint64_t big[] = { 0, 0, UINT64_MAX / 200 * 99, UINT64_MAX / 200 * 1 };
	percentile(&h, big, 4, 99, "1");
}

int main(void)
{
	test_addresses();
	test_percentiles();
	return check_summary();
}
