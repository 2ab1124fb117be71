/* uprobe:BIN:FN (alias u), uretprobe:BIN:FN (alias ur), uprobe:BIN:FN+OFF,
 * uprobe:BIN:ADDR, uprobe:BIN@FILE:LINE[:COL] (uprobe_dwarf.c), and with -p PID
 * uprobe:FN (the process's executable).
 *
 * Targets are resolved by target.c; functions come from the ELF symbol
 * tables (user_funcs.c). Several functions of one binary share one
 * uprobe_multi program where the kernel has them (uprobe_multi.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../common/demangle.h"
#include "../common/dwarf.h"
#include "../common/suggest.h"
#include "internal.h"
#include "user_funcs.h"

static const char *const uprobe_aliases[] = { "u", NULL };
static const char *const uretprobe_aliases[] = { "ur", NULL };

static const char *provider_name(enum probe_kind kind)
{
	return kind == PROBE_URETPROBE ? "uretprobe" : "uprobe";
}

/* ---- probe ops ---------------------------------------------------------- */

/* "uprobe:BIN:FN", with the C++ qualifier "uprobe:BIN:cpp:FN" */
static const char *canonical_name(struct arena *a, const struct attach_spec *spec,
				  const char *target, const char *func)
{
	return arena_printf(a, "%s:%s:%s%s", provider_name(spec->kind), target,
			    spec->cpp ? "cpp:" : "", func);
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
			out->target = probe_resolve_target(a, d, loc, provider, parts[1], ctx->pid);
			if (!out->target ||
			    (!probe_has_wildcard(out->target) &&
			     probe_check_target(d, loc, provider, out->target,
						ctx->unsafe ? TARGET_ANY : TARGET_ELF_OR_UNSAFE)))
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
	if (lang && strcmp(lang, "c") && strcmp(lang, "cpp")) {
		diag_error(d, loc, "Unsupported language qualifier for %s: %s", provider, lang);
		return -1;
	}
	out->cpp = lang && !strcmp(lang, "cpp");
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
	out->target = probe_resolve_target(a, d, loc, "uprobe", bin, ctx->pid);
	if (!out->target)
		return -1;
	if (!probe_has_wildcard(out->target) && probe_check_target(d, loc, "uprobe", out->target, ctx->unsafe ? TARGET_ANY : TARGET_ELF_OR_UNSAFE))
		return -1;
	if (out->cpp && !out->symbol) {
		diag_error(d, loc, "a C++ (cpp:) %s probe needs a function name", provider);
		return -1;
	}
	out->func = fn;
	out->canonical = canonical_name(a, out, out->target, fn);
	return 0;
}

/* A function the pattern names: by its symbol, or with `cpp:` by its
 * demangled name with or without the parameter list. The name to show
 * (the symbol, or the whole demangled name) is returned in *shown. */
static bool func_matches(struct arena *a, const struct attach_spec *pattern,
			 const struct user_func *f, const char **shown)
{
	bool wild = probe_has_wildcard(pattern->symbol);

	*shown = f->name;
	if (!pattern->cpp)
		return wild ? probe_glob_match(pattern->symbol, f->name)
			    : !strcmp(pattern->symbol, f->name);
	char *full = demangle(f->name);
	if (!full)
		return false;
	char *base = arena_strndup(a, full, demangle_base_len(full));
	bool match = wild ? probe_glob_match(pattern->symbol, full) ||
				    probe_glob_match(pattern->symbol, base)
			  : !strcmp(pattern->symbol, full) || !strcmp(pattern->symbol, base);
	if (match)
		*shown = arena_strdup(a, full);
	free(full);
	return match;
}

/* A function a pattern matched, and the name it is shown by. */
struct hit {
	const struct user_func *f;
	const char *shown;
};

