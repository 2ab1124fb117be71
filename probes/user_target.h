/* Targets of user-space probes (uprobe, usdt). */
#ifndef SONDE_PROBES_USER_TARGET_H
#define SONDE_PROBES_USER_TARGET_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "internal.h"

/* BIN as the provider's attach point names it, to a path: a path with '/'
 * as written (globs stay globs; with -p, one only the process sees is
 * reached through /proc/PID/root), `lib*` names through ld.so.cache, other
 * names in $PATH, "" (with -p) the process's executable, "*" (with -p)
 * itself. NULL: reported at loc. */
const char *user_target_resolve(struct arena *a, struct diags *d, const struct src_loc *loc,
				const char *provider, const char *bin, pid_t pid);

/* A regular file, and an ELF object unless unsafe. -1: reported at loc. */
int user_target_check(struct diags *d, const struct src_loc *loc, const char *provider,
		      const char *path, bool unsafe);

/* An ELF executable or shared object. */
bool user_target_is_elf(const char *path);

/* The files a target pattern names: `*` (with -p) every executable object
 * the process maps, else the ELF files of the glob. */
void user_target_files(struct arena *a, const char *pattern, pid_t pid, struct str_vec *out);

/* A virtual address of the binary to the file offset uprobes want:
 * 0, -ENOEXEC (not ELF) or -ENOENT (in no executable segment). */
int user_target_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *off);

#endif
