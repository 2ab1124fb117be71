/* Semantic analysis, the driver: resolve names, infer the types of
 * variables and maps from every use, check calls and operators. Expands
 * each probe's attach points, applies map declarations, then runs the
 * checks twice over the program: the first pass only collects map types (a
 * map may be read in a probe that comes before the one assigning it), the
 * second reports errors. The checks themselves live in sema_*.c, and
 * those of functions and builtins in their theme files (fn_*.c, builtins.c). */
#include <regex.h>
#include <string.h>

#include "ctypes.h"
#include "sema_internal.h"

/* Room for one more element in an arena array of `count` used out of
 * `*cap` (which starts at `first` and then doubles). */
void *grow_array(struct arena *a, void *items, int count, int *cap, size_t size, int first)
{
	return arena_grow(a, items, count, cap, size, first);
}

struct call_info *sema_info(struct compiler *c, struct node *n)
{
	if (!n->sema) {
		struct call_info *ci = arena_alloc(c->arena, sizeof(*ci));
		ci->action = ci->check_action = -1;
		n->sema = ci;
	}
	return n->sema;
}

int compiler_add_action(struct compiler *c, struct action act)
{
	c->actions = grow_array(c->arena, c->actions, c->nactions, &c->cap_actions, sizeof(*c->actions), 16);
	c->actions[c->nactions] = act;
	return c->nactions++;
}

int compiler_probe_index(const struct compiler *c, const char *name)
{
	for (int i = 0; i < c->nprobe_names; i++)
		if (!strcmp(c->probe_names[i], name))
			return i;
	return -1;
}

const char *probe_section(struct arena *a, const struct probe_info *pi, const struct attach_spec *spec)
{
	const struct probe_ops *ops = probe_ops_of(spec); /* a kprobe session's is not the kprobe's */
	if (pi->tracing_program && ops->tracing_section)
		return ops->tracing_section(a, spec);
	return ops->section ? ops->section(a, spec) : NULL;
}

/* The value of the `probe` builtin in the programs of every attach point
 * (and the function it names, for `func` of a uprobe_multi program). */
static void add_probe_name(struct compiler *c, const struct attach_spec *spec)
{
	if (compiler_probe_index(c, spec->canonical) >= 0)
		return;
	int cap = c->cap_probe_names;
	c->probe_names = grow_array(c->arena, c->probe_names, c->nprobe_names, &c->cap_probe_names,
				    sizeof(*c->probe_names), 16);
	c->probe_funcs = grow_array(c->arena, c->probe_funcs, c->nprobe_names, &cap,
				    sizeof(*c->probe_funcs), 16);
	c->probe_funcs[c->nprobe_names] = spec->func_name;
	c->probe_names[c->nprobe_names++] = spec->canonical;
}

/* ---- probes ---- */

/* The distinct probe types of the attach points of pi, in order of first
 * appearance, into kinds (may be NULL); their number. */
static int probe_kinds(const struct probe_info *pi, enum probe_kind *kinds)
{
	enum probe_kind seen[PROBE_KINDS];
	int n = 0;
	for (int k = 0; k < pi->nspecs; k++) {
		bool known = false;
		for (int j = 0; j < n && !known; j++)
			known = seen[j] == pi->specs[k].kind;
		if (!known)
			seen[n++] = pi->specs[k].kind;
	}
	if (kinds)
		memcpy(kinds, seen, sizeof(*kinds) * (size_t)n);
	return n;
}

/* A probe whose attach points are of several probe types becomes one
 * probe_info per type (in the order the types first appear): the same body
 * is checked and lowered for each type's context. c->probes gets them. */
