/* libFuzzer target: preprocessor, lexer and parser on arbitrary bytes, then
 * the AST dump of what parsed; the C declaration parser on the script's C
 * definitions (strictly) and on the whole input as header text (leniently). */
#include "fuzz.h"

#include <string.h>

#include "../../parser/ast.h"
#include "../../parser/ast_dump.h"
#include "../../parser/cdecl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_LEN)
		return -1;
	char *src = fuzz_source(data, size);
	struct arena a = { 0 };
	struct diags d;
	diags_init(&d, &a, "stdin", src);
	struct program *p = parse_program(&a, &d, src, NULL);
	if (p && !d.errors)
		ast_dump_program(fuzz_sink(), p, NULL, NULL);
	fuzz_check(&d, !p);
	struct c_defs defs;
	c_defs_init(&defs);
	for (const struct preamble_item *it = p ? p->preamble : NULL; it; it = it->next)
		if (!strcmp(it->what, "C definitions"))
			cdecl_parse(&a, &d, it->text, &it->loc, true, &defs);
	cdecl_parse(&a, &d, src, NULL, false, &defs);
	arena_free(&a);
	free(src);
	return 0;
}
