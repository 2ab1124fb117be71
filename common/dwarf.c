/* DWARF of user binaries through libdw/libdwfl (see dwarf.h). */
#include "dwarf.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A function symbol: its name without the version, its dwfl address. */
struct func_sym {
	const char *name;
	Dwarf_Addr addr;
};

/* A type node by the DIE it was read from: DIE offsets are unique per
 * Dwarf only (split units each have their own). */
struct memo_slot {
	const Dwarf *dbg;
	Dwarf_Off off;
	struct dwarf_type *type;
};

struct dwarf_file {
	struct arena *a;
	Dwfl_Callbacks callbacks; /* dwfl keeps a pointer to it */
	char *search_path;        /* and callbacks keep one to this */
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf *dbg;          /* NULL: no debug info */
	Dwarf_Addr dw_bias;  /* DWARF address + dw_bias = dwfl address */
	GElf_Addr elf_bias;  /* ELF virtual address + elf_bias = dwfl address */
	struct memo_slot *memo;
	size_t memo_cap, ntypes;
	int has_aranges;       /* .debug_aranges maps addresses to CUs: 1, 0, -1 not known yet */
	struct func_sym *syms; /* function symbols by name, built on first use */
	size_t nsyms;
	bool syms_read;
};

/* libdwfl's default search, after the directories of $SONDE_DEBUGINFO:
 * "" is the binary's own directory, ".debug" a subdirectory of it. */
#define DEFAULT_SEARCH ":.debug:/usr/lib/debug"

static char *search_path(struct arena *a)
{
	const char *dirs = getenv("SONDE_DEBUGINFO");
	return dirs && *dirs ? arena_printf(a, "%s:%s", dirs, DEFAULT_SEARCH) : arena_strdup(a, DEFAULT_SEARCH);
}

struct dwarf_file *dwarf_open(struct arena *a, const char *path)
{
	struct dwarf_file *f = arena_alloc(a, sizeof(*f));
	f->a = a;
	f->search_path = search_path(a);
	f->callbacks = (Dwfl_Callbacks){
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
		.debuginfo_path = &f->search_path,
	};
	f->dwfl = dwfl_begin(&f->callbacks);
	if (!f->dwfl)
		return NULL;
	f->mod = dwfl_report_offline(f->dwfl, path, path, -1);
	if (!f->mod || dwfl_report_end(f->dwfl, NULL, NULL) != 0 || !dwfl_module_getelf(f->mod, &f->elf_bias)) {
		dwfl_end(f->dwfl);
		return NULL;
	}
	f->dbg = dwfl_module_getdwarf(f->mod, &f->dw_bias);
	f->has_aranges = -1;
	return f;
}

void dwarf_close(struct dwarf_file *f)
{
	if (f)
		dwfl_end(f->dwfl);
}

bool dwarf_has_info(struct dwarf_file *f)
{
	return f->dbg != NULL;
}

int dwarf_type_count(const struct dwarf_file *f)
{
	return (int)f->ntypes;
}

/* ---- types -------------------------------------------------------------- */

static size_t memo_hash(const Dwarf *dbg, Dwarf_Off off, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)dbg * 0x9e3779b97f4a7c15ull ^ off * 0xff51afd7ed558ccdull;
	return (size_t)(h ^ h >> 29) & (cap - 1);
}

static struct memo_slot *memo_find(struct dwarf_file *f, const Dwarf *dbg, Dwarf_Off off)
{
	size_t i = memo_hash(dbg, off, f->memo_cap);
	while (f->memo[i].type && !(f->memo[i].dbg == dbg && f->memo[i].off == off))
		i = (i + 1) & (f->memo_cap - 1);
	return &f->memo[i];
}

