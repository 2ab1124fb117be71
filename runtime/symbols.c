/* Kernel and user symbol resolution (see symbols.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/dwarf.h"
#include "../common/elf_syms.h"
#include "../common/file.h"
#include "../common/ldcache.h"
#include "../common/limits.h"

/* ---- sorted symbol tables ---- */

struct sym {
	uint64_t addr;
	uint64_t size; /* 0: up to the next symbol */
	uint32_t name; /* offset into symtab.names */
	uint32_t rank; /* among symbols at one address the highest rank wins */
};

struct symtab {
	struct sym *v;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
};

static int symtab_add(struct symtab *t, uint64_t addr, uint64_t size, const char *name,
		      size_t len, uint32_t rank)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct sym *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if (t->nlen + len + 1 > t->ncap) {
		size_t cap = t->ncap ? t->ncap : 16384;
		while (t->nlen + len + 1 > cap)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -E2BIG;
		char *p = realloc(t->names, cap);
		if (!p)
			return -ENOMEM;
		t->names = p;
		t->ncap = cap;
	}
	memcpy(t->names + t->nlen, name, len);
	t->names[t->nlen + len] = '\0';
	t->v[t->n++] = (struct sym){ addr, size, (uint32_t)t->nlen, rank };
	t->nlen += len + 1;
	return 0;
}

/* Address ascending, then rank descending, then order of addition (the
 * name offsets grow with it). */
static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Sort and keep one symbol per address. With sizes_from_next, every symbol
 * extends to the next one (kallsyms has no sizes). */
static void symtab_finish(struct symtab *t, bool sizes_from_next)
{
	size_t j = 0;

	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), sym_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (j && t->v[j - 1].addr == t->v[i].addr) {
			/* a sized alias covers more than an unsized best one */
			if (!t->v[j - 1].size)
				t->v[j - 1].size = t->v[i].size;
			continue;
		}
		t->v[j++] = t->v[i];
	}
	t->n = j;
	if (sizes_from_next)
		for (size_t i = 0; i + 1 < t->n; i++)
			t->v[i].size = t->v[i + 1].addr - t->v[i].addr;
	if (t->n < t->cap) {
		struct sym *v = realloc(t->v, (t->n ? t->n : 1) * sizeof(*v));
		if (v) {
			t->v = v;
			t->cap = t->n ? t->n : 1;
		}
	}
}

