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
/* An array of count items of size bytes with room for one more: items
 * itself while *cap allows, else a copy twice as large (first items the
 * first time) with *cap updated. The old block stays in the arena. */
void *arena_grow(struct arena *a, void *items, int count, int *cap, size_t size, int first);
void arena_free(struct arena *a);

#endif
