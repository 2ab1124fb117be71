/* Parser unit tests: parse small snippets and compare the AST, printed as
 * S-expressions, or the single syntax error (message and location). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/arena.h"
#include "ast.h"
#include "ast_dump.h"
#include "check.h"
#include "preproc.h"
#include "../../common/diag.h"

/* ---- harness ---- */

static struct arena arena;
static struct diags diags;

static struct program *parse(const char *src)
{
	arena_free(&arena);
	diags_init(&diags, &arena, "stdin", src);
	return parse_file(&arena, &diags, src, NULL);
}

/* The first diagnostic of the last parse, after a failed check. */
static void show_diag(void)
{
	if (diags.head)
		printf("    first diagnostic: %d:%d-%d: %s\n", diags.head->loc.first_line,
		       diags.head->loc.first_column, diags.head->loc.last_column, diags.head->msg);
}

static void fail_msg(const char *what, const char *src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_msg(const char *what, const char *src, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	check_fail(what, "%s\n    %s", src, why);
	show_diag();
}

/* Statements of the first probe, printed space-separated. */
static const char *body_of(const char *src)
{
	static char *text;
	size_t len;
	struct program *p = parse(src);

	free(text);
	text = NULL;
	if (!p || !p->probes)
		return NULL;
	FILE *f = open_memstream(&text, &len);
	for (struct node *n = p->probes->body; n; n = n->next) {
		if (n != p->probes->body)
			fputs(" ", f);
		ast_dump_sexpr(f, n);
	}
	fclose(f);
	return text;
}

static void check_body(const char *src, const char *want)
{
	const char *got = body_of(src);

	if (!got)
		fail_msg("parse", src, "did not parse");
	else
		check_str(src, got, want);
}

/* An expression as the only statement of a begin probe. */
static void check_expr(const char *expr, const char *want)
{
	char src[1024];

	snprintf(src, sizeof(src), "BEGIN { %s; }", expr);
	check_body(src, want);
}

static void check_ok(const char *src)
{
	if (parse(src) && !diags.errors)
		check_pass();
	else
		fail_msg("parse", src, "did not parse");
}

/* Exactly one error containing `msg` at line:col (col2 checked when > 0). */
static void check_err(const char *src, const char *msg, int line, int col, int col2)
{
	struct program *p = parse(src);
	struct diag_entry *e = diags.head;

	if (p)
		fail_msg("error", src, "parsed without error");
	else if (diags.errors != 1 || !e)
		fail_msg("error", src, "%d errors instead of 1", diags.errors);
	else if (!strstr(e->msg, msg))
		fail_msg("error", src, "message '%s' lacks '%s'", e->msg, msg);
	else if (!e->has_loc || e->loc.first_line != line || e->loc.first_column != col ||
		 (col2 > 0 && e->loc.last_column != col2))
		fail_msg("error", src, "at %d:%d-%d, want %d:%d-%d", e->loc.first_line,
			 e->loc.first_column, e->loc.last_column, line, col, col2);
	else
		check_pass();
}

/* check_true, showing the first diagnostic of the last parse on failure. */
static void check(bool cond, const char *what)
{
	if (!check_true(what, cond))
		show_diag();
}

static bool loc_is(struct src_loc l, int line, int c1, int line2, int c2)
{
	return l.first_line == line && l.first_column == c1 && l.last_line == line2 &&
	       l.last_column == c2;
}

/* ---- tests ---- */

static void test_precedence(void)
{
	check_expr("1 + 2 * 3", "(+ 1 (* 2 3))");
	check_expr("(1 + 2) * 3", "(* (+ 1 2) 3)");
	check_expr("1 - 2 - 3", "(- (- 1 2) 3)");
	check_expr("1 << 2 + 3", "(<< 1 (+ 2 3))");
	check_expr("1 < 2 == 3 > 4", "(== (< 1 2) (> 3 4))");
	check_expr("1 | 2 ^ 3 & 4", "(| 1 (^ 2 (& 3 4)))");
	check_expr("$a || $b && $c", "(|| $a (&& $b $c))");
	check_expr("$a && $b == 1 || !$c", "(|| (&& $a (== $b 1)) (! $c))");
	check_expr("$a ? $b : $c ? $d : $e", "(? $a $b (? $c $d $e))");
	check_expr("$a ? $b ? 1 : 2 : 3", "(? $a (? $b 1 2) 3)");
	check_expr("$a || $b ? 1 : 2", "(? (|| $a $b) 1 2)");
	check_expr("$a ?: 5", "(?: $a 5)");
	check_expr("-$x.f", "(neg (. $x f))");
	check_expr("-1 * 2", "(* (neg 1) 2)");
	check_expr("!~$x", "(! (~ $x))");
	check_expr("*$p + 1", "(+ (* $p) 1)");
	check_expr("&$v", "(& $v)");
	check_expr("2 * *$p", "(* 2 (* $p))");
	check_expr("$a % 3 / 2", "(/ (% $a 3) 2)");
	check_expr("$x >> 1 >= 2", "(>= (>> $x 1) 2)");
	check_expr("$a != $b <= 1", "(!= $a (<= $b 1))");
}

static void test_postfix_unary(void)
{
	check_expr("$x++", "(post++ $x)");
	check_expr("--$x", "(pre-- $x)");
	check_expr("@m[1]++", "(post++ (@m 1))");
	check_expr("$y = $x++ + 1", "(= $y (+ (post++ $x) 1))");
	check_expr("args.filename", "(. args filename)");
	check_expr("args->filename", "(-> args filename)");
	check_expr("$t.0 + $t.1", "(+ (. $t 0) (. $t 1))");
	check_expr("$kv.0.1", "(. (. $kv 0) 1)");
	check_expr("$a[1][2]", "([] ([] $a 1) 2)");
	check_expr("@m[1][2]", "([] (@m 1) 2)");
	check_expr("curtask->mm->owner.pid", "(. (-> (-> curtask mm) owner) pid)");
	check_expr("comptime $x + 1", "(+ (comptime $x) 1)");
	check_expr("str(args.filename, 5)", "(call str (. args filename) 5)");
	check_expr("pid()", "(call pid)");
	check_expr("print(@m, top = 5)", "(call print @m (top= 5))");
}

static void test_casts(void)
{
	check_expr("(uint32)$x", "(cast uint32 $x)");
	check_expr("(uint8)255 + (uint8)1", "(+ (cast uint8 255) (cast uint8 1))");
	check_expr("(struct task_struct *)curtask", "(cast struct task_struct* curtask)");
	check_expr("(int8[8])$x", "(cast int8[8] $x)");
	check_expr("(int8[])$x", "(cast int8[] $x)");
	check_expr("(uint64 **) $p", "(cast uint64** $p)");
	check_expr("(foo)-1", "(cast foo (neg 1))");
	check_expr("(x) + 1", "(+ x 1)");
	check_expr("(pid)*tid", "(* pid tid)");
	check_expr("(foo)*tid", "(cast foo (* tid))");
	check_expr("(arg0) - 1", "(- arg0 1)");
	check_expr("($x)", "$x");
	check_expr("(uint64)$p->f", "(cast uint64 (-> $p f))");
	check_expr("(typeof($x))$y", "(cast typeof($x) $y)");
	check_expr("(union u)$y", "(cast union u $y)");
	check_expr("(comm) != \"bash\"", "(!= comm \"bash\")");
	check_expr("((uint64)0)", "(cast uint64 0)");
}

static void test_primaries(void)
{
	check_expr("()", "(tuple)");
	check_expr("(1,)", "(tuple 1)");
	check_expr("(1, \"two\", -3)", "(tuple 1 \"two\" (neg 3))");
	check_expr("(1, (2, 3))", "(tuple 1 (tuple 2 3))");
	check_expr("(x = 1, y = comm)", "(record (x= 1) (y= comm))");
	check_expr("(x = 1,)", "(record (x= 1))");
	check_expr("(1, 2,)", "(tuple 1 2)");
	check_expr("$# > 1 ? $2 : $1", "(? (> $# 1) $2 $1)");
	check_expr("true && false", "(&& true false)");
	check_expr("$1 + $#", "(+ $1 $#)");
	check_expr("@", "@");
	check_expr("@[1, \"a\"]", "(@ (tuple 1 \"a\"))");
	check_expr("@m[(1, 2)]", "(@m (tuple 1 2))");
	check_expr("sizeof(struct task_struct)", "(sizeof T:struct task_struct)");
	check_expr("sizeof($x)", "(sizeof $x)");
	check_expr("sizeof(uint32)", "(sizeof T:uint32)");
	check_expr("sizeof(pid)", "(sizeof pid)");
	check_expr("offsetof(struct task_struct, mm.owner)", "(offsetof T:struct task_struct mm.owner)");
	check_expr("offsetof($t, a)", "(offsetof $t a)");
	check_expr("container_of($p, typeof(struct x), member)",
		   "(call container_of $p (typeof T:struct x) member)");
	check_expr("typeof($x + 1)", "(typeof (+ $x 1))");
	check_expr("kstack(perf, 3)", "(call kstack perf 3)");
}

static void test_literals(void)
{
	check_expr("1_000", "1000");
	check_expr("0x1f", "31");
	check_expr("0XFF", "255");
	check_expr("017", "15");
	check_expr("0", "0");
	check_expr("0b101", "5");
	check_expr("1e3", "1000");
	check_expr("2e3", "2000");
	check_expr("1e3ms", "1000000000");
	check_expr("5s", "5000000000");
	check_expr("100ms", "100000000");
	check_expr("3us + 2ns", "(+ 3000 2)");
	check_expr("2m", "120000000000");
	check_expr("1h", "3600000000000");
	check_expr("1d", "86400000000000");
	check_expr("10u", "10");
	check_expr("10ull", "10");
	check_expr("10ll", "10");
	check_expr("18446744073709551615", "18446744073709551615");
	check_expr("0xffffffffffffffff", "18446744073709551615");
	check_expr("\"a\\tb\\n\"", "\"a\\x09b\\x0a\"");
	check_expr("\"q\\\"\\\\\"", "\"q\\x22\\x5c\"");
	check_expr("\"\\101\\x41\\X4a\\0\"", "\"AAJ\\x00\"");
	check_expr("\"\\1234\"", "\"S4\"");
	check_expr("\"\"", "\"\"");

	check_err("BEGIN { $x = 1_; }", "trailing underscore in integer literal", 1, 14, 16);
	check_err("BEGIN { $x = 18446744073709551616; }",
		  "overflow error, maximum value is 18446744073709551615: 18446744073709551616", 1, 14, 0);
	check_err("BEGIN { $x = 20e18; }", "coefficient part of scientific literal must be 1-9", 1,
		  14, 19);
	check_err("BEGIN { $x = 10e3; }", "coefficient part of scientific literal must be 1-9", 1,
		  14, 0);
	check_err("BEGIN { $x = 2e19; }", "overflow error", 1, 14, 0);
	check_err("BEGIN { $x = 1e0; }", "exponent part", 1, 14, 0);
	check_err("BEGIN { $x = 5x; }", "invalid integer suffix 'x'", 1, 14, 16);
	check_err("BEGIN { $x = 5U; }", "invalid trailing bytes: 5U", 1, 14, 16);
	check_err("BEGIN { $x = 5000000000u; }", "maximum value is 4294967295", 1, 14, 0);
	check_err("BEGIN { $x = 999999999999d; }", "overflow error", 1, 14, 0);
	check_err("BEGIN { $x = 0x; }", "invalid integer suffix 'x'", 1, 14, 0);
	check_err("BEGIN { $x = \"\\q\"; }", "invalid escape character '\\q'", 1, 15, 17);
	check_err("BEGIN { $x = \"\\777\"; }", "octal escape sequence out of range '\\777'", 1, 15, 19);
	check_err("BEGIN { $x = \"\\xg\"; }", "invalid hex escape sequence", 1, 15, 17);
	check(strncmp(diags.head->msg, "syntax: ", 8) == 0, "lexer errors start with 'syntax: '");
}

static void test_statements(void)
{
	check_body("BEGIN { $x = 1; @m = 2; @m[1] = 3; @m[1, \"a\"] = 4 }",
		   "(= $x 1) (= @m 2) (= (@m 1) 3) (= (@m (tuple 1 \"a\")) 4)");
	check_body("BEGIN { $c += 5; $c -= 3; $c *= 2; $c /= 4; $c %= 4; $c <<= 3; $c >>= 1; "
		   "$c |= 1; $c &= 7; $c ^= 2; }",
		   "(+= $c 5) (-= $c 3) (*= $c 2) (/= $c 4) (%= $c 4) (<<= $c 3) (>>= $c 1) "
		   "(|= $c 1) (&= $c 7) (^= $c 2)");
	check_body("BEGIN { _ = has_key(@m, 1); }", "(_= (call has_key @m 1))");
	check_body("BEGIN { let $x; let $y: uint32 = 5; let $s: string[64]; let $p: struct task_struct *; }",
		   "(let $x -) (let $y uint32 5) (let $s string[64]) (let $p struct task_struct*)");
	check_body("BEGIN { let $t: typeof($y); let $a: int32[4] = $b }",
		   "(let $t typeof($y)) (let $a int32[4] $b)");
	check_body("BEGIN { if ($x > 10) { print(1); } else if ($x > 5) { print(2) } else { print(3); } }",
		   "(if (> $x 10) (then (call print 1)) (else (if (> $x 5) (then (call print 2)) "
		   "(else (call print 3)))))");
	check_body("BEGIN { if $x { exit() } if !$ok { } }",
		   "(if $x (then (call exit))) (if (! $ok) (then))");
	check_body("BEGIN { while ($i < 100) { $i++; if ($i == 3) { continue; } break; } }",
		   "(while (< $i 100) (post++ $i) (if (== $i 3) (then continue)) break)");
	check_body("BEGIN { for ($i : 0..5) { $s += $i; } for $j : 1..$n { } }",
		   "(for $i 0..5 (+= $s $i)) (for $j 1..$n)");
	check_body("BEGIN { for ($i : ((uint64)0)..(uint64)$n) { } }",
		   "(for $i (cast uint64 0)..(cast uint64 $n))");
	check_body("BEGIN { for ($kv : @m) { @s += $kv.0 * $kv.1; } }",
		   "(for $kv @m (+= @s (* (. $kv 0) (. $kv 1))))");
	check_body("BEGIN { unroll(4) { @i++; } unroll 2 { } }", "(unroll 4 (post++ @i)) (unroll 2)");
	check_body("BEGIN { return; } BEGIN { return 1 }", "(return)");
	check_body("BEGIN { { $x = 1; } { } ; ; $y = 2; }", "(block (= $x 1)) (block) (= $y 2)");
	check_body("BEGIN { import \"std\"; }", "(import std)");
	check_body("BEGIN { }", "");
	check_body("BEGIN { $v = if ($x) { 1 } else { 2 }; }",
		   "(= $v (ifexpr $x (blockexpr => 1) (blockexpr => 2)))");
	check_body("BEGIN { $v = { let $t = 2; $t * 3 }; }",
		   "(= $v (blockexpr (let $t - 2) => (* $t 3)))");
	check_body("BEGIN { $v = if $a { 1 } else if $b { 2 } else { 3 }; }",
		   "(= $v (ifexpr $a (blockexpr => 1) (ifexpr $b (blockexpr => 2) (blockexpr => 3))))");
	check_body("BEGIN { if comptime (1 > 0) { } }", "(if (comptime (> 1 0)) (then))");
	check_body("BEGIN { delete(@a[2]); @x[1].f = 2 }", "(call delete (@a 2)) (= (. (@x 1) f) 2)");
	check_body("BEGIN { printf(\"%d\\n\", $x) }", "(call printf \"%d\\x0a\" $x)");
}

static void test_program_structure(void)
{
	const char *src =
		"#!/usr/bin/env sonde\n"
		"#include <linux/sched.h>\n"
		"#define RED \"\\033[31m\"\n"
		"#include <sonde_no_such_header.h>\n"
		"struct S { int x; struct { int y; } z; char name[16]; };\n"
		"enum E { A, B = 3 }\n"
		"config = { stack_mode = perf; max_map_keys = 10000 }\n"
		"import \"helpers.bt\";\n"
		"let @lat = lruhash(1000);\n"
		"macro ms(x, $v, @m) { x / 1000000 }\n"
		"fn twice($v: int64, $w: uint8) : int64 { return $v * 2; }\n"
		"tracepoint:syscalls:sys_enter_openat, tracepoint:syscalls:sys_enter_open\n"
		"/comm == \"bash\"/\n"
		"{ printf(\"%s %s\\n\", comm, str(args.filename)); }\n";
	struct program *p = parse(src);

	check(p != NULL, "full program parses");
	if (!p)
		return;
	struct preamble_item *pi = p->preamble;
	check(pi && !strcmp(pi->what, "C definitions") && loc_is(pi->loc, 5, 1, 5, 57) &&
		      pi->text[strlen(pi->text) - 1] == ';',
	      "first item: the struct definition at line 5 (shebang, #include and #define go to the "
	      "preprocessor)");
	pi = pi ? pi->next : NULL;
	check(pi && !strcmp(pi->what, "C definitions") && !strcmp(pi->text, "enum E { A, B = 3 }"),
	      "enum definition without ';'");
	pi = pi ? pi->next : NULL;
	check(pi && !strcmp(pi->what, "import") && !strcmp(pi->text, "helpers.bt"), "root import");
	check(pi && !pi->next, "three preamble items");

	struct node *c = p->config;
	check(c && c->kind == N_NAMED && !strcmp(c->name, "stack_mode") && c->a->kind == N_IDENT &&
		      c->next && c->next->a->ival == 10000 && !c->next->next,
	      "config entries");
	check(loc_is(p->config_loc, 7, 1, 7, 53), "config location");
	check(p->map_decls && !strcmp(p->map_decls->name, "lat") &&
		      !strcmp(p->map_decls->kind, "lruhash") && p->map_decls->max_entries == 1000,
	      "map declaration");
	struct macro_def *m = p->macros;
	check(m && !strcmp(m->name, "ms") && m->params->kind == N_IDENT &&
		      m->params->next->kind == N_VAR && m->params->next->next->kind == N_MAP &&
		      m->body && m->body->kind == S_EXPR && m->body->a->op == OP_DIV,
	      "macro definition");
	struct fn_def *f = p->fns;
	check(f && !strcmp(f->name, "twice") && f->ret && !strcmp(f->ret->name, "int64") &&
		      f->params && !strcmp(f->params->tspec->name, "int64") &&
		      !strcmp(f->params->next->name, "w") && f->body->kind == S_RETURN,
	      "fn definition");
	struct probe *pr = p->probes;
	check(pr && pr->points && !strcmp(pr->points->raw, "tracepoint:syscalls:sys_enter_openat") &&
		      pr->points->next &&
		      !strcmp(pr->points->next->raw, "tracepoint:syscalls:sys_enter_open") &&
		      !pr->points->next->next,
	      "two attach points");
	check(pr && loc_is(pr->points->loc, 12, 1, 12, 37) && loc_is(pr->points->next->loc, 12, 39, 12, 73),
	      "attach point locations");
	check(pr && pr->filter && pr->filter->kind == N_BINOP && pr->filter->op == OP_EQ,
	      "predicate");
	check(pr && pr->body && pr->body->a->kind == N_CALL && loc_is(pr->body_loc, 14, 1, 14, 49),
	      "probe body");
}

static void test_probes(void)
{
	struct program *p;

	p = parse("kprobe:vfs_read /pid == 1 && $x / 2 > 1/ { @[comm] = count(); }");
	check(p && p->probes->filter && p->probes->filter->op == OP_LAND &&
		      p->probes->filter->b->a->op == OP_DIV,
	      "division inside a predicate");
	p = parse("BEGIN/1/{exit()}");
	check(p && !strcmp(p->probes->points->raw, "BEGIN") && p->probes->filter, "glued predicate");
	p = parse("uprobe:/bin/bash:readline { }");
	check(p && !strcmp(p->probes->points->raw, "uprobe:/bin/bash:readline"), "uprobe path");
	p = parse("uprobe:\"/a b/x\":\"fn(int)\" { }");
	check(p && !strcmp(p->probes->points->raw, "uprobe:\"/a b/x\":\"fn(int)\""), "quoted parts");
	p = parse("kprobe:f,\n  kretprobe:f ,\n { }");
	check(p && p->probes->points->next && !p->probes->points->next->next, "trailing comma");
	p = parse("i:ms:100 { } interval:1s { } begin { } END { } profile:hz:99 { }");
	check(p && p->probes->next->next->next->next && !strcmp(p->probes->points->raw, "i:ms:100") &&
		      !strcmp(p->probes->next->points->raw, "interval:1s"),
	      "several probes");
	p = parse("myname=kprobe:f { }");
	check(p && p->probes->label && !strcmp(p->probes->label, "myname") &&
		      !strcmp(p->probes->points->raw, "kprobe:f"),
	      "probe label");
	p = parse("kprobe:$1 { } usdt:/bin/x:p:n { } uprobe:/bin/x@f.c:12 { }");
	check(p && !strcmp(p->probes->points->raw, "kprobe:$1") &&
		      !strcmp(p->probes->next->next->points->raw, "uprobe:/bin/x@f.c:12"),
	      "attach points with $1 and @");
	p = parse("/* c */ kprobe:f // x\n , /* y */ kprobe:g /* z */ /pid/ // w\n { }");
	check(p && p->probes->points->next && p->probes->filter, "comments between attach points");
	p = parse("tracepoint:syscalls:sys_enter_* { @[probe] = count(); }");
	check(p && !strcmp(p->probes->points->raw, "tracepoint:syscalls:sys_enter_*"), "wildcards");
	p = parse("config={ a = 1; } BEGIN { }");
	check(p && p->config && p->probes, "config= without blanks");
	p = parse("config = { } BEGIN { }");
	check(p && !p->config && p->config_loc.first_line == 1, "empty config block");
	p = parse("nosuchprobe:foo { exit(); }");
	check(p && !strcmp(p->probes->points->raw, "nosuchprobe:foo"), "unknown provider parses");
	p = parse("BEGIN { @x = 1 }\nEND { print(@x) }\n");
	check(p && p->probes->next && loc_is(p->probes->next->points->loc, 2, 1, 2, 4), "END location");
	p = parse("kprobe:f /pid/ /* c { */ {}");
	check(p && p->probes->filter && p->probes->filter->kind == N_IDENT,
	      "block comment between predicate and body");
	p = parse("BEGIN { }\n#!x\nstruct S { int x;");
	check(p && p->preamble && !strcmp(p->preamble->what, "C definitions") && !p->preamble->next &&
		      diags.warnings == 1 && loc_is(diags.head->loc, 2, 1, 2, 4),
	      "late '#!' line ignored with a warning, unterminated C definition a preamble item");
	p = parse("typedef unsigned int u32_t;\nunion U { int a; } ;BEGIN{}");
	check(p && p->preamble && p->preamble->next && p->probes, "typedef and union definitions");
	check_ok("BEGIN { $a = 1 } /* unterminated comment");
	check_ok("");
	check_ok("// only a comment\n");
}

static void test_locations(void)
{
	struct program *p = parse("BEGIN { $x = 1 + 2 * $y; @m[1, 2] = foo(1, 2); }");

	if (!p) {
		check(false, "location program parses");
		return;
	}
	struct node *s = p->probes->body;
	check(loc_is(s->loc, 1, 9, 1, 24), "assignment spans target to value");
	check(loc_is(s->b->loc, 1, 14, 1, 24), "binop spans operands");
	check(loc_is(s->b->b->loc, 1, 18, 1, 24), "inner binop");
	s = s->next;
	check(loc_is(s->a->loc, 1, 26, 1, 34), "map with key spans @m[...]");
	check(loc_is(s->b->loc, 1, 37, 1, 46), "call spans name to ')'");
	check(loc_is(p->probes->points->loc, 1, 1, 1, 6), "attach point location");

	p = parse("BEGIN {\n\t$x =\n\t\t\"abc\";\n}");
	check(p && loc_is(p->probes->body->loc, 2, 2, 3, 8), "multi-line statement, tabs one column");
}

static void test_errors(void)
{
	/* acceptance cases */
	check_err("BEGIN { printf(\"hi\\n\") exit(); }", "syntax error", 1, 24, 28);
	check_err("BEGIN\n{\n  @a = 1;\n  $b = @a + ;\n}\n", "syntax error", 4, 13, 14);
	check_err("BEGIN { exit();", "end of input", 1, 16, 0);
	check_err("BEGIN { printf(\"abc); }", "unterminated string", 1, 16, 0);

	check_err("BEGIN { $x = 1 $y = 2; }", "unexpected variable '$y', expecting ';'", 1, 16, 18);
	check_err("BEGIN { printf(\"hi\\n\") exit(); }", "unexpected identifier 'exit', expecting ';'",
		  1, 24, 28);
	check_err("BEGIN { $x = \"abc\n\"; }", "unterminated string", 1, 14, 18);
	check_err("BEGIN { $x = $0; }", "$0", 1, 14, 16);
	check_err("BEGIN { $x = $ 1; }", "syntax", 1, 14, 15);
	check_err("BEGIN { $a = $b = 1; }", "syntax error, unexpected '='", 1, 17, 18);
	check_err("BEGIN { if ($x = 1) {} }", "syntax error", 1, 16, 17);
	check_err("BEGIN { if ($a) || ($b) { } }", "syntax error, unexpected '||'", 1, 17, 19);
	check_err("kprobe:f/pid == 1/ {}", "syntax error", 1, 14, 15);
	check_err("BEGIN { $v[1] = 2; }", "invalid assignment target", 1, 9, 14);
	check_err("BEGIN { 1 + ; }", "expecting an expression", 1, 13, 14);
	check_err("BEGIN exit(); }", "syntax error, unexpected", 1, 7, 0);
	check_err("BEGIN { } }", "unexpected '}'", 1, 11, 12);
	check_err("BEGIN { $x = 1 } }", "syntax error", 1, 18, 19);
	check_err("let $x = 1;", "root-level let statements need to be map declarations", 1, 5, 7);
	check_err("config = { a = 1 } config = { b = 2 } BEGIN {}", "duplicate config block", 1, 20, 0);
	check_err("BEGIN { for ($i : $x) { } }", "for-loop", 1, 19, 21);
	check_err("BEGIN { $x = `; }", "unexpected character '`'", 1, 14, 15);
	check_err("BEGIN { if ($x) { } else }", "syntax error", 1, 26, 27);
	check_err("BEGIN { @m[] = 1; }", "syntax error", 1, 12, 13);
	check_err("BEGIN { $x = (1, y = 2); }", "syntax error", 1, 20, 21);
	check_err("BEGIN\n{\n\tif (x) {\n", "unexpected end of input, expecting a statement or '}'", 3, 10, 11);
	check_err("{ }", "syntax error, unexpected '{'", 1, 1, 2);
	check_err("BEGIN { } /x/ { }", "unexpected '/', expecting a probe", 1, 11, 12);
	check_err("BEGIN { let @x = 1; }", "unexpected map '@x'", 1, 13, 15);
	check_err("BEGIN { exit() }}", "unexpected '}'", 1, 17, 18);
}

/* ---- preprocessor ---- */

/* Preprocess src with headers looked up in dir only (no system dirs). */
static const char *pp_run(const char *src, const char *dir, struct c_header **headers)
{
	arena_free(&arena);
	diags_init(&diags, &arena, "stdin", src);
	const char *const dirs[] = { dir };
	struct pp_options o = { .script_dir = dir, .system_dirs = dirs, .nsystem_dirs = 1 };
	return preprocess(&arena, &diags, src, &o, headers);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		check(0, "write a header");
		exit(1);
	}
}