static void symtab_free(struct symtab *t)
{
	free(t->v);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* The symbol containing addr, or NULL. */
static const struct sym *symtab_find(const struct symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	/* first symbol with v.addr > addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	size_t i = lo - 1;
	if (!t->v[i].size || addr - t->v[i].addr < t->v[i].size)
		return &t->v[i];
	/* a larger symbol starting earlier may enclose this one */
	for (size_t k = 1; k <= 16 && k <= i; k++) {
		const struct sym *s = &t->v[i - k];
		if (s->size && addr - s->addr < s->size)
			return s;
	}
	return NULL;
}

/* ---- user-space files and processes ---- */

#define MAX_BUILD_ID 20 /* what the kernel's build-id stacks carry */

struct elf_file {
	char *path;      /* as in /proc/PID/maps */
	uint64_t dev, inode;
	struct symtab syms;
	struct elf_segment *segs; /* PT_LOAD */
	size_t nsegs;
	bool loaded;     /* ELF could be read (else: no symbols) */
	bool fixed;      /* a non-PIE executable: its addresses are absolute */
	unsigned char build_id[MAX_BUILD_ID]; /* zero-padded, like the kernel's */
	size_t build_id_len;                  /* 0: none */
};

struct umap {
	uint64_t start, end, offset;
	struct elf_file *file;
};

struct upid {
	uint32_t pid;
	bool used;
	bool readable;         /* maps were read at least once */
	struct umap *maps;     /* sorted by start */
	size_t n;
	struct timespec loaded;
};

struct symbolizer {
	bool kernel_loaded;
	struct symtab kernel;
	struct elf_file **files;
	size_t nfiles, capfiles;
	struct upid *pids; /* open addressing, cap a power of two */
	size_t npids, cappids;
	char **binaries;   /* symbolizer_add_binary(), not yet looked at */
	size_t nbinaries;
	/* files known without a process: the probed binaries, the libraries
	 * they need, debug files found by build id (or not found: no symbols) */
	struct elf_file **known;
	size_t nknown;
};

struct symbolizer *symbolizer_new(void)
{
	return calloc(1, sizeof(struct symbolizer));
}

static void file_free(struct elf_file *f)
{
	free(f->path);
	symtab_free(&f->syms);
	free(f->segs);
	free(f);
}

void symbolizer_free(struct symbolizer *s)
{
	if (!s)
		return;
	symtab_free(&s->kernel);
	for (size_t i = 0; i < s->nfiles; i++)
		file_free(s->files[i]);
	free(s->files);
	for (size_t i = 0; i < s->cappids; i++)
		free(s->pids[i].maps);
	free(s->pids);
	for (size_t i = 0; i < s->nbinaries; i++)
		free(s->binaries[i]);
	free(s->binaries);
	for (size_t i = 0; i < s->nknown; i++)
		file_free(s->known[i]);
	free(s->known);
	free(s);
}

/* ---- kernel ---- */

#define KERNEL_MAX_SYMBOL_SIZE (1u << 20)

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static uint32_t kernel_rank(char type)
{
	switch (type) {
	case 'T': return 3;
	case 'W': case 'w': return 2;
	default: return 1;
	}
}

static void load_kernel(struct symbolizer *s)
{
	char *buf = file_read_all("/proc/kallsyms", NULL);

	s->kernel_loaded = true;
	if (!buf)
		return;
	/* "ffffffff816b5850 T vfs_read" or "... t name\t[module]" */
	for (char *p = buf; *p;) {
		char *eol = strchr(p, '\n');
		char *next = eol ? eol + 1 : p + strlen(p);
		uint64_t addr = 0;
		char *q = p;

		while (is_hex(*q)) {
			char c = *q++;
			addr = addr * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		}
		if (q > p && *q == ' ' && q[1] && q[2] == ' ' && addr && strchr("tTwW", q[1])) {
			char type = q[1];
			char *name = q + 3;
			size_t len = strcspn(name, " \t\n");
			if (len && symtab_add(&s->kernel, addr, 0, name, len, kernel_rank(type))) {
				symtab_free(&s->kernel);
				break;
			}
		}
		p = next;
	}
	free(buf);
	symtab_finish(&s->kernel, true);
}

bool ksym_lookup(struct symbolizer *s, uint64_t addr, const char **name, uint64_t *offset)
{
	if (!s)
		return false;
	if (!s->kernel_loaded)
		load_kernel(s);
	const struct sym *sym = symtab_find(&s->kernel, addr);
	if (!sym)
		return false;
	/* kallsyms has no sizes: symbols extend to the next one, which may be
	 * far away (end markers like _einittext before the module area); no
	 * kernel function is anywhere near 1 MiB long */
	if (addr - sym->addr >= KERNEL_MAX_SYMBOL_SIZE)
		return false;
	if (name)
		*name = s->kernel.names + sym->name;
	if (offset)
		*offset = addr - sym->addr;
	return true;
}

/* ---- ELF files ---- */

/* Among symbols at one address: sized over unsized, then global over weak
 * over local, and (first of all) plain names over old versions. */
static const uint32_t bind_rank[] = {
	[ELF_BIND_LOCAL] = 1,
	[ELF_BIND_WEAK] = 2,
	[ELF_BIND_GLOBAL] = 3,
};

/* Symbol names are printed without their version suffix. */
static int add_elf_sym(const struct elf_func *fn, void *arg)
{
	uint32_t rank = bind_rank[fn->bind] + (fn->size ? 4 : 0) + (fn->plain ? 8 : 0);

	return symtab_add(arg, fn->addr, fn->size, fn->name, fn->len, rank) ? -1 : 0;
}

/* The separate debug file's .symtab, if it has one. */
static bool load_debug_syms(struct symtab *t, const struct elf_syms *e)
{
	struct elf_syms de;
	bool ok = false;

	if (elf_syms_open_debug(e, &de))
		return false;
	if (elf_syms_has_table(&de, ELF_SYMTAB))
		ok = !elf_syms_each_func(&de, ELF_SYMTAB, add_elf_sym, t) && t->n > 0;
	elf_syms_close(&de);
	return ok;
}

/* The symbols of a debug file found as libdw finds it (also by
 * .gnu_debuglink alone, or in --debuginfo directories). */
static bool load_debuglink_syms(struct symtab *t, const char *path)
{
	struct arena a = { 0 };
	struct dwarf_file *df = dwarf_open(&a, path);
	bool ok = df && !dwarf_each_function_symbol(df, add_elf_sym, t) && t->n > 0;
	dwarf_close(df);
	arena_free(&a);
	return ok;
}

/* Function symbols: .symtab, else the debug file's, else .dynsym. */
static void load_elf(struct elf_file *f, int fd)
{
	struct elf_syms e;

	if (elf_syms_open_fd(&e, fd))
		return;
	if (elf_syms_segments(&e, &f->segs, &f->nsegs))
		goto out;
	f->fixed = elf_syms_is_loadable(&e) && !elf_syms_is_pie(&e);
	f->build_id_len = elf_syms_build_id(&e, f->build_id, sizeof(f->build_id));
	/* a table that cannot be read (or symbols that do not fit) leaves the
	 * symbols read so far */
	if (elf_syms_has_table(&e, ELF_SYMTAB)) {
		elf_syms_each_func(&e, ELF_SYMTAB, add_elf_sym, &f->syms);
	} else if (!load_debug_syms(&f->syms, &e) && !load_debuglink_syms(&f->syms, f->path)) {
		symtab_free(&f->syms);
		elf_syms_each_func(&e, ELF_DYNSYM, add_elf_sym, &f->syms);
	}
	symtab_finish(&f->syms, false);
	f->loaded = true;
out:
	elf_syms_close(&e);
}

/* The file's symbol address of a file offset (PIE, non-PIE, libraries). */
static uint64_t file_vaddr(const struct elf_file *f, uint64_t off)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct elf_segment *g = &f->segs[i];
		uint64_t size = g->filesz > g->memsz ? g->filesz : g->memsz;
		if (off >= g->offset && off - g->offset < size)
			return off - g->offset + g->vaddr;
	}
	return off;
}

