/* USDT notes of ELF files (see usdt_notes.h). Each note's descriptor is
 * three addresses of the file's class width (probe pc, the address of
 * .stapsdt.base at link time, semaphore) and then the NUL-terminated
 * provider, name and argument specs. */
#include "usdt_notes.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "elf_syms.h"

enum { NOTE_TYPE_STAPSDT = 3 };

struct note_reader {
	struct arena *a;
	bool is64;
	uint64_t base;              /* address of .stapsdt.base now, 0 when absent */
	struct elf_segment *segs;
	size_t nsegs;
	struct usdt_note *v;
	int n, cap;
};

/* The section called name, NULL when there is none. */
static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t strndx;

	if (elf_getshdrstrndx(elf, &strndx))
		return NULL;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		const char *s;
		if (gelf_getshdr(scn, sh) && (s = elf_strptr(elf, strndx, sh->sh_name)) && !strcmp(s, name))
			return scn;
	}
	return NULL;
}

static uint64_t read_addr(const char *p, bool is64)
{
	if (is64) {
		uint64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* One note descriptor of desc_len bytes; malformed ones are skipped. */
static void add_note(struct note_reader *r, const char *desc, size_t desc_len)
{
	size_t asz = r->is64 ? 8 : 4;
	struct usdt_note note = { 0 };

	if (desc_len < 3 * asz)
		return;
	const char *strs = desc + 3 * asz, *end = desc + desc_len;
	const char *name = memchr(strs, '\0', (size_t)(end - strs));
	const char *args = name ? memchr(name + 1, '\0', (size_t)(end - name - 1)) : NULL;
	/* the argument string may be missing altogether in old notes */
	if (!name || name + 1 >= end)
		return;
	note.provider = arena_strdup(r->a, strs);
	note.name = arena_strdup(r->a, name + 1);
	note.args = args && args + 1 < end && memchr(args + 1, '\0', (size_t)(end - args - 1))
			    ? arena_strdup(r->a, args + 1)
			    : "";
	note.pc = read_addr(desc, r->is64);
	note.semaphore = read_addr(desc + 2 * asz, r->is64);
	/* Prelink moves the sections but not the notes: shift the pc by how
	 * far .stapsdt.base moved. As in libbpf, the semaphore is not shifted. */
	uint64_t linked_base = read_addr(desc + asz, r->is64);
	if (r->base && linked_base)
		note.pc += r->base - linked_base;
	if (!*note.provider || !*note.name ||
	    elf_segment_offset(r->segs, r->nsegs, note.pc, true, &note.pc_offset))
		return;
	if (note.semaphore &&
	    elf_segment_offset(r->segs, r->nsegs, note.semaphore, false, &note.semaphore_offset))
		return;
	r->v = arena_grow(r->a, r->v, r->n, &r->cap, sizeof(*r->v), 16);
	r->v[r->n++] = note;
}

static void read_section(struct note_reader *r, Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off;

	if (!d || !d->d_buf)
		return;
	while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *owner = (const char *)d->d_buf + name_off;
		if (nh.n_type == NOTE_TYPE_STAPSDT && nh.n_namesz == sizeof("stapsdt") &&
		    !memcmp(owner, "stapsdt", sizeof("stapsdt")))
			add_note(r, (const char *)d->d_buf + desc_off, nh.n_descsz);
	}
}

int usdt_notes_read(struct arena *a, const char *path, struct usdt_note **out, int *n)
{
	struct elf_syms e;
	struct note_reader r = { .a = a };
	GElf_Shdr sh;
	Elf_Scn *notes;

	*out = NULL;
	*n = 0;
	if (elf_syms_open(&e, path))
		return -1;
	r.is64 = gelf_getclass(e.elf) == ELFCLASS64;
	notes = find_section(e.elf, ".note.stapsdt", &sh);
	if (notes && sh.sh_type == SHT_NOTE && !elf_syms_segments(&e, &r.segs, &r.nsegs)) {
		GElf_Shdr base_sh;
		if (find_section(e.elf, ".stapsdt.base", &base_sh))
			r.base = base_sh.sh_addr;
		read_section(&r, notes);
		free(r.segs);
	}
	elf_syms_close(&e);
	*out = r.v;
	*n = r.n;
	return 0;
}
