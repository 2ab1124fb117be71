/* --info (§1.2): the system, build and kernel-feature report. */
#ifndef SONDE_INFO_H
#define SONDE_INFO_H
#include <stdio.h>

void print_info(FILE *f, const char *version);

#endif
