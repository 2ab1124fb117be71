/* usdt:BIN:PROVIDER:PROBE and usdt:BIN:PROBE (alias U), with -p PID also
 * usdt:PROBE; BIN `*` is every object mapped by the -p process (or by any
 * process). Wildcards work in BIN (a glob), PROVIDER and PROBE.
 *
 * A probe is a uprobe at each of its locations (one spec, and so one BPF
 * program, per location, since each location has argument specs of its
 * own) whose semaphore, if any, the kernel counts up while the uprobe is
 * attached (ref_ctr_offset): so the traced processes see PROVIDER_PROBE_ENABLED()
 * true. With -p or -c only that process gets the uprobe and the count;
 * without, every process mapping the binary, now or later. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../common/elf_syms.h"
#include "../common/suggest.h"
#include "../common/usdt_notes.h"
#include "internal.h"

/* ---- parsing ------------------------------------------------------------ */

static int usdt_parse(struct arena *a, struct diags *d, const struct src_loc *loc,
		      const struct probe_context *ctx, char **parts, int nparts, struct attach_spec *out)
{
	struct usdt_location *want = arena_alloc(a, sizeof(*want));
	const char *bin;

	if (nparts == 2 && ctx->pid > 0) {
		bin = "*";
		want->name = parts[1];
	} else if (nparts == 3) {
		bin = parts[1];
		want->name = parts[2];
	} else if (nparts == 4) {
		bin = parts[1];
		want->provider = parts[2];
		want->name = parts[3];
	} else {
		return probe_arity_error(d, loc, "usdt", ctx->pid > 0 ? "1, 2 or 3" : "2 or 3",
					 nparts - 1);
	}
	if (!*want->name || (want->provider && !*want->provider)) {
		diag_error(d, loc, "usdt probe needs a provider and a probe name, or a probe name");
		return -1;
	}
	if (!strcmp(bin, "*")) {
		out->target = bin;
	} else {
		out->target = probe_resolve_target(a, d, loc, "usdt", bin, ctx->pid);
		if (!out->target)
			return -1;
		if (!probe_has_wildcard(out->target) &&
		    probe_check_target(d, loc, "usdt", out->target, TARGET_ELF))
			return -1;
	}
	if (ctx->usdt_file_activation) {
		/* every process that maps the file gets the uprobe (and its
		 * semaphore counted); the program keeps to -p's process */
		out->flags = (out->flags & ~PF_PROCESS) | PF_PID_FILTER;
	}
	out->usdt = want;
	out->func = want->provider ? arena_printf(a, "%s:%s", want->provider, want->name) : want->name;
	out->canonical = arena_printf(a, "usdt:%s:%s", out->target, out->func);
	return 0;
}

/* ---- arguments ---------------------------------------------------------- */

struct found_symbol {
	const char *name;
	uint64_t addr;
	bool found;
};

static int match_symbol(const struct elf_func *f, void *arg)
{
	struct found_symbol *fs = arg;
	if (f->len != strlen(fs->name) || strncmp(f->name, fs->name, f->len))
		return 0;
	fs->addr = f->addr;
	fs->found = true;
	return 1;
}

static bool symbol_address(const struct elf_syms *e, const char *name, uint64_t *addr)
{
	struct found_symbol fs = { .name = name };
	static const enum elf_sym_table tables[] = { ELF_SYMTAB, ELF_DYNSYM };

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && !fs.found; i++)
		if (elf_syms_each_object(e, tables[i], match_symbol, &fs) <= 0)
			elf_syms_each_func(e, tables[i], match_symbol, &fs);
	*addr = fs.addr;
	return fs.found;
}

/* `SYM+N(%rip)` names memory at SYM+N of the binary. At the probe the
 * instruction pointer is the probe's address, which lies as far from SYM
 * at run time as in the file: read at ip + (SYM + N - pc). */
