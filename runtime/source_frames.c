/* Source lines of user stack frames (see source_frames.h). */
#include "source_frames.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/dwarf.h"

enum { MAX_FRAMES = 16 }; /* inlined calls at one address */

/* One module, opened on first use (df NULL: not ELF). */
struct module_dwarf {
	const char *path;
	struct dwarf_file *df;
	struct module_dwarf *next;
};

struct source_frames {
	struct arena arena; /* paths, types and names of every module */
	struct module_dwarf *modules;
};

struct source_frames *source_frames_new(void)
{
	return calloc(1, sizeof(struct source_frames));
}

void source_frames_free(struct source_frames *sf)
{
	if (!sf)
		return;
	for (struct module_dwarf *m = sf->modules; m; m = m->next)
		dwarf_close(m->df);
	arena_free(&sf->arena);
	free(sf);
}

static struct dwarf_file *module_of(struct source_frames *sf, const char *path)
{
	for (struct module_dwarf *m = sf->modules; m; m = m->next)
		if (!strcmp(m->path, path))
			return m->df;
	struct module_dwarf *m = arena_alloc(&sf->arena, sizeof(*m));
	m->path = arena_strdup(&sf->arena, path);
	m->df = dwarf_open(&sf->arena, path);
	m->next = sf->modules;
	sf->modules = m;
	return m->df;
}

size_t source_frames_render(struct source_frames *sf, const char *module, const char *sym, uint64_t offset,
			    const char *indent, char *buf, size_t cap)
{
	struct dwarf_file *df = module && sym ? module_of(sf, module) : NULL;
	uint64_t start = df && dwarf_has_info(df) ? dwarf_symbol_address(df, sym) : 0;
	struct dwarf_frame frames[MAX_FRAMES];
	int n = start ? dwarf_source_frames(df, start + offset, frames, MAX_FRAMES) : 0;
	size_t len = 0;
	if (!n || !cap)
		return 0;
	buf[0] = '\0';
	for (int i = 0; i < n && len < cap; i++) {
		const struct dwarf_frame *f = &frames[i];
		const char *sep = i ? indent : "";
		int w = f->inlined ? snprintf(buf + len, cap - len, "%s%s[inlined] %s", i ? "\n" : "", sep, f->func)
				   : snprintf(buf + len, cap - len, "%s%s%s+%" PRIu64, i ? "\n" : "", sep, sym, offset);
		len += w > 0 ? (size_t)w : 0;
		if (f->file && len < cap) {
			w = snprintf(buf + len, cap - len, "@%s:%d", f->file, f->line);
			len += w > 0 ? (size_t)w : 0;
		}
	}
	return len < cap ? len : cap - 1;
}
