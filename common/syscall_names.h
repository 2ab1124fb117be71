/* System call names by number (x86-64), for syscall_name() and for the
 * syscall tracepoints one program serves. */
#ifndef SONDE_SYSCALL_NAMES_H
#define SONDE_SYSCALL_NAMES_H
#include <stdint.h>

/* "read" for 0; NULL for a number without a system call. */
const char *syscall_name_of(uint64_t nr);
/* 0 for "read"; -1 for a name the table does not have. */
int syscall_nr_of(const char *name);

#endif
