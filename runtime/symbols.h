/* Symbol resolution for kstack/ustack/ksym/usym/func (§7, §8, §10.6).
 *
 * Kernel: /proc/kallsyms, loaded once (text symbols t/T/w/W), sorted,
 * binary search.
 * User: per pid, the executable file mappings of /proc/PID/maps; for each
 * mapped file its ELF function symbols (.symtab, else a build-id debug file's
 * .symtab, else .dynsym), cached by file. A run-time address is turned into
 * the file's symbol address through the mapping (start, file offset) and the
 * file's PT_LOAD segments, which works for PIE and non-PIE executables and
 * shared libraries alike.
 *
 * Names and module paths returned stay valid until symbolizer_free(). */
#ifndef SONDE_SYMBOLS_H
#define SONDE_SYMBOLS_H
#include <stdbool.h>
#include <stdint.h>

struct symbolizer;

/* NULL on allocation failure. Nothing is read before the first lookup. */
struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *s); /* NULL is fine */

/* Kernel address -> symbol containing it and the offset into it. false when
 * unknown (kallsyms unreadable or addresses hidden, address outside). */
bool ksym_lookup(struct symbolizer *s, uint64_t addr, const char **name, uint64_t *offset);

/* User address of process pid -> symbol, offset and path of the mapped file.
 * false when unknown; *module is still set (else NULL) when the address
 * lies in a mapped file without a matching symbol. The first lookup for a
 * pid caches its mappings and the symbols of its files, so later lookups
 * work after the process exited. Any out-pointer may be NULL. */
bool usym_lookup(struct symbolizer *s, uint32_t pid, uint64_t addr, const char **name,
		 uint64_t *offset, const char **module);

/* A frame of a build-id stack (BUILD_ID_LEN bytes of build id, zero-padded,
 * and the offset in that file) -> symbol, offset and path of the file. The
 * file is one a process of ours mapped, a probed binary or a library it
 * needs, or the debug file of that build id: the process pid (read if
 * still alive) need not exist any more. *addr: the address in the process
 * when it still maps the file, else 0. */
bool usym_lookup_build_id(struct symbolizer *s, uint32_t pid, const unsigned char *build_id,
			  uint64_t file_offset, const char **name, uint64_t *offset,
			  const char **module, uint64_t *addr);

/* Cache the per-pid state now (call when an event carrying a ustack/usym of
 * pid arrives: the process may be gone when the value is printed). Cheap
 * once the pid is cached. */
void symbolizer_prefetch_pid(struct symbolizer *s, uint32_t pid);

/* A binary the program probes: when it is a non-PIE executable, whose
 * addresses are absolute, its symbols also resolve addresses of processes
 * that are gone before their events are printed. Other files are ignored.
 * Loaded at the first lookup that needs it. */
void symbolizer_add_binary(struct symbolizer *s, const char *path);

/* Forget the per-pid state (e.g. after the pid exec'ed or was reused). */
void symbolizer_forget_pid(struct symbolizer *s, uint32_t pid);

#endif