/* ---- /proc/PID/maps ---- */

static struct elf_file *get_file(struct symbolizer *s, uint32_t pid, const char *range,
				 const char *path, uint64_t dev, uint64_t inode)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		struct elf_file *f = s->files[i];
		if (f->dev == dev && f->inode == inode && !strcmp(f->path, path))
			return f;
	}
	if (s->nfiles == s->capfiles) {
		size_t cap = s->capfiles ? s->capfiles * 2 : 32;
		struct elf_file **v = realloc(s->files, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->files = v;
		s->capfiles = cap;
	}
	struct elf_file *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	f->dev = dev;
	f->inode = inode;
	/* the mapped file itself (works for deleted files and other mount
	 * namespaces), then the path in the process's root, then ours */
	char p[4096];
	int fd;
	snprintf(p, sizeof(p), "/proc/%" PRIu32 "/map_files/%s", pid, range);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(p, sizeof(p), "/proc/%" PRIu32 "/root%s", pid, path);
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;
		/* a different file now lives at the path: no symbols */
		if (!fstat(fd, &st) && (!inode || st.st_ino == inode))
			load_elf(f, fd);
		close(fd);
	}
	s->files[s->nfiles++] = f;
	return f;
}

static int umap_cmp(const void *a, const void *b)
{
	const struct umap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Read the executable file mappings of pid. false if the maps are unreadable. */
static bool read_maps(struct symbolizer *s, struct upid *u)
{
	char path[64];
	char *buf;

	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/maps", u->pid);
	buf = file_read_all(path, NULL);
	if (!buf)
		return false;
	struct umap *v = NULL;
	size_t n = 0, cap = 0;
	for (char *line = buf; *line;) {
		char *eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		/* start-end perms offset dev inode path */
		unsigned long long start, end, off, inode;
		unsigned int major, minor;
		char perms[8];
		int pos = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off, &major,
			   &minor, &inode, &pos) >= 7 &&
		    pos > 0 && strlen(perms) >= 3 && perms[2] == 'x' && line[pos] == '/') {
			char range[64];
			const char *dash = strchr(line, ' ');
			snprintf(range, sizeof(range), "%.*s", (int)(dash - line), line);
			struct elf_file *f = get_file(s, u->pid, range, line + pos,
						      ((uint64_t)major << 32) | minor, inode);
			if (f) {
				if (n == cap) {
					size_t c = cap ? cap * 2 : 16;
					struct umap *nv = realloc(v, c * sizeof(*nv));
					if (!nv)
						break;
					v = nv;
					cap = c;
				}
				v[n++] = (struct umap){ start, end, off, f };
			}
		}
		if (!eol)
			break;
		line = eol + 1;
	}
	free(buf);
	if (n > 1)
		qsort(v, n, sizeof(*v), umap_cmp);
	free(u->maps);
	u->maps = v;
	u->n = n;
	u->readable = true;
	clock_gettime(CLOCK_MONOTONIC, &u->loaded);
	return true;
}

static size_t pid_slot(uint32_t pid, size_t cap)
{
	return (size_t)(pid * 2654435761u) & (cap - 1);
}

static struct upid *find_pid(struct symbolizer *s, uint32_t pid)
{
	if (!s->cappids)
		return NULL;
	for (size_t i = pid_slot(pid, s->cappids);; i = (i + 1) & (s->cappids - 1)) {
		if (!s->pids[i].used)
			return NULL;
		if (s->pids[i].pid == pid)
			return &s->pids[i];
	}
}

