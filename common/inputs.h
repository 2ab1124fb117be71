/* The files a compilation read besides the script (included headers,
 * imported files and directories), each with a digest of its content, so
 * that a cached compilation can tell whether they are still the same. */
#ifndef SONDE_INPUTS_H
#define SONDE_INPUTS_H
#include <stdbool.h>

#include "arena.h"
#include "sha256.h"

struct input_file {
	struct input_file *next;
	const char *path;
	unsigned char digest[SHA256_LEN];
};

struct input_log {
	struct arena *arena;
	struct input_file *head;
	int n;
	bool failed; /* an input could not be digested: the compilation is not cacheable */
};

/* The digest of a file's bytes, or of a directory's sorted entry names.
 * Returns 0, or -1 when the path cannot be read. */
int input_digest(const char *path, unsigned char out[SHA256_LEN]);
/* Note that the compilation read path (once per path); a NULL log notes
 * nothing. */
void input_log_add(struct input_log *log, const char *path);

#endif
