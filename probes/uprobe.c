/* uprobe:BIN:FN (alias u), uretprobe:BIN:FN (alias ur), uprobe:BIN:FN+OFF,
 * uprobe:BIN:ADDR, uprobe:BIN@FILE:LINE[:COL] (uprobe_dwarf.c), and with -p PID
 * uprobe:FN (the process's executable).
 *
 * Targets: a path with '/' is used as is (globs expanded), `lib*` names are
 * looked up in /etc/ld.so.cache, other bare names in $PATH. Function
 * wildcards expand from the ELF symbol tables (.symtab and .dynsym). */
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "../common/dwarf.h"
#include "../common/elf_syms.h"
#include "../common/file.h"
#include "internal.h"

static const char *const uprobe_aliases[] = { "u", NULL };
static const char *const uretprobe_aliases[] = { "ur", NULL };

static const char *provider_name(enum probe_kind kind)
{
	return kind == PROBE_URETPROBE ? "uretprobe" : "uprobe";
}

/* ---- target resolution -------------------------------------------------- */

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
		if (match && is_regular_file(buf + value))
			found = arena_strdup(a, buf + value);
	}
out:
	free(buf);
	return found;
}

/* Resolve BIN to a path (absolute unless it is a glob). NULL: reported. */
static const char *resolve_target(struct arena *a, struct diags *d, const struct src_loc *loc,
				  const char *bin, pid_t pid)
{
	const char *path;

	if (!*bin) {
		if (pid <= 0) {
			diag_error(d, loc, "uprobe target may only be omitted with -p PID");
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
		diag_error(d, loc, "uprobe on every mapped binary ('*') is not supported");
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
		diag_error(d, loc, "uprobe target file '%s' does not exist or is not executable", bin);
		return NULL;
	}
	return path;
}

/* ---- ELF ---------------------------------------------------------------- */

/* An ELF executable or shared object. */
static bool is_elf_object(const char *path)
{
	struct elf_syms ef;
	bool ok;

	if (elf_syms_open(&ef, path))
		return false;
	ok = elf_syms_is_loadable(&ef);
	elf_syms_close(&ef);
	return ok;
}

struct func_names {
	struct arena *a;
	struct str_vec *out;
};

static int add_func_name(const struct elf_func *f, void *arg)
{
	struct func_names *fn = arg;

	str_vec_push(fn->a, fn->out, arena_strndup(fn->a, f->name, f->len));
	return 0;
}

/* Defined function symbols of path (versions stripped), sorted, unique. */
static int elf_functions(struct arena *a, const char *path, struct str_vec *out)
{
	struct elf_syms ef;
	struct func_names names = { a, out };

	if (elf_syms_open(&ef, path))
		return -1;
	/* an unreadable table just yields no names, like a missing one */
	elf_syms_each_func(&ef, ELF_SYMTAB, add_func_name, &names);
	elf_syms_each_func(&ef, ELF_DYNSYM, add_func_name, &names);
	elf_syms_close(&ef);
	str_vec_sort_unique(out);
	return 0;
}

static bool sorted_contains(const struct str_vec *v, const char *s)
{
	int lo = 0, hi = v->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2, c = strcmp(v->v[mid], s);
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* A virtual address of the binary to the file offset uprobes want. */
static int vaddr_to_offset(const char *path, uint64_t vaddr, uint64_t *off)
{
	struct elf_syms ef;
	int err;

	if (elf_syms_open(&ef, path))
		return -ENOEXEC;
	err = elf_syms_vaddr_to_offset(&ef, vaddr, off);
	elf_syms_close(&ef);
	return err;
}

/* ---- probe ops ---------------------------------------------------------- */

static int check_target(struct diags *d, const struct src_loc *loc, const char *path,
			bool unsafe)
{
	if (!is_regular_file(path)) {
		diag_error(d, loc, "uprobe target file '%s' does not exist or is not executable",
			   path);
		return -1;
	}
	if (!unsafe && !is_elf_object(path)) {
		struct diag_entry *e = diag_error(
			d, loc, "uprobe target file '%s' is not an ELF executable or shared library",
			path);
		diag_hint(d, e, "use --unsafe to probe any file");
		return -1;
	}
	return 0;
}

static int uprobe_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
			const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	const char *provider = provider_name(out->kind), *bin, *fn, *lang = NULL;
	const char *plus;

	for (int i = 1; i < nparts; i++)
		if (!strcmp(parts[i], "@")) {
			if (i != 2 || nparts < 5 || nparts > 6) {
				diag_error(d, loc, "Invalid %s source line: expected BIN@FILE:LINE[:COL]", provider);
				return -1;
			}
			out->target = resolve_target(a, d, loc, parts[1], ctx->pid);
			if (!out->target || (!probe_has_wildcard(out->target) &&
					     check_target(d, loc, out->target, ctx->unsafe)))
				return -1;
			return uprobe_line_parse(a, d, loc, provider, parts + 3, nparts - 3, out);
		}
	if (nparts == 2 && ctx->pid > 0) {
		bin = "";
		fn = parts[1];
	} else if (nparts == 3 && ctx->pid > 0 && (!strcmp(parts[1], "cpp") || !strcmp(parts[1], "c"))) {
		bin = "";
		lang = parts[1];
		fn = parts[2];
	} else if (nparts == 3) {
		bin = parts[1];
		fn = parts[2];
	} else if (nparts == 4) {
		bin = parts[1];
		lang = parts[2];
		fn = parts[3];
	} else {
		return probe_arity_error(d, loc, provider, "2 or 3", nparts - 1);
	}
	if (lang && strcmp(lang, "c")) {
		if (!strcmp(lang, "cpp"))
			diag_error(d, loc, "C++ (cpp:) %s probes are not supported by sonde", provider);
		else
			diag_error(d, loc, "Unsupported language qualifier for %s: %s", provider, lang);
		return -1;
	}
	if (!*fn) {
		diag_error(d, loc, "%s probe needs a function name or address", provider);
		return -1;
	}
	plus = strchr(fn, '+');
	if (plus || (fn[0] >= '0' && fn[0] <= '9')) {
		char sym[256];
		if (!probe_split_func(fn, sym, sizeof(sym), &out->offset) || probe_has_wildcard(fn)) {
			diag_error(d, loc, "Invalid %s function, offset or address: %s", provider, fn);
			return -1;
		}
		if (out->kind == PROBE_URETPROBE && plus) {
			diag_error(d, loc, "uretprobes can not be attached to a function offset");
			return -1;
		}
		/* Normalise: "0x401136" for addresses, "sym+16" for offsets. */
		out->symbol = sym[0] ? arena_strdup(a, sym) : NULL;
		fn = sym[0] ? (out->offset ? arena_printf(a, "%s+%" PRIu64, sym, out->offset)
					   : out->symbol)
			    : arena_printf(a, "0x%" PRIx64, out->offset);
	} else {
		out->symbol = fn;
	}
	out->target = resolve_target(a, d, loc, bin, ctx->pid);
	if (!out->target)
		return -1;
	if (!probe_has_wildcard(out->target) && check_target(d, loc, out->target, ctx->unsafe))
		return -1;
	out->func = fn;
	out->canonical = arena_printf(a, "%s:%s:%s", provider, out->target, fn);
	return 0;
}

/* Specs for one concrete target file. */
static void expand_target(struct arena *a, const struct probe_context *ctx,
			  const struct attach_spec *pattern, const char *path, struct spec_vec *sv)
{
	const char *provider = provider_name(pattern->kind);
	struct str_vec funcs = { 0 };
	bool wild = probe_has_wildcard(pattern->func);
	bool addr = !pattern->symbol;

	if (addr || (!wild && ctx->unsafe && !is_elf_object(path))) {
		/* Addresses are not checked against symbols. */
		struct attach_spec *s = spec_vec_push(a, sv);
		*s = *pattern;
		s->target = path;
		s->canonical = arena_printf(a, "%s:%s:%s", provider, path, pattern->func);
		return;
	}
	if (elf_functions(a, path, &funcs))
		return;
	if (!wild) {
		if (!sorted_contains(&funcs, pattern->symbol))
			return;
		struct attach_spec *s = spec_vec_push(a, sv);
		*s = *pattern;
		s->target = path;
		s->canonical = arena_printf(a, "%s:%s:%s", provider, path, pattern->func);
		return;
	}
	for (int i = 0; i < funcs.n; i++) {
		if (!probe_glob_match(pattern->func, funcs.v[i]))
			continue;
		struct attach_spec *s = spec_vec_push(a, sv);
		*s = *pattern;
		s->target = path;
		s->func = s->symbol = funcs.v[i];
		s->canonical = arena_printf(a, "%s:%s:%s", provider, path, funcs.v[i]);
	}
}

static int uprobe_expand(struct arena *a, struct diags *d, const struct src_loc *loc,
			 const struct probe_context *ctx, const struct attach_spec *pattern, struct attach_spec **out, int *n)
{
	struct spec_vec sv = { 0 };

	*out = NULL;
	*n = 0;
	if (pattern->source_line) { /* resolved when parsed */
		*out = arena_alloc(a, sizeof(**out));
		**out = *pattern;
		*n = 1;
		return 0;
	}
	if (probe_has_wildcard(pattern->target)) {
		glob_t g;
		if (glob(pattern->target, 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				if (is_regular_file(g.gl_pathv[i]) && is_elf_object(g.gl_pathv[i]))
					expand_target(a, ctx, pattern,
						      arena_strdup(a, g.gl_pathv[i]), &sv);
			globfree(&g);
		}
	} else {
		expand_target(a, ctx, pattern, pattern->target, &sv);
	}
	if (sv.n == 0) {
		if (probe_has_wildcard(pattern->canonical))
			return probe_missing(d, loc, ctx->missing, "No uprobes matched: %s",
					     pattern->canonical);
		return probe_missing(d, loc, ctx->missing, "Could not resolve symbol: %s:%s",
				     pattern->target, pattern->func);
	}
	spec_vec_sort_unique(&sv);
	*out = sv.v;
	*n = sv.n;
	return 0;
}

static const char *uprobe_section(struct arena *a, const struct attach_spec *spec)
{
	/* Plain SEC names: libbpf 1.1 gives BPF_PROG_TYPE_KPROBE and leaves
	 * the attaching to us. */
	return spec->kind == PROBE_URETPROBE ? "uretprobe" : "uprobe";
}

static int uprobe_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
			 struct bpf_link ***links, int *nlinks)
{
	uint64_t off = spec->offset;
	struct bpf_link *l;
	long err;

	if (!spec->target)
		return -EINVAL;
	if (!spec->symbol) {
		err = vaddr_to_offset(spec->target, off, &off);
		if (err)
			return (int)err;
	}
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = spec->kind == PROBE_URETPROBE,
		    .func_name = spec->symbol);
	/* With func_name, libbpf adds the symbol's file offset to off. */
	l = bpf_program__attach_uprobe_opts(prog, pid > 0 ? pid : -1, spec->target, (size_t)off,
					    &opts);
	err = libbpf_get_error(l);
	if (err)
		return (int)err;
	return probe_links_push(links, nlinks, l);
}