/* Keep the table at most half full (the old one stays in the arena). */
static void memo_grow(struct dwarf_file *f)
{
	if (f->ntypes * 2 < f->memo_cap)
		return;
	struct memo_slot *old = f->memo;
	size_t old_cap = f->memo_cap;
	f->memo_cap = old_cap ? old_cap * 2 : 256;
	f->memo = arena_alloc(f->a, f->memo_cap * sizeof(*f->memo));
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].type)
			*memo_find(f, old[i].dbg, old[i].off) = old[i];
}

static const char *copy_name(struct dwarf_file *f, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	return name ? arena_strdup(f->a, name) : NULL;
}

static bool udata(Dwarf_Die *die, unsigned attr, Dwarf_Word *out)
{
	Dwarf_Attribute at;
	return dwarf_attr_integrate(die, attr, &at) && dwarf_formudata(&at, out) == 0;
}

static bool ref_die(Dwarf_Die *die, unsigned attr, Dwarf_Die *out)
{
	Dwarf_Attribute at;
	return dwarf_attr_integrate(die, attr, &at) && dwarf_formref_die(&at, out);
}

static const struct dwarf_type *read_type(struct dwarf_file *f, Dwarf_Die *die);

/* The type of a DIE's DW_AT_type; NULL: void (or none). */
static const struct dwarf_type *type_of(struct dwarf_file *f, Dwarf_Die *die)
{
	Dwarf_Die t;
	return ref_die(die, DW_AT_type, &t) ? read_type(f, &t) : NULL;
}

/* Tags whose type is the one they modify (to what sonde reads). */
static bool is_transparent(int tag)
{
	return tag == DW_TAG_restrict_type || tag == DW_TAG_atomic_type || tag == DW_TAG_immutable_type ||
	       tag == DW_TAG_packed_type || tag == DW_TAG_shared_type;
}

static const struct {
	int tag;
	enum dwarf_kind kind;
} tag_kinds[] = {
	{ DW_TAG_pointer_type, DWARF_POINTER },  { DW_TAG_reference_type, DWARF_POINTER },
	{ DW_TAG_rvalue_reference_type, DWARF_POINTER },
	{ DW_TAG_structure_type, DWARF_STRUCT }, { DW_TAG_class_type, DWARF_STRUCT },
	{ DW_TAG_union_type, DWARF_UNION },      { DW_TAG_enumeration_type, DWARF_ENUM },
	{ DW_TAG_array_type, DWARF_ARRAY },      { DW_TAG_typedef, DWARF_TYPEDEF },
	{ DW_TAG_const_type, DWARF_CONST },      { DW_TAG_volatile_type, DWARF_VOLATILE },
	{ DW_TAG_subroutine_type, DWARF_FUNC },
};

static enum dwarf_kind base_kind(Dwarf_Die *die, struct dwarf_type *t)
{
	Dwarf_Word enc = 0;
	udata(die, DW_AT_encoding, &enc);
	switch (enc) {
	case DW_ATE_boolean:
		return DWARF_BOOL;
	case DW_ATE_float: case DW_ATE_complex_float: case DW_ATE_decimal_float:
		return DWARF_FLOAT;
	case DW_ATE_signed_char:
		t->is_char = true;
		/* fall through */
	case DW_ATE_signed:
		t->is_signed = true;
		return DWARF_INT;
	case DW_ATE_unsigned_char: case DW_ATE_UTF:
		t->is_char = true;
		/* fall through */
	case DW_ATE_unsigned:
		return DWARF_INT;
	default:
		return DWARF_OTHER;
	}
}

static int count_children(Dwarf_Die *die, int tag)
{
	Dwarf_Die c;
	int n = 0;
	if (dwarf_child(die, &c) == 0)
		do
			n += dwarf_tag(&c) == tag;
		while (dwarf_siblingof(&c, &c) == 0);
	return n;
}

/* A member's place: DW_AT_data_bit_offset (DWARF 4+), else the byte
 * offset, with the DWARF 2/3 DW_AT_bit_offset counted from the most
 * significant bit of the storage unit (x86-64 is little-endian). */
