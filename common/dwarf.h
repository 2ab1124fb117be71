/* Debug information (DWARF) of user binaries, read with elfutils' libdw:
 * the parameters of a function with their C types, the address of a source
 * line, and the source lines (inlined calls too) of an address.
 *
 * The DWARF is the binary's own, or that of a separate debug file found
 * by libdwfl's standard search: by GNU build id (DIR/.build-id/xx/rest.debug)
 * and by .gnu_debuglink (CRC checked) in the binary's directory, its .debug/
 * subdirectory and /usr/lib/debug, after the directories of $SONDE_DEBUGINFO
 * (what --debuginfo DIR[:DIR] sets). Split DWARF units (.dwo files) are read
 * through their skeletons.
 *
 * Types are described, not converted: a graph of struct dwarf_type (cyclic
 * through pointers, like the C types it describes), one node per type DIE,
 * allocated in the caller's arena. Callers turn it into their own types
 * (codegen: BTF; listing: C spelling). */
#ifndef SONDE_DWARF_H
#define SONDE_DWARF_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "elf_syms.h"

struct dwarf_file;

/* Open path (an ELF executable or shared object) and its debug info.
 * NULL when the file cannot be read as ELF. Strings and types it returns
 * live in the arena a; dwarf_close() releases the rest. */
struct dwarf_file *dwarf_open(struct arena *a, const char *path);
void dwarf_close(struct dwarf_file *f);

/* The file, or a separate debug file of it, has DWARF. */
bool dwarf_has_info(struct dwarf_file *f);

enum dwarf_kind {
	DWARF_INT,      /* size, is_signed, is_char */
	DWARF_BOOL,
	DWARF_FLOAT,
	DWARF_ENUM,     /* size, is_signed, enumerators */
	DWARF_POINTER,  /* target (NULL: void *); also C++ references */
	DWARF_STRUCT,   /* size, members; !complete: only declared */
	DWARF_UNION,
	DWARF_ARRAY,    /* target = element, nelems (0: unknown) */
	DWARF_TYPEDEF,  /* name, target */
	DWARF_CONST,    /* target */
	DWARF_VOLATILE, /* target */
	DWARF_FUNC,     /* a function type (target = return type): behind pointers */
	DWARF_OTHER,    /* anything else (pointer to member, ...) */
};

struct dwarf_type;

struct dwarf_member {
	const char *name;   /* NULL: an anonymous struct or union member */
	const struct dwarf_type *type;
	uint64_t bit_offset; /* from the start of the record */
	int bit_size;        /* 0 unless a bitfield */
};

struct dwarf_enumerator {
	const char *name;
	int64_t value;
};

struct dwarf_type {
	enum dwarf_kind kind;
	int index;        /* 0, 1, ... in the order read, per file: for memo tables */
	const char *name; /* NULL when anonymous (and for pointers, arrays, qualifiers) */
	uint64_t size;    /* bytes; 0 when unknown */
	bool is_signed;
	bool is_char;     /* DWARF_INT of a character encoding */
	bool complete;    /* DWARF_STRUCT/UNION/ENUM: defined, not only declared */
	const struct dwarf_type *target; /* NULL: void */
	uint64_t nelems;
	int n;            /* members or enumerators */
	const struct dwarf_member *members;
	const struct dwarf_enumerator *enums;
};

struct dwarf_param {
	const char *name; /* NULL when unnamed */
	const struct dwarf_type *type;
};

struct dwarf_func {
	const char *name;
	uint64_t entry;   /* ELF virtual address of the entry point */
	const struct dwarf_type *ret; /* NULL: void */
	int nparams;
	const struct dwarf_param *params;
	bool variadic;
};

/* The function whose entry is the address of the ELF function symbol
 * `name` (for several CUs or duplicates: that one), else the first
 * definition of that name. 0, or -ENOENT when the debug info has no such
 * function. */
int dwarf_function(struct dwarf_file *f, const char *name, struct dwarf_func *out);

/* The ELF virtual address of function symbol name (of the binary's symbol
 * table or its debug file's; versions ignored), 0 if there is none. */
uint64_t dwarf_symbol_address(struct dwarf_file *f, const char *name);

/* Call fn for each defined function symbol of the binary's symbol table,
 * or of its separate debug file's (found also by .gnu_debuglink alone), as
 * elf_syms_each_func does (ELF virtual addresses). A non-zero return of fn
 * stops the walk and is returned. */
int dwarf_each_function_symbol(struct dwarf_file *f, int (*fn)(const struct elf_func *f, void *arg),
			       void *arg);

/* Types read so far: indexes are below it. */
int dwarf_type_count(const struct dwarf_file *f);

/* The C spelling of a type as bpftrace lists it: "int", "const char*",
 * "struct point*", "enum color", "uint8_t". */
const char *dwarf_type_name(struct arena *a, const struct dwarf_type *t);

/* A source line of the line table: FILE matched as a whole path or a
 * path suffix ("prog.c", "src/prog.c"); col 0: any column. */
struct dwarf_line {
	uint64_t addr;    /* lowest ELF virtual address of a statement on the line */
	const char *file; /* as the line table names it */
	const char *func; /* the enclosing function's symbol, NULL if none */
	int prev, next;   /* with no code on the line: the closest lines with code, 0: none */
	int ncols;        /* no statement at the column: the columns of the line's (sorted) */
	int cols[8];
};

/* 0; -ENOENT: no such source file; -ESRCH: no statement on that line (and
 * column), prev/next say where the closest ones are. */
int dwarf_line_address(struct dwarf_file *f, const char *file, int line, int col,
		       struct dwarf_line *out);

/* One source frame of an address: inlined calls first, innermost first,
 * then the function the address is in. */
struct dwarf_frame {
	const char *func; /* the inlined function's or the containing function's name */
	const char *file; /* source file of the line, NULL when unknown */
	int line;
	bool inlined;
};

/* The source frames of ELF virtual address addr (at most max). Returns
 * their number, 0 when the debug info does not cover addr. */
int dwarf_source_frames(struct dwarf_file *f, uint64_t addr, struct dwarf_frame *out, int max);

#endif
