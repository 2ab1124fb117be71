/* Output records and map printing (§10.3, §10.4, §10.7). The map tests use
 * real BPF maps and are skipped when they cannot be created (not root). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/types.h"
#include "../../runtime/hist.h"
#include "../../runtime/json.h"
#include "../../runtime/output.h"
#include "check.h"
#include "capture.h"

static struct arena arena;
static int ncpus;

static const char *probe_names[] = { "begin", "kprobe:vfs_read" };
static const struct compiled_program prog = { .probe_names = probe_names, .nprobe_names = 2 };

/* Output captured in memory. */
static void cap_open(struct capture *c, enum output_mode mode)
{
	capture_open(c, mode, &prog, ncpus, -1);
}

#define cap_check capture_check

/* ---- pure helpers ---- */

static void label(int bits, uint64_t b, const char *want)
{
	char buf[64];

	hist_bucket_label(buf, sizeof(buf), bits, b);
	check_str("hist label", buf, want);
}

static void llabel(int64_t min, int64_t max, int64_t step, uint64_t b, const char *want)
{
	char buf[64];

	lhist_bucket_label(buf, sizeof(buf), min, max, step, b);
	check_str("lhist label", buf, want);
}

static void test_labels(void)
{
	label(0, 0, "(..., 0)");
	label(0, 1, "[0]");
	label(0, 2, "[1]");
	label(0, 3, "[2, 4)");
	label(0, 10, "[256, 512)");
	label(0, 11, "[512, 1K)");
	label(0, 12, "[1K, 2K)");
	label(0, 21, "[512K, 1M)");
	label(0, 22, "[1M, 2M)");
	label(0, 64, "[4E, 8E)");
	label(0, 65, "[8E, 16E)");
	label(1, 1, "[0]");
	label(1, 4, "[3]");
	label(1, 5, "[4, 6)");
	label(1, 6, "[6, 8)");
	label(1, 19, "[512, 768)");
	label(1, 20, "[768, 1024)");
	label(1, 21, "[1024, 1536)");
	label(1, 22, "[1536, 2K)");
	label(1, 23, "[2K, 3K)");
	label(2, 8, "[7]");
	label(2, 9, "[8, 10)");
	llabel(0, 10, 2, 0, "(..., 0)");
	llabel(0, 10, 2, 3, "[4, 6)");
	llabel(0, 10, 2, 6, "[10, ...)");
	llabel(0, 100, 25, 5, "[100, ...)");
	llabel(0, 10, 3, 4, "[9, ...)");
	llabel(5, 10, 1, 0, "(..., 5)");
	llabel(5, 10, 1, 4, "[8]");
	llabel(0, 4096, 1024, 2, "[1K, 2K)");
	llabel(0, 4096, 1024, 1, "[0, 1K)");
	llabel(0, 4194304, 1048576, 2, "[1M, 2M)");
	llabel(1024, 4096, 1000, 1, "[1024, 2024)");
}

/* hist bucket index of §9 */
static uint64_t hist_index(int64_t n, int k)
{
	if (n < 0)
		return 0;
	if ((uint64_t)n < (1u << k))
		return (uint64_t)n + 1;
	int p = 63 - __builtin_clzll((uint64_t)n);
	int l = p - k;
	uint64_t x = ((uint64_t)n >> l) & ((1u << k) - 1);
	return ((uint64_t)(l + 1) << k) + x + 1;
}

/* Every value must fall within the JSON bounds of its bucket. */
static void test_hist_bounds(void)
{
	static const int64_t vals[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 100,
					1000, 1023, 1024, 1500, 4095, 4096, 123456789,
					(int64_t)1 << 40, ((int64_t)1 << 40) - 1, INT64_MAX };
	int bad = 0;

	for (int k = 0; k <= 5; k++) {
		struct type ht = { .kind = TY_HIST, .hist_bits = k, .size = 8 };
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			uint64_t b = hist_index(vals[i], k);
			uint64_t counts[2048] = { 0 };
			char *buf = NULL;
			size_t len;
			FILE *f = open_memstream(&buf, &len);
			if (!f || b >= 2048 || b >= hist_max_buckets(&ht)) {
				bad++;
				continue;
			}
			counts[b] = 1;
			hist_print_json(f, &ht, counts, b + 1, 0);
			fclose(f);
			unsigned long long lo = 0, hi = 0;
			if (sscanf(buf, "[{\"min\": %llu, \"max\": %llu, ", &lo, &hi) != 2 &&
			    sscanf(buf, "[{\"min\": %llu, \"max\": \"%llu\", ", &lo, &hi) != 2)
				hi = 0;
			if ((uint64_t)vals[i] < lo || (uint64_t)vals[i] > hi) {
				printf("hist k=%d n=%lld bucket %llu: %s\n", k, (long long)vals[i],
				       (unsigned long long)b, buf);
				bad++;
			}
			free(buf);
		}
	}
	check_int("hist bounds", bad, 0);
}