static void member_place(Dwarf_Die *m, struct dwarf_member *out)
{
	Dwarf_Word v = 0, bits = 0, storage = 0;
	udata(m, DW_AT_bit_size, &bits);
	out->bit_size = (int)bits;
	if (udata(m, DW_AT_data_bit_offset, &v)) {
		out->bit_offset = v;
		return;
	}
	Dwarf_Word byte = 0;
	udata(m, DW_AT_data_member_location, &byte);
	out->bit_offset = byte * 8;
	if (bits && udata(m, DW_AT_bit_offset, &v)) {
		int size = dwarf_bytesize(m);
		storage = size > 0 ? (Dwarf_Word)size * 8 : 0;
		if (!storage) {
			Dwarf_Die mt;
			if (ref_die(m, DW_AT_type, &mt) && dwarf_peel_type(&mt, &mt) == 0 && dwarf_bytesize(&mt) > 0)
				storage = (Dwarf_Word)dwarf_bytesize(&mt) * 8;
		}
		out->bit_offset += storage - v - bits;
	}
}

static void read_members(struct dwarf_file *f, Dwarf_Die *die, struct dwarf_type *t)
{
	int n = count_children(die, DW_TAG_member);
	struct dwarf_member *ms = arena_alloc(f->a, (size_t)(n ? n : 1) * sizeof(*ms));
	Dwarf_Die c;
	int k = 0;
	if (dwarf_child(die, &c) == 0)
		do {
			if (dwarf_tag(&c) != DW_TAG_member || k == n)
				continue;
			ms[k].name = copy_name(f, &c);
			member_place(&c, &ms[k]);
			ms[k].type = type_of(f, &c);
			k++;
		} while (dwarf_siblingof(&c, &c) == 0);
	t->members = ms;
	t->n = k;
}

static void read_enumerators(struct dwarf_file *f, Dwarf_Die *die, struct dwarf_type *t)
{
	int n = count_children(die, DW_TAG_enumerator);
	struct dwarf_enumerator *es = arena_alloc(f->a, (size_t)(n ? n : 1) * sizeof(*es));
	/* the enum's underlying type gives its sign; without one (DWARF 2/3)
	 * a negative enumerator does */
	const struct dwarf_type *under = type_of(f, die);
	while (under && under->kind == DWARF_TYPEDEF)
		under = under->target;
	t->is_signed = under && under->is_signed;
	Dwarf_Die c;
	int k = 0;
	if (dwarf_child(die, &c) == 0)
		do {
			Dwarf_Attribute at;
			if (dwarf_tag(&c) != DW_TAG_enumerator || k == n || !dwarf_attr(&c, DW_AT_const_value, &at))
				continue;
			Dwarf_Sword s = 0;
			Dwarf_Word u = 0;
			int form = dwarf_whatform(&at);
			if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
				dwarf_formsdata(&at, &s);
				if (s < 0 && !under)
					t->is_signed = true;
			} else {
				dwarf_formudata(&at, &u);
				s = (Dwarf_Sword)u;
				/* data1..data4 of a signed enum: sign-extend */
				if (t->is_signed && t->size && t->size < 8 && (u >> (t->size * 8 - 1) & 1))
					s = (Dwarf_Sword)(u | ~(Dwarf_Word)0 << (t->size * 8));
			}
			es[k].name = copy_name(f, &c);
			es[k].value = s;
			k++;
		} while (dwarf_siblingof(&c, &c) == 0);
	t->enums = es;
	t->n = k;
}