/* Address, then the best name first. */
static int by_address(const void *x, const void *y)
{
	const struct user_func *a = ((const struct hit *)x)->f, *b = ((const struct hit *)y)->f;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Of several names at one address (aliases such as `__GI___pthread_create`
 * and `pthread_create`) keep the best one: the function is probed once. */
static int one_per_address(struct hit *hits, int n)
{
	int kept = 0;

	qsort(hits, (size_t)n, sizeof(*hits), by_address);
	for (int i = 0; i < n; i++)
		if (!kept || hits[kept - 1].f->addr != hits[i].f->addr)
			hits[kept++] = hits[i];
	return kept;
}

/* The functions of funcs the pattern names, in *hits (arena). */
static int find_hits(struct arena *a, const struct attach_spec *pattern,
		     const struct user_funcs *funcs, struct hit **hits)
{
	int n = 0;

	*hits = arena_alloc(a, sizeof(**hits) * (size_t)(funcs->n + 1));
	if (!pattern->cpp && !probe_has_wildcard(pattern->symbol)) {
		const struct user_func *f = user_funcs_find(funcs, pattern->symbol);
		if (f)
			(*hits)[n++] = (struct hit){ f, f->name };
		return n;
	}
	for (int i = 0; i < funcs->n; i++)
		if (func_matches(a, pattern, &funcs->v[i], &(*hits)[n].shown))
			(*hits)[n++].f = &funcs->v[i];
	return n;
}

static struct attach_spec *push_spec(struct arena *a, struct spec_vec *sv,
				     const struct attach_spec *pattern, const char *path,
				     const char *func, const char *symbol, uint64_t addr)
{
	struct attach_spec *s = spec_vec_push(a, sv);

	*s = *pattern;
	s->target = path;
	s->func = func;
	s->symbol = symbol;
	s->offset = addr;
	s->canonical = canonical_name(a, s, path, func);
	return s;
}

/* Specs for one concrete target file: the offset becomes the virtual
 * address to probe. -1 after an error. */
static int expand_target(struct arena *a, struct diags *d, const struct src_loc *loc,
			 const struct probe_context *ctx, const struct attach_spec *pattern,
			 const char *path, struct spec_vec *sv)
{
	struct user_funcs funcs;
	struct hit *hits;

	if (!pattern->symbol || (ctx->unsafe && !probe_is_elf_object(path))) {
		/* Addresses are not checked against symbols. */
		push_spec(a, sv, pattern, path, pattern->func, pattern->symbol, pattern->offset);
		return 0;
	}
	if (user_funcs_load(a, path, &funcs))
		return 0;
	int nhits = find_hits(a, pattern, &funcs, &hits), kept = 0;
	/* bpftrace's check: the offset must fall inside the function; a
	 * wildcard skips the functions it does not fit (size 0: unknown) */
	bool named = !pattern->cpp && !probe_has_wildcard(pattern->symbol);
	for (int i = 0; i < nhits; i++) {
		if (ctx->unsafe || pattern->offset < hits[i].f->size) {
			hits[kept++] = hits[i];
		} else if (named) {
			diag_error(d, loc, "Offset outside the function bounds ('%s' size is %" PRIu64 ")",
				   hits[i].f->name, hits[i].f->size);
			return -1;
		}
	}
	/* C++ overloads are distinct functions; C aliases are one */
	nhits = pattern->cpp ? kept : one_per_address(hits, kept);
	for (int i = 0; i < nhits; i++) {
		const char *func = hits[i].shown;
		if (pattern->offset)
			func = arena_printf(a, "%s+%" PRIu64, func, pattern->offset);
		struct attach_spec *s = push_spec(a, sv, pattern, path, func, hits[i].f->name,
						  hits[i].f->addr + pattern->offset);
		s->func_name = hits[i].shown;
		s->func_offset = pattern->offset;
	}
	return 0;
}

/* "Did you mean" the function of the target closest to the missing one. */
static const char *closest_func(struct arena *a, const struct attach_spec *pattern)
{
	struct user_funcs funcs;
	struct suggestion sg;

	if (!pattern->symbol || probe_has_wildcard(pattern->target) ||
	    user_funcs_load(a, pattern->target, &funcs))
		return NULL;
	suggestion_init(&sg, pattern->symbol);
	for (int i = 0; i < funcs.n; i++)
		suggestion_offer(&sg, funcs.v[i].name);
	return sg.found ? arena_printf(a, "Did you mean '%s'?", sg.found) : NULL;
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
		struct str_vec files = { 0 };
		probe_target_files(a, pattern->target, ctx->pid, &files);
		for (int i = 0; i < files.n; i++)
			if (expand_target(a, d, loc, ctx, pattern, files.v[i], &sv))
				return -1;
	} else if (expand_target(a, d, loc, ctx, pattern, pattern->target, &sv)) {
		return -1;
	}
	if (sv.n == 0) {
		if (probe_has_wildcard(pattern->canonical))
			return probe_missing(d, loc, ctx->missing, "No uprobes matched: %s",
					     pattern->canonical);
		return probe_missing_hint(d, loc, ctx->missing, closest_func(a, pattern),
					     "Could not resolve symbol: %s:%s", pattern->target,
					     pattern->func);
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
			 struct probe_link **links, int *nlinks)
{
	uint64_t off = spec->offset;
	int err;

	if (!spec->target)
		return -EINVAL;
	if (spec->nmulti)
		return probe_uprobe_multi_attach(prog, spec, pid, links, nlinks);
	/* expansion resolved the symbol: offset is a virtual address of an
	 * ELF file, or (--unsafe) already an offset into another file */
	err = probe_vaddr_to_offset(spec->target, spec->offset, &off);
	if (err && err != -ENOEXEC)
		return err;
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = spec->kind == PROBE_URETPROBE);
	return probe_links_add(links, nlinks,
			       bpf_program__attach_uprobe_opts(prog, pid > 0 ? pid : -1, spec->target,
							       (size_t)off, &opts));
}

