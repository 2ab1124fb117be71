/* printf formats (§10.5): parsing, argument checks and C-exact printing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "format.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../codegen/types.h"
#include "output.h"

enum fmt_item {
	FMT_LITERAL, /* a '%' that starts no conversion: print it as is */
	FMT_PERCENT, /* %% */
	FMT_CONV,
	FMT_ERROR,   /* unsupported conversion (floating point, %n) */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at *p as an int, saturated (C would fail on overflow anyway). */
static int parse_num(const char *fmt, size_t *p)
{
	long v = 0;

	while (is_digit(fmt[*p])) {
		if (v < INT_MAX / 10)
			v = v * 10 + (fmt[*p] - '0');
		else
			v = INT_MAX;
		(*p)++;
	}
	return v > INT_MAX ? INT_MAX : (int)v;
}

static bool take(const char *fmt, size_t *p, char c)
{
	if (fmt[*p] != c)
		return false;
	(*p)++;
	return true;
}

/* Length modifier run: hh/h narrow, l ll j z t widen, none/L: int. */
static int parse_len(const char *fmt, size_t *p)
{
	int h = 0;
	bool wide = false;

	while (fmt[*p] && strchr("hlLjzt", fmt[*p])) {
		if (fmt[*p] == 'h')
			h++;
		else if (fmt[*p] != 'L')
			wide = true;
		(*p)++;
	}
	if (wide)
		return 64;
	return h >= 2 ? 8 : h == 1 ? 16 : 32;
}

static bool parse_conv(const char *fmt, size_t *p, struct fmt_spec *s)
{
	char c = fmt[*p];

	s->conv2 = 0;
	if (c == 'g' && fmt[*p + 1] == 'r') {
		s->conv = 'g';
		s->conv2 = 'r';
		*p += 2;
		return true;
	}
	if (c == 'r') {
		s->conv = 'r';
		(*p)++;
		if (fmt[*p] == 'x' || fmt[*p] == 'h')
			s->conv2 = fmt[(*p)++];
		return true;
	}
	if (c && strchr("diouxXcsp", c)) {
		s->conv = c;
		(*p)++;
		return true;
	}
	return false;
}

/* Classify the '%' at fmt[i]; for FMT_CONV fill *s. */
static enum fmt_item parse_at(const char *fmt, size_t i, struct fmt_spec *s, char *err,
			      size_t errlen)
{
	size_t p = i + 1;

	if (fmt[p] == '%')
		return FMT_PERCENT;
	memset(s, 0, sizeof(*s));
	s->start = i;
	s->width = s->prec = -1;
	/* flags, in exactly this order */
	s->minus = take(fmt, &p, '-');
	s->plus = take(fmt, &p, '+');
	s->space = take(fmt, &p, ' ');
	s->hash = take(fmt, &p, '#');
	s->zero = take(fmt, &p, '0');
	if (!take(fmt, &p, '*') && is_digit(fmt[p]))
		s->width = parse_num(fmt, &p);
	if (take(fmt, &p, '.') && !take(fmt, &p, '*'))
		s->prec = parse_num(fmt, &p); /* "." alone is precision 0, as in C */
	s->len_bits = parse_len(fmt, &p);
	if (parse_conv(fmt, &p, s)) {
		s->len = p - i;
		return FMT_CONV;
	}
	if (fmt[p] && strchr("eEfFgGaAn", fmt[p])) {
		if (err && errlen)
			snprintf(err, errlen, "unsupported format specifier: %c", fmt[p]);
		return FMT_ERROR;
	}
	return FMT_LITERAL;
}

int format_parse(const char *fmt, struct fmt_spec *specs, int max, char *err, size_t errlen)
{
	int n = 0;
	struct fmt_spec s;

	for (size_t i = 0; fmt[i]; i++) {
		if (fmt[i] != '%')
			continue;
		switch (parse_at(fmt, i, &s, err, errlen)) {
		case FMT_PERCENT:
			i++;
			break;
		case FMT_CONV:
			if (n < max)
				specs[n] = s;
			n++;
			i += s.len - 1;
			break;
		case FMT_ERROR:
			return -1;
		case FMT_LITERAL:
			break;
		}
	}
	return n;
}

static void conv_text(const struct fmt_spec *spec, char *buf)
{
	buf[0] = spec->conv;
	buf[1] = spec->conv2;
	buf[2] = '\0';
}

static bool integer_arg(const struct type *t)
{
	switch (t->kind) {
	case TY_INT:
	case TY_BOOL:
	case TY_POINTER:
	case TY_COUNT:
	case TY_SUM:
	case TY_MIN:
	case TY_MAX:
		return true;
	default:
		return false;
	}
}

int format_check_arg(const struct fmt_spec *spec, const struct type *arg, char *err, size_t errlen,
		     struct arena *a)
{
	bool ok;
	char conv[3];

	switch (spec->conv) {
	case 's':
		ok = true;
		break;
	case 'r':
		/* buffers; strings print their bytes up to the NUL */
		ok = arg->kind == TY_STRING;
		break;
	default:
		ok = integer_arg(arg);
		break;
	}
	if (ok)
		return 0;
	conv_text(spec, conv);
	if (err && errlen)
		snprintf(err, errlen, "unsupported format specifier for type '%s': %s",
			 type_name(a, arg), conv);
	return -1;
}