static void test_json_int(void)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	json_write_int(f, (uint64_t)INT64_MAX, true);
	fputc(' ', f);
	json_write_int(f, (uint64_t)INT64_MIN, true);
	fputc(' ', f);
	json_write_int(f, 1ull << 53, false);
	fputc(' ', f);
	json_write_int(f, (1ull << 53) + 1, false);
	fputc(' ', f);
	json_write_int(f, UINT64_MAX, false);
	fputc(' ', f);
	json_write_int(f, (uint64_t)-42, true);
	fputc(' ', f);
	json_write_string(f, "a\"b\\c\n\r\t\x01\x1f", 10);
	fclose(f);
	check_str("json ints", buf,
		  "\"9223372036854775807\" -9223372036854775808 9007199254740992 "
		  "\"9007199254740993\" \"18446744073709551615\" -42 "
		  "\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\"");
	free(buf);
}

static void test_records(void)
{
	struct capture c;
	const struct type *f[] = { &type_i64, type_string(&arena, 4) };
	const struct type *tt = type_tuple(&arena, 2, f, NULL);
	unsigned char data[16] = { 0 };
	int64_t one = 1;

	memcpy(data, &one, 8);
	memcpy(data + 8, "two", 4);

	cap_open(&c, OUTPUT_TEXT);
	output_value(&c.o, tt, data);
	output_printf(&c.o, "hi %d %s\n", tt, data);
	output_attached(&c.o, 3);
	output_time(&c.o, "T%%\n");
	output_exit_separator(&c.o);
	cap_check(&c, "text records", "(1, two)\nhi 1 two\nT%\n\n\n");

	cap_open(&c, OUTPUT_JSON);
	output_value(&c.o, tt, data);
	output_printf(&c.o, "hi %d \"%s\"\t\n", tt, data);
	output_attached(&c.o, 1);
	output_time(&c.o, "T%%\n");
	output_exit_separator(&c.o);
	output_value(&c.o, &type_probe, &one);
	cap_check(&c, "json records",
		  "{\"type\": \"value\", \"data\": [1,\"two\"]}\n"
		  "{\"type\": \"printf\", \"data\": \"hi 1 \\\"two\\\"\\t\\n\"}\n"
		  "{\"type\": \"attached_probes\", \"count\": 1, \"data\": {\"probes\": 1}}\n"
		  "{\"type\": \"time\", \"data\": \"T%\\n\"}\n"
		  "{\"type\": \"value\", \"data\": \"kprobe:vfs_read\"}\n");

	const char *names[] = { "pid", "c" };
	const struct type *rec = type_tuple(&arena, 2, f, names);
	cap_open(&c, OUTPUT_JSON);
	output_value(&c.o, rec, data);
	cap_check(&c, "json record", "{\"type\": \"value\", \"data\": {\"pid\": 1, \"c\": \"two\"}}\n");

	/* default time format looks like 10:41:46 */
	cap_open(&c, OUTPUT_TEXT);
	output_time(&c.o, NULL);
	fclose(c.o.out);
	int h, m, s;
	char nl = 0;
	check_int("time default", sscanf(c.buf, "%2d:%2d:%2d%c", &h, &m, &s, &nl) == 4 && nl == '\n' &&
		  strlen(c.buf) == 9, 1);
	free(c.buf);
}

/* Stacks and symbols without a stack map (the stack rendering with a map is
 * in test_symbols.c): unknown addresses print as hex, unreadable stacks as
 * no frames. */
__attribute__((noinline, used)) int output_test_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

