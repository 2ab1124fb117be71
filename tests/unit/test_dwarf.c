/* common/dwarf.c on this test program itself, which is built with -g:
 * parameters and their C types, bitfields and enums as described, the
 * address of a source line, and the frames (an inlined call first) there. */
#include <errno.h>
#include <stdint.h>

#include "../../common/dwarf.h"
#include "../../runtime/source_frames.h"
#include "check.h"

enum dwarf_test_sign { NEGATIVE = -2, POSITIVE = 3 };
struct dwarf_test_bits { unsigned lo : 3, hi : 5; int rest; };
struct dwarf_test_node { struct dwarf_test_node *next; const char *name; int matrix[2][3]; };
typedef struct dwarf_test_node dwarf_test_node_t;

static volatile int sink;

__attribute__((noinline, used)) int dwarf_test_params(int8_t a, const char *s, dwarf_test_node_t *n,
						      struct dwarf_test_bits b, enum dwarf_test_sign e,
						      char *const p, unsigned long long u)
{
	return a + s[0] + n->matrix[1][2] + b.hi + e + p[0] + (int)u;
}

static inline __attribute__((always_inline)) void dwarf_test_inlined(int v)
{
	sink = v; /* LINE_INLINED */
}

__attribute__((noinline, used)) void dwarf_test_caller(int v)
{
	dwarf_test_inlined(v + 1);
}

static const struct dwarf_type *peel(const struct dwarf_type *t)
{
	while (t && t->kind == DWARF_TYPEDEF)
		t = t->target;
	return t;
}

static void test_params(struct arena *a, struct dwarf_file *f)
{
	static const char *const want[][2] = {
		{ "int8_t", "a" }, { "const char*", "s" }, { "dwarf_test_node_t*", "n" },
		{ "struct dwarf_test_bits", "b" }, { "enum dwarf_test_sign", "e" }, { "char* const", "p" },
		{ "long long unsigned int", "u" },
	};
	struct dwarf_func fn;
	if (!check_true("dwarf_function finds dwarf_test_params", dwarf_function(f, "dwarf_test_params", &fn) == 0))
		return;
	check_true("entry is the symbol's address", fn.entry != 0);
	check_str("return type", dwarf_type_name(a, fn.ret), "int");
	check_true("7 parameters", fn.nparams == 7);
	for (int i = 0; i < fn.nparams && i < 7; i++) {
		check_str("parameter type", dwarf_type_name(a, fn.params[i].type), want[i][0]);
		check_str("parameter name", fn.params[i].name, want[i][1]);
	}
	const struct dwarf_type *node = peel(fn.params[2].type->target);
	check_true("node is a complete struct of 3 members", node->kind == DWARF_STRUCT && node->complete && node->n == 3);
	check_true("the pointer member leads back to the same node", peel(node->members[0].type->target) == node);
	check_str("int[2][3]", dwarf_type_name(a, node->members[2].type), "int[2][3]");
	check_true("matrix: 2 arrays of 3", node->members[2].type->nelems == 2 && node->members[2].type->target->nelems == 3);
	const struct dwarf_type *bits = fn.params[3].type;
	check_true("bitfield lo: bits 0-2", bits->members[0].bit_offset == 0 && bits->members[0].bit_size == 3);
	check_true("bitfield hi: bits 3-7", bits->members[1].bit_offset == 3 && bits->members[1].bit_size == 5);
	check_true("rest at byte 4", bits->members[2].bit_offset == 32 && bits->members[2].bit_size == 0);
	const struct dwarf_type *e = fn.params[4].type;
	check_true("enum: 2 signed enumerators", e->n == 2 && e->is_signed && e->enums[0].value == -2 &&
						   e->enums[1].value == 3);
	check_true("unknown function", dwarf_function(f, "no_such_function_xyz", &fn) == -ENOENT);
}

static int line_of(const char *marker)
{
	FILE *src = fopen(__FILE__, "r");
	char buf[256];
	int line = 0, found = 0;
	while (src && fgets(buf, sizeof(buf), src) && !found) {
		line++;
		if (strstr(buf, marker) && !strstr(buf, "line_of"))
			found = line;
	}
	if (src)
		fclose(src);
	return found;
}

static void test_lines(struct arena *a, struct dwarf_file *f)
{
	int line = line_of("/* LINE_INLINED */");
	struct dwarf_line l;
	if (!check_true("the source line is found", line > 0 && dwarf_line_address(f, "test_dwarf.c", line, 0, &l) == 0))
		return;
	check_str("its function", l.func, "dwarf_test_caller");
	struct dwarf_frame fr[4];
	int n = dwarf_source_frames(f, l.addr, fr, 4);
	if (!check_true("two frames", n == 2))
		for (int i = 0; i < n; i++)
			printf("  frame %s %s:%d%s\n", fr[i].func, fr[i].file, fr[i].line, fr[i].inlined ? " inlined" : "");
	if (n == 2) {
		check_true("the inlined frame first", fr[0].inlined && !strcmp(fr[0].func, "dwarf_test_inlined") &&
							   fr[0].line == line);
		check_true("then its caller", !fr[1].inlined && !strcmp(fr[1].func, "dwarf_test_caller") &&
						  fr[1].line == line_of("dwarf_test_inlined(v + 1);"));
	}
	/* what a ustack frame prints with show_debug_info */
	struct source_frames *sf = source_frames_new();
	uint64_t caller = dwarf_symbol_address(f, "dwarf_test_caller");
	char buf[512], want[512];
	size_t len = source_frames_render(sf, "/proc/self/exe", "dwarf_test_caller", l.addr - caller, "        ", buf,
					  sizeof(buf));
	snprintf(want, sizeof(want), "[inlined] dwarf_test_inlined@%s:%d\n        dwarf_test_caller+%llu@%s:%d",
		 n == 2 ? fr[0].file : "", line, (unsigned long long)(l.addr - caller), n == 2 ? fr[1].file : "",
		 line_of("dwarf_test_inlined(v + 1);"));
	check_str("rendered frames", buf, want);
	check_true("their length", len == strlen(want));
	check_true("no debug info: nothing",
		   source_frames_render(sf, "/proc/self/status", "x", 0, "", buf, sizeof(buf)) == 0);
	source_frames_free(sf);
	check_true("unknown file", dwarf_line_address(f, "nosuch.c", 1, 0, &l) == -ENOENT);
	check_true("a line without code", dwarf_line_address(f, "test_dwarf.c", 1, 0, &l) == -ESRCH && l.next > 1);
	check_true("a path suffix names the file too",
		   dwarf_line_address(f, "unit/test_dwarf.c", line, 0, &l) == 0);
	check_true("but not a part of a name", dwarf_line_address(f, "st_dwarf.c", line, 0, &l) == -ENOENT);
}

int main(void)
{
	struct arena a = { 0 };
	struct dwarf_file *f = dwarf_open(&a, "/proc/self/exe");
	if (check_true("this program opens", f != NULL) && check_true("it has DWARF", dwarf_has_info(f))) {
		test_params(&a, f);
		test_lines(&a, f);
	}
	dwarf_close(f);
	check_true("a file that is not ELF", dwarf_open(&a, "/proc/self/status") == NULL);
	arena_free(&a);
	return check_summary();
}
