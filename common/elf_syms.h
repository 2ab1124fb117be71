/* Function symbols and load segments of ELF files (libelf). Used to resolve
 * uprobe targets (symbol -> address -> file offset, wildcard listing) and to
 * symbolize user stacks (address -> symbol). */
#ifndef SONDE_ELF_SYMS_H
#define SONDE_ELF_SYMS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Elf; /* libelf's handle */

/* An ELF file open for reading. */
struct elf_syms {
	struct Elf *elf;
	int fd; /* ours to close; -1 when the caller owns the descriptor */
};

/* Open path, or read the descriptor fd (which stays the caller's). 0, or -1
 * when the file cannot be read or is not ELF. */
int elf_syms_open(struct elf_syms *e, const char *path);
int elf_syms_open_fd(struct elf_syms *e, int fd);
void elf_syms_close(struct elf_syms *e);

/* An executable or shared object (not a relocatable object or a core). */
bool elf_syms_is_loadable(const struct elf_syms *e);

/* The GNU build id (copied to id, at most cap bytes): its length, 0 when
 * the file has none. */
size_t elf_syms_build_id(const struct elf_syms *e, unsigned char *id, size_t cap);

/* Call fn with each DT_NEEDED library name ("libc.so.6") of the dynamic
 * section. A non-zero return of fn stops the walk and is returned. */
int elf_syms_each_needed(const struct elf_syms *e, int (*fn)(const char *soname, void *arg),
			 void *arg);

/* The separate debug file of e, /usr/lib/debug/.build-id/xx/yyyy.debug
 * (by the GNU build id). 0, or -1 when there is no build id or no file. */
int elf_syms_open_debug(const struct elf_syms *e, struct elf_syms *debug);

enum elf_sym_table { ELF_SYMTAB, ELF_DYNSYM };
enum elf_sym_bind { ELF_BIND_LOCAL, ELF_BIND_WEAK, ELF_BIND_GLOBAL };

/* A defined function symbol (STT_FUNC or STT_GNU_IFUNC, non-zero address). */
struct elf_func {
	const char *name; /* as in the table: "clock_nanosleep@@GLIBC_2.17" */
	size_t len;       /* without the "@VERSION" or "@@VERSION" suffix; > 0 */
	bool plain;       /* unversioned, or the default ("@@") version */
	enum elf_sym_bind bind; /* other bindings count as local */
	uint64_t addr, size;
};

/* true when the file has a non-empty table of that kind. */
bool elf_syms_has_table(const struct elf_syms *e, enum elf_sym_table table);
/* Call fn for each function symbol of the table (none when there is no
 * table). A non-zero return of fn stops the walk and is returned; -1 when
 * the table cannot be read. */
int elf_syms_each_func(const struct elf_syms *e, enum elf_sym_table table,
		       int (*fn)(const struct elf_func *f, void *arg), void *arg);

/* The same for data symbols (STT_OBJECT, STT_TLS), in a struct elf_func. */
int elf_syms_each_object(const struct elf_syms *e, enum elf_sym_table table,
			 int (*fn)(const struct elf_func *f, void *arg), void *arg);
/* A position-independent file (ET_DYN): its addresses are relative to
 * where it is loaded. */
bool elf_syms_is_pie(const struct elf_syms *e);

/* A PT_LOAD segment. */
struct elf_segment {
	uint64_t vaddr, offset, filesz, memsz;
	bool exec;
};
/* The PT_LOAD segments in a malloc'ed array of *n (free it). 0 or -1. */
int elf_syms_segments(const struct elf_syms *e, struct elf_segment **segs, size_t *n);
/* The file offset of a virtual address inside one of segs: with exec an
 * executable segment (code), else a data segment where the address has
 * bytes in the file (not .bss). 0, or -ENOENT when none holds it. */
int elf_segment_offset(const struct elf_segment *segs, size_t n, uint64_t vaddr, bool exec,
		       uint64_t *off);
/* The file offset of a virtual address inside an executable segment (what
 * uprobes attach to). 0, or -ENOENT when no such segment holds it. */
int elf_syms_vaddr_to_offset(const struct elf_syms *e, uint64_t vaddr, uint64_t *off);

#endif