static void test_preprocessor(void)
{
	char dir[] = "/tmp/sonde-pp-XXXXXX";
	if (!mkdtemp(dir)) {
		check(0, "mkdtemp");
		return;
	}
	/* a header of 3000 macros */
	size_t cap = 3000 * 40;
	char *big = malloc(cap), *q = big;
	q += sprintf(q, "#define M0 1\n");
	for (int i = 1; i < 3000; i++)
		q += sprintf(q, "#define M%d (M0 + %d)\nint v%d;\n", i, i - 1, i);
	char path[64];
	snprintf(path, sizeof(path), "%s/big.h", dir);
	write_file(path, big);
	free(big);
	snprintf(path, sizeof(path), "%s/inner.h", dir);
	write_file(path, "#define INNER(a, ...) a + __VA_ARGS__\nstruct s { int x; };\n");
	snprintf(path, sizeof(path), "%s/outer.h", dir);
	write_file(path, "#include \"inner.h\"\n#define STR(x) #x\n#define CAT(a, b) a ## b\n"
			 "#define LONG 1 + \\\n 2\nint outer;\n");

	struct c_header *h = NULL;
	const char *out = pp_run("#include <big.h>\n#if M2999 == 2999\nyes M2999\n#endif\n", dir, &h);
	check(!diags.errors && !strcmp(out, "\n\nyes (1 + 2998)\n\n"),
	      "a 3000-macro header preprocesses");
	check(h && !h->next && strstr(h->path, "big.h") && strstr(h->text, "int v2999;"),
	      "one header entry with its C text");

	out = pp_run("#include \"outer.h\"\nINNER(1, 2, 3) STR(a b) CAT(x, y) LONG\n", dir, &h);
	check(!diags.errors && !strcmp(out, "\n1 + 2, 3 \"a b\" xy 1 +  2\n"), "header macros, stringizing, pasting, continuation");
	if (strcmp(out, "\n1 + 2, 3 \"a b\" xy 1 +  2\n"))
		printf("    got '%s'\n", out);
	check(h && strstr(h->path, "inner.h") && h->next && strstr(h->next->path, "outer.h") && !h->next->next,
	      "headers innermost first");
	check(h && h->next && !strstr(h->next->text, "#define") && strstr(h->next->text, "int outer;"),
	      "directives stay out of the C text");
	check(h && !strcmp(h->text, "\nstruct s { int x; };\n"), "C text keeps the header's lines");

	/* the budget is per line: many lines each near it are fine */
	char *lines = malloc(64 * 1024), *l = lines;
	l += sprintf(l, "#define A x x x x x x x x\n#define B A A A A A A A A\n#define C B B B B B B B B\n");
	for (int i = 0; i < 100; i++)
		l += sprintf(l, "C\n");
	out = pp_run(lines, dir, &h);
	free(lines);
	check(!diags.errors && strlen(out) > 100 * 512, "expansion budget per line");

	/* an #ifndef with an #else branch is no include guard: read again */
	snprintf(path, sizeof(path), "%s/else.h", dir);
	write_file(path, "#ifndef ELSE_H\n#define ELSE_H\nfirst\n#else\nagain\n#endif\n");
	out = pp_run("#include \"else.h\"\n#include \"else.h\"\n", dir, &h);
	check(!diags.errors && h && h->next && strstr(h->text, "first") && strstr(h->next->text, "again"),
	      "#ifndef ... #else is not an include guard");

	out = pp_run("#include \"nothere.h\"\n", dir, &h);
	check(diags.errors == 1 && diags.head->loc.first_column == 10 && !strcmp(diags.head->msg,
	      "'nothere.h' file not found"), "missing quoted header");
	out = pp_run("#include <nothere.h>\nok\n", dir, &h);
	check(!diags.errors && !diags.warnings && !strcmp(out, "\nok\n"), "missing <header> skipped");

	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	check(system(cmd) == 0, "clean up the header directory");
}

int main(void)
{
	test_precedence();
	test_postfix_unary();
	test_casts();
	test_primaries();
	test_literals();
	test_statements();
	test_program_structure();
	test_preprocessor();
	test_probes();
	test_locations();
	test_errors();
	arena_free(&arena);
	return check_summary();
}