/* int a[2][3]: an array of 2 arrays of 3 ints (one subrange per dimension). */
static const struct dwarf_type *read_array(struct dwarf_file *f, Dwarf_Die *die, struct dwarf_type *t)
{
	int dims = count_children(die, DW_TAG_subrange_type);
	uint64_t *counts = arena_alloc(f->a, (size_t)(dims ? dims : 1) * sizeof(*counts));
	Dwarf_Die c;
	int k = 0;
	if (dwarf_child(die, &c) == 0)
		do {
			Dwarf_Word v;
			if (dwarf_tag(&c) != DW_TAG_subrange_type || k == dims)
				continue;
			counts[k] = udata(&c, DW_AT_count, &v) ? v : udata(&c, DW_AT_upper_bound, &v) ? v + 1 : 0;
			k++;
		} while (dwarf_siblingof(&c, &c) == 0);
	const struct dwarf_type *elem = type_of(f, die);
	for (int i = k - 1; i > 0; i--) {
		struct dwarf_type *inner = arena_alloc(f->a, sizeof(*inner));
		inner->kind = DWARF_ARRAY;
		inner->index = (int)f->ntypes++;
		inner->target = elem;
		inner->nelems = counts[i];
		inner->size = elem && elem->size ? elem->size * counts[i] : 0;
		elem = inner;
	}
	t->target = elem;
	t->nelems = k ? counts[0] : 0;
	if (!t->size && elem)
		t->size = elem->size * t->nelems;
	return t;
}

static const struct dwarf_type *read_type(struct dwarf_file *f, Dwarf_Die *die)
{
	int tag = dwarf_tag(die);
	if (is_transparent(tag))
		return type_of(f, die);
	if (tag == DW_TAG_unspecified_type)
		return NULL;
	const Dwarf *dbg = dwarf_cu_getdwarf(die->cu);
	Dwarf_Off off = dwarf_dieoffset(die);
	memo_grow(f);
	struct memo_slot *slot = memo_find(f, dbg, off);
	if (slot->type)
		return slot->type;
	/* registered before its parts are read: a struct reached again
	 * through a pointer member is this node */
	struct dwarf_type *t = arena_alloc(f->a, sizeof(*t));
	*slot = (struct memo_slot){ dbg, off, t };
	t->index = (int)f->ntypes++;
	t->kind = DWARF_OTHER;
	for (size_t i = 0; i < sizeof(tag_kinds) / sizeof(tag_kinds[0]); i++)
		if (tag_kinds[i].tag == tag)
			t->kind = tag_kinds[i].kind;
	if (tag == DW_TAG_base_type)
		t->kind = base_kind(die, t);
	if (t->kind != DWARF_POINTER && t->kind != DWARF_CONST && t->kind != DWARF_VOLATILE)
		t->name = copy_name(f, die);
	int size = dwarf_bytesize(die);
	t->size = size > 0 ? (uint64_t)size : t->kind == DWARF_POINTER ? 8 : 0;
	t->complete = !dwarf_hasattr_integrate(die, DW_AT_declaration);
	switch (t->kind) {
	case DWARF_STRUCT: case DWARF_UNION:
		read_members(f, die, t);
		break;
	case DWARF_ENUM:
		read_enumerators(f, die, t);
		break;
	case DWARF_ARRAY:
		read_array(f, die, t);
		break;
	case DWARF_POINTER: case DWARF_TYPEDEF: case DWARF_CONST: case DWARF_VOLATILE: case DWARF_FUNC:
		t->target = type_of(f, die);
		if (t->kind != DWARF_POINTER && t->target && !t->size)
			t->size = t->target->size;
		break;
	default:
		break;
	}
	return t;
}

/* ---- functions ---------------------------------------------------------- */

/* The CU DIE that holds a unit's DIEs: for a skeleton, its split unit. */
static bool unit_die(Dwarf_CU *cu, Dwarf_Die *out)
{
	uint8_t type;
	Dwarf_Die sub;
	if (dwarf_cu_info(cu, NULL, &type, out, &sub, NULL, NULL, NULL) != 0)
		return false;
	if (type == DW_UT_skeleton) {
		if (dwarf_tag(&sub) != DW_TAG_compile_unit)
			return false; /* its .dwo was not found */
		*out = sub;
	}
	return true;
}