static void split_by_type(struct compiler *c, const struct probe_info *found, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++) {
		int kinds = probe_kinds(&found[i], NULL);
		total += kinds ? kinds : 1; /* one without attach points stays */
	}
	c->probes = arena_alloc(c->arena, sizeof(*c->probes) * (size_t)(total ? total : 1));
	c->nprobes = 0;
	for (int i = 0; i < n; i++) {
		enum probe_kind kinds[PROBE_KINDS];
		int nkinds = probe_kinds(&found[i], kinds);
		if (!nkinds) {
			c->probes[c->nprobes++] = found[i]; /* no attach points left */
			continue;
		}
		for (int g = 0; g < nkinds; g++) {
			struct probe_info *pi = &c->probes[c->nprobes++];
			*pi = (struct probe_info){ .ast = found[i].ast };
			if (g > 0) {
				/* sema and lowering annotate the nodes per context */
				struct probe *copy = arena_alloc(c->arena, sizeof(*copy));
				*copy = *found[i].ast;
				copy->next = NULL;
				copy->filter = ast_copy_list(c, copy->filter);
				copy->body = ast_copy_list(c, copy->body);
				pi->ast = copy;
			}
			pi->specs = arena_alloc(c->arena, sizeof(*pi->specs) * (size_t)found[i].nspecs);
			for (int k = 0; k < found[i].nspecs; k++)
				if (found[i].specs[k].kind == kinds[g])
					pi->specs[pi->nspecs++] = found[i].specs[k];
		}
	}
}

/* An iterator's run is the whole run: beside it only begin and end. One
 * error (at the first attach point too many), or 0. */
static int check_single_iterator(struct compiler *c)
{
	bool iter = false;
	int others = 0;
	const struct src_loc *other = NULL;
	for (int i = 0; i < c->nprobes; i++)
		for (int k = 0; k < c->probes[i].nspecs; k++) {
			const struct attach_spec *s = &c->probes[i].specs[k];
			if (s->flags & PF_RUN_ONCE)
				continue;
			iter |= (s->flags & PF_ITER) != 0;
			if (others++ == 1)
				other = &c->probes[i].ast->loc;
		}
	if (!iter || others < 2)
		return 0;
	diag_error(c->diags, other, "Only single iter attach point is allowed.");
	return 1;
}

/* Asked of the kernel once per compilation, and only when it matters. */
static bool kernel_has_uprobe_multi(struct compiler *c)
{
	return !c->opts->no_uprobe_multi && kernel_feature_has(&c->features, KFEAT_UPROBE_MULTI);
}

static bool kernel_has_kprobe_multi(struct compiler *c)
{
	return !c->opts->no_kprobe_multi && kernel_feature_has(&c->features, KFEAT_KPROBE_MULTI);
}

static bool kernel_has_kprobe_session(struct compiler *c)
{
	return kernel_has_kprobe_multi(c) && !c->opts->no_kprobe_session &&
	       kernel_feature_has(&c->features, KFEAT_KPROBE_SESSION);
}

/* Several kprobes (or kretprobes) on function entries, as a wildcard gives:
 * one kprobe_multi program serves them all. */
static bool function_kprobes(const struct probe_info *pi)
{
	const struct attach_spec *first = &pi->specs[0];
	if (pi->nspecs < 2 || (first->kind != PROBE_KPROBE && first->kind != PROBE_KRETPROBE))
		return false;
	for (int k = 0; k < pi->nspecs; k++)
		if (pi->specs[k].kind != first->kind || !pi->specs[k].symbol || pi->specs[k].offset)
			return false;
	return true;
}

/* Several uprobes (or uretprobes) in one binary: one uprobe_multi program
 * serves them all. */
static bool one_binary_uprobes(const struct probe_info *pi)
{
	const struct attach_spec *first = &pi->specs[0];
	if (pi->nspecs < 2 || (first->kind != PROBE_UPROBE && first->kind != PROBE_URETPROBE))
		return false;
	for (int k = 1; k < pi->nspecs; k++)
		if (pi->specs[k].kind != first->kind || strcmp(pi->specs[k].target, first->target))
			return false;
	return true;
}

/* Kprobes (or kretprobes) of kind on function entries: as function_kprobes,
 * one function is enough for a session. */
static bool function_probes_of(const struct probe_info *pi, enum probe_kind kind)
{
	for (int k = 0; k < pi->nspecs; k++)
		if (pi->specs[k].kind != kind || !pi->specs[k].symbol || pi->specs[k].offset)
			return false;
	return pi->nspecs > 0;
}

/* Both on the same functions, in the same order (expansion sorts them). */
static bool same_functions(const struct probe_info *a, const struct probe_info *b)
{
	if (a->nspecs != b->nspecs)
		return false;
	for (int k = 0; k < a->nspecs; k++) {
		const struct attach_spec *x = &a->specs[k], *y = &b->specs[k];
		if (strcmp(x->symbol, y->symbol) || (!x->target != !y->target) ||
		    (x->target && strcmp(x->target, y->target)))
			return false;
	}
	return true;
}