static void resolve_symbols(const char *path, uint64_t pc, struct usdt_arg *args, int nargs)
{
	struct elf_syms e;
	bool open = false;

	for (int i = 0; i < nargs; i++) {
		struct usdt_arg *arg = &args[i];
		uint64_t addr;
		if (arg->kind != USDT_ARG_SYMBOL)
			continue;
		if (!open && elf_syms_open(&e, path)) {
			arg->kind = USDT_ARG_UNSUPPORTED;
			continue;
		}
		open = true;
		if (!symbol_address(&e, arg->symbol, &addr)) {
			arg->kind = USDT_ARG_UNSUPPORTED;
			continue;
		}
		arg->kind = USDT_ARG_MEM;
		arg->reg = "ip";
		arg->value += (int64_t)(addr - pc);
	}
	if (open)
		elf_syms_close(&e);
}

/* ---- expansion ---------------------------------------------------------- */

/* What a search over the notes of the target files found. */
struct usdt_search {
	struct arena *a;
	const struct attach_spec *pattern;
	struct spec_vec specs;
	struct suggestion close;  /* the nearest name when nothing matches */
	struct str_vec providers; /* of the locations found */
};

static bool note_matches(const struct usdt_location *want, const struct usdt_note *note)
{
	return (!want->provider || probe_glob_match(want->provider, note->provider)) &&
	       probe_glob_match(want->name, note->name);
}

static void add_location(struct usdt_search *s, const char *path, const struct usdt_note *note)
{
	struct arena *a = s->a;
	struct attach_spec *spec = spec_vec_push(a, &s->specs);
	struct usdt_location *where = arena_alloc(a, sizeof(*where));
	struct usdt_arg *args;

	*spec = *s->pattern;
	usdt_args_parse(a, note->args, &args, &where->nargs);
	resolve_symbols(path, note->pc, args, where->nargs);
	where->provider = note->provider;
	where->name = note->name;
	where->args = args;
	where->semaphore_offset = note->semaphore_offset;
	spec->usdt = where;
	spec->target = path;
	spec->offset = note->pc_offset;
	spec->func = arena_printf(a, "%s:%s", note->provider, note->name);
	spec->canonical = arena_printf(a, "usdt:%s:%s", path, spec->func);
	str_vec_push(a, &s->providers, note->provider);
}

static void search_file(struct usdt_search *s, const char *path)
{
	const struct usdt_location *want = s->pattern->usdt;
	struct usdt_note *notes;
	int n;

	if (usdt_notes_read(s->a, path, &notes, &n))
		return;
	for (int i = 0; i < n; i++) {
		if (note_matches(want, &notes[i]))
			add_location(s, path, &notes[i]);
		else
			suggestion_offer(&s->close, want->provider ? arena_printf(s->a, "%s:%s",
										  notes[i].provider, notes[i].name)
								   : notes[i].name);
	}
}

/* By name, then by address; the same location found twice (a glob and a
 * mapping naming one file) counts once. */
static int location_cmp(const void *x, const void *y)
{
	const struct attach_spec *a = x, *b = y;
	int c = strcmp(a->canonical, b->canonical);
	return c ? c : (a->offset > b->offset) - (a->offset < b->offset);
}

static void sort_unique_locations(struct spec_vec *sv)
{
	int out = 0;

	qsort(sv->v, (size_t)sv->n, sizeof(*sv->v), location_cmp);
	for (int i = 0; i < sv->n; i++)
		if (!out || location_cmp(&sv->v[out - 1], &sv->v[i]))
			sv->v[out++] = sv->v[i];
	sv->n = out;
}

static const char *where_searched(struct arena *a, const char *target, pid_t pid)
{
	if (strcmp(target, "*"))
		return target;
	return pid > 0 ? arena_printf(a, "the objects process %d maps", (int)pid)
		       : "the objects any process maps";
}