struct func_query {
	const char *name;
	Dwarf_Addr entry; /* DWARF address of the symbol; 0: match by name */
	Dwarf_Die found;
	bool ok;
};

/* The entry of a function: its entry or low pc, or, for one split in
 * ranges (hot and cold parts), the start of its first range. */
static bool entry_of(Dwarf_Die *d, Dwarf_Addr *pc)
{
	Dwarf_Addr base, end;
	return dwarf_entrypc(d, pc) == 0 || dwarf_ranges(d, 0, &base, pc, &end) > 0;
}

static bool is_definition_of(Dwarf_Die *d, const struct func_query *q)
{
	Dwarf_Addr pc;
	if (q->entry)
		return dwarf_haspc(d, q->entry) == 1;
	if (!entry_of(d, &pc))
		return false;
	const char *name = dwarf_diename(d);
	Dwarf_Attribute at;
	const char *linkage = dwarf_formstring(dwarf_attr_integrate(d, DW_AT_linkage_name, &at));
	return (name && !strcmp(name, q->name)) || (linkage && !strcmp(linkage, q->name));
}

/* Search a scope's children (and namespaces and classes, for C++). */
static bool search_scope(Dwarf_Die *scope, struct func_query *q)
{
	Dwarf_Die c;
	if (dwarf_child(scope, &c) != 0)
		return false;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_subprogram && is_definition_of(&c, q)) {
			q->found = c;
			return q->ok = true;
		}
		if ((tag == DW_TAG_namespace || tag == DW_TAG_structure_type || tag == DW_TAG_class_type) &&
		    search_scope(&c, q))
			return true;
	} while (dwarf_siblingof(&c, &c) == 0);
	return false;
}

static bool search_units(struct dwarf_file *f, struct func_query *q)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die die;
	while (dwarf_get_units(f->dbg, cu, &cu, NULL, NULL, NULL, NULL) == 0)
		if (unit_die(cu, &die) && search_scope(&die, q))
			return true;
	return false;
}

static int by_name(const void *a, const void *b)
{
	const struct func_sym *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The function symbols of the binary's symbol table (or its debug
 * file's), sorted by name: -lv looks up every function. */
static void read_symbols(struct dwarf_file *f)
{
	int n = dwfl_module_getsymtab(f->mod);
	f->syms_read = true;
	if (n <= 1)
		return;
	f->syms = arena_alloc(f->a, (size_t)n * sizeof(*f->syms));
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);
		if (s && (type == STT_FUNC || type == STT_GNU_IFUNC) && addr)
			f->syms[f->nsyms++] = (struct func_sym){ arena_strndup(f->a, s, strcspn(s, "@")), addr };
	}
	qsort(f->syms, f->nsyms, sizeof(*f->syms), by_name);
}

/* The dwfl address of the ELF function symbol name (versions ignored;
 * the lowest address of several). 0 if none. */
static Dwarf_Addr symbol_address(struct dwarf_file *f, const char *name)
{
	if (!f->syms_read)
		read_symbols(f);
	size_t lo = 0, hi = f->nsyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(f->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nsyms && !strcmp(f->syms[lo].name, name) ? f->syms[lo].addr : 0;
}

int dwarf_each_function_symbol(struct dwarf_file *f, int (*fn)(const struct elf_func *f, void *arg),
			       void *arg)
{
	int n = dwfl_module_getsymtab(f->mod);
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *s = dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);
		if (!s || !addr || (type != STT_FUNC && type != STT_GNU_IFUNC))
			continue;
		size_t len = strcspn(s, "@");
		int bind = GELF_ST_BIND(sym.st_info);
		struct elf_func ef = {
			.name = s, .len = len, .plain = !s[len] || s[len + 1] == '@',
			.bind = bind == STB_GLOBAL ? ELF_BIND_GLOBAL : bind == STB_WEAK ? ELF_BIND_WEAK : ELF_BIND_LOCAL,
			.addr = addr - f->elf_bias, .size = sym.st_size,
		};
		int r = fn(&ef, arg);
		if (r)
			return r;
	}
	return 0;
}

