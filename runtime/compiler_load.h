/* Finding and loading sonde-compiler.so (codegen/compiler.h). */
#ifndef SONDE_COMPILER_LOAD_H
#define SONDE_COMPILER_LOAD_H
#include <stddef.h>

#include "../codegen/compiler.h"

/* The path of the compiler object beside this binary: in the build tree
 * next to it, installed in LIBDIR/sonde. 0, or -1 when there is none. */
int compiler_path(char *buf, size_t size);

/* Loads the compiler. NULL after printing an error to stderr. */
const struct compiler_api *compiler_load(void);

#endif
