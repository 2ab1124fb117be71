/* /etc/ld.so.cache lookups (see ldcache.h). */
#include "ldcache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"

static bool is_regular_file(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* "glibc-ld.so.cache1.1" format: a 48-byte header, then 24-byte entries
 * { i32 flags; u32 key; u32 value; u32 osv; u64 hwcap } whose key (soname)
 * and value (path) are offsets from the file start. */
bool ldcache_lookup(const char *name, char *path, size_t size)
{
	static const char magic[] = "glibc-ld.so.cache1.1";
	const size_t hdr = 48, ent = 24;
	bool found = false;
	size_t len, nlen = strlen(name);
	char *buf = file_read_all("/etc/ld.so.cache", &len);
	uint32_t nlibs;
	bool exact = strstr(name, ".so") != NULL;

	if (!buf)
		return false;
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
		if (match && is_regular_file(buf + value) &&
		    (size_t)snprintf(path, size, "%s", buf + value) < size)
			found = true;
	}
out:
	free(buf);
	return found;
}
