/* Root imports (§2): `import "path";` and `import "NAME";`.
 *
 * Each file is parsed on its own (its own preprocessor run, its own part of
 * the diagnostics' line space), then its probes, macros, functions, map
 * declarations and C definitions are merged into the importing program,
 * before the importer's own. A `.h` file is preprocessed as if the
 * importing file began with `#include "it"`: it gives C definitions and
 * macros. A directory imports its `.bt` and `.h` files, sorted by name. A
 * name without `/` or `.` is a module of the standard library (stdlib.h).
 * Every file and module is imported once per compilation, so cycles end. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/file.h"
#include "../common/inputs.h"
#include "../common/suggest.h"
#include "ast.h"
#include "preproc.h"
#include "stdlib_modules.h"

enum import_kind { IMPORT_SCRIPT, IMPORT_HEADER };

/* One file an import statement brings in. */
struct import_file {
	struct import_file *next;
	enum import_kind kind;
	const char *name; /* as shown in diagnostics */
	const char *src;  /* a standard library module's text; NULL: read name */
	struct src_loc loc; /* the import statement */
};

struct seen {
	struct seen *next;
	const char *key; /* real path, or "<stdlib>/NAME" */
};

struct importer {
	struct arena *arena;
	struct diags *diags;
	const struct pp_options *root;
	struct seen *seen;
	struct import_file *current; /* the files of the file being resolved */
};

/* True the first time key is offered. */
static bool first_time(struct importer *im, const char *key)
{
	for (const struct seen *s = im->seen; s; s = s->next)
		if (!strcmp(s->key, key))
			return false;
	struct seen *s = arena_alloc(im->arena, sizeof(*s));
	s->key = arena_strdup(im->arena, key);
	s->next = im->seen;
	im->seen = s;
	return true;
}