static void test_stack_symbol_values(void)
{
	struct capture c;
	const struct type *ksym = type_symbol(&arena, false), *usym = type_symbol(&arena, true);
	const struct type *kst = type_stack(&arena, false, STACK_BPFTRACE, 127);
	const struct type *ust = type_stack(&arena, true, STACK_PERF, 127);
	uint64_t k = 0x10, u[2] = { (uint64_t)(uintptr_t)&output_test_fn + 2, (uint64_t)getpid() };
	int64_t st[2] = { 3, getpid() };
	const struct type *f[] = { ksym, usym, kst };
	const struct type *tt = type_tuple(&arena, 3, f, NULL);
	unsigned char d[40];

	memcpy(d, &k, 8);
	memcpy(d + 8, u, 16);
	memcpy(d + 24, st, 8);
	cap_open(&c, OUTPUT_TEXT);
	c.o.stack_fd = -1;
	output_value(&c.o, ksym, &k);
	output_value(&c.o, usym, u);
	output_value(&c.o, kst, st);
	output_value(&c.o, ust, st);
	output_printf(&c.o, "<%s %s%s>\n", tt, d);
	output_value(&c.o, tt, d);
	cap_check(&c, "symbol values", "0x10\noutput_test_fn\n\n\n\n\n<0x10 output_test_fn\n>\n(0x10, output_test_fn, \n)\n");
	output_free(&c.o);
	output_free(&c.o); /* twice is fine */

	cap_open(&c, OUTPUT_JSON);
	c.o.stack_fd = -1;
	output_value(&c.o, tt, d);
	cap_check(&c, "symbol values json",
		  "{\"type\": \"value\", \"data\": [\"0x10\",\"output_test_fn\",\"\"]}\n");
	output_free(&c.o);

	/* the program-only helpers resolve symbols with a temporary symbolizer */
	char *s = output_render_text_alloc(&prog, usym, u, NULL);
	check_str("render_text_alloc usym", s, "output_test_fn");
	free(s);
	s = output_key_text(&prog, tt, d, true);
	check_str("key text with a stack", s, "0x10,output_test_fn,\n");
	free(s);
}

/* ---- BPF maps ---- */

static int mkmap(enum bpf_map_type type, size_t ks, size_t vs)
{
	int fd = bpf_map_create(type, NULL, (uint32_t)ks, (uint32_t)vs, 4096, NULL);

	if (fd < 0 && fd != -EPERM)
		fprintf(stderr, "bpf_map_create: %s\n", strerror(-fd));
	return fd;
}

/* Per-CPU value: words[cpu][i]; cpus beyond those given are zero. */
static void put_percpu(int fd, const void *key, size_t vs, int ngiven, const uint64_t *words)
{
	size_t stride = (vs + 7) & ~(size_t)7;
	unsigned char *buf = calloc((size_t)ncpus, stride);

	for (int c = 0; c < ngiven && c < ncpus; c++)
		memcpy(buf + (size_t)c * stride, words + (size_t)c * (vs / 8), vs);
	if (bpf_map_update_elem(fd, key, buf, BPF_ANY))
		fprintf(stderr, "update: %s\n", strerror(errno));
	free(buf);
}

static void put(int fd, const void *key, const void *val)
{
	if (bpf_map_update_elem(fd, key, val, BPF_ANY))
		fprintf(stderr, "update: %s\n", strerror(errno));
}

static void hist_add(int fd, size_t uks, const void *ukey, uint64_t bucket, uint64_t count)
{
	unsigned char key[64] = { 0 };
	unsigned char buf[8 * 512] = { 0 };

	memcpy(key, ukey, uks);
	memcpy(key + uks, &bucket, 8);
	/* accumulate on CPU 0, as the BPF side would */
	if (!bpf_map_lookup_elem(fd, key, buf)) {
		uint64_t v;
		memcpy(&v, buf, 8);
		count += v;
	}
	uint64_t w[1] = { count };
	put_percpu(fd, key, 8, 1, w);
}

static const struct type *count_t, *avg_t, *stats_t;
static struct type hist0 = { .kind = TY_HIST, .hist_bits = 0, .size = 8 };
static struct type lhist_0_10_2 = { .kind = TY_LHIST, .lh_min = 0, .lh_max = 10, .lh_step = 2,
				    .size = 8 };

