/* Where a user-space probe (uprobe, usdt) attaches: the target binary as
 * written resolved to a file, the checks that it is one, and the files a
 * target pattern stands for (a glob, or `*`: what processes map). A
 * process in another mount namespace maps its files under /proc/PID/root. */
#include <ctype.h>
#include <dirent.h>
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
#include "internal.h"

bool probe_is_regular_file(const char *path)
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
		if (probe_is_regular_file(cand) && !access(cand, X_OK))
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

const char *probe_resolve_target(struct arena *a, struct diags *d, const struct src_loc *loc,
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
		return probe_is_regular_file(buf) ? arena_strdup(a, buf) : arena_strdup(a, exe);
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
		if (pid > 0 && bin[0] == '/' && !probe_is_regular_file(bin) && !probe_has_wildcard(bin)) {
			char *in_root = arena_printf(a, "/proc/%d/root%s", (int)pid, bin);
			if (probe_is_regular_file(in_root))
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

bool probe_is_elf_object(const char *path)
{
	struct elf_syms ef;
	bool ok;

	if (elf_syms_open(&ef, path))
		return false;
	ok = elf_syms_is_loadable(&ef);
	elf_syms_close(&ef);
	return ok;
}

int probe_check_target(struct diags *d, const struct src_loc *loc, const char *provider,
		       const char *path, enum target_files files)
{
	if (!probe_is_regular_file(path)) {
		diag_error(d, loc, "%s target file '%s' does not exist or is not executable", provider,
			   path);
		return -1;
	}
	if (files != TARGET_ANY && !probe_is_elf_object(path)) {
		struct diag_entry *e = diag_error(
			d, loc, "%s target file '%s' is not an ELF executable or shared library",
			provider, path);
		if (files == TARGET_ELF_OR_UNSAFE)
			diag_hint(d, e, "use --unsafe to probe any file");
		return -1;
	}
	return 0;
}

/* The mount namespace of a process, as the inode of /proc/PID/ns/mnt. */
static bool mount_ns(const char *pid, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	if (stat(path, &st))
		return false;
	*ino = st.st_ino;
	return true;
}

/* The files mapped by process pid ("1234" or "self"), as this process
 * reaches them. */
static void process_objects(struct arena *a, const char *pid, struct str_vec *out)
{
	char path[64], line[PATH_MAX + 128];
	ino_t ours, theirs;
	const char *root = "";
	FILE *f;

	if (mount_ns("self", &ours) && mount_ns(pid, &theirs) && ours != theirs)
		root = arena_printf(a, "/proc/%s/root", pid);
	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* ADDR PERMS OFFSET DEV INODE PATH: the path is the first '/' */
		char *file = strchr(line, '/');
		if (!file)
			continue;
		file[strcspn(file, "\n")] = '\0';
		size_t len = strlen(file);
		static const char deleted[] = " (deleted)";
		if (len > sizeof(deleted) - 1 && !strcmp(file + len - (sizeof(deleted) - 1), deleted))
			continue;
		str_vec_push(a, out, arena_printf(a, "%s%s", root, file));
	}
	fclose(f);
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static void mapped_objects(struct arena *a, pid_t pid, struct str_vec *out)
{
	if (pid > 0) {
		process_objects(a, arena_printf(a, "%d", (int)pid), out);
		return;
	}
	DIR *dir = opendir("/proc");
	if (!dir)
		return;
	for (struct dirent *e; (e = readdir(dir));)
		if (all_digits(e->d_name))
			process_objects(a, e->d_name, out);
	closedir(dir);
}

void probe_target_files(struct arena *a, const char *target, pid_t pid, struct str_vec *out)
{
	if (!strcmp(target, "*")) {
		struct str_vec all = { 0 };
		mapped_objects(a, pid, &all);
		str_vec_sort_unique(&all);
		for (int i = 0; i < all.n; i++)
			if (probe_is_regular_file(all.v[i]) && probe_is_elf_object(all.v[i]))
				str_vec_push(a, out, all.v[i]);
		return;
	}
	if (!probe_has_wildcard(target)) {
		str_vec_push(a, out, target);
		return;
	}
	glob_t g;
	if (glob(target, 0, NULL, &g))
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (probe_is_regular_file(g.gl_pathv[i]) && probe_is_elf_object(g.gl_pathv[i]))
			str_vec_push(a, out, arena_strdup(a, g.gl_pathv[i]));
	globfree(&g);
}

int probe_vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *off)
{
	struct elf_syms ef;
	int err;

	if (elf_syms_open(&ef, path))
		return -ENOEXEC;
	err = elf_syms_vaddr_to_offset(&ef, vaddr, off);
	elf_syms_close(&ef);
	return err;
}