static bool listed(const struct import_file *f, const char *name)
{
	for (; f; f = f->next)
		if (!strcmp(f->name, name))
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* `import "NAME"` names a standard library module when NAME is an
 * identifier; anything else is a path. */
static bool is_module_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static const char *dir_of(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ".";
	return slash == path ? "/" : arena_strndup(a, path, (size_t)(slash - path));
}

static const char *join(struct arena *a, const char *dir, const char *name)
{
	if (name[0] == '/' || !strcmp(dir, "."))
		return name;
	size_t n = strlen(dir);
	return arena_printf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static void add(struct importer *im, struct import_file ***tail, const struct src_loc *loc, enum import_kind kind,
		const char *name, const char *src)
{
	struct import_file *f = arena_alloc(im->arena, sizeof(*f));
	f->loc = *loc;
	f->kind = kind;
	f->name = name;
	f->src = src;
	**tail = f;
	*tail = &f->next;
}

/* Anyone may have written a world-writable file or put one into a
 * world-writable directory: such code is not run. */
static int refuse_writable(struct importer *im, const struct src_loc *loc, const char *path, const char *real)
{
	struct stat st;
	if (!stat(real, &st) && (st.st_mode & S_IWOTH)) {
		diag_error(im->diags, loc, "cannot import '%s': it is world-writable", path);
		return -1;
	}
	const char *dir = S_ISDIR(st.st_mode) ? real : dir_of(im->arena, real);
	if (!stat(dir, &st) && (st.st_mode & S_IWOTH)) {
		diag_error(im->diags, loc, "cannot import '%s': directory '%s' is world-writable", path, dir);
		return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A file of a directory import, or of a path import (explicit). */
static int add_path(struct importer *im, struct import_file ***tail, const struct src_loc *loc,
		    const char *path, bool explicit)
{
	if (ends_with(path, ".bpf.c")) {
		if (!explicit)
			return 0;
		diag_error(im->diags, loc, "import of .bpf.c files is not supported");
		return -1;
	}
	enum import_kind kind = ends_with(path, ".bt") ? IMPORT_SCRIPT : IMPORT_HEADER;
	if (!ends_with(path, ".bt") && !ends_with(path, ".h")) {
		if (!explicit)
			return 0;
		diag_error(im->diags, loc, "cannot import '%s': not a .bt file, a .h file or a directory", path);
		return -1;
	}
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		diag_error(im->diags, loc, "cannot import '%s': %s", path, strerror(errno));
		return -1;
	}
	if (refuse_writable(im, loc, path, real) < 0)
		return -1;
	/* a header gives its macros to each file that imports it (merge()
	 * keeps one copy of its C definitions); a script is imported once */
	if (kind == IMPORT_HEADER ? !listed(im->current, real) : first_time(im, real))
		add(im, tail, loc, kind, kind == IMPORT_HEADER ? arena_strdup(im->arena, real) : path, NULL);
	return 0;
}

static int add_directory(struct importer *im, struct import_file ***tail, const struct src_loc *loc,
			 const char *path)
{
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		diag_error(im->diags, loc, "cannot import '%s': %s", path, strerror(errno));
		return -1;
	}
	if (refuse_writable(im, loc, path, real) < 0)
		return -1;
	input_log_add(im->root->inputs, path);
	DIR *dir = opendir(path);
	if (!dir) {
		diag_error(im->diags, loc, "cannot import '%s': %s", path, strerror(errno));
		return -1;
	}
	const char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(dir));) {
		const char *file = join(im->arena, path, e->d_name);
		struct stat st;
		if ((!ends_with(e->d_name, ".bt") && !ends_with(e->d_name, ".h")) || stat(file, &st) ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			const char **nn = arena_alloc(im->arena, ncap * sizeof(*nn));
			if (n)
				memcpy(nn, names, n * sizeof(*nn));
			names = nn;
			cap = ncap;
		}
		names[n++] = file;
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	int err = 0;
	for (size_t i = 0; i < n; i++)
		err |= add_path(im, tail, loc, names[i], false);
	return err;
}

static int add_module(struct importer *im, struct import_file ***tail, const struct src_loc *loc,
		      const char *name, const char *dir)
{
	const struct stdlib_module *m = stdlib_find(name);
	if (!m) {
		struct diag_entry *e = diag_error(im->diags, loc, "unknown standard library module '%s'", name);
		struct suggestion sg;
		suggestion_init(&sg, name);
		for (int i = 0; i < stdlib_nmodules; i++)
			suggestion_offer(&sg, stdlib_modules[i].name);
		struct stat st;
		if (sg.found)
			diag_hint(im->diags, e, "did you mean '%s'?", sg.found);
		else if (!stat(join(im->arena, dir, name), &st))
			diag_hint(im->diags, e, "a name without '/' or '.' is a module; write \"./%s\" to import the "
				  "file or directory", name);
		return -1;
	}
	const char *shown = arena_printf(im->arena, "<stdlib>/%s.bt", m->name);
	if (first_time(im, shown))
		add(im, tail, loc, IMPORT_SCRIPT, shown, m->source);
	return 0;
}

/* The files the import statements of prog bring in, in order; the import
 * items leave the preamble. dir: where the importing file is. */
static int resolve_imports(struct importer *im, struct program *prog, const char *dir, struct import_file **out)
{
	struct import_file **tail = out;
	int err = 0;
	if (out)
		*out = NULL;
	im->current = NULL;
	for (struct preamble_item **p = &prog->preamble; *p;) {
		struct preamble_item *it = *p;
		if (strcmp(it->what, "import")) {
			p = &it->next;
			continue;
		}
		*p = it->next;
		if (!out)
			continue;
		const char *path = join(im->arena, dir, it->text);
		struct stat st;
		im->current = *out;
		if (is_module_name(it->text))
			err |= add_module(im, &tail, &it->loc, it->text, dir);
		else if (!ends_with(path, ".bpf.c") && !stat(path, &st) && S_ISDIR(st.st_mode))
			err |= add_directory(im, &tail, &it->loc, path);
		else
			err |= add_path(im, &tail, &it->loc, path, true);
	}
	return err ? -1 : 0;
}

/* Append list `from` to list `*to` (all the program's lists link by `next`). */
#define APPEND(to, from, type)                       \
	do {                                         \
		type **t_ = &(to);                   \
		while (*t_)                          \
			t_ = &(*t_)->next;           \
		*t_ = (from);                        \
	} while (0)

static bool has_header(const struct c_header *h, const char *path)
{
	for (; h; h = h->next)
		if (!strcmp(h->path, path))
			return true;
	return false;
}

/* Add what `from` defines to `into` (a header several files include is
 * parsed once). */
static void merge(struct program *into, struct program *from)
{
	APPEND(into->probes, from->probes, struct probe);
	APPEND(into->macros, from->macros, struct macro_def);
	APPEND(into->fns, from->fns, struct fn_def);
	APPEND(into->map_decls, from->map_decls, struct map_decl);
	APPEND(into->preamble, from->preamble, struct preamble_item);
	for (struct c_header *h = from->headers, *next; h; h = next) {
		next = h->next;
		h->next = NULL;
		if (!has_header(into->headers, h->path))
			APPEND(into->headers, h, struct c_header);
	}
}

static struct program *load(struct importer *im, const char *src, const struct pp_options *pp, bool root);

/* An imported .bt file or module. */
static struct program *load_script(struct importer *im, const struct import_file *f)
{
	char *text = NULL;
	const char *src = f->src;
	if (!src) {
		size_t len;
		text = file_read_all(f->name, &len);
		if (!text) {
			diag_error(im->diags, &f->loc, "cannot import '%s': %s", f->name, strerror(errno));
			return NULL;
		}
		input_log_add(im->root->inputs, f->name);
		src = arena_strndup(im->arena, text, len);
		free(text);
	}
	int base = diags_add_source(im->diags, f->name, src);
	if (base < 0) {
		diag_error(im->diags, &f->loc, "too many imported files (at most %d)", DIAG_MAX_SOURCES - 1);
		return NULL;
	}
	struct pp_options pp = *im->root;
	pp.script_dir = f->src ? "." : dir_of(im->arena, f->name);
	pp.script_path = f->src ? NULL : f->name;
	pp.line_base = base;
	pp.include_files = NULL; /* --include is the script's */
	pp.ninclude_files = 0;
	return load(im, src, &pp, false);
}

/* Parse one file and what it imports; the imported programs come first. */
static struct program *load(struct importer *im, const char *src, const struct pp_options *pp, bool root)
{
	struct program *prog = parse_file(im->arena, im->diags, src, pp);
	if (!prog)
		return NULL;
	if (!root && prog->config_loc.first_line) {
		diag_error(im->diags, &prog->config_loc, "a config block is not allowed in an imported file");
		return NULL;
	}
	const char *dir = pp->script_dir ? pp->script_dir : ".";
	const struct preamble_item *first = prog->preamble;
	while (first && strcmp(first->what, "import"))
		first = first->next;
	if (!first)
		return prog;
	struct src_loc import_loc = first->loc;
	struct import_file *files = NULL;
	if (resolve_imports(im, prog, dir, &files) < 0)
		return NULL;
	/* headers: parse again, as if the file began with their #includes */
	int nheaders = 0;
	for (const struct import_file *f = files; f; f = f->next)
		nheaders += f->kind == IMPORT_HEADER;
	if (nheaders) {
		struct pp_options with = *pp;
		const char **inc = arena_alloc(im->arena, (size_t)(pp->ninclude_files + nheaders) * sizeof(*inc));
		for (int i = 0; i < pp->ninclude_files; i++)
			inc[i] = pp->include_files[i];
		with.ninclude_files = pp->ninclude_files;
		for (const struct import_file *f = files; f; f = f->next)
			if (f->kind == IMPORT_HEADER)
				inc[with.ninclude_files++] = f->name;
		with.include_files = inc;
		prog = parse_file(im->arena, im->diags, src, &with);
		if (!prog || resolve_imports(im, prog, dir, NULL) < 0)
			return NULL;
	}
	struct program *all = arena_alloc(im->arena, sizeof(*all));
	for (const struct import_file *f = files; f; f = f->next) {
		if (f->kind != IMPORT_SCRIPT)
			continue;
		struct program *sub = load_script(im, f);
		if (!sub)
			return NULL;
		merge(all, sub);
	}
	merge(all, prog);
	all->config = prog->config;
	all->config_loc = prog->config_loc;
	if (root)
		all->import_loc = import_loc;
	return all;
}

struct program *parse_program(struct arena *arena, struct diags *diags, const char *src,
			      const struct pp_options *pp)
{
	struct pp_options none = { 0 };
	struct importer im = { .arena = arena, .diags = diags, .root = pp ? pp : &none };
	char real[PATH_MAX];
	if (im.root->script_path && realpath(im.root->script_path, real))
		first_time(&im, real); /* importing the script itself is a cycle */
	return load(&im, src, im.root, true);
}
