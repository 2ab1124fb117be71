/* printf formats (§10.5) and value rendering (§10.2). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/types.h"
#include "../../common/format.h"
#include "../../runtime/printf.h"
#include "../../runtime/output.h"
#include "check.h"

/* An argument: integer-like types take i, strings s. */
struct arg {
	const struct type *t;
	int64_t i;
	const char *s;
};

static struct arena arena;

static const struct type *str_t(size_t n)
{
	return type_string(&arena, n);
}

/* Lay the arguments out as a tuple (types.h layout rule). */
static const struct type *build(int n, const struct arg *args, unsigned char **data)
{
	const struct type *fields[16];

	for (int k = 0; k < n; k++)
		fields[k] = args[k].t;
	const struct type *t = type_tuple(&arena, n, fields, NULL);
	*data = arena_alloc(&arena, t->size + 8);
	for (int k = 0; k < n; k++) {
		if (args[k].t->kind == TY_STRING)
			strncpy((char *)*data + t->offsets[k], args[k].s, args[k].t->size);
		else
			memcpy(*data + t->offsets[k], &args[k].i, 8);
	}
	return t;
}

static const char *probe_names[] = { "begin", "kprobe:vfs_read" };
static const struct compiled_program prog = { .probe_names = probe_names, .nprobe_names = 2 };

static char *run(const char *fmt, int n, const struct arg *args)
{
	unsigned char *data;
	const struct type *t = build(n, args, &data);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	format_print(f, fmt, t, data, &prog);
	fclose(f);
	return buf;
}

#define FMT(fmt, want, ...)                                                             \
	do {                                                                            \
		const struct arg a_[] = { __VA_ARGS__ };                                \
		char *got_ = run(fmt, (int)(sizeof(a_) / sizeof(a_[0])), a_);           \
		check_str("printf(\"" fmt "\")", got_, want);                           \
		free(got_);                                                             \
	} while (0)

#define FMT0(fmt, want)                                                                 \
	do {                                                                            \
		char *got_ = run(fmt, 0, NULL);                                         \
		check_str("printf(\"" fmt "\")", got_, want);                           \
		free(got_);                                                             \
	} while (0)

#define I64(v) { &type_i64, (v), NULL }
#define U64(v) { &type_u64, (int64_t)(v), NULL }
#define S(n, v) { str_t(n), 0, (v) }

static void test_printf_ints(void)
{
	FMT("%05d", "-0042", I64(-42));
	FMT("%05d", "00042", I64(42));
	FMT("%-05d|", "42   |", I64(42));
	FMT("%#06x", "0x001f", I64(31));
	FMT("%.5d", "00042", I64(42));
	FMT("%d", "705032704", I64(5000000000));
	FMT("%x", "ffffffff", U64(0x1ffffffffULL));
	FMT("%u", "4294967295", I64(-1));
	FMT("%lu", "18446744073709551615", I64(-1));
	FMT("%lld", "-5", I64(-5));
	FMT("%ld", "5000000000", I64(5000000000));
	FMT("%zu %jd %td", "1 2 3", I64(1), I64(2), I64(3));
	FMT("%hhd", "44", I64(300));
	FMT("%hd", "4464", I64(70000));
	FMT("%hhu", "255", I64(-1));
	FMT("%Ld", "705032704", I64(5000000000));
	FMT("%+d % d %+d", "+5  5 -5", I64(5), I64(5), I64(-5));
	FMT("%#o %#x %#X", "010 0 0XFF", I64(8), I64(0), I64(255));
	FMT("%x %X %o", "ff FF 17", I64(255), I64(255), I64(15));
	FMT("[%5d] [%-5d]", "[   42] [42   ]", I64(42), I64(42));
	FMT("%*d", "42", I64(42));
	FMT("%.*d", "42", I64(42));
	FMT("%i", "-7", I64(-7));
	FMT("%lu", "123456789012", I64(123456789012));
	FMT("%d", "1", { &type_bool, 1, NULL });
	FMT("%c%c", "AB", I64(65), I64(66));
	FMT("[%3c]", "[  A]", I64(65));
	FMT("%p", "0x4d2", I64(1234));
	FMT("%p", "0x0", I64(0));
	FMT("%p", "0xffffffffffffffff", I64(-1));
	FMT("%d%%", "50%", I64(50));
}

