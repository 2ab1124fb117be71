/* skboutput() packets: each perf record is the header of program.h (the
 * call's action, its boot-clock time, the length sent, the packet's) and
 * the packet's first bytes. The call's action names the pcap file and the offset of
 * the bytes written there. */
#include "skb_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "pcap.h"
#include "values.h"

/* Per-CPU perf buffer pages, where perf_rb_pages does not say */
enum { DEFAULT_PAGES = 64 };

struct skb_output {
	const struct compiled_program *prog;
	struct pcap_file *files;
	int nfiles;
	int *file_of; /* by action index: its file, -1 */
	struct perf_buffer *pb;
	uint64_t lost;
};

static int file_for(struct skb_output *s, const char *path)
{
	for (int i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, path))
			return i;
	int err = pcap_create(&s->files[s->nfiles], path);
	if (err) {
		fprintf(stderr, "ERROR: skboutput(): cannot create %s: %s\n", path, strerror(err));
		return -1;
	}
	return s->nfiles++;
}

int skb_output_open(const struct compiled_program *p, struct skb_output **out)
{
	*out = NULL;
	if (!p->skb_events_name)
		return 0;
	struct skb_output *s = calloc(1, sizeof(*s));
	if (!s || !(s->files = calloc((size_t)p->nactions, sizeof(*s->files))) ||
	    !(s->file_of = calloc((size_t)p->nactions, sizeof(*s->file_of)))) {
		fprintf(stderr, "ERROR: skboutput(): %s\n", strerror(ENOMEM));
		skb_output_close(s);
		return -1;
	}
	s->prog = p;
	for (int i = 0; i < p->nactions; i++) {
		s->file_of[i] = p->actions[i].kind == ACT_SKB_OUTPUT ? file_for(s, p->actions[i].fmt) : -1;
		if (p->actions[i].kind == ACT_SKB_OUTPUT && s->file_of[i] < 0) {
			skb_output_close(s);
			return -1;
		}
	}
	*out = s;
	return 0;
}

int skb_output_size(struct skb_output *s, struct bpf_object *obj, int ncpus)
{
	struct bpf_map *m = s ? bpf_object__find_map_by_name(obj, s->prog->skb_events_name) : NULL;
	return m ? bpf_map__set_max_entries(m, (uint32_t)ncpus) : 0;
}

static uint64_t get_u64(const unsigned char *p, size_t off)
{
	uint64_t v;
	memcpy(&v, p + off, 8);
	return v;
}

static void on_packet(void *ctx, int cpu, void *data, __u32 size)
{
	struct skb_output *s = ctx;
	const unsigned char *rec = data;
	if (size < SKB_EVENT_HEADER)
		return;
	uint64_t action = get_u64(rec, SKB_EVENT_ACTION), len = get_u64(rec, SKB_EVENT_LEN);
	if (action >= (uint64_t)s->prog->nactions || s->file_of[action] < 0)
		return;
	/* the record is padded to 8 bytes: the header says what is packet */
	if (len > size - SKB_EVENT_HEADER)
		len = size - SKB_EVENT_HEADER;
	uint64_t skip = s->prog->actions[action].skb_offset;
	if (skip > len)
		skip = len;
	int64_t wall = (int64_t)get_u64(rec, SKB_EVENT_BOOT_NS) + wall_minus_boot_ns();
	/* a capture of fewer bytes than the packet has says how long it was */
	uint64_t packet = get_u64(rec, SKB_EVENT_PACKET_LEN);
	if (packet < len || packet > UINT32_MAX)
		packet = len;
	pcap_write(&s->files[s->file_of[action]], wall < 0 ? 0 : (uint64_t)wall, rec + SKB_EVENT_HEADER + skip,
		   (uint32_t)(len - skip), (uint32_t)(packet - skip));
}

static void on_lost(void *ctx, int cpu, __u64 count)
{
	struct skb_output *s = ctx;
	s->lost += count;
}

/* perf buffers have a power of two of pages */
static size_t buffer_pages(const struct compiled_program *p)
{
	size_t pages = 1;
	if (!p->ringbuf_pages)
		return DEFAULT_PAGES;
	while (pages < p->ringbuf_pages)
		pages <<= 1;
	return pages;
}

int skb_output_start(struct skb_output *s, struct bpf_object *obj)
{
	if (!s)
		return 0;
	struct bpf_map *m = bpf_object__find_map_by_name(obj, s->prog->skb_events_name);
	if (!m) {
		fprintf(stderr, "ERROR: internal error: no perf event array for skboutput()\n");
		return -1;
	}
	s->pb = perf_buffer__new(bpf_map__fd(m), buffer_pages(s->prog), on_packet, on_lost, s, NULL);
	if (!s->pb) {
		fprintf(stderr, "ERROR: skboutput(): cannot open the perf buffers: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

int skb_output_fd(const struct skb_output *s)
{
	return perf_buffer__epoll_fd(s->pb);
}

int skb_output_consume(struct skb_output *s)
{
	return s && s->pb ? perf_buffer__consume(s->pb) : 0;
}

uint64_t skb_output_lost(const struct skb_output *s)
{
	return s ? s->lost : 0;
}

void skb_output_flush(struct skb_output *s)
{
	for (int i = 0; s && i < s->nfiles; i++)
		pcap_flush(&s->files[i]);
}

int skb_output_close(struct skb_output *s)
{
	if (!s)
		return 0;
	int ret = 0;
	perf_buffer__free(s->pb);
	for (int i = 0; i < s->nfiles; i++) {
		int err = pcap_close(&s->files[i]);
		if (err) {
			fprintf(stderr, "ERROR: skboutput(): failed to write %s: %s\n", s->files[i].path, strerror(err));
			ret = -1;
		}
	}
	free(s->files);
	free(s->file_of);
	free(s);
	return ret;
}
