/* Shared by the files of the usdt probe type (usdt.c, usdt_targets.c). */
#ifndef SONDE_PROBES_USDT_H
#define SONDE_PROBES_USDT_H
#include <sys/types.h>

#include "internal.h"

/* The files target stands for, appended to out: target itself when it is
 * a plain path; the ELF files a glob matches; for "*" every ELF object
 * that process pid maps (pid 0: any process), sorted. */
void usdt_target_files(struct arena *a, const char *target, pid_t pid, struct str_vec *out);

#endif