static int report_missing(struct diags *d, const struct src_loc *loc, const struct probe_context *ctx,
			  struct usdt_search *s)
{
	const struct attach_spec *pattern = s->pattern;
	const char *hint = s->close.found ? arena_printf(s->a, "Did you mean '%s'?", s->close.found) : NULL;

	bool every_object = !strcmp(pattern->target, "*");
	if (probe_has_wildcard(pattern->func) || (!every_object && probe_has_wildcard(pattern->target)))
		return probe_missing(d, loc, ctx->missing, "No usdt probes matched: %s",
				     pattern->canonical);
	return probe_missing_hint(d, loc, ctx->missing, hint, "usdt probe %s not found in %s",
				  pattern->func, where_searched(s->a, pattern->target, ctx->pid));
}

/* A probe name without a provider that more than one provider has. */
static int report_ambiguous(struct diags *d, const struct src_loc *loc, struct usdt_search *s)
{
	const char *name = s->pattern->usdt->name, *list = s->providers.v[0];

	for (int i = 1; i < s->providers.n; i++)
		list = arena_printf(s->a, "%s, %s", list, s->providers.v[i]);
	struct diag_entry *e = diag_error(d, loc, "usdt probe '%s' is ambiguous: providers %s have it",
					  name, list);
	diag_hint(d, e, "name the provider: usdt:%s:%s:%s", s->pattern->target, s->providers.v[0],
		  name);
	return -1;
}

static int usdt_expand(struct arena *a, struct diags *d, const struct src_loc *loc,
		       const struct probe_context *ctx, const struct attach_spec *pattern,
		       struct attach_spec **out, int *n)
{
	struct usdt_search s = { .a = a, .pattern = pattern };
	struct str_vec files = { 0 };
	const struct usdt_location *want = pattern->usdt;

	*out = NULL;
	*n = 0;
	suggestion_init(&s.close, pattern->func);
	probe_target_files(a, pattern->target, ctx->pid, &files);
	for (int i = 0; i < files.n; i++)
		search_file(&s, files.v[i]);
	if (s.specs.n == 0)
		return report_missing(d, loc, ctx, &s);
	str_vec_sort_unique(&s.providers);
	if (!want->provider && !probe_has_wildcard(want->name) && s.providers.n > 1)
		return report_ambiguous(d, loc, &s);
	sort_unique_locations(&s.specs);
	*out = s.specs.v;
	*n = s.specs.n;
	return 0;
}

/* ---- attaching ---------------------------------------------------------- */

static const char *usdt_section(struct arena *a, const struct attach_spec *spec)
{
	/* A plain uprobe program: sonde reads the arguments itself, libbpf's
	 * own USDT support ("usdt" sections) is not used. */
	return "uprobe";
}

static int usdt_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
		       struct probe_link **links, int *nlinks)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .ref_ctr_offset = (size_t)spec->usdt->semaphore_offset);

	/* --usdt-file-activation: attached everywhere, filtered in BPF */
	if (spec->flags & PF_PID_FILTER)
		pid = -1;
	return probe_links_add(links, nlinks,
			       bpf_program__attach_uprobe_opts(prog, pid > 0 ? pid : -1, spec->target,
							       (size_t)spec->offset, &opts));
}

/* ---- listing ------------------------------------------------------------ */

/* One line of -l output, with the argument specs of its first location. */
struct listed_probe {
	const char *name;
	const char *args;
	int order;
};

static int listed_cmp(const void *x, const void *y)
{
	const struct listed_probe *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	return c ? c : a->order - b->order;
}

struct listing {
	struct arena *a;
	const char *pattern, *bin;
	struct listed_probe *v;
	int n, cap;
};

/* The pattern may name the binary as written or as resolved, with or
 * without the provider. */
