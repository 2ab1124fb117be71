/* The script's C definitions and those of included headers (§1.6), added
 * to the compilation's BTF types. */
#ifndef SONDE_CTYPES_H
#define SONDE_CTYPES_H
#include "compiler.h"

/* Parse and lay out every C definition of the program; 0 or -1 (with
 * located errors). Loads kernel BTF only when there are definitions. */
int ctypes_define(struct compiler *c);

#endif