/* The C format for one conversion: the spec's flags, width and precision
 * with our own length modifier and conversion letter. */
static void c_format(char *buf, size_t len, const struct fmt_spec *s, const char *lenmod,
		     char conv, bool with_prec)
{
	int n = snprintf(buf, len, "%%%s%s%s%s%s", s->minus ? "-" : "", s->plus ? "+" : "",
			 s->space ? " " : "", s->hash ? "#" : "", s->zero ? "0" : "");
	if (s->width >= 0)
		n += snprintf(buf + n, len - (size_t)n, "%d", s->width);
	if (with_prec && s->prec >= 0)
		n += snprintf(buf + n, len - (size_t)n, ".%d", s->prec);
	snprintf(buf + n, len - (size_t)n, "%s%c", lenmod, conv);
}

static void print_int(FILE *f, const struct fmt_spec *s, uint64_t v)
{
	char cf[64];
	bool is_signed = s->conv == 'd' || s->conv == 'i';

	switch (s->len_bits) {
	case 64:
		c_format(cf, sizeof(cf), s, "ll", s->conv, true);
		if (is_signed)
			fprintf(f, cf, (long long)v);
		else
			fprintf(f, cf, (unsigned long long)v);
		break;
	default:
		/* printf itself narrows to char/short for hh/h */
		c_format(cf, sizeof(cf), s, s->len_bits == 8 ? "hh" : s->len_bits == 16 ? "h" : "",
			 s->conv, true);
		if (is_signed)
			fprintf(f, cf, (int)(uint32_t)v);
		else
			fprintf(f, cf, (unsigned int)v);
		break;
	}
}

/* Text already rendered, with the spec's width, '-' and precision. */
static void print_text(FILE *f, const struct fmt_spec *s, const char *text, bool with_prec)
{
	char cf[64];

	c_format(cf, sizeof(cf), s, "", 's', with_prec);
	fprintf(f, cf, text);
}

static void print_pointer(FILE *f, const struct fmt_spec *s, uint64_t v)
{
	char cf[64];

	if (!v) {
		/* glibc would say "(nil)"; sonde always prints hex */
		print_text(f, s, "0x0", false);
		return;
	}
	struct fmt_spec h = *s;
	h.hash = true;
	c_format(cf, sizeof(cf), &h, "ll", 'x', true);
	fprintf(f, cf, (unsigned long long)v);
}

/* %r %rx %rh of the bytes of a string (up to the NUL). */
static void render_bytes(FILE *f, char mode, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (mode == 'h')
			fprintf(f, i ? " %02x" : "%02x", b[i]);
		else if (mode == 'x' || b[i] < 32 || b[i] > 126)
			fprintf(f, "\\x%02x", b[i]);
		else
			fputc(b[i], f);
	}
}

static char *render_conv_text(const struct fmt_spec *s, const struct type *t, const void *data,
			      struct output *o)
{
	if (s->conv == 's' || t->kind != TY_STRING)
		return output_text_alloc(o, t, data, NULL);
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	const unsigned char *nul = memchr(data, '\0', t->size);
	render_bytes(f, s->conv2, data, nul ? (size_t)(nul - (const unsigned char *)data) : t->size);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_arg(FILE *f, const struct fmt_spec *s, const struct type *t, const void *data,
		      struct output *o)
{
	uint64_t v = 0;

	if (s->conv != 's' && s->conv != 'r' && s->conv != 'g' && integer_arg(t)) {
		memcpy(&v, data, sizeof(v));
		if (s->conv == 'c') {
			char cf[64];
			c_format(cf, sizeof(cf), s, "", 'c', false);
			fprintf(f, cf, (int)(unsigned char)v);
		} else if (s->conv == 'p') {
			print_pointer(f, s, v);
		} else {
			print_int(f, s, v);
		}
		return;
	}
	/* %s, buffers, %gr (flags printed as a number for now), or a type the
	 * compiler should have refused: the text rendering */
	char *text = render_conv_text(s, t, data, o);
	if (text)
		print_text(f, s, text, s->conv == 's');
	free(text);
}

void format_print(FILE *f, const char *fmt, const struct type *args, const void *data,
		  const struct compiled_program *prog)
{
	struct output o;

	memset(&o, 0, sizeof(o));
	o.prog = prog;
	o.stack_fd = -1;
	format_print_out(f, fmt, args, data, &o);
	output_free(&o);
}

void format_print_out(FILE *f, const char *fmt, const struct type *args, const void *data,
		      struct output *o)
{
	const unsigned char *d = data;
	int argi = 0, nargs = args && args->kind == TY_TUPLE ? args->nfields : 0;
	size_t i = 0, lit = 0;
	struct fmt_spec s;

	while (fmt[i]) {
		if (fmt[i] != '%') {
			i++;
			continue;
		}
		fwrite(fmt + lit, 1, i - lit, f);
		switch (parse_at(fmt, i, &s, NULL, 0)) {
		case FMT_PERCENT:
			fputc('%', f);
			i += 2;
			break;
		case FMT_CONV:
			if (argi < nargs) {
				print_arg(f, &s, args->fields[argi], d + args->offsets[argi], o);
				argi++;
			}
			i += s.len;
			break;
		default:
			fputc('%', f);
			i++;
			break;
		}
		lit = i;
	}
	fwrite(fmt + lit, 1, i - lit, f);
}