/* Each kprobe takes the first kretprobe on its functions not yet taken,
 * when the kernel has kprobe sessions (asked only if a pair exists). */
static void pair_kprobe_sessions(struct compiler *c)
{
	for (int i = 0; i < c->nprobes; i++) {
		struct probe_info *entry = &c->probes[i];
		if (!function_probes_of(entry, PROBE_KPROBE))
			continue;
		for (int j = 0; j < c->nprobes; j++) {
			struct probe_info *ret = &c->probes[j];
			if (ret->in_session || !function_probes_of(ret, PROBE_KRETPROBE) || !same_functions(entry, ret))
				continue;
			if (!kernel_has_kprobe_session(c))
				return;
			entry->session_return = ret;
			entry->multi = ret->multi = ret->in_session = true;
			break;
		}
	}
}

static int resolve_probes_with(struct compiler *c, const regex_t *filter);

static bool has_spec(const struct probe_info *pi, const char *canonical)
{
	for (int k = 0; k < pi->nspecs; k++)
		if (!strcmp(pi->specs[k].canonical, canonical))
			return true;
	return false;
}

/* A test:/bench: name the probes resolved so far (found[0..n-1] and cur) have. */
static bool named_twice(const struct probe_info *found, int n, const struct probe_info *cur, const char *canonical)
{
	for (int i = 0; i < n; i++)
		if (has_spec(&found[i], canonical))
			return true;
	return has_spec(cur, canonical);
}

/* --probe-filter: only the attach points whose name matches (begin, end
 * and self stay). Counts the attach points filtered and those kept. */
static void keep_matching(struct probe_info *pi, const regex_t *re, int *filtered, int *kept)
{
	int n = 0;
	for (int k = 0; k < pi->nspecs; k++) {
		bool once = pi->specs[k].flags & PF_RUN_ONCE;
		bool match = !once && !regexec(re, pi->specs[k].canonical, 0, NULL, 0);
		*filtered += !once;
		*kept += match;
		if (once || match)
			pi->specs[n++] = pi->specs[k];
	}
	pi->nspecs = n;
}

static int resolve_probes(struct compiler *c)
{
	regex_t re, *filter = NULL;
	if (c->opts->probe_filter) {
		if (regcomp(&re, c->opts->probe_filter, REG_EXTENDED | REG_NOSUB)) {
			diag_error(c->diags, NULL, "--probe-filter: '%s' is not a regular expression", c->opts->probe_filter);
			return -1;
		}
		filter = &re;
	}
	int ret = resolve_probes_with(c, filter);
	if (filter)
		regfree(filter);
	return ret;
}

