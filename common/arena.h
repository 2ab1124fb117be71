/* Arena allocator: one per compilation; everything it hands out lives until
 * arena_free(). Keeps AST, types and strings free of individual ownership. */
#ifndef SONDE_ARENA_H
#define SONDE_ARENA_H
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
};

void *arena_alloc(struct arena *a, size_t size);          /* zeroed; aborts on OOM */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#endif
