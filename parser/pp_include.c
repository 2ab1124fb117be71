/* #include: the search list (-I dirs, then the system dirs), reading a
 * header once, include guards and #pragma once, and the C text of every
 * header for the C declaration parser. */
#include "pp.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../common/file.h"
#include "../common/inputs.h"
#include "../common/limits.h"

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#else
#define MULTIARCH "unknown-linux-gnu"
#endif

/* gcc's own headers (<stddef.h>, <stdarg.h>), newest version. */
static const char *gcc_dir(struct pp *p)
{
	glob_t g;
	const char *best = NULL;
	if (glob("/usr/lib/gcc/" MULTIARCH "/*/include", GLOB_ONLYDIR, NULL, &g))
		return NULL;
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (!best || strverscmp(g.gl_pathv[i], best) > 0)
			best = g.gl_pathv[i];
	const char *dir = best ? arena_strdup(p->arena, best) : NULL;
	globfree(&g);
	return dir;
}

void pp_search_init(struct pp *p)
{
	static const char *const sys[] = { "/usr/local/include", "/usr/include/" MULTIARCH, "/usr/include" };
	const struct pp_options *o = &p->opts;
	int nsys = o->system_dirs ? o->nsystem_dirs : (int)(sizeof(sys) / sizeof(sys[0])) + 1;
	p->search = arena_alloc(p->arena, (size_t)(o->ninclude_dirs + nsys) * sizeof(*p->search));
	for (int i = 0; i < o->ninclude_dirs; i++)
		p->search[p->nsearch++] = o->include_dirs[i];
	if (o->system_dirs) {
		for (int i = 0; i < o->nsystem_dirs; i++)
			p->search[p->nsearch++] = o->system_dirs[i];
		return;
	}
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		p->search[p->nsearch++] = sys[i];
	const char *gcc = gcc_dir(p);
	if (gcc)
		p->search[p->nsearch++] = gcc;
}

static const char *join(struct pp *p, const char *dir, const char *name)
{
	if (name[0] == '/' || !strcmp(dir, "."))
		return name;
	size_t n = strlen(dir);
	return arena_printf(p->arena, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static bool is_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

const char *pp_search(struct pp *p, const char *name, bool quoted, int from, int *found)
{
	*found = -1;
	if (!*name)
		return NULL;
	if (name[0] == '/')
		return is_file(name) ? name : NULL;
	if (quoted) {
		const char *path = join(p, p->cur && p->cur->dir ? p->cur->dir : ".", name);
		if (is_file(path))
			return path;
	}
	for (int i = from; i < p->nsearch; i++) {
		const char *path = join(p, p->search[i], name);
		if (is_file(path)) {
			*found = i;
			return path;
		}
	}
	return NULL;
}

static const char *dir_of(struct pp *p, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ".";
	return slash == path ? "/" : arena_strndup(p->arena, path, (size_t)(slash - path));
}

/* The file at path, read once per compilation. */
static struct pp_known *known_file(struct pp *p, const char *path, const struct src_loc *loc)
{
	struct stat st;
	if (stat(path, &st)) {
		pp_diag(p, DIAG_ERROR, loc, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	for (struct pp_known *k = p->known; k; k = k->next)
		if (k->dev == st.st_dev && k->ino == st.st_ino)
			return k;
	size_t len;
	char *text = file_read_all(path, &len);
	if (!text) {
		pp_diag(p, DIAG_ERROR, loc, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct pp_known *k = arena_alloc(p->arena, sizeof(*k));
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	k->text = arena_strndup(p->arena, text, strlen(text)); /* stops at a NUL byte */
	free(text);
	k->next = p->known;
	p->known = k;
	input_log_add(p->opts.inputs, path);
	return k;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v')
			return false;
	return true;
}

/* Preprocess the header at path (found at search index found_at) as if
 * its text stood at loc. Returns -1 when it cannot be read. */
int pp_include_file(struct pp *p, const char *path, int found_at, const struct src_loc *loc)
{
	if (p->includes_stopped)
		return 0;
	if (p->include_depth >= LIMIT_INCLUDE_DEPTH) {
		pp_diag(p, DIAG_ERROR, loc, "#include nested too deeply (over %d levels)", LIMIT_INCLUDE_DEPTH);
		p->includes_stopped = true; /* an include cycle: unwind at once */
		return 0;
	}
	struct pp_known *k = known_file(p, path, loc);
	if (!k)
		return -1;
	if (k->once || (k->guard && pp_find(p, k->guard, strlen(k->guard))))
		return 0;
	struct pp_file f = {
		.parent = p->cur, .path = path, .src = k->text, .dir = dir_of(p, path), .found_at = found_at,
		.header = true, .cond_base = p->depth, .out = { .arena = p->arena },
	};
	struct src_loc saved = p->line_loc;
	p->cur = &f;
	p->include_depth++;
	pp_process(p, &f);
	p->include_depth--;
	p->cur = f.parent;
	p->line_loc = saved;
	if (f.guard_state == 2)
		k->guard = f.guard;
	if (f.guard_state < 0)
		k->once = true;
	if (f.out.out && !blank(f.out.out)) {
		struct c_header *h = arena_alloc(p->arena, sizeof(*h));
		h->path = path;
		h->text = f.out.out;
		*p->headers_tail = h;
		p->headers_tail = &h->next;
	}
	return 0;
}

/* `#include "f.h"`, `#include <f.h>` (or a macro naming one of them). */
void pp_include(struct pp *p, const char *line, size_t n, const char *rest, const struct src_loc *loc, bool next)
{
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest != '"' && *rest != '<' && *rest) { /* computed include */
		struct buf b = { .arena = p->arena };
		pp_expand(p, &b, rest, strlen(rest), 0);
		rest = b.out ? b.out : "";
		while (*rest == ' ' || *rest == '\t')
			rest++;
	}
	char close = *rest == '"' ? '"' : *rest == '<' ? '>' : 0;
	const char *end = close ? strchr(rest + 1, close) : NULL;
	if (!end) {
		pp_diag(p, DIAG_ERROR, loc, "#include expects \"FILENAME\" or <FILENAME>");
		return;
	}
	const char *name = arena_strndup(p->arena, rest + 1, (size_t)(end - rest - 1));
	/* mark the name as written, when it is in the line */
	struct src_loc at = *loc;
	const char *q = memchr(line, *rest, n);
	const char *qe = q ? memchr(q + 1, close, n - (size_t)(q + 1 - line)) : NULL;
	if (qe) {
		at.first_column = (int)(q - line) + 1;
		at.last_column = (int)(qe - line) + 2;
	}
	int from = next && p->cur->found_at >= 0 ? p->cur->found_at + 1 : 0;
	int found;
	const char *path = pp_search(p, name, close == '"' && !next, from, &found);
	if (!path) {
		if (close == '"')
			pp_diag(p, DIAG_ERROR, &at, "'%s' file not found", name);
		else if (p->opts.verbose)
			pp_diag(p, DIAG_WARNING, &at, "'%s' file not found; skipped (kernel types come from BTF)",
				name);
		return;
	}
	pp_include_file(p, path, found, &at);
}
