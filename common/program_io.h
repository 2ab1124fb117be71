/* A compiled program as bytes and back (the compile cache's entries).
 *
 * The format has no pointers: integers are 64-bit words in host byte
 * order (an entry is only read on the machine that wrote it), strings a
 * length word (all ones: NULL) and their bytes, types a table written
 * children first and referred to by index + 1 (0: NULL). */
#ifndef SONDE_PROGRAM_IO_H
#define SONDE_PROGRAM_IO_H
#include <stddef.h>

#include "arena.h"
#include "program.h"

/* The bytes of p in malloc'd memory (*out, *len). Returns 0 or -1 (out of memory). */
int program_serialize(const struct compiled_program *p, unsigned char **out, size_t *len);
/* The program in data, built in the arena; NULL when data is not a whole,
 * well-formed serialized program. */
struct compiled_program *program_deserialize(struct arena *a, const void *data, size_t len);

#endif
