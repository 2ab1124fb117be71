/* The compile cache's key (see cache_key.c). */
#ifndef SONDE_CACHE_KEY_H
#define SONDE_CACHE_KEY_H
#include "../codegen/compiler.h"
#include "../common/sha256.h"

void cache_key(const struct compile_options *o, const char *src, unsigned char key[SHA256_LEN]);

#endif
