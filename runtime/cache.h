/* The compile cache: a program compiled before, on the same kernel, with
 * the same sonde, source, included files, options and configuration, is
 * read back instead of compiled again (no LLVM).
 *
 * Entries live in SONDE_CACHE_DIR, else /var/cache/sonde for root, else
 * $XDG_CACHE_HOME/sonde or ~/.cache/sonde: a directory of mode 0700 owned
 * by the user (any other is not used), files of mode 0600 named by the
 * key's digest. An entry holds its key, the included and imported files
 * with their digests (checked on every read), the compile warnings (shown
 * again) and the serialized program, behind a SHA-256 checksum: an entry
 * that does not verify is ignored and written again. */
#ifndef SONDE_CACHE_H
#define SONDE_CACHE_H
#include <limits.h>
#include <stdbool.h>

#include "../codegen/compiler.h"
#include "../common/inputs.h"
#include "../common/sha256.h"

struct compile_cache {
	char dir[PATH_MAX];
	char path[PATH_MAX];            /* the entry of this key */
	unsigned char key[SHA256_LEN];
	bool verbose;                   /* -v: say whether the cache was hit */
};

/* The cache entry for compiling src with o; false (after a warning when the
 * directory is unsafe) when no cache can be used. */
bool cache_open(struct compile_cache *c, const struct compile_options *o, const char *src, bool verbose);
/* The program of the entry, built in the arena, and the warnings its
 * compilation printed (*warnings, arena); NULL when there is no valid,
 * current entry. */
struct compiled_program *cache_load(struct compile_cache *c, struct arena *a, const char **warnings);
/* Keep p, compiled after cache_open with these inputs and warnings, unless
 * it depends on something the key does not cover. */
void cache_store(struct compile_cache *c, const struct compiled_program *p, const struct input_log *inputs,
		 const char *warnings);
/* The warnings of d as printed (arena string). */
const char *cache_warnings_text(struct diags *d);

#endif
