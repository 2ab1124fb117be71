/* The size of the event ring buffer (§1.10 perf_rb_pages). */
#include "ringbuf_size.h"

#include <unistd.h>

enum {
	MIN_PAGES = 64,   /* events only from run-once probes (begin, end, ...) */
	MAX_PAGES = 4096, /* the default's ceiling: 16 MiB with 4 KiB pages */
	RAM_SHARE = 1024, /* the default's share of RAM */
};

/* Can events arrive at the rate the kernel runs a probe? Run-once probes,
 * exit() and the once-a-run warnings send a bounded number of them. */
static bool sends_events_often(const struct compiled_program *p, struct bpf_program *const *progs)
{
	for (int i = 0; i < p->nprogs; i++)
		if (progs[i] && p->progs[i].streams && !(p->progs[i].spec.flags & PF_RUN_ONCE))
			return true;
	return false;
}

static unsigned long pow2_floor(unsigned long n)
{
	unsigned long p = 1;
	while (p <= n / 2)
		p *= 2;
	return p;
}

unsigned long ringbuf_size(const struct compiled_program *p, struct bpf_program *const *progs)
{
	long page = sysconf(_SC_PAGESIZE), ram_pages = sysconf(_SC_PHYS_PAGES);
	if (page <= 0)
		page = 4096;
	unsigned long pages = p->ringbuf_pages;
	if (!pages && !sends_events_often(p, progs))
		pages = MIN_PAGES;
	if (!pages) {
		/* a consumer that keeps up still needs room for the bursts
		 * that come while it is not running: the more RAM, the more */
		pages = ram_pages > 0 ? (unsigned long)ram_pages / RAM_SHARE : MIN_PAGES;
		pages = pages < MIN_PAGES ? MIN_PAGES : pages > MAX_PAGES ? MAX_PAGES : pow2_floor(pages);
	}
	return pages * (unsigned long)page;
}