static int resolve_probes_with(struct compiler *c, const regex_t *filter)
{
	int n = 0;
	for (struct probe *p = c->ast->probes; p; p = p->next)
		n++;
	struct probe_info *found = arena_alloc(c->arena, sizeof(*found) * (size_t)(n ? n : 1));
	int i = 0, errors = 0;
	uint64_t total = 0;
	int filtered = 0, kept = 0; /* --probe-filter */
	const struct src_loc *over = NULL; /* the probe that goes past max_probes */
	int debug_registers = 0;           /* watchpoints so far */
	struct probe_context ctx = { .pid = c->opts->pid, .child = c->opts->child, .unsafe = c->opts->unsafe,
				     .missing = (enum probe_missing_mode)c->opts->missing_probes,
				     .usdt_file_activation = c->opts->usdt_file_activation,
				     .run = c->opts->run, .features = &c->features };
	for (struct probe *p = c->ast->probes; p; p = p->next, i++) {
		struct probe_info *pi = &found[i];
		pi->ast = p;
		for (struct attach_point *ap = p->points; ap; ap = ap->next) {
			struct attach_spec *specs;
			int ns;
			if (probes_resolve(c->arena, c->diags, ap, c->opts->params, c->opts->nparams, &ctx,
					   &specs, &ns) < 0) {
				errors++;
				continue;
			}
			if (!ns) /* not in this run (test:, bench:) or missing probes that only warn */
				continue;
			if ((specs[0].flags & PF_RESULT) && named_twice(found, i, pi, specs[0].canonical)) {
				diag_error(c->diags, &ap->loc, "duplicate probe name %s: test: and bench: names must be unique",
					   specs[0].canonical);
				errors++;
				continue;
			}
			if ((specs[0].flags & PF_DEBUG_REGISTER) && (debug_registers += ns) > LIMIT_DEBUG_REGISTERS) {
				diag_error(c->diags, &ap->loc, "Failed to attach watchpoint probe. You are out of "
					   "watchpoint registers (the CPU has %d).", LIMIT_DEBUG_REGISTERS);
				errors++;
				continue;
			}
			struct attach_spec *all = arena_alloc(c->arena, sizeof(*all) * (size_t)(pi->nspecs + ns));
			if (pi->nspecs)
				memcpy(all, pi->specs, sizeof(*all) * (size_t)pi->nspecs);
			memcpy(all + pi->nspecs, specs, sizeof(*all) * (size_t)ns);
			pi->specs = all;
			pi->nspecs += ns;
		}
		if (filter)
			keep_matching(pi, filter, &filtered, &kept);
		total += (unsigned)pi->nspecs;
		if (total > c->opts->max_probes && !over)
			over = &p->loc;
	}
	split_by_type(c, found, n);
	for (i = 0; i < c->nprobes; i++) {
		struct probe_info *pi = &c->probes[i];
		if (!pi->nspecs)
			continue;
		for (int k = 0; k < pi->nspecs; k++)
			add_probe_name(c, &pi->specs[k]);
		pi->ops = probe_ops_of(&pi->specs[0]);
		pi->flags = pi->specs[0].flags;
		pi->multi = (one_binary_uprobes(pi) && kernel_has_uprobe_multi(c)) ||
			    (function_kprobes(pi) && kernel_has_kprobe_multi(c));
		if (pi->flags & PF_ARGS) {
			pi->tp = arena_alloc(c->arena, sizeof(*pi->tp));
			if (tracepoint_format(c->arena, pi->specs[0].target, pi->specs[0].func, pi->tp) < 0) {
				diag_error(c->diags, &pi->ast->points->loc, "Cannot read the format of tracepoint %s",
					   pi->specs[0].canonical);
				errors++;
			}
		}
	}
	pair_kprobe_sessions(c);
	errors += check_single_iterator(c);
	if (c->opts->run != PROBE_RUN_TRACE && !total && !errors) {
		const char *kind = c->opts->run == PROBE_RUN_TESTS ? "test" : "bench";
		diag_error(c->diags, NULL, "--%s: the program has no %s: probes", kind, kind);
		errors++;
	}
	if (filtered && !kept) {
		diag_error(c->diags, NULL, "--probe-filter '%s' matches none of the %d attach points",
			   c->opts->probe_filter, filtered);
		errors++;
	}
	if (over) {
		diag_error(c->diags, over,
			   "Can't attach to %llu probes because it exceeds the current limit of %u probes. "
			   "You can increase the limit through the BPFTRACE_MAX_PROBES environment variable "
			   "or the max_probes config",
			   (unsigned long long)total, c->opts->max_probes);
		errors++;
	}
	return errors ? -1 : 0;
}

static void report_unsupported_toplevel(struct compiler *c)
{
	for (struct preamble_item *it = c->ast->preamble; it; it = it->next)
		if (strcmp(it->what, "C definitions")) /* those are ctypes_define's */
			diag_error(c->diags, &it->loc, "%s %s not supported yet", it->what,
			   it->what[strlen(it->what) - 1] == 's' ? "are" : "is");
}

static const struct {
	const char *kind;
	bool lru, percpu;
} map_kinds[] = {
	{ "hash", false, false },
	{ "lruhash", true, false },
	{ "percpuhash", false, true },
	{ "percpulruhash", true, true },
};

