/* Source lines of user stack frames (config show_debug_info, §10.6): the
 * inlined calls at an address and its file:line, from the DWARF of the
 * mapped file or of its separate debug file. For the symbolizer to call
 * per frame; each file is opened once. */
#ifndef SONDE_SOURCE_FRAMES_H
#define SONDE_SOURCE_FRAMES_H
#include <stddef.h>
#include <stdint.h>

struct source_frames;

/* NULL on allocation failure; nothing is read before the first lookup. */
struct source_frames *source_frames_new(void);
void source_frames_free(struct source_frames *sf); /* NULL is fine */

/* The lines a frame at symbol+offset of module prints as, after the
 * 8-space indentation of stack_mode bpftrace: each inlined call first, as
 * "[inlined] NAME@FILE:LINE", then "SYM+OFFSET@FILE:LINE", one per line
 * joined by "\n" + indent. Returns the length written to buf (NUL
 * terminated, cut to cap), 0 when module has no debug info for that
 * address: the symbolizer then prints the frame as without debug info. */
size_t source_frames_render(struct source_frames *sf, const char *module, const char *sym, uint64_t offset,
			    const char *indent, char *buf, size_t cap);

#endif
