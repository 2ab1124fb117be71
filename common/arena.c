#include "arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_MIN (64 * 1024)

/* Under AddressSanitizer (-DSONDE_SANITIZE=ON) the unused part of a block
 * stays poisoned and every allocation is followed by a poisoned gap, so an
 * overrun of arena memory is reported like one of malloc'd memory. */
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define ARENA_REDZONE 16
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ARENA_REDZONE 0
#endif

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
	size_t rounded = (size + 15) & ~(size_t)15;
	size_t need = rounded + ARENA_REDZONE;
	struct arena_block *b = a->head;
	if (!b || b->size - b->used < need) {
		size_t cap = need > ARENA_BLOCK_MIN ? need : ARENA_BLOCK_MIN;
		b = malloc(sizeof(*b) + cap);
		if (!b) {
			fputs("ERROR: out of memory\n", stderr);
			abort();
		}
		ASAN_POISON_MEMORY_REGION(b->data, cap);
		b->next = a->head;
		b->used = 0;
		b->size = cap;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	ASAN_UNPOISON_MEMORY_REGION(p, size);
	/* the padding up to 16 bytes is zeroed too, but is poisoned under ASan */
	memset(p, 0, ARENA_REDZONE ? size : rounded);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void *arena_grow(struct arena *a, void *items, int count, int *cap, size_t size, int first)
{
	if (count < *cap)
		return items;
	int ncap = *cap ? *cap * 2 : first;
	void *n = arena_alloc(a, size * (size_t)ncap);
	if (count)
		memcpy(n, items, size * (size_t)count);
	*cap = ncap;
	return n;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_block *next = a->head->next;
		ASAN_UNPOISON_MEMORY_REGION(a->head->data, a->head->size);
		free(a->head);
		a->head = next;
	}
}
