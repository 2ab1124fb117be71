/* The packets of skboutput(): read from the program's perf event array and
 * appended to their pcap files, one file per distinct path. */
#ifndef SONDE_SKB_OUTPUT_H
#define SONDE_SKB_OUTPUT_H
#include <stdint.h>

#include "../common/program.h"

struct bpf_object;
struct skb_output;

/* Create (truncate) the pcap files of the program's skboutput() calls.
 * *out: NULL when it has none. -1 after saying which file failed. */
int skb_output_open(const struct compiled_program *p, struct skb_output **out);
/* Before the object loads: one perf event per CPU of this machine. */
int skb_output_size(struct skb_output *s, struct bpf_object *obj, int ncpus);
/* Once it has loaded: read the packets (0, or -1 after saying why). */
int skb_output_start(struct skb_output *s, struct bpf_object *obj);
/* A descriptor that polls readable when packets wait. */
int skb_output_fd(const struct skb_output *s);
/* Write the packets that wait: how many, or a negative errno. */
int skb_output_consume(struct skb_output *s);
/* Packets the kernel could not put in the full perf buffers so far. */
uint64_t skb_output_lost(const struct skb_output *s);
void skb_output_flush(struct skb_output *s);
/* Close the files and free s (NULL: nothing): 0, or -1 after saying which
 * file could not be written. */
int skb_output_close(struct skb_output *s);

#endif
