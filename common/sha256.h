/* SHA-256, for the compile cache's keys and checksums. */
#ifndef SONDE_SHA256_H
#define SONDE_SHA256_H
#include <stddef.h>
#include <stdint.h>

enum { SHA256_LEN = 32 };

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);
/* One call: the digest of data. */
void sha256_of(const void *data, size_t len, unsigned char out[SHA256_LEN]);

#endif
