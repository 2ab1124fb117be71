/* Integer conversions rendered exactly as C printf renders them, without
 * building and parsing a C format per value: the printf consumer runs
 * this once per argument of every event. */
#include "format.h"

#include <string.h>

/* The value as the conversion sees it: signed conversions sign-extend
 * from the length modifier's width, unsigned ones keep its low bits. */
static uint64_t magnitude(const struct fmt_spec *s, uint64_t v, bool *negative)
{
	int shift = 64 - s->len_bits;
	*negative = false;
	if (s->conv != 'd' && s->conv != 'i')
		return shift ? v & (~0ull >> shift) : v;
	int64_t sv = shift ? (int64_t)(v << shift) >> shift : (int64_t)v;
	*negative = sv < 0;
	return *negative ? 0 - (uint64_t)sv : (uint64_t)sv;
}

/* Digits of u in the conversion's base, most significant first; the
 * number of digits (0 for the value 0: precision decides about it). */
static int digits(char *out, uint64_t u, char conv)
{
	const char *set = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	char rev[24];
	int n = 0;
	/* a constant divisor in each loop: multiplications and shifts */
	if (conv == 'o')
		for (; u; u /= 8)
			rev[n++] = set[u % 8];
	else if (conv == 'x' || conv == 'X')
		for (; u; u /= 16)
			rev[n++] = set[u % 16];
	else
		for (; u; u /= 10)
			rev[n++] = set[u % 10];
	for (int i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

int format_int(char out[FORMAT_INT_MAX], const struct fmt_spec *s, uint64_t v)
{
	enum { MAX_PAD = FORMAT_INT_MAX - 32 };
	if (s->width >= MAX_PAD || s->prec >= MAX_PAD || !strchr("diouxX", s->conv) || !s->conv)
		return -1;
	bool negative;
	uint64_t u = magnitude(s, v, &negative);
	char num[24];
	int ndig = digits(num, u, s->conv);
	/* precision: the minimum number of digits; the value 0 has one digit
	 * unless the precision is 0 */
	int prec = s->prec >= 0 ? s->prec : 1;
	int zeros = prec > ndig ? prec - ndig : 0;
	if (s->hash && s->conv == 'o' && zeros == 0 && (ndig == 0 || num[0] != '0'))
		zeros = 1; /* '#' makes an octal number start with 0 */
	char prefix[2];
	int nprefix = 0;
	if (negative)
		prefix[nprefix++] = '-';
	else if ((s->conv == 'd' || s->conv == 'i') && (s->plus || s->space))
		prefix[nprefix++] = s->plus ? '+' : ' ';
	else if (s->hash && (s->conv == 'x' || s->conv == 'X') && u) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = s->conv;
	}
	int body = nprefix + zeros + ndig;
	int pad = s->width > body ? s->width - body : 0;
	/* the 0 flag pads with zeros after the sign, unless '-' or a precision */
	if (s->zero && !s->minus && s->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	int n = 0;
	if (!s->minus) {
		memset(out, ' ', (size_t)pad);
		n = pad;
	}
	memcpy(out + n, prefix, (size_t)nprefix);
	n += nprefix;
	memset(out + n, '0', (size_t)zeros);
	n += zeros;
	memcpy(out + n, num, (size_t)ndig);
	n += ndig;
	if (s->minus) {
		memset(out + n, ' ', (size_t)pad);
		n += pad;
	}
	return n;
}
