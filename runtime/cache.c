/* The compile cache (see cache.h): its directory and its entries. */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/program_io.h"
#include "cache_key.h"

static const char entry_magic[8] = "SONDECE1";
/* magic, payload length, payload checksum */
enum { HEADER_SIZE = 8 + 8 + SHA256_LEN, MAX_ENTRY = 256 << 20 };

/* Probe types whose attach points the key covers (the kernel's): programs
 * of the others (uprobes, usdt, watchpoints: files and processes) are not
 * kept. */
static const bool cached_kinds[PROBE_KINDS] = {
	[PROBE_BEGIN] = true, [PROBE_END] = true, [PROBE_TRACEPOINT] = true, [PROBE_INTERVAL] = true,
	[PROBE_PROFILE] = true, [PROBE_RAWTRACEPOINT] = true, [PROBE_SOFTWARE] = true,
	[PROBE_HARDWARE] = true, [PROBE_ITER] = true, [PROBE_TEST] = true, [PROBE_BENCH] = true,
};

static void note(const struct compile_cache *c, const char *what)
{
	if (c->verbose)
		fprintf(stderr, "compile cache: %s (%s)\n", what, c->path);
}

/* The default directory; false when there is none. */
static bool default_dir(char *dir, size_t n)
{
	const char *env = getenv("SONDE_CACHE_DIR");
	if (env && *env)
		return (size_t)snprintf(dir, n, "%s", env) < n;
	if (geteuid() == 0)
		return (size_t)snprintf(dir, n, "/var/cache/sonde") < n;
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char parent[PATH_MAX];
	if (xdg && *xdg == '/')
		snprintf(parent, sizeof(parent), "%s", xdg);
	else if (home && *home == '/')
		snprintf(parent, sizeof(parent), "%s/.cache", home);
	else
		return false;
	if (mkdir(parent, 0700) < 0 && errno != EEXIST)
		return false;
	return (size_t)snprintf(dir, n, "%s/sonde", parent) < n;
}

/* The directory exists (made if missing), is ours and only ours. A
 * default one that cannot be made is silently not used: nobody asked for it. */
static bool usable_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		const char *env = getenv("SONDE_CACHE_DIR");
		if (env && *env)
			fprintf(stderr, "WARNING: compile cache: cannot create %s: %s; compiling without it\n", dir,
				strerror(errno));
		return false;
	}
	struct stat st;
	if (lstat(dir, &st) < 0) {
		fprintf(stderr, "WARNING: compile cache: %s: %s; compiling without it\n", dir, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
		fprintf(stderr, "WARNING: compile cache: not using %s: it must be a directory of mode 0700 owned by "
			"uid %u (it is %s, mode %04o, owner %u)\n", dir, (unsigned)geteuid(),
			S_ISDIR(st.st_mode) ? "a directory" : "not a directory", (unsigned)(st.st_mode & 07777),
			(unsigned)st.st_uid);
		return false;
	}
	return true;
}

bool cache_open(struct compile_cache *c, const struct compile_options *o, const char *src, bool verbose)
{
	memset(c, 0, sizeof(*c));
	c->verbose = verbose;
	if (!default_dir(c->dir, sizeof(c->dir)) || !usable_dir(c->dir))
		return false;
	cache_key(o, src, c->key);
	int n = snprintf(c->path, sizeof(c->path), "%s/", c->dir);
	for (int i = 0; i < SHA256_LEN && n + 3 < (int)sizeof(c->path); i++)
		n += snprintf(c->path + n, sizeof(c->path) - (size_t)n, "%02x", c->key[i]);
	return n == (int)strlen(c->dir) + 1 + 2 * SHA256_LEN;
}

/* The entry's bytes, if it is a regular file of ours that only we can read. */
static unsigned char *read_entry(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	unsigned char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077) &&
	    st.st_size >= HEADER_SIZE && st.st_size <= MAX_ENTRY && (buf = malloc((size_t)st.st_size))) {
		size_t n = 0;
		while (n < (size_t)st.st_size) {
			ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		*len = n;
	}
	close(fd);
	return buf;
}

/* A cursor over the verified payload. */
struct cursor {
	const unsigned char *p, *end;
};

static bool take(struct cursor *cu, void *out, size_t n)
{
	if ((size_t)(cu->end - cu->p) < n)
		return false;
	memcpy(out, cu->p, n);
	cu->p += n;
	return true;
}

static const char *take_str(struct cursor *cu, struct arena *a)
{
	uint64_t n;
	if (!take(cu, &n, sizeof(n)) || n > (uint64_t)(cu->end - cu->p))
		return NULL;
	const char *s = arena_strndup(a, (const char *)cu->p, (size_t)n);
	cu->p += n;
	return s;
}

