/* Library names to paths through /etc/ld.so.cache, as the dynamic linker
 * finds them. */
#ifndef SONDE_LDCACHE_H
#define SONDE_LDCACHE_H
#include <stdbool.h>
#include <stddef.h>

/* The path of library `name` (copied to path, at most size bytes). `libc`
 * matches `libc.so*`; a name with ".so" must match the soname exactly.
 * Only libraries of sonde's own word size match. false when not found. */
bool ldcache_lookup(const char *name, char *path, size_t size);

#endif