uint64_t dwarf_symbol_address(struct dwarf_file *f, const char *name)
{
	Dwarf_Addr addr = symbol_address(f, name);
	return addr ? addr - f->elf_bias : 0;
}

/* clang emits no .debug_aranges: CUs are then found by walking them all. */
static bool has_aranges(struct dwarf_file *f)
{
	Dwarf_Aranges *ar;
	size_t n = 0;
	if (f->has_aranges < 0)
		f->has_aranges = dwarf_getaranges(f->dbg, &ar, &n) == 0 && n > 0;
	return f->has_aranges;
}

/* The (skeleton) CU DIE whose ranges hold a dwfl address, NULL if none. */
static Dwarf_Die *cu_at(struct dwarf_file *f, Dwarf_Addr addr, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(f->mod, addr, bias);
	if (cu || has_aranges(f))
		return cu;
	while ((cu = dwfl_module_nextcu(f->mod, cu, bias)))
		if (dwarf_haspc(cu, addr - *bias) == 1)
			return cu;
	return NULL;
}

/* The function at a dwfl address: its CU by address ranges, then its DIE
 * by address, else by name in that CU. Without a CU there, the DWARF
 * does not describe the function (it is not searched for by name: -lv
 * asks for every symbol, most of them in CUs without debug info). */
static bool find_at(struct dwarf_file *f, Dwarf_Addr addr, struct func_query *q)
{
	Dwarf_Addr bias;
	Dwarf_Die *cudie = cu_at(f, addr, &bias);
	Dwarf_Die die;
	if (!cudie || !unit_die(cudie->cu, &die))
		return false;
	q->entry = addr - bias;
	if (search_scope(&die, q))
		return true;
	q->entry = 0;
	return search_scope(&die, q);
}

static void read_params(struct dwarf_file *f, Dwarf_Die *fn, struct dwarf_func *out)
{
	int n = count_children(fn, DW_TAG_formal_parameter);
	struct dwarf_param *ps = arena_alloc(f->a, (size_t)(n ? n : 1) * sizeof(*ps));
	Dwarf_Die c;
	int k = 0;
	if (dwarf_child(fn, &c) == 0)
		do {
			int tag = dwarf_tag(&c);
			if (tag == DW_TAG_unspecified_parameters)
				out->variadic = true;
			if (tag != DW_TAG_formal_parameter || k == n)
				continue;
			ps[k].name = copy_name(f, &c);
			ps[k].type = type_of(f, &c);
			k++;
		} while (dwarf_siblingof(&c, &c) == 0);
	out->params = ps;
	out->nparams = k;
}

int dwarf_function(struct dwarf_file *f, const char *name, struct dwarf_func *out)
{
	struct func_query q = { .name = name };
	memset(out, 0, sizeof(*out));
	if (!f->dbg)
		return -ENOENT;
	Dwarf_Addr sym = symbol_address(f, name);
	if (sym ? !find_at(f, sym, &q) : !search_units(f, &q))
		return -ENOENT;
	Dwarf_Addr pc = 0;
	entry_of(&q.found, &pc);
	out->name = arena_strdup(f->a, name);
	out->entry = sym ? sym - f->elf_bias : pc + f->dw_bias - f->elf_bias;
	out->ret = type_of(f, &q.found);
	read_params(f, &q.found, out);
	return 0;
}

/* ---- type names ---------------------------------------------------------- */

static const char *record_word(enum dwarf_kind k)
{
	return k == DWARF_STRUCT ? "struct" : k == DWARF_UNION ? "union" : "enum";
}

