/* The size of the event ring buffer, before the object is loaded. */
#ifndef SONDE_RINGBUF_SIZE_H
#define SONDE_RINGBUF_SIZE_H
#include <bpf/libbpf.h>

#include "../common/program.h"

/* Bytes: the configured perf_rb_pages; else a share of RAM (64..4096
 * pages, a power of 2) when a probe that can fire at any rate sends a
 * stream of events (printf, print, ...), 64 pages when only run-once
 * probes (begin, end, ...), exit() and once-a-run warnings send any.
 * progs: the programs by prog_desc index (NULL entries are skipped). */
unsigned long ringbuf_size(const struct compiled_program *p, struct bpf_program *const *progs);

#endif