static void test_printf_text(void)
{
	FMT("%.3s", "abc", S(7, "abcdef"));
	FMT("[%-10s] [%10s]", "[ab        ] [        cd]", S(3, "ab"), S(3, "cd"));
	FMT("%s has %d letters, 0x%llx", "sonde has 5 letters, 0x1000", S(6, "sonde"), I64(5),
	    I64(4096));
	FMT("%s %s", "-5 18446744073709551615", I64(-5), U64(UINT64_MAX));
	FMT("%s", "true", { &type_bool, 1, NULL });
	FMT("%s", "false", { &type_bool, 0, NULL });
	FMT("%s", "kprobe:vfs_read", { &type_probe, 1, NULL });
	FMT("%s", "abcd..", S(4, "abcd"));
	FMT("%r", "a\\x0ab", S(4, "a\nb"));
	FMT("%rx", "\\x61\\x62", S(4, "ab"));
	FMT("%rh", "61 62 0a", S(4, "ab\n"));
	FMT0("%%", "%");
	FMT0("100%% sure", "100% sure");
	FMT0("%y", "%y");
	FMT0("%0-5d", "%0-5d");
	FMT0("abc%", "abc%");
	FMT0("a%5%b", "a%5%b");
	FMT("%y %d", "%y 7", I64(7));
	FMT0("tab[\t]", "tab[\t]");
}

static void test_render(void)
{
	/* (1, two, (3, x)) */
	const struct type *inner_f[] = { &type_i64, str_t(2) };
	const struct type *inner = type_tuple(&arena, 2, inner_f, NULL);
	const struct type *outer_f[] = { &type_i64, str_t(4), inner };
	const struct type *outer = type_tuple(&arena, 3, outer_f, NULL);
	unsigned char *d = arena_alloc(&arena, outer->size);
	int64_t one = 1, three = 3;
	memcpy(d + outer->offsets[0], &one, 8);
	memcpy(d + outer->offsets[1], "two", 4);
	memcpy(d + outer->offsets[2] + inner->offsets[0], &three, 8);
	memcpy(d + outer->offsets[2] + inner->offsets[1], "x", 2);
	char *s = output_render_text_alloc(&prog, outer, d, NULL);
	check_str("render tuple", s, "(1, two, (3, x))");
	free(s);

	/* records */
	const char *names[] = { "a", "name" };
	const struct type *rf[] = { &type_i32, str_t(8) };
	const struct type *rec = type_tuple(&arena, 2, rf, names);
	unsigned char *rd = arena_alloc(&arena, rec->size);
	memcpy(rd, &one, 8);
	memcpy(rd + rec->offsets[1], "bash", 5);
	s = output_render_text_alloc(&prog, rec, rd, NULL);
	check_str("render record", s, "{ .a = 1, .name = bash }");
	free(s);
	const struct type *empty_rec = type_tuple(&arena, 0, NULL, names);
	s = output_render_text_alloc(&prog, empty_rec, rd, NULL);
	check_str("render empty record", s, "{}");
	free(s);
	const struct type *empty = type_tuple(&arena, 0, NULL, NULL);
	s = output_render_text_alloc(&prog, empty, rd, NULL);
	check_str("render empty tuple", s, "()");
	free(s);

	int64_t neg = -5, ptr = 1234;
	s = output_render_text_alloc(&prog, &type_i8, &neg, NULL);
	check_str("render int8", s, "-5");
	free(s);
	s = output_render_text_alloc(&prog, &type_u64, &neg, NULL);
	check_str("render uint64", s, "18446744073709551611");
	free(s);
	s = output_render_text_alloc(&prog, type_pointer(&arena, &type_u8), &ptr, NULL);
	check_str("render pointer", s, "0x4d2");
	free(s);

	/* tuple key text drops the outer parentheses only */
	const struct type *inner4_f[] = { &type_i64, str_t(4) };
	inner = type_tuple(&arena, 2, inner4_f, NULL);
	const struct type *kf[] = { &type_i64, inner };
	const struct type *kt = type_tuple(&arena, 2, kf, NULL);
	unsigned char *kd = arena_alloc(&arena, kt->size);
	memcpy(kd, &one, 8);
	memcpy(kd + kt->offsets[1], &three, 8);
	memcpy(kd + kt->offsets[1] + inner->offsets[1], "a b", 3);
	s = output_key_text(&prog, kt, kd, false);
	check_str("key text", s, "1, (3, a b)");
	free(s);
	s = output_key_text(&prog, kt, kd, true);
	check_str("key json", s, "1,(3,ab)");
	free(s);
	s = output_key_text(&prog, str_t(4), "(x)", false);
	check_str("key text string", s, "x");
	free(s);
}

