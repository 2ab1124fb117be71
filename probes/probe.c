/* The probe-type registry, attach-point splitting and resolution, attach
 * dispatch, listing, and the helpers the probe types share. */
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

const struct probe_ops *const probe_types[] = {
	&probe_begin_ops,
	&probe_end_ops,
	&probe_tracepoint_ops,
	&probe_rawtracepoint_ops,
	&probe_kprobe_ops,
	&probe_kretprobe_ops,
	&probe_uprobe_ops,
	&probe_uretprobe_ops,
	&probe_usdt_ops,
	&probe_interval_ops,
	&probe_profile_ops,
	&probe_software_ops,
	&probe_hardware_ops,
	&probe_self_ops,
	&probe_watchpoint_ops,
	&probe_asyncwatchpoint_ops,
	&probe_iter_ops,
	&probe_fentry_ops,
	&probe_fexit_ops,
	/* kprobes attached through fentry/fexit where the kernel has no kprobes:
	 * reached only from kprobe_expand, never by name */
	&probe_kprobe_fentry_ops,
	&probe_kretprobe_fexit_ops,
	/* a kprobe and a kretprobe merged by the compiler (kprobe_session.c) */
	&probe_kprobe_session_ops,
	&probe_test_ops,
	&probe_bench_ops,
	NULL,
};


/* `test:NAME` / `bench:NAME` run only with --test / --bench, and then
 * nothing else does: the others are ignored, which is what resolving them
 * to nothing does. */
static bool runs_in(const struct probe_context *ctx, enum probe_kind kind)
{
	switch (ctx->run) {
	case PROBE_RUN_TESTS:
		return kind == PROBE_TEST;
	case PROBE_RUN_BENCHES:
		return kind == PROBE_BENCH;
	default:
		return kind != PROBE_TEST && kind != PROBE_BENCH;
	}
}

static bool in_list_nocase(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcasecmp(*list, s))
			return true;
	return false;
}

const struct probe_ops *probe_ops_find(const char *provider)
{
	/* Provider names are case-insensitive, except that `U` is usdt's
	 * alias while `u` is uprobe's. */
	if (!strcmp(provider, "U"))
		return &probe_usdt_ops;
	for (int i = 0; probe_types[i]; i++) {
		const struct probe_ops *ops = probe_types[i];
		if (!strcasecmp(ops->name, provider))
			return ops;
		if (ops->aliases && in_list_nocase(ops->aliases, provider))
			return ops;
	}
	return NULL;
}

bool probe_glob_match(const char *pattern, const char *text)
{
	/* Without FNM_PATHNAME/FNM_PERIOD, '*' matches any run of characters,
	 * '/' and ':' included. */
	return fnmatch(pattern, text, 0) == 0;
}

bool probe_has_wildcard(const char *s)
{
	if (strpbrk(s, "*?"))
		return true;
	const char *open = strchr(s, '[');
	return open && strchr(open, ']');
}

bool probe_parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	bool digits = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s++;
	}
	for (; *s; s++) {
		unsigned dv;
		if (*s == '_' && digits)
			continue;
		if (base == 10 && (*s == 'e' || *s == 'E') && digits) {
			/* `1e6`-style counts */
			uint64_t exp;
			if (!probe_parse_u64(s + 1, &exp) || exp > 19)
				return false;
			while (exp--) {
				if (v > UINT64_MAX / 10)
					return false;
				v *= 10;
			}
			*out = v;
			return true;
		}
		if (isdigit((unsigned char)*s))
			dv = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			dv = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return false;
		if (dv >= base || v > (UINT64_MAX - dv) / base)
			return false;
		v = v * base + dv;
		digits = true;
	}
	if (!digits && base != 8)
		return false;
	*out = v;
	return true;
}

int probe_arity_error(struct diags *d, const struct src_loc *loc, const char *provider,
		      const char *expected, int found)
{
	diag_error(d, loc, "%s probe type requires %s arguments, found %d", provider, expected, found);
	return -1;
}

static int missing_v(struct diags *d, const struct src_loc *loc, enum probe_missing_mode mode,
		     const char *hint, const char *fmt, va_list ap)
{
	char msg[1024];
	struct diag_entry *e;

	if (mode == PROBE_MISSING_IGNORE)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (mode == PROBE_MISSING_WARN)
		e = diag_warning(d, loc, "%s", msg);
	else
		e = diag_error(d, loc, "%s", msg);
	if (hint)
		diag_hint(d, e, "%s", hint);
	return 0;
}

