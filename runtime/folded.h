/* The folded stack format flame-graph tools read (-f folded, and the
 * input of --flamegraph): per map entry one line of frames, root first,
 * joined by ';', a space and the count. */
#ifndef SONDE_FOLDED_H
#define SONDE_FOLDED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "map_read.h"
#include "output.h"

/* Why map m has no folded form, NULL when it has one: its key must hold a
 * kstack or ustack (alone or in a tuple) and its value must be a number. */
const char *folded_unusable(const struct map_desc *m);
/* The frames of entry e, root first, joined by ';' (malloc'ed, NULL if out
 * of memory). Key parts that are not stacks come first (in key order), then
 * user stacks, then kernel stacks, each from its outermost frame in. */
char *folded_path(struct output *o, const struct map_desc *m, const struct map_entry *e);
/* The frames of one kstack/ustack value, outermost first, joined by ';'. */
void folded_write_stack(struct output *o, FILE *f, const struct type *t, const void *data);
/* The count of entry e (its value divided by div); false when it is not
 * positive. */
bool folded_count(const struct map_desc *m, const struct map_entry *e, int64_t div, uint64_t *count);
/* Entries [first, n) of snapshot s of map m as folded lines on o->out; a
 * map without a folded form prints nothing and a warning on stderr. */
void folded_print_map(struct output *o, const struct map_desc *m, const struct map_snapshot *s, size_t first,
		      int64_t div);

#endif