/* Every input the compilation read is as it was. */
static bool inputs_current(struct cursor *cu, struct arena *a)
{
	uint64_t n;
	if (!take(cu, &n, sizeof(n)))
		return false;
	for (uint64_t i = 0; i < n; i++) {
		const char *path = take_str(cu, a);
		unsigned char was[SHA256_LEN], now[SHA256_LEN];
		if (!path || !take(cu, was, sizeof(was)) || input_digest(path, now) < 0 || memcmp(was, now, sizeof(now)))
			return false;
	}
	return true;
}

struct compiled_program *cache_load(struct compile_cache *c, struct arena *a, const char **warnings)
{
	size_t len = 0;
	unsigned char *buf = read_entry(c->path, &len);
	if (!buf) {
		note(c, "miss");
		return NULL;
	}
	struct compiled_program *p = NULL;
	uint64_t payload = 0;
	unsigned char sum[SHA256_LEN], key[SHA256_LEN];
	if (len >= HEADER_SIZE)
		memcpy(&payload, buf + 8, sizeof(payload));
	const unsigned char *body = buf + HEADER_SIZE;
	if (len < HEADER_SIZE || memcmp(buf, entry_magic, sizeof(entry_magic)) || payload != len - HEADER_SIZE) {
		note(c, "invalid entry, ignored");
		goto out;
	}
	sha256_of(body, (size_t)payload, sum);
	struct cursor cu = { body, body + payload };
	if (memcmp(sum, buf + 16, SHA256_LEN) || !take(&cu, key, sizeof(key)) || memcmp(key, c->key, sizeof(key))) {
		note(c, "invalid entry, ignored");
		goto out;
	}
	if (!inputs_current(&cu, a)) {
		note(c, "miss: an included or imported file changed");
		goto out;
	}
	const char *w = take_str(&cu, a);
	uint64_t size;
	if (w && take(&cu, &size, sizeof(size)) && size == (uint64_t)(cu.end - cu.p))
		p = program_deserialize(a, cu.p, (size_t)size);
	if (!p) {
		note(c, "invalid entry, ignored");
		goto out;
	}
	*warnings = w;
	note(c, "hit");
out:
	free(buf);
	return p;
}

/* Why p is not kept, or NULL. */
static const char *not_cacheable(const struct compiled_program *p, const struct input_log *inputs)
{
	if (p->uncacheable)
		return p->uncacheable;
	if (inputs->failed)
		return "an included file cannot be read again";
	for (int i = 0; i < p->nprogs; i++) {
		if (!cached_kinds[p->progs[i].spec.kind])
			return "its probes depend on files or processes";
		if (p->progs[i].spec.flags & PF_SEQ_OUTPUT)
			return "a pinned iterator's path is checked when compiling";
	}
	return NULL;
}

static void put(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

static void put_str(FILE *f, const char *s)
{
	uint64_t n = strlen(s);
	put(f, &n, sizeof(n));
	put(f, s, n);
}

/* The payload: key, inputs, warnings, program (malloc'd). */
static char *payload_of(const struct compile_cache *c, const struct compiled_program *p,
			const struct input_log *inputs, const char *warnings, size_t *len)
{
	unsigned char *blob;
	size_t blob_len;
	if (program_serialize(p, &blob, &blob_len) < 0)
		return NULL;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f) {
		free(blob);
		return NULL;
	}
	put(f, c->key, sizeof(c->key));
	uint64_t n = (uint64_t)inputs->n;
	put(f, &n, sizeof(n));
	for (const struct input_file *in = inputs->head; in; in = in->next) {
		put_str(f, in->path);
		put(f, in->digest, sizeof(in->digest));
	}
	put_str(f, warnings ? warnings : "");
	uint64_t size = blob_len;
	put(f, &size, sizeof(size));
	put(f, blob, blob_len);
	free(blob);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Write all of data to fd. */
static bool write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

void cache_store(struct compile_cache *c, const struct compiled_program *p, const struct input_log *inputs,
		 const char *warnings)
{
	const char *why = not_cacheable(p, inputs);
	if (why) {
		if (c->verbose)
			fprintf(stderr, "compile cache: not kept: %s\n", why);
		return;
	}
	size_t len;
	char *payload = payload_of(c, p, inputs, warnings, &len);
	if (!payload)
		return;
	unsigned char header[HEADER_SIZE];
	uint64_t n = len;
	memcpy(header, entry_magic, sizeof(entry_magic));
	memcpy(header + 8, &n, sizeof(n));
	sha256_of(payload, len, header + 16);
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", c->path);
	int fd = mkstemp(tmp); /* mode 0600 */
	bool ok = fd >= 0 && write_all(fd, header, sizeof(header)) && write_all(fd, payload, len);
	if (fd >= 0 && close(fd) < 0)
		ok = false;
	if (ok && rename(tmp, c->path) == 0)
		note(c, "stored");
	else if (fd >= 0)
		unlink(tmp);
	free(payload);
}

const char *cache_warnings_text(struct diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	diags_print(d, f, DIAG_WARNING);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	const char *s = arena_strndup(d->arena, buf ? buf : "", len);
	free(buf);
	return s;
}