/* §10.3 example, text and JSON */
static void test_example_10_3(void)
{
	const struct type *s2 = type_string(&arena, 2);
	const struct type *pf[] = { &type_i64, s2 };
	const struct type *pkey = type_tuple(&arena, 2, pf, NULL);
	struct map_desc mc = { "@c", "c", s2, count_t, 2, 8, true, 64 };
	struct map_desc mh = { "@h", "h", NULL, &hist0, 16, 8, true, 64 };
	struct map_desc mp = { "@p", "p", pkey, &type_i64, pkey->size, 8, false, 64 };
	struct map_desc ms = { "@s", "s", NULL, stats_t, 8, 16, true, 64 };
	struct map_desc mv = { "@v", "v", NULL, avg_t, 8, 16, true, 64 };
	int fc = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 2, 8);
	int fh = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 16, 8);
	int fp = mkmap(BPF_MAP_TYPE_HASH, pkey->size, 8);
	int fs = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 8, 16);
	int fv = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 8, 16);
	uint64_t zero = 0;

	if (fc < 0 || fh < 0 || fp < 0 || fs < 0 || fv < 0) {
		check_int("create maps", 0, 1);
		return;
	}
	uint64_t one[] = { 1 }, ones[] = { 1, 1 }, two[] = { 2 };
	put_percpu(fc, "a", 8, 1, one);
	put_percpu(fc, "b", 8, ncpus > 1 ? 2 : 1, ncpus > 1 ? ones : two);
	hist_add(fh, 8, &zero, 4, 1);
	unsigned char pk[16] = { 1 };
	pk[8] = 'x';
	int64_t three = 3;
	put(fp, pk, &three);
	uint64_t st[] = { 1, 10, 1, 20 }, st1[] = { 2, 30 };
	put_percpu(fs, &zero, 16, ncpus > 1 ? 2 : 1, ncpus > 1 ? st : st1);
	uint64_t av[] = { 1, 7 };
	put_percpu(fv, &zero, 16, 1, av);

	struct capture c;
	cap_open(&c, OUTPUT_TEXT);
	output_exit_separator(&c.o);
	check_int("map c", output_map(&c.o, &mc, fc, 0, 0, false), 0);
	check_int("map h", output_map(&c.o, &mh, fh, 0, 0, false), 0);
	check_int("map p", output_map(&c.o, &mp, fp, 0, 0, false), 0);
	check_int("map s", output_map(&c.o, &ms, fs, 0, 0, false), 0);
	check_int("map v", output_map(&c.o, &mv, fv, 0, 0, false), 0);
	cap_check(&c, "example 10.3",
		  "\n\n"
		  "@c[a]: 1\n"
		  "@c[b]: 2\n"
		  "@h:\n"
		  "[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "\n"
		  "@p[1, x]: 3\n"
		  "@s: { .count = 2, .average = 15, .total = 30 }\n"
		  "@v: 7\n");

	cap_open(&c, OUTPUT_JSON);
	output_exit_separator(&c.o);
	output_map(&c.o, &mc, fc, 0, 0, false);
	output_map(&c.o, &mh, fh, 0, 0, false);
	output_map(&c.o, &mp, fp, 0, 0, false);
	output_map(&c.o, &ms, fs, 0, 0, false);
	output_map(&c.o, &mv, fv, 0, 0, false);
	cap_check(&c, "example 10.3 json",
		  "{\"type\": \"map\", \"data\": {\"@c\": {\"a\": 1, \"b\": 2}}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@h\": [{\"min\": 4, \"max\": 7, \"count\": 1}]}}\n"
		  "{\"type\": \"map\", \"data\": {\"@p\": {\"1,x\": 3}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@s\": {\"count\": 2, \"average\": 15, \"total\": 30}}}\n"
		  "{\"type\": \"stats\", \"data\": {\"@v\": 7}}\n");

	/* top/div apply to stats averages only */
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &ms, fs, 0, 2, false);
	output_map(&c.o, &mc, fc, 1, 0, false);
	cap_check(&c, "stats div, top", "@s: { .count = 2, .average = 7, .total = 30 }\n@c[b]: 2\n");

	close(fc);
	close(fh);
	close(fp);
	close(fs);
	close(fv);
}