/* -l uprobe:BIN:FN: the target must be concrete (no listing of every
 * binary on the system). */
static void list_kind(enum probe_kind kind, const char *pattern, FILE *out, bool verbose)
{
	struct arena a = { 0 };
	struct diags scratch;
	struct src_loc loc = { 0 };
	const char *provider = provider_name(kind);
	char *copy, *bin, *colon;
	const char *path;
	struct str_vec funcs = { 0 };
	struct dwarf_file *df = NULL;

	if (!pattern)
		return;
	diags_init(&scratch, &a, "", "");
	copy = arena_strdup(&a, pattern);
	bin = strchr(copy, ':');
	if (!bin)
		goto out;
	bin++;
	colon = strrchr(bin, ':');
	if (colon)
		*colon = '\0';
	else
		pattern = arena_printf(&a, "%s:*", pattern); /* `uprobe:BIN`: all functions */
	if (!*bin || probe_has_wildcard(bin))
		goto out;
	path = resolve_target(&a, &scratch, &loc, bin, 0);
	if (!path || elf_functions(&a, path, &funcs))
		goto out;
	/* -lv: the parameters from DWARF, when the binary has any */
	df = verbose ? dwarf_open(&a, path) : NULL;
	for (int i = 0; i < funcs.n; i++) {
		char *name = arena_printf(&a, "%s:%s:%s", provider, path, funcs.v[i]);
		/* The pattern names the target as written: match on that. */
		char *as_written = arena_printf(&a, "%s:%s:%s", provider, bin, funcs.v[i]);
		if (!probe_list_match(pattern, as_written) && !probe_list_match(pattern, name))
			continue;
		fprintf(out, "%s\n", name);
		if (df && dwarf_has_info(df))
			uprobe_list_params(&a, df, funcs.v[i], out);
	}
out:
	dwarf_close(df);
	arena_free(&a);
}