static bool list_matches(const struct listing *ls, const char *path, const struct usdt_note *note)
{
	const char *bins[2] = { ls->bin, path };
	for (int i = 0; i < 2; i++)
		if (probe_glob_match(ls->pattern, arena_printf(ls->a, "usdt:%s:%s:%s", bins[i],
							       note->provider, note->name)) ||
		    probe_glob_match(ls->pattern, arena_printf(ls->a, "usdt:%s:%s", bins[i], note->name)))
			return true;
	return false;
}

static void list_file(struct listing *ls, const char *path)
{
	struct usdt_note *notes;
	int n;

	if (usdt_notes_read(ls->a, path, &notes, &n))
		return;
	for (int i = 0; i < n; i++) {
		if (!list_matches(ls, path, &notes[i]))
			continue;
		ls->v = arena_grow(ls->a, ls->v, ls->n, &ls->cap, sizeof(*ls->v), 64);
		ls->v[ls->n] = (struct listed_probe){
			arena_printf(ls->a, "usdt:%s:%s:%s", path, notes[i].provider, notes[i].name),
			notes[i].args, ls->n,
		};
		ls->n++;
	}
}

static void print_listing(struct listing *ls, FILE *out, bool verbose)
{
	qsort(ls->v, (size_t)ls->n, sizeof(*ls->v), listed_cmp);
	for (int i = 0; i < ls->n; i++) {
		if (i && !strcmp(ls->v[i - 1].name, ls->v[i].name))
			continue;
		fprintf(out, "%s\n", ls->v[i].name);
		if (!verbose)
			continue;
		struct usdt_arg *args;
		int nargs;
		usdt_args_parse(ls->a, ls->v[i].args, &args, &nargs);
		for (int k = 0; k < nargs; k++)
			fprintf(out, "    arg%d: %s\n", k, usdt_arg_ctype(&args[k]));
	}
}

/* -l usdt:BIN[:PROVIDER]:PROBE: BIN is a path (or a glob with '/'), a name
 * resolved like a uprobe target, or with -p `*`; no listing of every
 * binary on the system. */
static void usdt_list(const char *pattern, const struct probe_context *ctx, FILE *out, bool verbose)
{
	struct arena a = { 0 };
	struct listing ls = { .a = &a };
	struct diags scratch;
	struct src_loc loc = { 0 };
	struct str_vec files = { 0 };
	const char *target;
	char *bin, *end;

	if (!pattern)
		return;
	diags_init(&scratch, &a, "", "");
	bin = strchr(arena_strdup(&a, pattern), ':');
	if (!bin)
		goto out;
	bin++;
	end = strchr(bin, ':');
	if (end)
		*end = '\0';
	ls.pattern = end ? pattern : arena_printf(&a, "%s:*", pattern); /* `usdt:BIN`: all */
	ls.bin = bin;
	if (!strcmp(bin, "*") || !*bin)
		target = ctx->pid > 0 ? "*" : NULL;
	else if (probe_has_wildcard(bin))
		target = strchr(bin, '/') ? bin : NULL;
	else
		target = probe_resolve_target(&a, &scratch, &loc, "usdt", bin, 0);
	if (!target)
		goto out;
	probe_target_files(&a, target, ctx->pid, &files);
	for (int i = 0; i < files.n; i++)
		list_file(&ls, files.v[i]);
	print_listing(&ls, out, verbose);
out:
	arena_free(&a);
}

const struct probe_ops probe_usdt_ops = {
	.name = "usdt",
	/* its alias `U` is the one case-sensitive provider name: probe_ops_find */
	.aliases = NULL,
	.kind = PROBE_USDT,
	.flags = PF_USER | PF_USER_CONTEXT | PF_FUNC | PF_GLOB_CANDIDATE | PF_REGS | PF_SIGNAL | PF_LIFO |
		 PF_USDT_ARGS | PF_PROCESS,
	.reg_offset = probe_pt_regs_offset,
	.parse = usdt_parse,
	.expand = usdt_expand,
	.section = usdt_section,
	.attach = usdt_attach,
	.list = usdt_list,
};
