/* ELF symbol tables and segments (see elf_syms.h). */
#include "elf_syms.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const GElf_Word table_type[] = {
	[ELF_SYMTAB] = SHT_SYMTAB,
	[ELF_DYNSYM] = SHT_DYNSYM,
};

int elf_syms_open_fd(struct elf_syms *e, int fd)
{
	e->fd = -1;
	/* elf_version() only records the version: calling it each time is cheap */
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	e->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf)
		return -1;
	if (elf_kind(e->elf) != ELF_K_ELF) {
		elf_end(e->elf);
		e->elf = NULL;
		return -1;
	}
	return 0;
}

int elf_syms_open(struct elf_syms *e, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (elf_syms_open_fd(e, fd)) {
		close(fd);
		return -1;
	}
	e->fd = fd;
	return 0;
}

void elf_syms_close(struct elf_syms *e)
{
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	e->elf = NULL;
	e->fd = -1;
}

bool elf_syms_is_loadable(const struct elf_syms *e)
{
	GElf_Ehdr eh;

	return gelf_getehdr(e->elf, &eh) && (eh.e_type == ET_EXEC || eh.e_type == ET_DYN);
}

/* The GNU build id from the note sections: its length, 0 when none. */
static size_t build_id(Elf *elf, unsigned char *id, size_t cap)
{
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || !(d = elf_getdata(scn, NULL)))
			continue;
		GElf_Nhdr nh;
		size_t off = 0, noff, doff;
		while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((const char *)d->d_buf + noff, "GNU", 4) && nh.n_descsz >= 2 &&
			    nh.n_descsz <= cap) {
				memcpy(id, (const char *)d->d_buf + doff, nh.n_descsz);
				return nh.n_descsz;
			}
		}
	}
	return 0;
}

size_t elf_syms_build_id(const struct elf_syms *e, unsigned char *id, size_t cap)
{
	return build_id(e->elf, id, cap);
}

int elf_syms_each_needed(const struct elf_syms *e, int (*fn)(const char *soname, void *arg),
			 void *arg)
{
	for (Elf_Scn *scn = elf_nextscn(e->elf, NULL); scn; scn = elf_nextscn(e->elf, scn)) {
		GElf_Shdr sh;
		Elf_Data *d;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Dyn dyn;
			const char *name;
			if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag != DT_NEEDED ||
			    !(name = elf_strptr(e->elf, sh.sh_link, dyn.d_un.d_val)))
				continue;
			int r = fn(name, arg);
			if (r)
				return r;
		}
	}
	return 0;
}

int elf_syms_open_debug(const struct elf_syms *e, struct elf_syms *debug)
{
	unsigned char id[64];
	size_t idlen = build_id(e->elf, id, sizeof(id));

	if (!idlen)
		return -1;
	char path[256];
	int n = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (size_t i = 1; i < idlen && n < (int)sizeof(path) - 8; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", id[i]);
	snprintf(path + n, sizeof(path) - (size_t)n, ".debug");
	return elf_syms_open(debug, path);
}

/* The next non-empty section of the table's type after scn (NULL: first). */
static Elf_Scn *next_table(Elf *elf, Elf_Scn *scn, enum elf_sym_table table)
{
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == table_type[table] && sh.sh_size)
			return scn;
	}
	return NULL;
}

bool elf_syms_has_table(const struct elf_syms *e, enum elf_sym_table table)
{
	return next_table(e->elf, NULL, table) != NULL;
}

static enum elf_sym_bind sym_bind(const GElf_Sym *sym)
{
	switch (GELF_ST_BIND(sym->st_info)) {
	case STB_GLOBAL: return ELF_BIND_GLOBAL;
	case STB_WEAK: return ELF_BIND_WEAK;
	default: return ELF_BIND_LOCAL;
	}
}

/* Function symbols of a table, or (objects) data symbols. */
static int section_syms(Elf *elf, Elf_Scn *scn, bool objects, int (*fn)(const struct elf_func *f, void *arg),
			void *arg)
{
	GElf_Shdr sh;
	Elf_Data *d;

	if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(d = elf_getdata(scn, NULL)))
		return -1;
	size_t n = sh.sh_size / sh.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(d, (int)i, &sym))
			break;
		int type = GELF_ST_TYPE(sym.st_info);
		bool wanted = objects ? type == STT_OBJECT || type == STT_TLS : type == STT_FUNC || type == STT_GNU_IFUNC;
		if (!wanted || sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (!name || !*name || *name == '@')
			continue;
		/* .symtab names may carry symbol versions: "clock_nanosleep@@GLIBC_2.17"
		 * (default), "clock_nanosleep@GLIBC_2.2.5" (old) */
		size_t len = strcspn(name, "@");
		struct elf_func f = {
			.name = name,
			.len = len,
			.plain = !name[len] || name[len + 1] == '@',
			.bind = sym_bind(&sym),
			.addr = sym.st_value,
			.size = sym.st_size,
		};
		int r = fn(&f, arg);
		if (r)
			return r;
	}
	return 0;
}

static int each_sym(const struct elf_syms *e, enum elf_sym_table table, bool objects,
		    int (*fn)(const struct elf_func *f, void *arg), void *arg)
{
	for (Elf_Scn *scn = next_table(e->elf, NULL, table); scn;
	     scn = next_table(e->elf, scn, table)) {
		int r = section_syms(e->elf, scn, objects, fn, arg);
		if (r)
			return r;
	}
	return 0;
}

int elf_syms_each_func(const struct elf_syms *e, enum elf_sym_table table,
		       int (*fn)(const struct elf_func *f, void *arg), void *arg)
{
	return each_sym(e, table, false, fn, arg);
}

int elf_syms_each_object(const struct elf_syms *e, enum elf_sym_table table,
			 int (*fn)(const struct elf_func *f, void *arg), void *arg)
{
	return each_sym(e, table, true, fn, arg);
}

bool elf_syms_is_pie(const struct elf_syms *e)
{
	GElf_Ehdr eh;
	return gelf_getehdr(e->elf, &eh) && eh.e_type == ET_DYN;
}

int elf_syms_segments(const struct elf_syms *e, struct elf_segment **segs, size_t *n)
{
	size_t nph = 0;

	*segs = NULL;
	*n = 0;
	if (elf_getphdrnum(e->elf, &nph))
		return -1;
	struct elf_segment *v = calloc(nph ? nph : 1, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e->elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			v[(*n)++] = (struct elf_segment){
				ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, (ph.p_flags & PF_X) != 0
			};
	}
	*segs = v;
	return 0;
}

int elf_segment_offset(const struct elf_segment *segs, size_t n, uint64_t vaddr, bool exec,
		       uint64_t *off)
{
	for (size_t i = 0; i < n; i++) {
		const struct elf_segment *g = &segs[i];
		uint64_t size = exec ? g->memsz : g->filesz;
		if (g->exec == exec && vaddr >= g->vaddr && vaddr < g->vaddr + size) {
			*off = vaddr - g->vaddr + g->offset;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_syms_vaddr_to_offset(const struct elf_syms *e, uint64_t vaddr, uint64_t *off)
{
	struct elf_segment *segs;
	size_t n;

	if (elf_syms_segments(e, &segs, &n))
		return -ENOENT;
	int err = elf_segment_offset(segs, n, vaddr, true, off);
	free(segs);
	return err;
}