const char *dwarf_type_name(struct arena *a, const struct dwarf_type *t)
{
	if (!t)
		return "void";
	const char *target = dwarf_type_name(a, t->target);
	switch (t->kind) {
	case DWARF_STRUCT: case DWARF_UNION: case DWARF_ENUM:
		return arena_printf(a, "%s %s", record_word(t->kind), t->name ? t->name : "(anonymous)");
	case DWARF_POINTER:
		if (t->target && t->target->kind == DWARF_FUNC)
			return arena_printf(a, "%s(*)()", dwarf_type_name(a, t->target->target));
		return arena_printf(a, "%s*", target);
	case DWARF_CONST: case DWARF_VOLATILE: {
		const char *q = t->kind == DWARF_CONST ? "const" : "volatile";
		/* char *const: the qualifier follows what it qualifies */
		if (t->target && t->target->kind == DWARF_POINTER)
			return arena_printf(a, "%s %s", target, q);
		return arena_printf(a, "%s %s", q, target);
	}
	case DWARF_ARRAY: {
		/* int[2][3]: the outer dimension first */
		const char *dims = "";
		for (; t && t->kind == DWARF_ARRAY; t = t->target)
			dims = arena_printf(a, "%s[%llu]", dims, (unsigned long long)t->nelems);
		return arena_printf(a, "%s%s", dwarf_type_name(a, t), dims);
	}
	case DWARF_FUNC:
		return arena_printf(a, "%s()", target);
	default:
		return t->name ? t->name : "<unknown type>";
	}
}

/* ---- lines --------------------------------------------------------------- */

/* path is file, or ends in "/file"; or the other way round, for a line
 * table that names its files relative to the compilation directory. */
static bool same_file(const char *path, const char *file)
{
	size_t pl = strlen(path), fl = strlen(file);
	if (pl == fl)
		return !strcmp(path, file);
	const char *longer = pl > fl ? path : file, *shorter = pl > fl ? file : path;
	size_t d = pl > fl ? pl - fl : fl - pl;
	return shorter[0] != '/' && longer[d - 1] == '/' && !strcmp(longer + d, shorter);
}

struct line_search {
	const char *file;
	int line, col;
	bool file_seen, found;
	Dwarf_Addr addr;
	const char *src;
	struct dwarf_line *out; /* prev, next and cols filled as found */
};

/* Keep the first columns of the line, sorted, each once. */
static void add_column(struct dwarf_line *out, int col)
{
	int i = 0;
	while (i < out->ncols && out->cols[i] < col)
		i++;
	if ((i < out->ncols && out->cols[i] == col) || i == (int)(sizeof(out->cols) / sizeof(out->cols[0])))
		return;
	if (out->ncols == (int)(sizeof(out->cols) / sizeof(out->cols[0])))
		out->ncols--;
	memmove(out->cols + i + 1, out->cols + i, (size_t)(out->ncols - i) * sizeof(*out->cols));
	out->cols[i] = col;
	out->ncols++;
}