/* The functions of one file matching a -l pattern, named after the file
 * as given (shown) and matched as written or as resolved. */
static void list_file(struct arena *a, const char *provider, const char *pattern,
		      const char *written, const char *path, bool verbose, FILE *out)
{
	struct user_funcs funcs;

	if (user_funcs_load(a, path, &funcs))
		return;
	/* -lv: the parameters from DWARF, when the binary has any */
	struct dwarf_file *df = verbose ? dwarf_open(a, path) : NULL;
	for (int i = 0; i < funcs.n; i++) {
		const char *fn = funcs.v[i].name;
		char *name = arena_printf(a, "%s:%s:%s", provider, path, fn);
		char *as_written = arena_printf(a, "%s:%s:%s", provider, written, fn);
		if (!probe_list_match(pattern, as_written) && !probe_list_match(pattern, name))
			continue;
		fprintf(out, "%s\n", name);
		if (df && dwarf_has_info(df))
			uprobe_list_params(a, df, fn, out);
	}
	dwarf_close(df);
}

/* -l uprobe:BIN[:FN]: BIN is a file, a glob of files or (with -p) `*`,
 * every object the process maps. */
static void list_kind(enum probe_kind kind, const char *pattern, pid_t pid, bool verbose,
		      FILE *out)
{
	struct arena a = { 0 };
	struct diags scratch;
	struct src_loc loc = { 0 };
	const char *provider = provider_name(kind);
	char *copy, *bin, *colon;
	const char *path;

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
	if (probe_has_wildcard(bin)) {
		struct str_vec files = { 0 };
		probe_target_files(&a, bin, pid, &files);
		for (int i = 0; i < files.n; i++)
			list_file(&a, provider, pattern, files.v[i], files.v[i], verbose, out);
		goto out;
	}
	path = probe_resolve_target(&a, &scratch, &loc, "uprobe", bin, pid);
	if (path)
		list_file(&a, provider, pattern, bin, path, verbose, out);
out:
	arena_free(&a);
}

static void uprobe_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			bool verbose)
{
	list_kind(PROBE_UPROBE, pattern, ctx->pid, verbose, out);
}

static void uretprobe_list(const char *pattern, const struct probe_context *ctx, FILE *out,
			   bool verbose)
{
	list_kind(PROBE_URETPROBE, pattern, ctx->pid, verbose, out);
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
	.prepare = probe_uprobe_multi_prepare,
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
	.prepare = probe_uprobe_multi_prepare,
	.list = uretprobe_list,
};
