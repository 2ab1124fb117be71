/* Unit tests of USDT support in common/: argument spec parsing
 * (usdt_args.c) and the notes of an ELF file (usdt_notes.c, on Debian's
 * python3.11, which has eight probes with semaphores; skipped without it). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../common/usdt_args.h"
#include "../../common/usdt_notes.h"
#include "check.h"

struct arg_case {
	const char *text;
	enum usdt_arg_kind kind;
	int size;
	bool is_signed;
	const char *reg, *index;
	int scale;
	long long value;
	const char *symbol;
};

static void test_arg_specs(void)
{
	static const struct arg_case cases[] = {
		{ "-4@%eax", USDT_ARG_REG, 4, true, "ax" },
		{ "8@%rdx", USDT_ARG_REG, 8, false, "dx" },
		{ "-1@%dil", USDT_ARG_REG, 1, true, "di" },
		{ "1@%r8b", USDT_ARG_REG, 1, false, "r8" },
		{ "-2@%r9w", USDT_ARG_REG, 2, true, "r9" },
		{ "4@%r11d", USDT_ARG_REG, 4, false, "r11" },
		{ "2@%ax", USDT_ARG_REG, 2, false, "ax" },
		{ "1@%al", USDT_ARG_REG, 1, false, "ax" },
		{ "-4@-20(%rbp)", USDT_ARG_MEM, 4, true, "bp", NULL, 1, -20 },
		{ "8@16(%rax)", USDT_ARG_MEM, 8, false, "ax", NULL, 1, 16 },
		{ "8@(%rsp)", USDT_ARG_MEM, 8, false, "sp", NULL, 1, 0 },
		{ "-8@0x10(%rdi)", USDT_ARG_MEM, 8, true, "di", NULL, 1, 16 },
		{ "4@8(%rax,%rbx,4)", USDT_ARG_MEM, 4, false, "ax", "bx", 4, 8 },
		{ "8@(,%rcx,8)", USDT_ARG_MEM, 8, false, NULL, "cx", 8, 0 },
		{ "8@0x1234(%rip)", USDT_ARG_MEM, 8, false, "ip", NULL, 1, 0x1234 },
		{ "-4@$5", USDT_ARG_CONST, 4, true, NULL, NULL, 0, 5 },
		{ "-4@$-7", USDT_ARG_CONST, 4, true, NULL, NULL, 0, -7 },
		{ "8@$0xff", USDT_ARG_CONST, 8, false, NULL, NULL, 0, 255 },
		{ "8@foo(%rip)", USDT_ARG_SYMBOL, 8, false, "ip", NULL, 1, 0, "foo" },
		{ "-4@8+point(%rip)", USDT_ARG_SYMBOL, 4, true, "ip", NULL, 1, 8, "point" },
		{ "-8@point+16(%rip)", USDT_ARG_SYMBOL, 8, true, "ip", NULL, 1, 16, "point" },
		{ "%rax", USDT_ARG_REG, 8, false, "ax" },
		{ "3@%eax", USDT_ARG_UNSUPPORTED, 8, false },
		{ "4@%xmm0", USDT_ARG_UNSUPPORTED, 4, false },
		{ "4@foo(%rax)", USDT_ARG_UNSUPPORTED, 4, false, "ax" },
		{ "4@[x0, 8]", USDT_ARG_UNSUPPORTED, 4, false },
		{ "4@%eax)", USDT_ARG_UNSUPPORTED, 4, false, "ax" },
	};
	struct arena a = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct arg_case *c = &cases[i];
		struct usdt_arg *args;
		int n;
		usdt_args_parse(&a, c->text, &args, &n);
		if (!check_int(c->text, n, 1))
			continue;
		const struct usdt_arg *g = &args[0];
		CHECK(g->kind == c->kind, "%s: kind %d, want %d", c->text, g->kind, c->kind);
		CHECK(g->size == c->size && g->is_signed == c->is_signed, "%s: size %d signed %d", c->text,
		      g->size, g->is_signed);
		CHECK(!strcmp(g->text, c->text), "%s: text %s", c->text, g->text);
		if (c->kind == USDT_ARG_UNSUPPORTED)
			continue;
		check_str(c->text, g->reg, c->reg);
		check_str(c->text, g->index, c->index);
		check_str(c->text, g->symbol, c->symbol);
		CHECK(g->value == c->value, "%s: value %lld, want %lld", c->text, (long long)g->value,
		      c->value);
		if (c->kind == USDT_ARG_MEM || c->kind == USDT_ARG_SYMBOL)
			check_int(c->text, g->scale, c->scale);
	}

	struct usdt_arg *args;
	int n;
	usdt_args_parse(&a, " -4@%eax  8@16(%rbp) -4@$5 ", &args, &n);
	if (check_int("three specs", n, 3)) {
		check_str("first", args[0].text, "-4@%eax");
		check_str("second", args[1].text, "8@16(%rbp)");
		check_str("third", args[2].text, "-4@$5");
	}
	usdt_args_parse(&a, "", &args, &n);
	check_int("no specs", n, 0);

	static const struct {
		const char *text, *ctype;
	} ctypes[] = {
		{ "-1@%al", "int8_t" }, { "1@%al", "uint8_t" }, { "-2@%ax", "int16_t" },
		{ "2@%ax", "uint16_t" }, { "-4@%eax", "int32_t" }, { "4@%eax", "uint32_t" },
		{ "-8@%rax", "int64_t" }, { "8@%rax", "uint64_t" },
	};
	for (size_t i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++) {
		usdt_args_parse(&a, ctypes[i].text, &args, &n);
		check_str(ctypes[i].text, usdt_arg_ctype(&args[0]), ctypes[i].ctype);
	}
	arena_free(&a);
}

static void test_notes(void)
{
	static const char python[] = "/usr/bin/python3.11";
	struct arena a = { 0 };
	struct usdt_note *notes;
	int n;

	check_int("not ELF", usdt_notes_read(&a, "/etc/passwd", &notes, &n), -1);
	check_int("missing file", usdt_notes_read(&a, "/nonexistent", &notes, &n), -1);
	if (access(python, R_OK)) {
		check_skip("python3.11 notes", "%s is not installed", python);
		arena_free(&a);
		return;
	}
	if (!check_int("python3.11 read", usdt_notes_read(&a, python, &notes, &n), 0) ||
	    !check_int("python3.11 probes", n, 8)) {
		arena_free(&a);
		return;
	}
	const struct usdt_note *audit = NULL;
	for (int i = 0; i < n; i++) {
		check_str("provider", notes[i].provider, "python");
		CHECK(notes[i].semaphore && notes[i].semaphore_offset, "%s has a semaphore", notes[i].name);
		if (!strcmp(notes[i].name, "audit"))
			audit = &notes[i];
	}
	/* Debian 12's build: the note's addresses and where they are in the
	 * file (readelf -n, readelf -l). Other builds only skip this. */
	if (audit && audit->pc == 0x42512a) {
		CHECK(audit->pc_offset == 0x2512a, "audit pc offset %#llx",
		      (unsigned long long)audit->pc_offset);
		CHECK(audit->semaphore_offset == 0x683276, "audit semaphore offset %#llx",
		      (unsigned long long)audit->semaphore_offset);
		check_str("audit args", audit->args, "8@%rbx 8@%r15");
	} else {
		check_skip("python3.11 addresses", "not Debian 12's build");
	}
	arena_free(&a);
}

int main(void)
{
	test_arg_specs();
	test_notes();
	return check_summary();
}