int probe_missing(struct diags *d, const struct src_loc *loc, enum probe_missing_mode mode,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	missing_v(d, loc, mode, NULL, fmt, ap);
	va_end(ap);
	return 0;
}

int probe_missing_hint(struct diags *d, const struct src_loc *loc, enum probe_missing_mode mode,
		       const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	missing_v(d, loc, mode, hint, fmt, ap);
	va_end(ap);
	return 0;
}

struct attach_spec *spec_vec_push(struct arena *a, struct spec_vec *sv)
{
	sv->v = arena_grow(a, sv->v, sv->n, &sv->cap, sizeof(*sv->v), 16);
	return &sv->v[sv->n++];
}

static int spec_cmp(const void *x, const void *y)
{
	const struct attach_spec *a = x, *b = y;
	return strcmp(a->canonical, b->canonical);
}

void spec_vec_sort_unique(struct spec_vec *sv)
{
	int out = 0;

	if (sv->n < 2)
		return;
	qsort(sv->v, (size_t)sv->n, sizeof(*sv->v), spec_cmp);
	for (int i = 0; i < sv->n; i++)
		if (!out || strcmp(sv->v[out - 1].canonical, sv->v[i].canonical))
			sv->v[out++] = sv->v[i];
	sv->n = out;
}

void str_vec_push(struct arena *a, struct str_vec *sv, const char *s)
{
	sv->v = arena_grow(a, (void *)sv->v, sv->n, &sv->cap, sizeof(*sv->v), 64);
	sv->v[sv->n++] = s;
}

static int str_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void str_vec_sort_unique(struct str_vec *sv)
{
	int out = 0;

	if (sv->n < 2)
		return;
	qsort(sv->v, (size_t)sv->n, sizeof(*sv->v), str_cmp);
	for (int i = 0; i < sv->n; i++)
		if (!out || strcmp(sv->v[out - 1], sv->v[i]))
			sv->v[out++] = sv->v[i];
	sv->n = out;
}

static const char *find_tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			return dirs[i];
	}
	return NULL;
}

/* Like perf, mount tracefs where the system has not: tracepoint formats
 * and ids live there. */
