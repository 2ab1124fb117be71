/* --flamegraph FILE.svg: an interactive SVG flame graph of the maps keyed
 * by stacks, written at exit; self-contained (inline script: click to zoom,
 * search by regular expression). */
#ifndef SONDE_FLAMEGRAPH_H
#define SONDE_FLAMEGRAPH_H
#include <stdbool.h>
#include <stdio.h>

#include "../common/program.h"
#include "output.h"

/* Read the maps (fds by map index) whose folded form exists and write
 * their flame graph to f. With several such maps each has a frame of its
 * name above the root. Returns the number of samples drawn, -1 if a map
 * could not be read. */
/* Whether any map of prog has a folded form (folded.h). */
bool flamegraph_has_maps(const struct compiled_program *prog);
long long flamegraph_write(FILE *f, struct output *o, const struct compiled_program *prog,
			   const int *map_fds);

#endif