static void uprobe_list(const char *pattern, FILE *out, bool verbose)
{
	list_kind(PROBE_UPROBE, pattern, out, verbose);
}

static void uretprobe_list(const char *pattern, FILE *out, bool verbose)
{
	list_kind(PROBE_URETPROBE, pattern, out, verbose);
}

const struct probe_ops probe_uprobe_ops = {
	.name = "uprobe",
	.aliases = uprobe_aliases,
	.kind = PROBE_UPROBE,
	.flags = PF_USER | PF_USER_CONTEXT | PF_FUNC | PF_GLOB_CANDIDATE | PF_REGS | PF_SIGNAL | PF_LIFO |
		 PF_DWARF_ARGS,
	.arg_offset = probe_pt_regs_arg_offset,
	.reg_offset = probe_pt_regs_offset,
	.parse = uprobe_parse,
	.expand = uprobe_expand,
	.section = uprobe_section,
	.attach = uprobe_attach,
	.list = uprobe_list,
};

const struct probe_ops probe_uretprobe_ops = {
	.name = "uretprobe",
	.aliases = uretprobe_aliases,
	.kind = PROBE_URETPROBE,
	.flags = PF_USER | PF_USER_CONTEXT | PF_FUNC | PF_RETVAL | PF_GLOB_CANDIDATE | PF_REGS | PF_SIGNAL | PF_LIFO |
		 PF_DWARF_RETVAL,
	.reg_offset = probe_pt_regs_offset,
	.parse = uprobe_parse,
	.expand = uprobe_expand,
	.section = uprobe_section,
	.attach = uprobe_attach,
	.list = uretprobe_list,
};
