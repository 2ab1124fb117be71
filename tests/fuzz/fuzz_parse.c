/* libFuzzer target: preprocessor, lexer and parser on arbitrary bytes, then
 * the AST dump of what parsed. */
#include "fuzz.h"

#include "../../parser/ast.h"
#include "../../parser/ast_dump.h"

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
	arena_free(&a);
	free(src);
	return 0;
}
