/* printf formats (§10.5): parsing and argument checks, shared by the
 * compiler (which checks) and the runtime (which prints). */
#include "format.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

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

enum fmt_item format_item_at(const char *fmt, size_t i, struct fmt_spec *s, char *err,
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
		switch (format_item_at(fmt, i, &s, err, errlen)) {
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

bool format_integer_arg(const struct type *t)
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
		/* buffers and byte arrays (pton()); strings print their
		 * bytes up to the NUL */
		ok = arg->kind == TY_BUF || arg->kind == TY_STRING || type_is_byte_array(arg);
		break;
	default:
		ok = format_integer_arg(arg);
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

