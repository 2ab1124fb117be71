/* printf at run time: every conversion printed exactly like C printf. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "printf.h"

#include <stdlib.h>
#include <string.h>

#include "../common/format.h"
#include "output.h"
#include "values.h"

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
	char cf[64], text[FORMAT_INT_MAX];
	bool is_signed = s->conv == 'd' || s->conv == 'i';
	int n = format_int(text, s, v);

	if (n >= 0) { /* the common case, without parsing a C format */
		fwrite_unlocked(text, 1, (size_t)n, f);
		return;
	}

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
	if (!v) {
		/* glibc would say "(nil)"; sonde always prints hex */
		print_text(f, s, "0x0", false);
		return;
	}
	struct fmt_spec h = *s;
	h.hash = true;
	h.conv = 'x';
	h.len_bits = 64;
	print_int(f, &h, v);
}

static char *render_conv_text(const struct fmt_spec *s, const struct type *t, const void *data,
			      struct output *o)
{
	if (s->conv != 'r' || (t->kind != TY_STRING && t->kind != TY_BUF && !type_is_byte_array(t)))
		return output_text_alloc(o, t, data, NULL);
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		return NULL;
	if (t->kind == TY_BUF) {
		size_t len = rd64(data), cap = type_buffer_capacity(t);
		output_bytes(f, s->conv2, (const unsigned char *)data + 8, len < cap ? len : cap);
	} else if (t->kind == TY_ARRAY) {
		output_bytes(f, s->conv2, data, t->size);
	} else {
		const unsigned char *nul = memchr(data, '\0', t->size);
		output_bytes(f, s->conv2, data, nul ? (size_t)(nul - (const unsigned char *)data) : t->size);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_arg(FILE *f, const struct fmt_spec *s, const struct type *t, const void *data,
		      struct output *o)
{
	if (s->conv != 's' && s->conv != 'r' && s->conv != 'g' && format_integer_arg(t)) {
		uint64_t v = rd_scalar(t, data);
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
	 * compiler should have refused: the text rendering; straight into f
	 * when no width or precision needs its length (no rendering holds a
	 * NUL, where %s would stop) */
	if (s->conv == 's' && s->width < 0 && s->prec < 0) {
		output_text(o, f, t, data);
		return;
	}
	char *text = render_conv_text(s, t, data, o);
	if (text)
		print_text(f, s, text, s->conv == 's');
	free(text);
}

void format_print(FILE *f, const char *fmt, const struct type *args, const void *data,
		  const struct compiled_program *prog)
{
	struct output o;

	output_init_bare(&o, prog);
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
		fwrite_unlocked(fmt + lit, 1, i - lit, f);
		switch (format_item_at(fmt, i, &s, NULL, 0)) {
		case FMT_PERCENT:
			putc_unlocked('%', f);
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
			putc_unlocked('%', f);
			i++;
			break;
		}
		lit = i;
	}
	fwrite_unlocked(fmt + lit, 1, i - lit, f);
}
