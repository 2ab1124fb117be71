/* USDT probes of an ELF file: the notes <sys/sdt.h> leaves in section
 * .note.stapsdt (type 3, owner "stapsdt"), with their addresses turned
 * into the file offsets uprobes attach to. */
#ifndef SONDE_USDT_NOTES_H
#define SONDE_USDT_NOTES_H
#include <stdint.h>

#include "arena.h"

struct usdt_note {
	const char *provider, *name;
	const char *args;          /* the argument specs as written, "" for none */
	uint64_t pc;               /* virtual address of the probe (adjusted for prelink) */
	uint64_t pc_offset;        /* its file offset: where the uprobe goes */
	uint64_t semaphore;        /* virtual address of the semaphore, 0 when none */
	uint64_t semaphore_offset; /* its file offset (the uprobe's ref_ctr_offset), 0 when none */
};

/* The probes of path, in note order, in an arena array of *n. 0 (with *n
 * == 0 when the file has none), or -1 when path is not a readable ELF
 * file. Notes that are malformed, or whose probe lies in no executable
 * segment or whose semaphore in no file-backed one, are skipped. */
int usdt_notes_read(struct arena *a, const char *path, struct usdt_note **out, int *n);

#endif