static void parse_err(const char *fmt, const char *want)
{
	char err[128] = "";
	struct fmt_spec specs[4];
	int n = format_parse(fmt, specs, 4, err, sizeof(err));

	check_int(fmt, n, -1);
	check_str(fmt, err, want);
}

static void test_parse(void)
{
	struct fmt_spec sp[8];
	char err[128] = "";

	check_int("count", format_parse("%d %s %% %y %-5.3lu%c", sp, 8, err, sizeof(err)), 4);
	check_int("conv0", sp[0].conv, 'd');
	check_int("len_bits d", sp[0].len_bits, 32);
	check_int("conv2", sp[2].conv, 'u');
	check_int("len_bits lu", sp[2].len_bits, 64);
	check_int("width", sp[2].width, 5);
	check_int("prec", sp[2].prec, 3);
	check_int("minus", sp[2].minus, 1);
	check_int("start", (long)sp[2].start, 12);
	check_int("len", (long)sp[2].len, 7);
	check_int("count over max", format_parse("%d%d%d", sp, 1, err, sizeof(err)), 3);
	check_int("count null", format_parse("%d%d", NULL, 0, err, sizeof(err)), 2);
	check_int("hh", (format_parse("%hhx", sp, 8, err, sizeof(err)), sp[0].len_bits), 8);
	check_int("h", (format_parse("%hx", sp, 8, err, sizeof(err)), sp[0].len_bits), 16);
	check_int("rx", (format_parse("%rx", sp, 8, err, sizeof(err)), sp[0].conv2), 'x');
	check_int("gr", (format_parse("%gr", sp, 8, err, sizeof(err)), sp[0].conv), 'g');
	check_int("literal only", format_parse("%y %0-5d 100%", sp, 8, err, sizeof(err)), 0);
	parse_err("%f", "unsupported format specifier: f");
	parse_err("x %5.2e", "unsupported format specifier: e");
	parse_err("%lf", "unsupported format specifier: f");
	parse_err("%d %g", "unsupported format specifier: g");
	parse_err("%n", "unsupported format specifier: n");
	parse_err("%A", "unsupported format specifier: A");
}

static void check_arg(const char *fmt, const struct type *t, const char *want)
{
	struct fmt_spec sp;
	char err[128] = "";

	format_parse(fmt, &sp, 1, err, sizeof(err));
	int r = format_check_arg(&sp, t, err, sizeof(err), &arena);
	check_int(fmt, r, want ? -1 : 0);
	if (want)
		check_str(fmt, err, want);
}

