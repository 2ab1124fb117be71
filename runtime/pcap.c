/* pcap files (the classic format, as libpcap writes it): a file header,
 * then a record header and the bytes of each packet, all in the byte order
 * of the machine, which the magic tells readers. */
#include "pcap.h"

#include <errno.h>
#include <string.h>

static void put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put_u16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void note_error(struct pcap_file *p)
{
	if (!p->err && ferror(p->f))
		p->err = errno ? errno : EIO;
}

int pcap_create(struct pcap_file *p, const char *path)
{
	unsigned char h[PCAP_FILE_HEADER] = { 0 };
	p->path = path;
	p->err = 0;
	p->f = fopen(path, "wb");
	if (!p->f)
		return errno ? errno : EIO;
	put_u32(h, PCAP_MAGIC_NS);
	put_u16(h + 4, PCAP_VERSION_MAJOR);
	put_u16(h + 6, PCAP_VERSION_MINOR);
	/* bytes 8..15: time zone offset and accuracy, always 0 */
	put_u32(h + 16, PCAP_SNAPLEN);
	put_u32(h + 20, PCAP_LINKTYPE_RAW);
	errno = 0;
	if (fwrite(h, sizeof(h), 1, p->f) != 1 || fflush(p->f) == EOF) {
		int err = errno ? errno : EIO;
		fclose(p->f);
		p->f = NULL;
		return err;
	}
	return 0;
}

void pcap_write(struct pcap_file *p, uint64_t wall_ns, const void *data, uint32_t len, uint32_t orig_len)
{
	if (!p->f || p->err)
		return;
	if (len > PCAP_SNAPLEN)
		len = PCAP_SNAPLEN;
	unsigned char h[PCAP_RECORD_HEADER];
	put_u32(h, (uint32_t)(wall_ns / 1000000000u));
	put_u32(h + 4, (uint32_t)(wall_ns % 1000000000u));
	put_u32(h + 8, len);
	put_u32(h + 12, orig_len);
	errno = 0;
	if (fwrite(h, sizeof(h), 1, p->f) != 1 || (len && fwrite(data, len, 1, p->f) != 1))
		note_error(p);
}

void pcap_flush(struct pcap_file *p)
{
	errno = 0;
	if (p->f && !p->err && fflush(p->f) == EOF)
		note_error(p);
}

int pcap_close(struct pcap_file *p)
{
	if (!p->f)
		return p->err;
	pcap_flush(p);
	errno = 0;
	if (fclose(p->f) == EOF && !p->err)
		p->err = errno ? errno : EIO;
	p->f = NULL;
	return p->err;
}
