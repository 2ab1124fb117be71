/* USDT argument specs (see usdt_args.h). */
#include "usdt_args.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The x86-64 general registers under each of their names (64, 32, 16 and
 * 8 bits wide): an operand may name any width, the value is then cut to
 * the spec's size. The last column is the struct pt_regs member. */
static const struct {
	const char *names[4];
	const char *pt_regs;
} x86_regs[] = {
	{ { "rax", "eax", "ax", "al" }, "ax" },
	{ { "rbx", "ebx", "bx", "bl" }, "bx" },
	{ { "rcx", "ecx", "cx", "cl" }, "cx" },
	{ { "rdx", "edx", "dx", "dl" }, "dx" },
	{ { "rsi", "esi", "si", "sil" }, "si" },
	{ { "rdi", "edi", "di", "dil" }, "di" },
	{ { "rbp", "ebp", "bp", "bpl" }, "bp" },
	{ { "rsp", "esp", "sp", "spl" }, "sp" },
	{ { "r8", "r8d", "r8w", "r8b" }, "r8" },
	{ { "r9", "r9d", "r9w", "r9b" }, "r9" },
	{ { "r10", "r10d", "r10w", "r10b" }, "r10" },
	{ { "r11", "r11d", "r11w", "r11b" }, "r11" },
	{ { "r12", "r12d", "r12w", "r12b" }, "r12" },
	{ { "r13", "r13d", "r13w", "r13b" }, "r13" },
	{ { "r14", "r14d", "r14w", "r14b" }, "r14" },
	{ { "r15", "r15d", "r15w", "r15b" }, "r15" },
	{ { "rip", "eip", NULL, NULL }, "ip" },
};

/* The pt_regs name of the register named at *p ("%eax..."), advancing *p
 * past it; NULL when there is none. */
static const char *parse_reg(const char **p)
{
	const char *s = *p;
	size_t len = 0;

	if (*s != '%')
		return NULL;
	s++;
	while (isalnum((unsigned char)s[len]))
		len++;
	for (size_t i = 0; i < sizeof(x86_regs) / sizeof(x86_regs[0]); i++)
		for (int w = 0; w < 4; w++) {
			const char *name = x86_regs[i].names[w];
			if (name && strlen(name) == len && !strncmp(name, s, len)) {
				*p = s + len;
				return x86_regs[i].pt_regs;
			}
		}
	return NULL;
}

/* A signed decimal or 0x hexadecimal integer at *p, advancing *p. */
static bool parse_int(const char **p, int64_t *out)
{
	const char *s = *p;
	bool neg = *s == '-';
	char *end;

	if (*s == '-' || *s == '+')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*p = end;
	return true;
}

/* "(%base[,%index[,SCALE]])" or "(,%index,SCALE)" at *p. */
static bool parse_mem(const char **p, struct usdt_arg *arg)
{
	const char *s = *p;
	int64_t scale = 1;

	if (*s++ != '(')
		return false;
	arg->reg = *s == ',' ? NULL : parse_reg(&s);
	if (*s == ',') {
		s++;
		if (!(arg->index = parse_reg(&s)))
			return false;
		if (*s == ',') {
			s++;
			if (!parse_int(&s, &scale) || (scale != 1 && scale != 2 && scale != 4 && scale != 8))
				return false;
		}
	}
	if (*s++ != ')' || (!arg->reg && !arg->index))
		return false;
	arg->scale = (int)scale;
	*p = s;
	return true;
}

static bool starts_symbol(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '.';
}

/* The operand after "SIZE@". */
static bool parse_operand(struct arena *a, const char *s, struct usdt_arg *arg)
{
	if (*s == '$') {
		s++;
		arg->kind = USDT_ARG_CONST;
		return parse_int(&s, &arg->value) && !*s;
	}
	if (*s == '%') {
		arg->kind = USDT_ARG_REG;
		return (arg->reg = parse_reg(&s)) && !*s;
	}
	/* DISP(%base...), or [N+]SYM[+-N](%rip): the assembler wrote the
	 * symbol's address, relative to the instruction pointer */
	int64_t disp = 0, addend = 0;
	if (*s != '(' && !starts_symbol(*s) && !parse_int(&s, &disp))
		return false;
	if (*s == '+' && starts_symbol(s[1]))
		s++;
	arg->kind = USDT_ARG_MEM;
	if (starts_symbol(*s)) {
		size_t len = strcspn(s, "+-(");
		arg->kind = USDT_ARG_SYMBOL;
		arg->symbol = arena_strndup(a, s, len);
		s += len;
		if ((*s == '+' || *s == '-') && !parse_int(&s, &addend))
			return false;
	}
	arg->value = disp + addend;
	if (!parse_mem(&s, arg) || *s)
		return false;
	return arg->kind == USDT_ARG_MEM || (arg->reg && !strcmp(arg->reg, "ip") && !arg->index);
}

static void parse_one(struct arena *a, const char *text, struct usdt_arg *arg)
{
	const char *at = strchr(text, '@');
	const char *s = text;
	int64_t size = 8;

	*arg = (struct usdt_arg){ .size = 8, .text = text };
	/* "SIZE@" may be missing: the operand is then a long */
	if (at && parse_int(&s, &size) && s == at) {
		s = at + 1;
		arg->is_signed = size < 0;
		size = size < 0 ? -size : size;
	} else {
		s = text;
		size = 8;
	}
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		arg->kind = USDT_ARG_UNSUPPORTED;
		return;
	}
	arg->size = (int)size;
	if (!parse_operand(a, s, arg))
		arg->kind = USDT_ARG_UNSUPPORTED;
}

/* The length of the spec at s: up to a blank outside brackets (arm64
 * writes "-4@[x0, 8]"). */
static size_t spec_length(const char *s)
{
	size_t len = 0;
	int depth = 0;

	for (; s[len] && (depth || (s[len] != ' ' && s[len] != '\t')); len++)
		depth += s[len] == '[' ? 1 : s[len] == ']' && depth ? -1 : 0;
	return len;
}

void usdt_args_parse(struct arena *a, const char *specs, struct usdt_arg **out, int *n)
{
	int count = 0;

	for (const char *q = specs + strspn(specs, " \t"); *q; q += strspn(q, " \t")) {
		count++;
		q += spec_length(q);
	}
	*out = arena_alloc(a, sizeof(**out) * (size_t)(count ? count : 1));
	*n = count;
	const char *p = specs;
	for (int i = 0; i < count; i++) {
		p += strspn(p, " \t");
		size_t len = spec_length(p);
		parse_one(a, arena_strndup(a, p, len), &(*out)[i]);
		p += len;
	}
}

const char *usdt_arg_ctype(const struct usdt_arg *arg)
{
	static const char *const names[2][4] = {
		{ "uint8_t", "uint16_t", "uint32_t", "uint64_t" },
		{ "int8_t", "int16_t", "int32_t", "int64_t" },
	};
	int width = arg->size == 1 ? 0 : arg->size == 2 ? 1 : arg->size == 4 ? 2 : 3;
	return names[arg->is_signed][width];
}
