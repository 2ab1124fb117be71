/* `-l 'struct NAME'`, `-lv 'union NAME'`, `-l 'enum *'` (§1.4): kernel
 * types from BTF, listed by name or, verbose, with their definitions. */
#ifndef SONDE_LIST_TYPES_H
#define SONDE_LIST_TYPES_H
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "../common/diag.h"

/* The pattern names types: it starts with "struct ", "union " or "enum ". */
bool list_is_type_pattern(const char *pattern);

/* Print the types matching the pattern ('*' globs over "struct NAME"),
 * sorted by name. A pattern without '*' that matches nothing, or missing
 * BTF, is an error in d (returns -1); else returns 0. */
int list_types(struct diags *d, const char *pattern, FILE *out, bool verbose);

/* `-l PATTERNS`: each comma-separated pattern lists types or probes
 * (probes_list(); pid > 0: `-p PID`). Returns 0, or -1 when one failed
 * (errors in d). */
int list_patterns(struct diags *d, const char *patterns, pid_t pid, FILE *out, bool verbose);

#endif