static bool grow_pids(struct symbolizer *s)
{
	size_t cap = s->cappids ? s->cappids * 2 : 64;
	struct upid *v = calloc(cap, sizeof(*v));

	if (!v)
		return false;
	for (size_t i = 0; i < s->cappids; i++) {
		if (!s->pids[i].used)
			continue;
		size_t j = pid_slot(s->pids[i].pid, cap);
		while (v[j].used)
			j = (j + 1) & (cap - 1);
		v[j] = s->pids[i];
	}
	free(s->pids);
	s->pids = v;
	s->cappids = cap;
	return true;
}

/* Drop every cached process and the files only they referenced, so that a
 * long run over many short-lived processes stays bounded. */
static void flush_pids(struct symbolizer *s)
{
	for (size_t i = 0; i < s->cappids; i++)
		free(s->pids[i].maps);
	memset(s->pids, 0, s->cappids * sizeof(*s->pids));
	s->npids = 0;
	for (size_t i = 0; i < s->nfiles; i++)
		file_free(s->files[i]);
	s->nfiles = 0;
}

/* The cached state of pid, loading it at first use. */
static struct upid *get_pid(struct symbolizer *s, uint32_t pid)
{
	struct upid *u = find_pid(s, pid);

	if (u)
		return u;
	if (s->npids >= LIMIT_SYMBOL_PIDS)
		flush_pids(s);
	if ((s->npids + 1) * 2 > s->cappids && !grow_pids(s))
		return NULL;
	size_t i = pid_slot(pid, s->cappids);
	while (s->pids[i].used)
		i = (i + 1) & (s->cappids - 1);
	u = &s->pids[i];
	memset(u, 0, sizeof(*u));
	u->used = true;
	u->pid = pid;
	s->npids++;
	read_maps(s, u);
	if (!u->readable)
		clock_gettime(CLOCK_MONOTONIC, &u->loaded);
	return u;
}

void symbolizer_prefetch_pid(struct symbolizer *s, uint32_t pid)
{
	if (s)
		get_pid(s, pid);
}

void symbolizer_forget_pid(struct symbolizer *s, uint32_t pid)
{
	struct upid *u = s ? find_pid(s, pid) : NULL;

	if (!u)
		return;
	/* re-insert the rest of the cluster behind it */
	size_t mask = s->cappids - 1, i = (size_t)(u - s->pids);
	free(u->maps);
	memset(u, 0, sizeof(*u));
	s->npids--;
	for (size_t j = (i + 1) & mask; s->pids[j].used; j = (j + 1) & mask) {
		struct upid e = s->pids[j];
		memset(&s->pids[j], 0, sizeof(s->pids[j]));
		size_t k = pid_slot(e.pid, s->cappids);
		while (s->pids[k].used)
			k = (k + 1) & mask;
		s->pids[k] = e;
	}
}

static const struct umap *find_map(const struct upid *u, uint64_t addr)
{
	size_t lo = 0, hi = u->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < u->maps[lo - 1].end)
		return &u->maps[lo - 1];
	return NULL;
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void symbolizer_add_binary(struct symbolizer *s, const char *path)
{
	char **v, *copy;

	if (!s || !(copy = strdup(path)))
		return;
	v = realloc(s->binaries, (s->nbinaries + 1) * sizeof(*v));
	if (!v) {
		free(copy);
		return;
	}
	s->binaries = v;
	s->binaries[s->nbinaries++] = copy;
}

/* A file known without a process, loaded from path (name: how it is shown). */
static struct elf_file *add_known(struct symbolizer *s, const char *path, const char *name)
{
	struct elf_file **v = realloc(s->known, (s->nknown + 1) * sizeof(*v));
	struct elf_file *f = calloc(1, sizeof(*f));

	if (v)
		s->known = v;
	if (!v || !f || !(f->path = strdup(name))) {
		free(f);
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		load_elf(f, fd);
		close(fd);
	}
	s->known[s->nknown++] = f;
	return f;
}

static bool is_known(const struct symbolizer *s, const char *path)
{
	for (size_t i = 0; i < s->nknown; i++)
		if (!strcmp(s->known[i]->path, path))
			return true;
	return false;
}

/* The libraries a probed binary needs, found as the dynamic linker would:
 * their frames resolve by build id after the process is gone. */
static int add_needed(const char *soname, void *arg)
{
	struct symbolizer *s = arg;
	char path[4096];

	if (ldcache_lookup(soname, path, sizeof(path)) && !is_known(s, path))
		add_known(s, path, path);
	return 0;
}

