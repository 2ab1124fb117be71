/* Detaching the probes' links. */
#ifndef SONDE_DETACH_H
#define SONDE_DETACH_H
#include <signal.h>
#include <stdbool.h>

#include "../probes/probe.h"

/* Destroy the n links, several at a time; once it returns their programs
 * no longer run. The kernel's own cleanup of perf events, which takes
 * longer, ends after sonde has gone, in a child that keeps their
 * descriptors meanwhile. A change of *signals (a second Ctrl-C) hands the
 * links not yet destroyed to such a child too, and returns false at once:
 * the links array must then stay allocated until exit. out_fd: the
 * program output, which the child does not keep open (-1: none). */
bool detach_links(struct probe_link *links, int n, int out_fd, volatile sig_atomic_t *signals);

#endif