static void search_lines(Dwarf_Die *cudie, Dwarf_Addr bias, struct line_search *ls)
{
	Dwarf_Lines *lines;
	size_t n;
	if (dwarf_getsrclines(cudie, &lines, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		const char *src = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
		bool stmt = false, end = false;
		int lineno = 0, col = 0;
		Dwarf_Addr addr;
		if (!src || !same_file(src, ls->file) || dwarf_linebeginstatement(l, &stmt) || !stmt ||
		    dwarf_lineendsequence(l, &end) || end || dwarf_lineno(l, &lineno) || dwarf_lineaddr(l, &addr))
			continue;
		ls->file_seen = true;
		dwarf_linecol(l, &col);
		if (lineno == ls->line && (!ls->col || col == ls->col)) {
			if (!ls->found || addr + bias < ls->addr) {
				ls->addr = addr + bias;
				ls->src = src;
			}
			ls->found = true;
		} else if (lineno == ls->line) {
			add_column(ls->out, col);
		} else if (lineno < ls->line && lineno > ls->out->prev) {
			ls->out->prev = lineno;
		} else if (lineno > ls->line && (!ls->out->next || lineno < ls->out->next)) {
			ls->out->next = lineno;
		}
	}
}

int dwarf_line_address(struct dwarf_file *f, const char *file, int line, int col, struct dwarf_line *out)
{
	struct line_search ls = { .file = file, .line = line, .col = col, .out = out };
	Dwarf_Die *cu = NULL;
	Dwarf_Addr bias;
	memset(out, 0, sizeof(*out));
	while ((cu = dwfl_module_nextcu(f->mod, cu, &bias)))
		search_lines(cu, bias, &ls);
	if (!ls.file_seen)
		return -ENOENT;
	if (!ls.found)
		return -ESRCH;
	const char *func = dwfl_module_addrname(f->mod, ls.addr);
	out->addr = ls.addr - f->elf_bias;
	out->file = arena_strdup(f->a, ls.src);
	out->func = func ? arena_strdup(f->a, func) : NULL;
	return 0;
}

/* ---- source frames ------------------------------------------------------- */

static const char *decl_name(struct dwarf_file *f, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	return arena_strdup(f->a, name ? name : "??");
}

/* The file of a DW_AT_call_file number, through the CU's file table. */
static const char *call_file(Dwarf_Die *cudie, Dwarf_Word idx)
{
	Dwarf_Files *files;
	size_t n;
	if (dwarf_getsrcfiles(cudie, &files, &n) != 0 || idx >= n)
		return NULL;
	return dwarf_filesrc(files, idx, NULL, NULL);
}

/* The innermost function or inlined call among scopes[from..n). */
static Dwarf_Die *first_function(Dwarf_Die *scopes, int from, int n)
{
	for (int i = from; i < n; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_inlined_subroutine || dwarf_tag(&scopes[i]) == DW_TAG_subprogram)
			return &scopes[i];
	return NULL;
}

int dwarf_source_frames(struct dwarf_file *f, uint64_t vaddr, struct dwarf_frame *out, int max)
{
	Dwarf_Addr addr = vaddr + f->elf_bias, bias;
	Dwarf_Die *cudie = f->dbg ? cu_at(f, addr, &bias) : NULL;
	Dwarf_Line *dl = cudie ? dwarf_getsrc_die(cudie, addr - bias) : NULL;
	if (!dl || max <= 0)
		return 0;
	int line = 0;
	const char *file = dwarf_linesrc(dl, NULL, NULL);
	dwarf_lineno(dl, &line);
	Dwarf_Die *scopes = NULL;
	int nscopes = dwarf_getscopes(cudie, addr - bias, &scopes), n = 0;
	Dwarf_Die *fn = first_function(scopes, 0, nscopes);
	/* from the innermost inlined call out: each frame's line is where the
	 * frame inside it was called */
	while (fn && n < max) {
		Dwarf_Die origin, die = *fn;
		bool inlined = dwarf_tag(&die) == DW_TAG_inlined_subroutine;
		Dwarf_Die *named = ref_die(&die, DW_AT_abstract_origin, &origin) ? &origin : &die;
		out[n++] = (struct dwarf_frame){ decl_name(f, named), file ? arena_strdup(f->a, file) : NULL, line,
						 inlined };
		if (!inlined)
			break;
		Dwarf_Word cf = 0, cl = 0;
		udata(&die, DW_AT_call_file, &cf);
		udata(&die, DW_AT_call_line, &cl);
		file = call_file(cudie, cf);
		line = (int)cl;
		/* the scopes around the inlined call in its caller */
		free(scopes);
		scopes = NULL;
		nscopes = dwarf_getscopes_die(&die, &scopes);
		fn = first_function(scopes, 1, nscopes);
	}
	free(scopes);
	if (!n) {
		const char *sym = dwfl_module_addrname(f->mod, addr);
		out[n++] = (struct dwarf_frame){ arena_strdup(f->a, sym ? sym : "??"),
						 file ? arena_strdup(f->a, file) : NULL, line, false };
	}
	return n;
}
