/* The JSON writer (see json.h). */
#include "json.h"

#include <inttypes.h>
#include <string.h>

/* Two-character escapes; other control characters are written as \uXXXX. */
static const char *const short_escape[256] = {
	['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
};

void json_write_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (short_escape[c])
			fputs(short_escape[c], f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_write_cstr(FILE *f, const char *s)
{
	json_write_string(f, s, strlen(s));
}

/* Readers of JSON parse numbers as doubles: keep 64-bit values exact. */
void json_write_int(FILE *f, uint64_t bits, bool is_signed)
{
	bool exact;

	if (is_signed) {
		int64_t v = (int64_t)bits;
		double d = (double)v;
		exact = d < 9223372036854775808.0 && (int64_t)d == v;
		fprintf(f, exact ? "%" PRId64 : "\"%" PRId64 "\"", v);
	} else {
		double d = (double)bits;
		exact = d < 18446744073709551616.0 && (uint64_t)d == bits;
		fprintf(f, exact ? "%" PRIu64 : "\"%" PRIu64 "\"", bits);
	}
}

void json_record_begin(FILE *f, const char *type)
{
	fprintf(f, "{\"type\": \"%s\", \"data\": ", type);
}

void json_record_end(FILE *f)
{
	fputs("}\n", f);
}

void json_write_text_record(FILE *f, const char *type, const char *text, size_t n)
{
	json_record_begin(f, type);
	json_write_string(f, text, n);
	json_record_end(f);
}
