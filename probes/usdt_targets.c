/* The files a usdt target stands for: one path, the ELF files a glob
 * matches, or (`*`) every ELF object mapped by the -p process, or by any
 * process. A process in another mount namespace maps its files under
 * /proc/PID/root. */
#include <ctype.h>
#include <dirent.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "usdt.h"

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

void usdt_target_files(struct arena *a, const char *target, pid_t pid, struct str_vec *out)
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
