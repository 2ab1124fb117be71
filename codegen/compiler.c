/* The compilation driver: parse, analyse, lower. */
#include "compiler.h"

#include <string.h>

struct compiled_program *compile_source(struct arena *a, struct diags *d, const struct compile_options *opts)
{
	struct compiler c = { .arena = a, .diags = d, .opts = opts };
	c.ast = parse_program(a, d, d->src);
	if (!c.ast || d->errors)
		return NULL;
	if (macros_expand(&c) < 0 || sema_run(&c) < 0)
		return NULL;
	struct compiled_program *out = arena_alloc(a, sizeof(*out));
	if (lower_program(&c, out) < 0)
		return NULL;
	return out;
}