const char *probe_tracefs_dir(void)
{
	const char *dir = find_tracefs();
	if (!dir && mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		dir = find_tracefs();
	return dir;
}

void probe_link_destroy(struct probe_link *l)
{
	if (l->link)
		bpf_link__destroy(l->link);
	else if (l->fd >= 0)
		close(l->fd);
	l->link = NULL;
	l->fd = -1;
}

static int push_link(struct probe_link **links, int *nlinks, struct probe_link l)
{
	struct probe_link *v = realloc(*links, sizeof(*v) * (size_t)(*nlinks + 1));
	if (!v) {
		probe_link_destroy(&l);
		return -ENOMEM;
	}
	v[(*nlinks)++] = l;
	*links = v;
	return 0;
}

int probe_links_push(struct probe_link **links, int *nlinks, struct bpf_link *l)
{
	return push_link(links, nlinks, (struct probe_link){ .link = l, .fd = -1 });
}

int probe_links_add(struct probe_link **links, int *nlinks, struct bpf_link *l)
{
	long err = libbpf_get_error(l);
	return err ? (int)err : probe_links_push(links, nlinks, l);
}

int probe_links_push_fd(struct probe_link **links, int *nlinks, int fd)
{
	return push_link(links, nlinks, (struct probe_link){ .fd = fd });
}

int probe_attach_perf_attr(struct bpf_program *prog, struct perf_event_attr *attr, pid_t pid,
			   int cpu, struct probe_link **links, int *nlinks)
{
	int fd = (int)syscall(__NR_perf_event_open, attr, pid > 0 ? pid : -1, cpu, -1,
			      PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct bpf_link *l = bpf_program__attach_perf_event(prog, fd);
	long err = libbpf_get_error(l);
	if (err) {
		/* The link did not take the fd over. */
		close(fd);
		return (int)err;
	}
	return probe_links_push(links, nlinks, l);
}

int probe_attach_perf_event(struct bpf_program *prog, uint32_t type, uint64_t config,
			    uint64_t period, uint64_t freq, pid_t pid, int cpu,
			    struct probe_link **links, int *nlinks)
{
	struct perf_event_attr attr = {
		.type = type,
		.size = sizeof(attr),
		.config = config,
	};

	if (freq) {
		attr.freq = 1;
		attr.sample_freq = freq;
	} else {
		attr.sample_period = period;
	}
	return probe_attach_perf_attr(prog, &attr, pid, cpu, links, nlinks);
}

int probe_attach_perf_event_all_cpus(struct bpf_program *prog, uint32_t type, uint64_t config,
				     uint64_t period, uint64_t freq, pid_t pid,
				     struct probe_link **links, int *nlinks)
{
	int ncpus, attached = 0;

	if (pid > 0)
		return probe_attach_perf_event(prog, type, config, period, freq, pid, -1,
					       links, nlinks);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return ncpus;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		int err = probe_attach_perf_event(prog, type, config, period, freq, -1, cpu,
						  links, nlinks);
		if (!err) {
			attached++;
			continue;
		}
		/* A possible but offline CPU gives ENODEV: skip it. */
		if (err == -ENODEV)
			continue;
		return err;
	}
	return attached ? 0 : -ENODEV;
}

bool probe_list_match(const char *pattern, const char *name)
{
	return !pattern || probe_glob_match(pattern, name);
}

bool probe_split_func(const char *func, char *sym, size_t symsz, uint64_t *off)
{
	const char *plus;
	size_t n;

	*off = 0;
	if (isdigit((unsigned char)func[0])) {
		sym[0] = '\0';
		return probe_parse_u64(func, off);
	}
	plus = strchr(func, '+');
	n = plus ? (size_t)(plus - func) : strlen(func);
	if (n == 0 || n >= symsz)
		return false;
	memcpy(sym, func, n);
	sym[n] = '\0';
	return !plus || probe_parse_u64(plus + 1, off);
}

/* ---- splitting ---------------------------------------------------------- */

/* Replace $N outside quotes by the Nth positional parameter (textually:
 * the result is split afterwards, so `uprobe:$1` may bring its own ':'). */
static char *substitute_params(struct arena *a, struct diags *d, const struct src_loc *loc,
			       const char *raw, char *const *params, int nparams)
{
	size_t cap = strlen(raw) + 1, n = 0;
	bool quoted = false;
	char *out;

	for (int i = 0; i < nparams; i++)
		cap += strlen(params[i]);
	out = arena_alloc(a, cap);
	for (const char *p = raw; *p; p++) {
		if (quoted && *p == '\\' && p[1]) {
			out[n++] = *p++;
			out[n++] = *p;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		if (quoted || *p != '$') {
			out[n++] = *p;
			continue;
		}
		if (!isdigit((unsigned char)p[1]) || p[1] == '0') {
			diag_error(d, loc, "invalid trailing character for positional param");
			return NULL;
		}
		long idx = strtol(p + 1, (char **)&p, 10);
		p--; /* the loop increment moves past the last digit */
		if (idx <= nparams) {
			/* A parameter may appear several times: grow as needed. */
			size_t len = strlen(params[idx - 1]);
			if (n + len + strlen(p) + 1 > cap) {
				cap = (n + len + strlen(p) + 1) * 2;
				char *bigger = arena_alloc(a, cap);
				memcpy(bigger, out, n);
				out = bigger;
			}
			memcpy(out + n, params[idx - 1], len);
			n += len;
		}
	}
	out[n] = '\0';
	return out;
}

int probe_split(struct arena *a, struct diags *d, const struct src_loc *loc, const char *raw,
		char *const *params, int nparams, char ***parts_out, int *nparts_out)
{
	char *text = substitute_params(a, d, loc, raw, params, nparams);
	char **parts, *cur;
	int nparts = 0, maxparts = 1;
	bool quoted = false;

	if (!text)
		return -1;
	for (const char *p = text; *p; p++)
		maxparts += *p == ':' || *p == '@' ? 2 : 0;
	parts = arena_alloc(a, sizeof(*parts) * (size_t)(maxparts + 1));
	/* Parts are never longer than the text: build them in place in a copy. */
	cur = arena_alloc(a, strlen(text) + 1);
	parts[nparts++] = cur;
	for (const char *p = text; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				*cur++ = *++p;
			else if (*p == '"')
				quoted = false;
			else
				*cur++ = *p;
			continue;
		}
		if (*p == '"') {
			quoted = true;
		} else if (*p == ':' || *p == '@') {
			*cur = '\0';
			cur = arena_alloc(a, strlen(p) + 1);
			if (*p == '@') {
				/* `BIN@FILE:LINE`: '@' is a part of its own. */
				cur[0] = '@';
				parts[nparts++] = cur;
				cur = arena_alloc(a, strlen(p) + 1);
			}
			parts[nparts++] = cur;
		} else {
			*cur++ = *p;
		}
	}
	*cur = '\0';
	if (quoted) {
		diag_error(d, loc, "unterminated quoted string in attach point");
		return -1;
	}
	*parts_out = parts;
	*nparts_out = nparts;
	return 0;
}

/* ---- resolution --------------------------------------------------------- */

static int resolve_with(struct arena *a, struct diags *d, const struct src_loc *loc,
			const struct probe_ops *ops, const struct probe_context *ctx,
			char **parts, int nparts, struct spec_vec *sv)
{
	struct attach_spec spec = { .kind = ops->kind, .flags = ops->flags };
	struct attach_spec *exp = NULL;
	int n = 0;

	if (ops->parse(a, d, loc, ctx, parts, nparts, &spec))
		return -1;
	if (!ops->expand) {
		*spec_vec_push(a, sv) = spec;
		return 0;
	}
	if (ops->expand(a, d, loc, ctx, &spec, &exp, &n))
		return -1;
	for (int i = 0; i < n; i++)
		*spec_vec_push(a, sv) = exp[i];
	return 0;
}

/* Is this probe type one that a wildcard provider may expand to? Kernel
 * types always; user-space types only with -p or a path target. */
static bool provider_glob_candidate(const struct probe_ops *ops, char **parts, int nparts,
				    const struct probe_context *ctx)
{
	if (!(ops->flags & PF_GLOB_CANDIDATE))
		return false;
	if (!(ops->flags & PF_USER))
		return true;
	return ctx->pid > 0 || (nparts > 1 && strchr(parts[1], '/'));
}

/* `k*:vfs_read`: try every matching probe type; a type that does not
 * parse the rest of the attach point simply does not contribute. */
static int resolve_provider_glob(struct arena *a, struct diags *d, const struct src_loc *loc,
				 const struct probe_context *ctx, char **parts, int nparts,
				 struct spec_vec *sv)
{
	struct probe_context quiet = *ctx;

	quiet.missing = PROBE_MISSING_IGNORE;
	for (int i = 0; probe_types[i]; i++) {
		const struct probe_ops *ops = probe_types[i];
		struct diags scratch;

		if (!probe_glob_match(parts[0], ops->name) ||
		    !provider_glob_candidate(ops, parts, nparts, ctx))
			continue;
		diags_init(&scratch, a, d->filename, d->src);
		resolve_with(a, &scratch, loc, ops, &quiet, parts, nparts, sv);
	}
	if (sv->n == 0)
		probe_missing(d, loc, ctx->missing, "No probes matched: %s", parts[0]);
	return 0;
}

int probes_resolve(struct arena *a, struct diags *d, const struct attach_point *ap,
		   char *const *params, int nparams, const struct probe_context *ctx,
		   struct attach_spec **out, int *n)
{
	static const struct probe_context no_context = { .missing = PROBE_MISSING_ERROR };
	struct spec_vec sv = { 0 };
	const struct probe_ops *ops;
	char **parts;
	int nparts;

	if (!ctx)
		ctx = &no_context;
	*out = NULL;
	*n = 0;
	if (probe_split(a, d, &ap->loc, ap->raw, params, nparams, &parts, &nparts))
		return -1;
	if (ctx->run != PROBE_RUN_TRACE && probe_has_wildcard(parts[0])) {
		return 0;
	} else if (probe_has_wildcard(parts[0])) {
		if (resolve_provider_glob(a, d, &ap->loc, ctx, parts, nparts, &sv))
			return -1;
	} else if ((ops = probe_ops_find(parts[0]))) {
		if (!runs_in(ctx, ops->kind))
			return 0;
		if (resolve_with(a, d, &ap->loc, ops, ctx, parts, nparts, &sv))
			return -1;
	} else if (ctx->run != PROBE_RUN_TRACE) {
		return 0;
	} else {
		diag_error(d, &ap->loc, "Invalid probe type: %s", parts[0]);
		return -1;
	}
	/* An expansion that reported a missing probe as an error fails. */
	if (sv.n == 0 && ctx->missing == PROBE_MISSING_ERROR)
		return -1;
	*out = sv.v;
	*n = sv.n;
	return 0;
}

/* ---- attaching ---------------------------------------------------------- */

const struct probe_ops *probe_ops_of(const struct attach_spec *spec)
{
	for (int i = 0; probe_types[i]; i++)
		if (probe_types[i]->kind == spec->kind)
			return probe_types[i];
	return NULL;
}

int probe_attach(struct bpf_program *prog, const struct attach_spec *spec, pid_t pid,
		 struct probe_link **links, int *nlinks)
{
	const struct probe_ops *ops = probe_ops_of(spec);

	if (!ops)
		return -EINVAL;
	if (spec->flags & PF_RUN_ONCE)
		return 0;
	return ops->attach(prog, spec, pid, links, nlinks);
}

int probe_prepare(struct bpf_program *prog, const struct attach_spec *spec)
{
	const struct probe_ops *ops = probe_ops_of(spec);
	return ops && ops->prepare ? ops->prepare(prog, spec) : 0;
}

const char *probe_explain(const struct attach_spec *spec, int err, char *buf, size_t len)
{
	const struct probe_ops *ops = probe_ops_of(spec);
	return ops && ops->explain ? ops->explain(spec, err, buf, len) : NULL;
}

const char *probe_attach_error(const struct attach_spec *spec, int err, char *buf, size_t len)
{
	const char *why = probe_explain(spec, err, buf, len);
	return why ? why : strerror(-err);
}

int probe_run_once(struct bpf_program *prog)
{
	uint32_t retval;
	return probe_test_run(prog, &retval);
}

int probe_test_run(struct bpf_program *prog, uint32_t *retval)
{
	/* A raw_tp program takes its tracepoint arguments as an array of u64;
	 * begin/end never read them, but the kernel wants a valid context. */
	uint64_t args[8] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	int fd = bpf_program__fd(prog);

	if (fd < 0)
		return -EBADF;
	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

/* ---- listing ------------------------------------------------------------ */

/* Types listed when the pattern names no provider: the kernel ones, each
 * function once (kretprobe and uretprobe would repeat kprobe/uprobe). */
static bool listed_by_default(const struct probe_ops *ops, pid_t pid)
{
	bool user_entry = (ops->flags & PF_USER) && !(ops->flags & PF_RETVAL);
	return ops->list && ((ops->flags & PF_LISTED) || (pid > 0 && user_entry));
}

static int list_one(struct diags *d, const char *pat, const struct probe_context *ctx, FILE *out,
		    bool verbose)
{
	const char *colon = strchr(pat, ':');
	const struct probe_ops *ops;
	char *norm;

	if (!*pat || !strcmp(pat, "*") || !colon) {
		const char *p = *pat && strcmp(pat, "*") ? pat : NULL;
		for (int i = 0; probe_types[i]; i++)
			if (listed_by_default(probe_types[i], ctx->pid))
				probe_types[i]->list(p, ctx, out, verbose);
		return 0;
	}
	char provider[64];
	size_t plen = (size_t)(colon - pat);
	if (plen >= sizeof(provider)) {
		diag_error(d, NULL, "Invalid probe type: %.*s", (int)plen, pat);
		return -1;
	}
	memcpy(provider, pat, plen);
	provider[plen] = '\0';
	if (probe_has_wildcard(provider)) {
		for (int i = 0; probe_types[i]; i++)
			if (probe_types[i]->list && probe_glob_match(provider, probe_types[i]->name))
				probe_types[i]->list(pat, ctx, out, verbose);
		return 0;
	}
	ops = probe_ops_find(provider);
	if (!ops) {
		diag_error(d, NULL, "Invalid probe type: %s", provider);
		return -1;
	}
	if (!ops->list)
		return 0;
	/* Match against canonical names: rewrite the provider; and
	 * `tracepoint:*foo*` means `tracepoint:*:*foo*` (likewise a raw
	 * tracepoint or fentry/fexit function without a module means any
	 * module). */
	bool tp_short = (ops->kind == PROBE_TRACEPOINT || ops->kind == PROBE_RAWTRACEPOINT ||
			 ops->kind == PROBE_FENTRY || ops->kind == PROBE_FEXIT) &&
			!strchr(colon + 1, ':');
	size_t len = strlen(ops->name) + strlen(colon) + 4;
	norm = malloc(len);
	if (!norm) {
		diag_error(d, NULL, "out of memory");
		return -1;
	}
	snprintf(norm, len, "%s%s%s", ops->name, tp_short ? ":*" : "", colon);
	ops->list(norm, ctx, out, verbose);
	free(norm);
	return 0;
}

int probes_list(struct diags *d, const char *pattern, pid_t pid, FILE *out, bool verbose)
{
	const struct probe_context ctx = { .pid = pid, .missing = PROBE_MISSING_IGNORE };
	char *copy, *save = NULL;
	int err = 0;

	if (!pattern || !*pattern)
		return list_one(d, "", &ctx, out, verbose);
	copy = strdup(pattern);
	if (!copy) {
		diag_error(d, NULL, "out of memory");
		return -1;
	}
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*p))
			p++;
		char *end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (list_one(d, p, &ctx, out, verbose))
			err = -1;
	}
	free(copy);
	return err;
}
