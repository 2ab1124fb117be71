/* The script preprocessor (§1.6): #define, #if/#ifdef and friends. */
#ifndef SONDE_PREPROC_H
#define SONDE_PREPROC_H
#include "../common/arena.h"
#include "../common/diag.h"

/* The source with directives applied and macros expanded, line for line
 * (arena string). Problems are reported in d. */
const char *preprocess(struct arena *a, struct diags *d, const char *src);

#endif