/* §10.4 example and the JSON hist example of §10.7 */
static void test_hist_example(void)
{
	struct map_desc m = { "@hn", "hn", NULL, &hist0, 16, 8, true, 64 };
	int fd = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 16, 8);
	uint64_t zero = 0;
	static const int64_t vals[] = { -5, 0, 1, 3, 1500, 1500, 1500 };

	if (fd < 0) {
		check_int("create hist map", 0, 1);
		return;
	}
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		hist_add(fd, 8, &zero, hist_index(vals[i], 0), 1);
	struct capture c;
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &m, fd, 0, 0, false);
	cap_check(&c, "example 10.4",
		  "@hn:\n"
		  "(..., 0)               1 |@@@@@@@@@@@@@@@@@                                   |\n"
		  "[0]                    1 |@@@@@@@@@@@@@@@@@                                   |\n"
		  "[1]                    1 |@@@@@@@@@@@@@@@@@                                   |\n"
		  "[2, 4)                 1 |@@@@@@@@@@@@@@@@@                                   |\n"
		  "[4, 8)                 0 |                                                    |\n"
		  "[8, 16)                0 |                                                    |\n"
		  "[16, 32)               0 |                                                    |\n"
		  "[32, 64)               0 |                                                    |\n"
		  "[64, 128)              0 |                                                    |\n"
		  "[128, 256)             0 |                                                    |\n"
		  "[256, 512)             0 |                                                    |\n"
		  "[512, 1K)              0 |                                                    |\n"
		  "[1K, 2K)               3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "\n");

	/* div divides hist counts: 3/2 = 1, others 0 */
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &m, fd, 0, 2, false);
	cap_check(&c, "hist div",
		  "@hn:\n"
		  "[1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "\n");
	close(fd);

	fd = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 16, 8);
	if (fd < 0)
		return;
	hist_add(fd, 8, &zero, 0, 1);
	hist_add(fd, 8, &zero, 1, 2);
	hist_add(fd, 8, &zero, 3, 1);
	struct map_desc mh = { "@h", "h", NULL, &hist0, 16, 8, true, 64 };
	cap_open(&c, OUTPUT_JSON);
	output_map(&c.o, &mh, fd, 0, 0, false);
	cap_check(&c, "hist json",
		  "{\"type\": \"hist\", \"data\": {\"@h\": [{\"max\": -1, \"count\": 1},"
		  "{\"min\": 0, \"max\": 0, \"count\": 2},{\"min\": 1, \"max\": 1, \"count\": 0},"
		  "{\"min\": 2, \"max\": 3, \"count\": 1}]}}\n");
	close(fd);
}

static uint64_t lhist_index(int64_t n, int64_t min, int64_t max, int64_t step)
{
	if (n < min)
		return 0;
	if (n > max)
		return 1 + (uint64_t)((max - min) / step);
	return 1 + (uint64_t)((n - min) / step);
}