static void test_check(void)
{
	check_arg("%d", str_t(4), "unsupported format specifier for type 'string[4]': d");
	check_arg("%rx", &type_i64, "unsupported format specifier for type 'int64': rx");
	check_arg("%d", &type_u32, NULL);
	check_arg("%x", &type_bool, NULL);
	check_arg("%p", type_pointer(&arena, &type_u8), NULL);
	check_arg("%s", &type_i64, NULL);
	check_arg("%s", &type_probe, NULL);
	check_arg("%c", &type_i8, NULL);
}
/* format_int against C printf itself: every flag combination, widths and
 * precisions around the digit counts, every length, the edge values. */
static void test_format_int_matches_c(void)
{
	static const char convs[] = "diouxX";
	static const int widths[] = { -1, 0, 1, 3, 12, 25 }, precs[] = { -1, 0, 1, 4, 22 };
	static const int lens[] = { 8, 16, 32, 64 };
	static const uint64_t values[] = { 0, 1, 7, 8, 42, 255, 256, 0x7fff, 0x8000, 0xffffffffull,
					   0x80000000ull, 0x1ffffffffull, 0x7fffffffffffffffull,
					   0x8000000000000000ull, ~0ull, (uint64_t)-42 };
	int mismatches = 0;
	for (const char *c = convs; *c; c++)
		for (int flags = 0; flags < 32; flags++)
			for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
				for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++)
					for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
						for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
							struct fmt_spec s = { .conv = *c, .len_bits = lens[l],
									      .minus = flags & 1, .plus = flags & 2,
									      .space = flags & 4, .hash = flags & 8,
									      .zero = flags & 16, .width = widths[w],
									      .prec = precs[p] };
							char cf[64], want[256], got[FORMAT_INT_MAX + 1];
							int n = snprintf(cf, sizeof(cf), "%%%s%s%s%s%s", s.minus ? "-" : "",
									 s.plus ? "+" : "", s.space ? " " : "",
									 s.hash ? "#" : "", s.zero ? "0" : "");
							if (s.width >= 0)
								n += snprintf(cf + n, sizeof(cf) - (size_t)n, "%d", s.width);
							if (s.prec >= 0)
								n += snprintf(cf + n, sizeof(cf) - (size_t)n, ".%d", s.prec);
							uint64_t x = values[v];
							bool sgn = *c == 'd' || *c == 'i';
							const char *lm = lens[l] == 8 ? "hh" : lens[l] == 16 ? "h" : lens[l] == 64 ? "ll" : "";
							snprintf(cf + n, sizeof(cf) - (size_t)n, "%s%c", lm, *c);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
							if (lens[l] == 64 && sgn)
								snprintf(want, sizeof(want), cf, (long long)x);
							else if (lens[l] == 64)
								snprintf(want, sizeof(want), cf, (unsigned long long)x);
							else if (sgn)
								snprintf(want, sizeof(want), cf, (int)(uint32_t)x);
							else
								snprintf(want, sizeof(want), cf, (unsigned)x);
#pragma GCC diagnostic pop
							int len = format_int(got, &s, x);
							got[len < 0 ? 0 : len] = 0;
							if (len < 0 || strcmp(got, want)) {
								if (mismatches++ < 10)
									check_fail("format_int", "%s of %#llx: got '%s' want '%s'", cf,
										   (unsigned long long)x, got, want);
							}
						}
	check_true("format_int renders every integer conversion as C printf", mismatches == 0);
	struct fmt_spec wide = { .conv = 'd', .len_bits = 32, .width = 1000, .prec = -1 };
	char out[FORMAT_INT_MAX];
	check_int("format_int leaves a width beyond its buffer to the caller", format_int(out, &wide, 1), -1);
	struct fmt_spec chr = { .conv = 'c', .len_bits = 32, .width = -1, .prec = -1 };
	check_int("format_int renders only integer conversions", format_int(out, &chr, 65), -1);
}

int main(void)
{
	test_format_int_matches_c();
	test_printf_ints();
	test_printf_text();
	test_render();
	test_parse();
	test_check();
	arena_free(&arena);
	return check_summary();
}
