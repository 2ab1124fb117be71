/* Targets of user-space probes (uprobe, usdt): a binary named by path,
 * library name or program name, or the objects a process maps. */
#include "user_target.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/elf_syms.h"
#include "../common/file.h"
#include "../common/ldcache.h"

static bool is_regular_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static const char *search_path(struct arena *a, const char *name)
{
	const char *env = getenv("PATH");
	const char *p = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";

	while (*p) {
		size_t len = strcspn(p, ":");
		char *cand = arena_printf(a, "%.*s/%s", (int)len, len ? p : ".", name);
		if (is_regular_file(cand) && !access(cand, X_OK))
			return cand;
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static const char *search_ldcache(struct arena *a, const char *name)
{
	char path[PATH_MAX];
	return ldcache_lookup(name, path, sizeof(path)) ? arena_strdup(a, path) : NULL;
}

const char *user_target_resolve(struct arena *a, struct diags *d, const struct src_loc *loc,
				const char *provider, const char *bin, pid_t pid)
{
	const char *path;

	if (!*bin) {
		if (pid <= 0) {
			diag_error(d, loc, "%s target may only be omitted with -p PID", provider);
			return NULL;
		}
		char exe[64], buf[PATH_MAX];
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
		ssize_t n = readlink(exe, buf, sizeof(buf) - 1);
		if (n <= 0)
			return arena_strdup(a, exe);
		buf[n] = '\0';
		/* A deleted or replaced executable still works through /proc. */
		return is_regular_file(buf) ? arena_strdup(a, buf) : arena_strdup(a, exe);
	}
	if (!strcmp(bin, "*")) {
		if (pid > 0)
			return bin; /* expanded to the process's objects */
		diag_error(d, loc, "a %s on every mapped binary ('*') needs -p PID: sonde does "
			   "not probe the binaries of all processes", provider);
		return NULL;
	}
	/* a path is kept as written: probe names show it so (`./prog`); one
	 * only the process sees (another mount namespace) is reached through
	 * its root */
	if (strchr(bin, '/')) {
		if (pid > 0 && bin[0] == '/' && !is_regular_file(bin) && !probe_has_wildcard(bin)) {
			char *in_root = arena_printf(a, "/proc/%d/root%s", (int)pid, bin);
			if (is_regular_file(in_root))
				return in_root;
		}
		return bin;
	}
	path = !strncmp(bin, "lib", 3) ? search_ldcache(a, bin) : NULL;
	if (!path)
		path = search_path(a, bin);
	if (!path) {
		diag_error(d, loc, "%s target file '%s' does not exist or is not executable", provider,
			   bin);
		return NULL;
	}
	return path;
}

bool user_target_is_elf(const char *path)
{
	struct elf_syms ef;
	bool ok;

	if (elf_syms_open(&ef, path))
		return false;
	ok = elf_syms_is_loadable(&ef);
	elf_syms_close(&ef);
	return ok;
}

int user_target_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *off)
{
	struct elf_syms ef;
	int err;

	if (elf_syms_open(&ef, path))
		return -ENOEXEC;
	err = elf_syms_vaddr_to_offset(&ef, vaddr, off);
	elf_syms_close(&ef);
	return err;
}

/* The executable files mapped by pid, each once, in the order of
 * /proc/PID/maps. A file of another mount namespace is reached through
 * /proc/PID/root. */
static void mapped_files(struct arena *a, pid_t pid, struct str_vec *out)
{
	char maps[64];
	char *buf;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", (int)pid);
	buf = file_read_all(maps, NULL);
	if (!buf)
		return;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char perms[8];
		int pos = 0;
		if (sscanf(line, "%*x-%*x %7s %*x %*x:%*x %*u %n", perms, &pos) < 1 || !pos ||
		    strlen(perms) < 3 || perms[2] != 'x' || line[pos] != '/')
			continue;
		const char *path = line + pos, *seen = NULL;
		for (int i = 0; i < out->n && !seen; i++)
			if (!strcmp(out->v[i], path))
				seen = out->v[i];
		if (seen)
			continue;
		if (!is_regular_file(path))
			path = arena_printf(a, "/proc/%d/root%s", (int)pid, path);
		if (is_regular_file(path) && user_target_is_elf(path))
			str_vec_push(a, out, arena_strdup(a, path));
	}
	free(buf);
}

void user_target_files(struct arena *a, const char *pattern, pid_t pid, struct str_vec *out)
{
	glob_t g;

	if (!strcmp(pattern, "*")) {
		if (pid > 0)
			mapped_files(a, pid, out);
		return;
	}
	if (glob(pattern, 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (is_regular_file(g.gl_pathv[i]) && user_target_is_elf(g.gl_pathv[i]))
			str_vec_push(a, out, arena_strdup(a, g.gl_pathv[i]));
	globfree(&g);
}

int user_target_check(struct diags *d, const struct src_loc *loc, const char *provider,
		      const char *path, bool unsafe)
{
	if (!is_regular_file(path)) {
		diag_error(d, loc, "%s target file '%s' does not exist or is not executable",
			   provider, path);
		return -1;
	}
	if (!unsafe && !user_target_is_elf(path)) {
		struct diag_entry *e = diag_error(
			d, loc, "%s target file '%s' is not an ELF executable or shared library",
			provider, path);
		diag_hint(d, e, "use --unsafe to probe any file");
		return -1;
	}
	return 0;
}

