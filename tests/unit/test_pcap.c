/* The pcap files of skboutput(): the bytes of the file header and of each
 * record, as readers of the classic nanosecond format expect them, and a
 * path that cannot be created. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/pcap.h"
#include "check.h"

static uint32_t u32_at(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint16_t u16_at(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void written_file(void)
{
	char path[] = "/tmp/sonde_pcap_XXXXXX";
	int fd = mkstemp(path);
	if (!check_true("temporary file", fd >= 0))
		return;
	close(fd);
	struct pcap_file p;
	check_int("create", pcap_create(&p, path), 0);
	const unsigned char pkt[] = { 0x45, 0, 0, 5, 0xaa };
	pcap_write(&p, 1700000000ull * 1000000000ull + 123456789, pkt, sizeof(pkt), sizeof(pkt));
	pcap_write(&p, 5, pkt, 0, 0);
	check_int("close", pcap_close(&p), 0);

	unsigned char buf[128];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	unlink(path);
	if (!check_int("file size", (long long)n, PCAP_FILE_HEADER + 2 * PCAP_RECORD_HEADER + sizeof(pkt)))
		return;
	check_int("magic", u32_at(buf), 0xa1b23c4d);
	check_int("version major", u16_at(buf + 4), 2);
	check_int("version minor", u16_at(buf + 6), 4);
	check_int("zone and sigfigs", u32_at(buf + 8) | u32_at(buf + 12), 0);
	check_int("snaplen", u32_at(buf + 16), 65535);
	check_int("link type", u32_at(buf + 20), 101);
	const unsigned char *r = buf + PCAP_FILE_HEADER;
	check_int("seconds", u32_at(r), 1700000000);
	check_int("nanoseconds", u32_at(r + 4), 123456789);
	check_int("incl_len", u32_at(r + 8), sizeof(pkt));
	check_int("orig_len", u32_at(r + 12), sizeof(pkt));
	check_true("packet bytes", !memcmp(r + PCAP_RECORD_HEADER, pkt, sizeof(pkt)));
	r += PCAP_RECORD_HEADER + sizeof(pkt);
	check_int("empty record ns", u32_at(r + 4), 5);
	check_int("empty record length", u32_at(r + 8), 0);
}

static void missing_directory(void)
{
	struct pcap_file p;
	check_int("no such directory", pcap_create(&p, "/nonexistent-dir/x.pcap"), ENOENT);
	check_int("close of a file not created", pcap_close(&p), 0);
}

int main(void)
{
	written_file();
	missing_directory();
	return check_summary();
}