static void apply_map_decls(struct compiler *c)
{
	for (struct map_decl *d = c->ast->map_decls; d; d = d->next) {
		size_t k = 0;
		while (k < sizeof(map_kinds) / sizeof(map_kinds[0]) && strcmp(map_kinds[k].kind, d->kind))
			k++;
		if (k == sizeof(map_kinds) / sizeof(map_kinds[0])) {
			diag_error(c->diags, &d->loc, "Invalid map declaration type: %s", d->kind);
			continue;
		}
		if (d->max_entries == 0 || d->max_entries > UINT32_MAX) {
			diag_error(c->diags, &d->loc, "map size must be a positive integer");
			continue;
		}
		struct map_info *m = map_get(c, arena_printf(c->arena, "@%s", d->name), true);
		m->max_entries = (uint32_t)d->max_entries;
		m->decl = &d->loc;
		m->decl_kind = map_kinds[k].kind;
		m->lru = map_kinds[k].lru;
		m->decl_percpu = map_kinds[k].percpu;
	}
}

/* After the first pass: a declared map no probe uses is dropped with a
 * warning (before the second pass gives out map indices to actions). */
static void drop_unused_maps(struct compiler *c)
{
	int n = 0;
	for (int i = 0; i < c->nmaps; i++) {
		struct map_info *m = c->maps[i];
		if (m->decl && !m->assigned && !m->used) {
			diag_warning(c->diags, m->decl, "Unused map: %s", m->name);
			continue;
		}
		m->index = n;
		c->maps[n++] = m;
	}
	c->nmaps = n;
}

/* What the final pass knows of every map: it has a value, keys and values
 * within the limits, and a per-CPU declaration holds an aggregation. */
static void check_maps(struct compiler *c)
{
	for (int i = 0; i < c->nmaps && !c->diags->errors; i++) {
		struct map_info *m = c->maps[i];
		size_t key = m->key ? type_storage_size(m->key) : 0, value = type_storage_size(m->value);
		if (!m->assigned)
			diag_error(c->diags, m->decl, "Undefined map: %s", m->name);
		else if (key > LIMIT_MAP_KEY)
			diag_error(c->diags, &m->loc, "%s: keys of %zu bytes are larger than the limit of %d bytes",
				   m->name, key, LIMIT_MAP_KEY);
		else if (value > LIMIT_MAP_VALUE)
			diag_error(c->diags, &m->loc, "%s: values of %zu bytes are larger than the limit of %d bytes",
				   m->name, value, LIMIT_MAP_VALUE);
		else if (m->decl_percpu && !type_is_aggregate(m->value))
			diag_error(c->diags, m->decl,
				   "%s is declared %s, which holds aggregations (count(), sum(), hist(), ...) only, "
				   "but it is assigned a value of type '%s'",
				   m->name, m->decl_kind, type_name(c->arena, m->value));
	}
}

static void run_pass(struct compiler *c)
{
	struct sema s = { .c = c, .unroll_copies = 1 };
	for (int i = 0; i < c->nprobes; i++) {
		struct probe_info *pi = &c->probes[i];
		if (!pi->nspecs)
			continue;
		s.probe = pi;
		struct scope sc;
		s.scope = NULL;
		scope_push(&s, &sc);
		if (pi->ast->filter) {
			const struct type *t = check_expr(&s, pi->ast->filter);
			if (t->kind != TY_NONE && !is_int(t))
				ERR(&s, &pi->ast->filter->loc, "Invalid type for predicate: %s", tname(&s, t));
		}
		check_statements(&s, pi->ast->body);
		scope_pop(&s);
	}
}

int sema_run(struct compiler *c)
{
	report_unsupported_toplevel(c);
	if (c->ast->import_loc.first_line)
		unstable_feature_use(c, UNSTABLE_IMPORT, &c->ast->import_loc);
	ctypes_define(c);
	apply_map_decls(c);
	if (resolve_probes(c) < 0 || c->diags->errors)
		return -1;
	if (!c->nprobes) {
		diag_error(c->diags, NULL, "No probes to attach");
		return -1;
	}
	c->second_pass = false;
	run_pass(c);
	drop_unused_maps(c);
	c->second_pass = true;
	run_pass(c);
	for (int i = 0; i < c->nprobes; i++)
		if (c->probes[i].nspecs)
			plan_syscall_dispatch(c, &c->probes[i]);
	check_maps(c);
	check_named_params(c);
	return c->diags->errors ? -1 : 0;
}
