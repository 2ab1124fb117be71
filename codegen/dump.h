/* -d types and -d dis (§1.5), written to f. */
#ifndef SONDE_DUMP_H
#define SONDE_DUMP_H
#include <stdio.h>

#include "compiler.h"

void dump_types(const struct compiler *c, FILE *f);
/* Returns 0, or -1 when the object cannot be read. */
int dump_dis(const struct compiled_program *p, FILE *f);

#endif
