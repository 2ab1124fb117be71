/* The DWARF of uprobe targets, as the compiler's types: each binary opened
 * once per compilation, each DWARF type it needs added once to the split
 * BTF of script types (codegen/btf_internal.h), so member access, pointer
 * reads and printing treat it like any kernel or script type. */
#ifndef SONDE_DWARF_BTF_H
#define SONDE_DWARF_BTF_H
#include "../common/dwarf.h"
#include "compiler.h"

/* One probed binary: its DWARF and the BTF ids its types got. */
struct dwarf_target {
	const char *path;
	struct dwarf_file *df; /* NULL: not readable as ELF */
	int *btf_ids;          /* by dwarf_type index; 0: not added yet */
	int nids;
	int index_type;        /* BTF id of the array index type, 0 until needed */
	struct dwarf_target *next;
};

/* The target of path, opened on first use. */
struct dwarf_target *dwarf_target_get(struct compiler *c, const char *path);

/* Close every target (at the end of compilation). */
void dwarf_targets_close(struct compiler *c);

/* The compiler's type of a DWARF type (its BTF conversion): NULL for void
 * and for types sonde cannot represent. */
const struct type *dwarf_btf_type(struct compiler *c, struct dwarf_target *t, const struct dwarf_type *dt);

#endif
