/* The compile cache's key: everything a compilation's output depends on.
 * The kernel is named by its release, version, build id, boot (kernel
 * addresses change with every boot) and loaded modules (they add
 * tracepoints, symbols and BTF); the sonde binary and its compiler object by
 * their file identity. */
#include "cache_key.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/file.h"
#include "../probes/probe.h"
#include "compiler_load.h"

#ifndef SONDE_VERSION
#define SONDE_VERSION "0.0.0"
#endif

extern char **environ;

static void put_str(struct sha256 *s, const char *v)
{
	if (!v)
		v = "\x01(null)";
	sha256_update(s, v, strlen(v) + 1);
}

static void put_u64(struct sha256 *s, uint64_t v)
{
	sha256_update(s, &v, sizeof(v));
}

static void put_strings(struct sha256 *s, const char *const *v, int n)
{
	put_u64(s, (uint64_t)n);
	for (int i = 0; i < n; i++)
		put_str(s, v[i]);
}

/* A file's identity without reading it (the binary, the BTF file). */
static void put_file_identity(struct sha256 *s, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		put_u64(s, 0);
		return;
	}
	put_u64(s, st.st_dev);
	put_u64(s, st.st_ino);
	put_u64(s, (uint64_t)st.st_size);
	put_u64(s, (uint64_t)st.st_mtim.tv_sec);
	put_u64(s, (uint64_t)st.st_mtim.tv_nsec);
}

static void put_file(struct sha256 *s, const char *path)
{
	size_t len = 0;
	char *text = file_read_all(path, &len);
	put_u64(s, len);
	if (text)
		sha256_update(s, text, len);
	free(text);
}

/* The loaded modules: the name and size of each line of /proc/modules (the
 * use counts change all the time). */
static void put_modules(struct sha256 *s)
{
	char *text = file_read_all("/proc/modules", NULL);
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char name[256];
		unsigned long size;
		if (sscanf(line, "%255s %lu", name, &size) == 2) {
			put_str(s, name);
			put_u64(s, size);
		}
		if (!next)
			break;
	}
	free(text);
}

static void put_kernel(struct sha256 *s)
{
	struct utsname u;
	if (uname(&u) == 0) {
		put_str(s, u.release);
		put_str(s, u.version);
		put_str(s, u.machine);
	}
	put_file(s, "/sys/kernel/notes"); /* the kernel's build id */
	put_file(s, "/proc/sys/kernel/random/boot_id");
	put_modules(s);
	const char *btf = btf_path();
	put_file_identity(s, btf ? btf : "/sys/kernel/btf/vmlinux");
}

/* The environment variables the compiler reads (config, BTF, debug info). */
static void put_environment(struct sha256 *s)
{
	for (char **e = environ; *e; e++)
		if ((!strncmp(*e, "BPFTRACE_", 9) || !strncmp(*e, "SONDE_", 6)) &&
		    strncmp(*e, "SONDE_CACHE_DIR=", 16))
			put_str(s, *e);
	put_str(s, "");
}

static void put_options(struct sha256 *s, const struct compile_options *o)
{
	put_strings(s, (const char *const *)o->params, o->nparams);
	put_strings(s, (const char *const *)o->named, o->nnamed);
	put_u64(s, (uint64_t)o->pid);
	put_u64(s, o->child);
	put_u64(s, o->unsafe);
	put_u64(s, o->usdt_file_activation);
	put_u64(s, o->no_uprobe_multi);
	put_u64(s, o->no_kprobe_multi);
	put_u64(s, o->no_kprobe_session);
	put_u64(s, o->no_raw_syscalls);
	put_u64(s, o->runtime_checks);
	put_u64(s, (uint64_t)o->ncpus);
	put_u64(s, (uint64_t)o->max_strlen);
	put_u64(s, o->max_map_keys);
	put_u64(s, o->max_probes);
	put_u64(s, o->max_cat_bytes);
	put_str(s, o->probe_filter);
	put_u64(s, o->run);
	put_str(s, o->script_dir);
	put_str(s, o->script_path);
	put_strings(s, o->include_dirs, o->ninclude_dirs);
	put_strings(s, o->include_files, o->ninclude_files);
	put_u64(s, o->verbose);
	put_u64(s, o->print_maps_on_exit);
	put_u64(s, o->no_cpp_demangle);
	put_u64(s, o->no_debug_info);
	put_u64(s, o->hist_percentiles);
	put_u64(s, o->stack_mode);
	put_u64(s, (uint64_t)o->missing_probes);
	put_str(s, o->license);
	for (int i = 0; i < UNSTABLE_NFEATURES; i++)
		put_u64(s, o->unstable[i]);
}

void cache_key(const struct compile_options *o, const char *src, unsigned char key[SHA256_LEN])
{
	struct sha256 s;
	sha256_init(&s);
	put_str(&s, "sonde compile cache 1");
	put_str(&s, SONDE_VERSION);
	put_file_identity(&s, "/proc/self/exe");
	char compiler[PATH_MAX];
	put_file_identity(&s, compiler_path(compiler, sizeof(compiler)) == 0 ? compiler : "");
	put_str(&s, src);
	char cwd[PATH_MAX];
	put_str(&s, getcwd(cwd, sizeof(cwd)) ? cwd : NULL); /* relative include paths */
	put_options(&s, o);
	put_environment(&s);
	put_kernel(&s);
	sha256_final(&s, key);
}