static void load_binaries(struct symbolizer *s)
{
	for (size_t i = 0; i < s->nbinaries; i++) {
		const char *path = s->binaries[i];
		struct elf_syms e;
		if (!is_known(s, path) && add_known(s, path, path) && !elf_syms_open(&e, path)) {
			elf_syms_each_needed(&e, add_needed, s);
			elf_syms_close(&e);
		}
		free(s->binaries[i]);
	}
	s->nbinaries = 0;
}

/* A non-PIE executable whose loaded segments hold addr. */
static struct elf_file *find_fixed(struct symbolizer *s, uint64_t addr)
{
	load_binaries(s);
	for (size_t i = 0; i < s->nknown; i++) {
		struct elf_file *f = s->known[i];
		for (size_t k = 0; f->fixed && k < f->nsegs; k++)
			if (f->segs[k].exec && addr - f->segs[k].vaddr < f->segs[k].memsz)
				return f;
	}
	return NULL;
}

static bool same_build_id(const struct elf_file *f, const unsigned char *id)
{
	return f->build_id_len && !memcmp(f->build_id, id, MAX_BUILD_ID);
}

static struct elf_file *find_build_id(struct elf_file *const *files, size_t n,
				      const unsigned char *id)
{
	for (size_t i = 0; i < n; i++)
		if (same_build_id(files[i], id))
			return files[i];
	return NULL;
}

/* The file of a build id: one a process mapped, a known one, else the
 * debug file /usr/lib/debug/.build-id/xx/rest.debug (remembered even when
 * missing, so that each build id is looked for once). */
static struct elf_file *file_of_build_id(struct symbolizer *s, const unsigned char *id)
{
	struct elf_file *f;

	load_binaries(s);
	if ((f = find_build_id(s->files, s->nfiles, id)) || (f = find_build_id(s->known, s->nknown, id)))
		return f;
	char path[128];
	int n = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (int i = 1; i < MAX_BUILD_ID; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", id[i]);
	snprintf(path + n, sizeof(path) - (size_t)n, ".debug");
	f = add_known(s, path, path);
	if (f) {
		memcpy(f->build_id, id, MAX_BUILD_ID);
		f->build_id_len = MAX_BUILD_ID;
	}
	return f;
}

static bool lookup_in_file(const struct elf_file *f, uint64_t va, const char **name,
			   uint64_t *offset)
{
	const struct sym *sym = symtab_find(&f->syms, va);

	if (!sym)
		return false;
	if (name)
		*name = f->syms.names + sym->name;
	if (offset)
		*offset = va - sym->addr;
	return true;
}

bool usym_lookup(struct symbolizer *s, uint32_t pid, uint64_t addr, const char **name,
		 uint64_t *offset, const char **module)
{
	if (module)
		*module = NULL;
	if (!s)
		return false;
	struct upid *u = get_pid(s, pid);
	if (!u)
		return false;
	const struct umap *m = find_map(u, addr);
	/* a library loaded after the first look: re-read, at most once a second */
	if (!m && seconds_since(&u->loaded) >= 1.0) {
		if (!read_maps(s, u))
			clock_gettime(CLOCK_MONOTONIC, &u->loaded);
		m = find_map(u, addr);
	}
	if (!m) {
		/* the process may be gone: a probed non-PIE executable still
		 * knows its absolute addresses */
		struct elf_file *f = find_fixed(s, addr);
		if (f && module)
			*module = f->path;
		return f && lookup_in_file(f, addr, name, offset);
	}
	if (module)
		*module = m->file->path;
	return lookup_in_file(m->file, file_vaddr(m->file, addr - m->start + m->offset), name,
			      offset);
}

bool usym_lookup_build_id(struct symbolizer *s, uint32_t pid, const unsigned char *build_id,
			  uint64_t file_offset, const char **name, uint64_t *offset,
			  const char **module, uint64_t *addr)
{
	if (module)
		*module = NULL;
	*addr = 0;
	if (!s)
		return false;
	struct upid *u = get_pid(s, pid); /* a live process's files join the cache */
	struct elf_file *f = file_of_build_id(s, build_id);
	for (size_t i = 0; u && f && i < u->n; i++) {
		const struct umap *m = &u->maps[i];
		if (m->file == f && file_offset - m->offset < m->end - m->start)
			*addr = m->start + (file_offset - m->offset);
	}
	if (!f || !f->loaded)
		return false;
	if (module)
		*module = f->path;
	return lookup_in_file(f, file_vaddr(f, file_offset), name, offset);
}
