/* Where a user-space probe (uprobe, usdt) attaches: the target binary as
 * written resolved to a file, and the checks that it is one. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/elf_syms.h"
#include "../common/file.h"
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

/* /etc/ld.so.cache, "glibc-ld.so.cache1.1" format: a 48-byte header, then
 * 24-byte entries { i32 flags; u32 key; u32 value; u32 osv; u64 hwcap }
 * whose key (soname) and value (path) are offsets from the file start.
 * `libc` matches `libc.so*`; a name with ".so" must match exactly. */
static const char *search_ldcache(struct arena *a, const char *name)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	const size_t hdr = 48, ent = 24;
	const char *found = NULL;
	size_t len, nlen = strlen(name);
	char *buf = file_read_all("/etc/ld.so.cache", &len);
	uint32_t nlibs;
	bool exact = strstr(name, ".so") != NULL;

	if (!buf)
		return NULL;
	if (len < hdr || memcmp(buf, magic, sizeof(magic) - 1))
		goto out;
	memcpy(&nlibs, buf + 20, sizeof(nlibs));
	for (uint32_t i = 0; i < nlibs && hdr + (i + 1) * ent <= len && !found; i++) {
		const char *e = buf + hdr + i * ent;
		uint32_t key, value;
		int32_t flags;
		memcpy(&flags, e, 4);
		memcpy(&key, e + 4, 4);
		memcpy(&value, e + 8, 4);
		if (key >= len || value >= len || !memchr(buf + key, '\0', len - key) ||
		    !memchr(buf + value, '\0', len - value))
			continue;
		const char *soname = buf + key;
		bool match = exact ? !strcmp(soname, name)
				   : !strncmp(soname, name, nlen) && !strncmp(soname + nlen, ".so", 3);
#if defined(__x86_64__)
		/* Skip 32-bit libraries: FLAG_X8664_LIB64 is 0x0300. */
		if ((flags & 0xff00) != 0x0300)
			match = false;
#endif
		if (match && probe_is_regular_file(buf + value))
			found = arena_strdup(a, buf + value);
	}
out:
	free(buf);
	return found;
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
		diag_error(d, loc, "%s on every mapped binary ('*') is not supported", provider);
		return NULL;
	}
	if (strchr(bin, '/')) {
		if (bin[0] == '/' || probe_has_wildcard(bin))
			return bin;
		char buf[PATH_MAX];
		return realpath(bin, buf) ? arena_strdup(a, buf) : bin;
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
