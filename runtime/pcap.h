/* A pcap capture file of raw IP packets (LINKTYPE_RAW), with nanosecond
 * timestamps, as skboutput() writes them. */
#ifndef SONDE_PCAP_H
#define SONDE_PCAP_H
#include <stdint.h>
#include <stdio.h>

enum {
	PCAP_MAGIC_NS = 0xa1b23c4d, /* the nanosecond-resolution magic */
	PCAP_VERSION_MAJOR = 2,
	PCAP_VERSION_MINOR = 4,
	PCAP_SNAPLEN = 65535,
	PCAP_LINKTYPE_RAW = 101,    /* the packet starts at its IP header */
	PCAP_FILE_HEADER = 24,
	PCAP_RECORD_HEADER = 16,
};

struct pcap_file {
	const char *path;
	FILE *f;
	int err; /* the first write error, 0: none */
};

/* Create (truncate) the file and write its header: 0 or an errno. */
int pcap_create(struct pcap_file *p, const char *path);
/* Append a packet captured at wall-clock time wall_ns: len bytes of data,
 * of a packet of orig_len bytes. */
void pcap_write(struct pcap_file *p, uint64_t wall_ns, const void *data, uint32_t len, uint32_t orig_len);
/* Write out what is buffered. */
void pcap_flush(struct pcap_file *p);
/* Close it: 0, or the errno of its first failed write. */
int pcap_close(struct pcap_file *p);

#endif