static void test_lhist(void)
{
	const struct type *s3 = type_string(&arena, 3);
	struct map_desc m = { "@l", "l", NULL, &lhist_0_10_2, 16, 8, true, 64 };
	/* the string[3] key padded to 8, then the bucket word, as map_layout() makes it */
	struct map_desc mk = { "@l", "l", s3, &lhist_0_10_2, 16, 8, true, 64 };
	struct type l100 = { .kind = TY_LHIST, .lh_min = 0, .lh_max = 100, .lh_step = 25, .size = 8 };
	struct map_desc m100 = { "@l", "l", NULL, &l100, 16, 8, true, 64 };
	int fd = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 16, 8);
	int fk = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 16, 8);
	static const char k0[8] = "k0", k1[8] = "k1";
	int f100 = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 16, 8);
	uint64_t zero = 0;
	struct capture c;

	if (fd < 0 || fk < 0 || f100 < 0) {
		check_int("create lhist maps", 0, 1);
		return;
	}
	hist_add(fd, 8, &zero, lhist_index(5, 0, 10, 2), 1);
	hist_add(fd, 8, &zero, lhist_index(100, 0, 10, 2), 1);
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &m, fd, 0, 2, false); /* div does not apply to lhist */
	cap_check(&c, "lhist",
		  "@l:\n"
		  "[4, 6)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "[6, 8)                 0 |                                                    |\n"
		  "[8, 10)                0 |                                                    |\n"
		  "[10, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "\n");

	static const int64_t vals[] = { -5, 10, 30, 35, 99, 100, 500 };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		hist_add(f100, 8, &zero, lhist_index(vals[i], 0, 100, 25), 1);
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &m100, f100, 0, 0, false);
	cap_check(&c, "lhist 0 100 25",
		  "@l:\n"
		  "(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		  "[0, 25)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		  "[25, 50)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "[50, 75)               0 |                                                    |\n"
		  "[75, 100)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		  "[100, ...)             2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "\n");

	/* keyed: sorted by total count; JSON overflow bucket has no max */
	hist_add(fk, 8, k1, 6, 4);
	hist_add(fk, 8, k0, 1, 1);
	hist_add(fk, 8, k0, 2, 1);
	hist_add(fk, 8, k0, 3, 1);
	hist_add(fk, 8, k0, 0, 2);
	cap_open(&c, OUTPUT_JSON);
	output_map(&c.o, &mk, fk, 1, 0, false);
	output_map(&c.o, &mk, fk, 0, 0, false);
	cap_check(&c, "lhist json",
		  "{\"type\": \"hist\", \"data\": {\"@l\": {\"k0\": [{\"max\": -1, \"count\": 2},"
		  "{\"min\": 0, \"max\": 1, \"count\": 1},{\"min\": 2, \"max\": 3, \"count\": 1},"
		  "{\"min\": 4, \"max\": 5, \"count\": 1}]}}}\n"
		  "{\"type\": \"hist\", \"data\": {\"@l\": {\"k1\": [{\"min\": 10, \"count\": 4}], "
		  "\"k0\": [{\"max\": -1, \"count\": 2},{\"min\": 0, \"max\": 1, \"count\": 1},"
		  "{\"min\": 2, \"max\": 3, \"count\": 1},{\"min\": 4, \"max\": 5, \"count\": 1}]}}}\n");
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &mk, fk, 0, 0, false);
	cap_check(&c, "lhist keyed",
		  "@l[k1]:\n"
		  "[10, ...)              4 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "\n"
		  "@l[k0]:\n"
		  "(..., 0)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n"
		  "[0, 2)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		  "[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		  "[4, 6)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n"
		  "\n");
	close(fd);
	close(fk);
	close(f100);
}

/* acceptance map_print_top_div / map_sorted_by_value */
static void test_sort_top_div(void)
{
	const struct type *s2 = type_string(&arena, 2);
	struct map_desc m = { "@m", "m", s2, &type_i64, 2, 8, false, 64 };
	struct map_desc mc = { "@c", "c", &type_i64, count_t, 8, 8, true, 64 };
	int fd = mkmap(BPF_MAP_TYPE_HASH, 2, 8);
	int fc = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 8, 8);
	struct capture c;

	if (fd < 0 || fc < 0) {
		check_int("create maps", 0, 1);
		return;
	}
	int64_t v3 = 3, v1 = 1, v2 = 2, v10 = 10;
	put(fd, "a", &v3);
	put(fd, "b", &v1);
	put(fd, "c", &v2);
	put(fd, "d", &v10);
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &m, fd, 0, 0, false);
	output_map(&c.o, &m, fd, 2, 0, false);
	output_map(&c.o, &m, fd, 0, 2, false);
	cap_check(&c, "sort top div",
		  "@m[b]: 1\n@m[c]: 2\n@m[a]: 3\n@m[d]: 10\n"
		  "@m[a]: 3\n@m[d]: 10\n"
		  "@m[b]: 0\n@m[c]: 1\n@m[a]: 1\n@m[d]: 5\n");

	/* counts by value, ties by key as signed numbers */
	int64_t keys[] = { 100, 200, 300, -7, 5 };
	uint64_t cnt[] = { 3, 1, 2, 1, 1 };
	for (int i = 0; i < 5; i++)
		put_percpu(fc, &keys[i], 8, 1, &cnt[i]);
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &mc, fc, 0, 0, false);
	cap_check(&c, "count sort", "@c[-7]: 1\n@c[5]: 1\n@c[200]: 1\n@c[300]: 2\n@c[100]: 3\n");
	cap_open(&c, OUTPUT_JSON);
	output_map(&c.o, &mc, fc, 2, 0, false);
	cap_check(&c, "count json top",
		  "{\"type\": \"map\", \"data\": {\"@c\": {\"300\": 2, \"100\": 3}}}\n");
	close(fd);
	close(fc);
}

static void test_minmax_empty(void)
{
	const struct type *min_t = type_aggregate(&arena, TY_MIN, true);
	const struct type *max_t = type_aggregate(&arena, TY_MAX, true);
	struct map_desc mmin = { "@lo", "lo", NULL, min_t, 8, 16, true, 64 };
	struct map_desc mmax = { "@hi", "hi", &type_i64, max_t, 8, 16, true, 64 };
	int fmin = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 8, 16);
	int fmax = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 8, 16);
	uint64_t zero = 0;
	struct capture c;

	if (fmin < 0 || fmax < 0) {
		check_int("create maps", 0, 1);
		return;
	}
	/* CPU 1 unset (value 0 must not win); single CPU: same result */
	uint64_t mn[] = { 30, 1, 0, 0 };
	put_percpu(fmin, &zero, 16, 2, mn);
	int64_t k1 = 1, k2 = 2;
	uint64_t mx1[] = { (uint64_t)-5, 1, (uint64_t)-3, ncpus > 1 }, mx2[] = { 4, 1 };
	put_percpu(fmax, &k1, 16, 2, mx1);
	put_percpu(fmax, &k2, 16, 1, mx2);
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &mmin, fmin, 0, 0, false);
	output_map(&c.o, &mmax, fmax, 0, 0, false);
	cap_check(&c, "min max", ncpus > 1 ? "@lo: 30\n@hi[2]: 4\n@hi[1]: -3\n"
					   : "@lo: 30\n@hi[2]: 4\n@hi[1]: -5\n");
	close(fmin);
	close(fmax);

	/* empty maps */
	struct map_desc mx = { "@x", "x", NULL, count_t, 8, 8, true, 64 };
	struct map_desc mk = { "@k", "k", &type_i64, count_t, 8, 8, true, 64 };
	struct map_desc mh = { "@h", "h", NULL, &hist0, 16, 8, true, 64 };
	struct map_desc ms = { "@s", "s", NULL, stats_t, 8, 16, true, 64 };
	const struct type *s4 = type_string(&arena, 4);
	struct map_desc mstr = { "@str", "str", NULL, s4, 8, 4, false, 64 };
	int fx = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 8, 8);
	int fh = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 16, 8);
	int fs = mkmap(BPF_MAP_TYPE_PERCPU_HASH, 8, 16);
	int fstr = mkmap(BPF_MAP_TYPE_HASH, 8, 4);
	if (fx < 0 || fh < 0 || fs < 0 || fstr < 0) {
		check_int("create maps", 0, 1);
		return;
	}
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &mx, fx, 0, 0, false);
	output_map(&c.o, &mx, fx, 0, 0, true);
	output_map(&c.o, &mk, fx, 0, 0, true);
	output_map(&c.o, &mh, fh, 0, 0, true);
	output_map(&c.o, &ms, fs, 0, 0, true);
	cap_check(&c, "empty maps", "@x: 0\n@s: { .count = 0, .average = 0, .total = 0 }\n");
	cap_open(&c, OUTPUT_JSON);
	output_map(&c.o, &mx, fx, 0, 0, false);
	output_map(&c.o, &mh, fh, 0, 0, false);
	cap_check(&c, "empty maps json", "");

	put(fstr, &zero, "abcd");
	cap_open(&c, OUTPUT_TEXT);
	output_map(&c.o, &mstr, fstr, 0, 0, false);
	cap_check(&c, "string value", "@str: abcd..\n");
	close(fx);
	close(fh);
	close(fs);
	close(fstr);
}

int main(void)
{
	count_t = type_aggregate(&arena, TY_COUNT, false);
	avg_t = type_aggregate(&arena, TY_AVG, true);
	stats_t = type_aggregate(&arena, TY_STATS, true);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		ncpus = 1;

	test_labels();
	test_hist_bounds();
	test_json_int();
	test_records();
	test_stack_symbol_values();

	int probe = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, 8, 8, 1, NULL);
	if (probe < 0) {
		check_skip("map tests", "bpf_map_create: %s", strerror(-probe));
	} else {
		close(probe);
		test_example_10_3();
		test_hist_example();
		test_lhist();
		test_sort_top_div();
		test_minmax_empty();
	}
	arena_free(&arena);
	return check_summary();
}
