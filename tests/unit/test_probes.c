/* Unit tests of probes/: attach-point splitting, providers, timer specs,
 * tracepoint formats and wildcards, uprobe/kprobe/rawtracepoint parsing,
 * listing. Tests that need tracefs (not mounted in every sandbox) or BTF
 * are skipped with a printed reason. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../probes/probe.h"
#include "check.h"

static bool have_tracefs(void)
{
	return access("/sys/kernel/tracing/events/syscalls/sys_enter_openat/format", R_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/events/syscalls/sys_enter_openat/format", R_OK) == 0;
}

static bool have_btf(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

/* One resolution with its own arena and diagnostics. */
struct res {
	struct arena arena;
	struct diags diags;
	struct attach_spec *specs;
	int n, rc;
};

static void resolve_ctx(struct res *r, const char *raw, char *const *params, int nparams,
			const struct probe_context *ctx)
{
	struct attach_point ap = {
		.loc = { 1, 1, 1, 1 + (int)strlen(raw) },
		.raw = raw,
	};
	memset(r, 0, sizeof(*r));
	diags_init(&r->diags, &r->arena, "stdin", raw);
	r->rc = probes_resolve(&r->arena, &r->diags, &ap, params, nparams, ctx, &r->specs, &r->n);
}

static void resolve(struct res *r, const char *raw, char *const *params, int nparams)
{
	resolve_ctx(r, raw, params, nparams, NULL);
}

static void res_free(struct res *r)
{
	arena_free(&r->arena);
}

static const char *first_msg(const struct res *r)
{
	return r->diags.head ? r->diags.head->msg : "";
}

static bool has_canonical(const struct res *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->specs[i].canonical, name))
			return true;
	return false;
}

/* ---- splitting ---------------------------------------------------------- */

static bool split_is(const char *raw, char *const *params, int nparams, int n, ...)
{
	struct arena a = { 0 };
	struct diags d;
	struct src_loc loc = { 1, 1, 1, 2 };
	char **parts;
	int nparts;
	bool ok;
	va_list ap;

	diags_init(&d, &a, "stdin", raw);
	ok = !probe_split(&a, &d, &loc, raw, params, nparams, &parts, &nparts) && nparts == n;
	va_start(ap, n);
	for (int i = 0; ok && i < n; i++) {
		const char *want = va_arg(ap, const char *);
		if (strcmp(parts[i], want)) {
			printf("  part %d: '%s' != '%s'\n", i, parts[i], want);
			ok = false;
		}
	}
	va_end(ap);
	if (!ok && d.head)
		printf("  diag: %s\n", d.head->msg);
	arena_free(&a);
	return ok;
}

static const char *split_error(const char *raw, char *const *params, int nparams)
{
	static char msg[256];
	struct arena a = { 0 };
	struct diags d;
	struct src_loc loc = { 1, 1, 1, 2 };
	char **parts;
	int nparts;

	diags_init(&d, &a, "stdin", raw);
	msg[0] = '\0';
	if (probe_split(&a, &d, &loc, raw, params, nparams, &parts, &nparts) && d.head)
		snprintf(msg, sizeof(msg), "%s", d.head->msg);
	arena_free(&a);
	return msg;
}

static void test_split(void)
{
	char *params[] = { "vfs_read", "/bin/bash:readline", "2" };

	CHECK(split_is("tracepoint:syscalls:sys_enter_openat", NULL, 0, 3, "tracepoint", "syscalls",
		       "sys_enter_openat"), "plain split");
	CHECK(split_is("begin", NULL, 0, 1, "begin"), "single part");
	CHECK(split_is("uprobe:\"/a b/x\":\"fn(int)\"", NULL, 0, 3, "uprobe", "/a b/x", "fn(int)"),
	      "quotes dropped");
	CHECK(split_is("uprobe:/x:cpp:\"NS::F*\"", NULL, 0, 4, "uprobe", "/x", "cpp", "NS::F*"),
	      "':' inside quotes");
	CHECK(split_is("uprobe:\"a\\\"b\\\\c\":f", NULL, 0, 3, "uprobe", "a\"b\\c", "f"),
	      "\\c inside quotes");
	CHECK(split_is("uprobe:/bin/x@file.c:10", NULL, 0, 5, "uprobe", "/bin/x", "@", "file.c", "10"),
	      "'@' is a part of its own");
	CHECK(split_is("software:cpu-clock:", NULL, 0, 3, "software", "cpu-clock", ""),
	      "trailing empty part");
	CHECK(split_is("kprobe:$1", params, 3, 2, "kprobe", "vfs_read"), "$1 substituted");
	CHECK(split_is("uprobe:$2", params, 3, 3, "uprobe", "/bin/bash", "readline"),
	      "substituted text is split");
	CHECK(split_is("interval:s:$3$3", params, 3, 3, "interval", "s", "22"), "$N twice");
	CHECK(split_is("kprobe:f$4", params, 3, 2, "kprobe", "f"), "missing $N is empty");
	CHECK(split_is("uprobe:/x:\"$x\"", NULL, 0, 3, "uprobe", "/x", "$x"), "$ quoted is literal");
	CHECK(strstr(split_error("kprobe:$x", NULL, 0),
		     "invalid trailing character for positional param") != NULL,
	      "$x outside quotes: '%s'", split_error("kprobe:$x", NULL, 0));
	CHECK(strstr(split_error("kprobe:$0", params, 3),
		     "invalid trailing character for positional param") != NULL,
	      "$0 is an error");
	CHECK(split_error("uprobe:\"/x:f", NULL, 0)[0] != '\0', "unterminated quote");
}

/* ---- providers ---------------------------------------------------------- */

static const char *provider_of(const char *p)
{
	const struct probe_ops *ops = probe_ops_find(p);
	return ops ? ops->name : "(none)";
}

static void test_providers(void)
{
	static const char *const cases[][2] = {
		{ "begin", "begin" }, { "BEGIN", "begin" }, { "Begin", "begin" },
		{ "end", "end" }, { "END", "end" },
		{ "tracepoint", "tracepoint" }, { "t", "tracepoint" }, { "T", "tracepoint" },
		{ "kprobe", "kprobe" }, { "Kprobe", "kprobe" }, { "k", "kprobe" },
		{ "kretprobe", "kretprobe" }, { "kr", "kretprobe" },
		{ "uprobe", "uprobe" }, { "u", "uprobe" }, { "uretprobe", "uretprobe" },
		{ "ur", "uretprobe" }, { "rawtracepoint", "rawtracepoint" },
		{ "rt", "rawtracepoint" }, { "interval", "interval" }, { "i", "interval" },
		{ "profile", "profile" }, { "p", "profile" }, { "software", "software" },
		{ "s", "software" }, { "hardware", "hardware" }, { "h", "hardware" },
		{ "U", "usdt" }, { "usdt", "usdt" }, { "USDT", "usdt" },
		{ "nosuchprobe", "(none)" }, { "", "(none)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(!strcmp(provider_of(cases[i][0]), cases[i][1]), "provider '%s' -> %s, want %s",
		      cases[i][0], provider_of(cases[i][0]), cases[i][1]);

	struct res r;
	resolve(&r, "nosuchprobe:foo", NULL, 0);
	CHECK(r.rc < 0 && r.diags.errors == 1, "unknown provider fails");
	CHECK(!strcmp(first_msg(&r), "Invalid probe type: nosuchprobe"), "message: %s",
	      first_msg(&r));
	CHECK(r.diags.head && r.diags.head->has_loc && r.diags.head->loc.first_line == 1 &&
		      r.diags.head->loc.first_column == 1,
	      "unknown provider located at 1:1");
	res_free(&r);

	resolve(&r, "usdt:/nonexistent/x:p", NULL, 0);
	CHECK(r.rc < 0 && !strcmp(first_msg(&r), "usdt target file '/nonexistent/x' does not exist or is not executable"),
	      "usdt missing target: %s", first_msg(&r));
	res_free(&r);

	resolve(&r, "test:foo", NULL, 0);
	CHECK(r.rc == 0 && r.n == 0 && r.diags.errors == 0, "test: probes are ignored");
	res_free(&r);

	resolve(&r, "BEGIN", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_BEGIN &&
		      !strcmp(r.specs[0].canonical, "begin"),
	      "BEGIN -> begin");
	const struct probe_ops *ops = probe_ops_find("begin");
	CHECK(r.n == 1 && !strcmp(ops->section(&r.arena, &r.specs[0]), "raw_tp"), "begin section");
	res_free(&r);

	resolve(&r, "End", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_END &&
		      !strcmp(r.specs[0].canonical, "end"),
	      "End -> end");
	res_free(&r);

	resolve(&r, "begin:x", NULL, 0);
	CHECK(r.rc < 0 && strstr(first_msg(&r), "requires 0 arguments, found 1"), "begin:x: %s",
	      first_msg(&r));
	res_free(&r);
}

/* ---- interval / profile ------------------------------------------------- */

static void check_timer(const char *raw, char *const *params, int nparams, enum probe_kind kind,
			const char *canonical, uint64_t period, uint64_t freq)
{
	struct res r;
	resolve(&r, raw, params, nparams);
	CHECK(r.rc == 0 && r.n == 1, "%s resolves (%s)", raw, first_msg(&r));
	if (r.rc == 0 && r.n == 1) {
		CHECK(r.specs[0].kind == kind, "%s kind", raw);
		CHECK(!strcmp(r.specs[0].canonical, canonical), "%s canonical %s, want %s", raw,
		      r.specs[0].canonical, canonical);
		CHECK(r.specs[0].period_ns == period, "%s period %llu", raw,
		      (unsigned long long)r.specs[0].period_ns);
		CHECK(r.specs[0].freq_hz == freq, "%s freq %llu", raw,
		      (unsigned long long)r.specs[0].freq_hz);
		const struct probe_ops *ops = probe_ops_find(raw[0] == 'p' ? "profile" : "interval");
		CHECK(!strcmp(ops->section(&r.arena, &r.specs[0]), "perf_event"), "%s section", raw);
	}
	res_free(&r);
}

static void check_error(const char *raw, char *const *params, int nparams, const char *needle)
{
	struct res r;
	resolve(&r, raw, params, nparams);
	CHECK(r.rc < 0 && r.diags.errors >= 1, "%s fails", raw);
	CHECK(strstr(first_msg(&r), needle) != NULL, "%s: message '%s' lacks '%s'", raw,
	      first_msg(&r), needle);
	CHECK(r.diags.head && r.diags.head->has_loc && r.diags.head->loc.first_column == 1,
	      "%s: located", raw);
	res_free(&r);
}

static void test_timers(void)
{
	char *params[] = { "2" };

	check_timer("interval:s:1", NULL, 0, PROBE_INTERVAL, "interval:s:1", 1000000000ULL, 0);
	check_timer("i:ms:100", NULL, 0, PROBE_INTERVAL, "interval:ms:100", 100000000ULL, 0);
	check_timer("interval:us:1000", NULL, 0, PROBE_INTERVAL, "interval:us:1000", 1000000ULL, 0);
	check_timer("interval:hz:99", NULL, 0, PROBE_INTERVAL, "interval:hz:99", 0, 99);
	check_timer("interval:1s", NULL, 0, PROBE_INTERVAL, "interval:us:1000000", 1000000000ULL, 0);
	check_timer("interval:100ms", NULL, 0, PROBE_INTERVAL, "interval:us:100000", 100000000ULL, 0);
	check_timer("interval:1000000", NULL, 0, PROBE_INTERVAL, "interval:us:1000", 1000000ULL, 0);
	check_timer("interval:1500", NULL, 0, PROBE_INTERVAL, "interval:ns:1500", 1500, 0);
	check_timer("interval:s:$1", params, 1, PROBE_INTERVAL, "interval:s:2", 2000000000ULL, 0);
	check_timer("Interval:s:1", NULL, 0, PROBE_INTERVAL, "interval:s:1", 1000000000ULL, 0);
	check_timer("profile:hz:99", NULL, 0, PROBE_PROFILE, "profile:hz:99", 0, 99);
	check_timer("p:ms:10", NULL, 0, PROBE_PROFILE, "profile:ms:10", 10000000ULL, 0);

	check_error("interval:xx:1", NULL, 0, "xx");
	check_error("interval:10xx", NULL, 0, "xx");
	check_error("interval:s:abc", NULL, 0, "abc");
	check_error("interval:us:0", NULL, 0, "Minimum is 1000 or 1us");
	check_error("interval:500", NULL, 0, "Minimum is 1000 or 1us");
	check_error("interval:500ns", NULL, 0, "Minimum is 1000 or 1us");
	check_error("profile:hz:0", NULL, 0, "positive");
	check_error("interval:s:1:2", NULL, 0, "interval probe type requires 1 or 2 arguments, found 3");
	check_error("interval", NULL, 0, "interval probe type requires 1 or 2 arguments, found 0");
	check_error("interval:s", NULL, 0, "interval:s:N");
	check_error("interval:s:99999999999999999999", NULL, 0, "99999999999999999999");
}

/* ---- software / hardware ------------------------------------------------ */

static void test_perf_events(void)
{
	struct res r;

	resolve(&r, "software:cpu-clock:1000000", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_SOFTWARE &&
		      !strcmp(r.specs[0].canonical, "software:cpu-clock:1000000") &&
		      !strcmp(r.specs[0].func, "cpu-clock") && r.specs[0].period_ns == 1000000,
	      "software:cpu-clock:1000000 (%s)", first_msg(&r));
	res_free(&r);

	resolve(&r, "s:faults", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].canonical, "software:faults:100") &&
		      !strcmp(r.specs[0].func, "page-faults"),
	      "s:faults alias (kept as written) and default count");
	res_free(&r);

	resolve(&r, "h:cycles:1e6", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].canonical, "hardware:cycles:1000000"),
	      "hardware 1e6 count (%s)", first_msg(&r));
	res_free(&r);

	check_error("software:nosuch", NULL, 0, "nosuch");
	check_error("software:cpu-clock:x", NULL, 0, "x");
}

/* ---- tracepoints -------------------------------------------------------- */

static const struct tp_field *find_field(const struct tp_format *f, const char *name)
{
	for (int i = 0; i < f->nfields; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

static void test_tracepoint_format(void)
{
	struct arena a = { 0 };
	struct tp_format fmt;
	const struct tp_field *f;

	if (!have_tracefs()) {
		check_skip("tracepoint format", "tracefs is not mounted/readable");
		return;
	}
	CHECK(tracepoint_format(&a, "syscalls", "sys_enter_openat", &fmt) == 0, "format read");
	CHECK(find_field(&fmt, "common_pid") == NULL, "common_ fields skipped");
	f = find_field(&fmt, "dfd");
	CHECK(f && f->offset == 16 && f->size == 8 && !f->is_pointer, "dfd");
	f = find_field(&fmt, "filename");
	CHECK(f && f->offset == 24 && f->is_pointer && !strcmp(f->ctype, "const char *") &&
		      !strcmp(f->decl, "const char * filename"),
	      "filename: %s", f ? f->ctype : "missing");
	f = find_field(&fmt, "flags");
	CHECK(f && f->offset == 32, "flags");
	f = find_field(&fmt, "mode");
	CHECK(f && f->offset == 40 && !strcmp(f->ctype, "umode_t"), "mode");
	f = find_field(&fmt, "__syscall_nr");
	CHECK(f && f->offset == 8 && f->size == 4 && f->is_signed, "__syscall_nr");

	/* char name[16] and __data_loc char[] fields */
	if (tracepoint_format(&a, "sched", "sched_switch", &fmt) == 0) {
		f = find_field(&fmt, "prev_comm");
		CHECK(f && f->array_len == 16 && f->is_char_array && !strcmp(f->ctype, "char[16]"),
		      "prev_comm char[16]: %s", f ? f->ctype : "missing");
	}
	if (tracepoint_format(&a, "sched", "sched_process_exec", &fmt) == 0) {
		f = find_field(&fmt, "filename");
		CHECK(f && f->is_data_loc && f->is_char_array && f->size == 4,
		      "__data_loc char[] filename");
	}
	CHECK(tracepoint_format(&a, "syscalls", "sys_enter_nosuchcall", &fmt) == -1,
	      "missing tracepoint: -1");
	CHECK(tracepoint_format(&a, "..", "..", &fmt) == -1, "path escape refused");
	arena_free(&a);
}

/* The numbers of syscall tracepoints: the C library's table, the names the
 * kernel gives otherwise, the calls newer than the headers. */
static void test_syscall_tracepoint_nrs(void)
{
	static const struct {
		const char *target, *func;
		int nr;
		enum syscall_side side;
	} cases[] = {
		{ "syscalls", "sys_enter_read", 0, SYSCALL_ENTER },
		{ "syscalls", "sys_exit_openat", 257, SYSCALL_EXIT },
		{ "syscalls", "sys_enter_newstat", 4, SYSCALL_ENTER },
		{ "syscalls", "sys_enter_newuname", 63, SYSCALL_ENTER },
		{ "syscalls", "sys_exit_sendfile64", 40, SYSCALL_EXIT },
		{ "syscalls", "sys_enter_umount", 166, SYSCALL_ENTER },
		{ "syscalls", "sys_enter_pread64", 17, SYSCALL_ENTER },
		{ "syscalls", "sys_enter_cachestat", 451, SYSCALL_ENTER },
		{ "syscalls", "sys_exit_file_setattr", 469, SYSCALL_EXIT },
		{ "syscalls", "sys_enter_no_such_call", -1, SYSCALL_ENTER },
		{ "syscalls", "sys_enterread", -1, SYSCALL_ENTER },
		{ "sched", "sys_enter_read", -1, SYSCALL_ENTER },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct attach_spec spec = { .kind = PROBE_TRACEPOINT, .target = cases[i].target, .func = cases[i].func };
		enum syscall_side side = SYSCALL_ENTER;
		int nr = syscall_tracepoint_nr(&spec, &side);
		CHECK(nr == cases[i].nr && (nr < 0 || side == cases[i].side), "%s:%s -> %d (side %d), want %d",
		      cases[i].target, cases[i].func, nr, side, cases[i].nr);
	}
	struct attach_spec other = { .kind = PROBE_RAWTRACEPOINT, .target = "syscalls", .func = "sys_enter_read" };
	enum syscall_side side;
	CHECK(syscall_tracepoint_nr(&other, &side) < 0, "only tracepoints have syscall numbers");
}

static void test_tracepoint_resolve(void)
{
	struct res r;

	resolve(&r, "tracepoint:syscalls:sys_enter_nosuchcall", NULL, 0);
	CHECK(r.rc < 0 && strstr(first_msg(&r), "sys_enter_nosuchcall"),
	      "unknown tracepoint error: %s", first_msg(&r));
	CHECK(r.diags.head && r.diags.head->has_loc && r.diags.head->loc.first_column == 1,
	      "unknown tracepoint located");
	res_free(&r);

	check_error("tracepoint:syscalls", NULL, 0, "tracepoint probe type requires 2 arguments, found 1");
	check_error("tracepoint:a:b:c", NULL, 0, "tracepoint probe type requires 2 arguments, found 3");

	if (!have_tracefs()) {
		check_skip("tracepoint wildcards", "tracefs is not mounted/readable");
		return;
	}
	struct probe_context warn = { .missing = PROBE_MISSING_WARN };
	resolve_ctx(&r, "tracepoint:syscalls:sys_enter_nosuchcall", NULL, 0, &warn);
	CHECK(r.rc == 0 && r.n == 0 && r.diags.errors == 0 && r.diags.warnings == 1,
	      "missing_probes=warn");
	res_free(&r);

	resolve(&r, "t:syscalls:sys_enter_openat", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].canonical,
					       "tracepoint:syscalls:sys_enter_openat") &&
		      !strcmp(r.specs[0].target, "syscalls") &&
		      !strcmp(r.specs[0].func, "sys_enter_openat"),
	      "t: alias");
	if (r.n == 1)
		CHECK(!strcmp(probe_ops_find("t")->section(&r.arena, &r.specs[0]),
			      "tracepoint/syscalls/sys_enter_openat"),
		      "tracepoint section");
	res_free(&r);

	resolve(&r, "tracepoint:syscalls:sys_enter_get*", NULL, 0);
	CHECK(r.rc == 0 && r.n > 3, "sys_enter_get* expands (%d)", r.n);
	CHECK(has_canonical(&r, "tracepoint:syscalls:sys_enter_getuid") &&
		      has_canonical(&r, "tracepoint:syscalls:sys_enter_getgid") &&
		      has_canonical(&r, "tracepoint:syscalls:sys_enter_getgroups"),
	      "getuid, getgid, getgroups");
	bool all_get = true, sorted = true;
	for (int i = 0; i < r.n; i++) {
		all_get &= !strncmp(r.specs[i].canonical, "tracepoint:syscalls:sys_enter_get", 33);
		if (i)
			sorted &= strcmp(r.specs[i - 1].canonical, r.specs[i].canonical) < 0;
	}
	CHECK(all_get, "nothing without get");
	CHECK(sorted, "sorted and unique");
	res_free(&r);

	resolve(&r, "tracepoint:syscalls:sys_enter_getppi?", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && has_canonical(&r, "tracepoint:syscalls:sys_enter_getppid"),
	      "'?' wildcard");
	res_free(&r);

	resolve(&r, "tracepoint:*sys_enter_getppid*", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && has_canonical(&r, "tracepoint:syscalls:sys_enter_getppid"),
	      "tracepoint:*foo* means tracepoint:*:*foo*");
	res_free(&r);

	resolve(&r, "tracepoint:syscalls:sys_enter_nosuch*", NULL, 0);
	CHECK(r.rc < 0 && r.diags.errors == 1, "wildcard matching nothing is an error");
	res_free(&r);
}

/* ---- uprobes ------------------------------------------------------------ */

static void test_uprobes(void)
{
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct res r;
	char raw[4200];

	if (len <= 0) {
		check_skip("uprobes", "cannot read /proc/self/exe");
		return;
	}
	self[len] = '\0';

	snprintf(raw, sizeof(raw), "uprobe:%s:probe_glob_match", self);
	resolve(&r, raw, NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_UPROBE &&
		      !strcmp(r.specs[0].target, self) &&
		      !strcmp(r.specs[0].func, "probe_glob_match") &&
		      !strcmp(r.specs[0].canonical, raw),
	      "uprobe on own binary (%s)", first_msg(&r));
	if (r.n == 1)
		CHECK(!strcmp(probe_ops_find("u")->section(&r.arena, &r.specs[0]), "uprobe"),
		      "uprobe section");
	res_free(&r);

	snprintf(raw, sizeof(raw), "ur:%s:probe_glob_*", self);
	resolve(&r, raw, NULL, 0);
	snprintf(raw, sizeof(raw), "uretprobe:%s:probe_glob_match", self);
	CHECK(r.rc == 0 && r.n >= 1 && has_canonical(&r, raw) &&
		      r.specs[0].kind == PROBE_URETPROBE,
	      "uretprobe wildcard from the symbol table (%s)", first_msg(&r));
	if (r.n >= 1)
		CHECK(!strcmp(probe_ops_find("ur")->section(&r.arena, &r.specs[0]), "uretprobe"),
		      "uretprobe section");
	res_free(&r);

	/* expansion turns the offset into the address probed */
	snprintf(raw, sizeof(raw), "uprobe:%s:probe_glob_match", self);
	resolve(&r, raw, NULL, 0);
	uint64_t func_addr = r.n == 1 ? r.specs[0].offset : 0;
	res_free(&r);
	snprintf(raw, sizeof(raw), "uprobe:%s:probe_glob_match+0x4", self);
	resolve(&r, raw, NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].func, "probe_glob_match+4") &&
		      func_addr && r.specs[0].offset == func_addr + 4,
	      "uprobe offset (%s)", first_msg(&r));
	res_free(&r);

	/* two versions of one symbol (pthread_create@GLIBC_2.2.5 and
	 * @@GLIBC_2.34) are one function */
	resolve(&r, "uprobe:libc:pthread_create", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1, "versioned symbols are one probe (%s)", first_msg(&r));
	res_free(&r);

	snprintf(raw, sizeof(raw), "uretprobe:%s:probe_glob_match+4", self);
	check_error(raw, NULL, 0, "uretprobes can not be attached to a function offset");

	snprintf(raw, sizeof(raw), "uprobe:%s:no_such_function_xyz", self);
	check_error(raw, NULL, 0, "no_such_function_xyz");

	check_error("uprobe:/nonexistent/sondetest:foo", NULL, 0,
		    "uprobe target file '/nonexistent/sondetest' does not exist or is not executable");
	check_error("uprobe:/etc/hostname:foo", NULL, 0, "not an ELF");
	check_error("uprobe:/x", NULL, 0, "uprobe probe type requires 2 or 3 arguments, found 1");
	check_error("uprobe:/x@f.c:1", NULL, 0, "does not exist");
	/* Debian's binaries are stripped (without their -dbgsym package) */
	check_error("uprobe:/usr/bin/true@f.c:1", NULL, 0, "No debuginfo found for /usr/bin/true");
	check_error("uprobe:/proc/self/exe@f.c", NULL, 0, "expected BIN@FILE:LINE[:COL]");
	check_error("uprobe:/proc/self/exe@f.c:0", NULL, 0, "expected BIN@FILE:LINE[:COL]");
	check_error("uretprobe:/proc/self/exe@f.c:3", NULL, 0, "can not be attached to a source line");

	/* -p PID: the target may be omitted. */
	struct probe_context popts = { .pid = getpid() };
	resolve_ctx(&r, "uprobe:probe_glob_match", NULL, 0, &popts);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].target, self),
	      "uprobe:FN with -p (%s)", first_msg(&r));
	res_free(&r);

	resolve(&r, "uprobe:libc:malloc", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].target[0] == '/' &&
		      strstr(r.specs[0].target, "libc.so"),
	      "libc via ld.so.cache: %s (%s)", r.n ? r.specs[0].target : "-", first_msg(&r));
	res_free(&r);

	resolve(&r, "uprobe:libc.so.6:free", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && strstr(r.specs[0].target, "/libc.so.6"),
	      "libc.so.6 via ld.so.cache (%s)", first_msg(&r));
	res_free(&r);

	resolve(&r, "uprobe:bash:main", NULL, 0);
	if (access("/usr/bin/bash", X_OK) == 0)
		CHECK(r.rc == 0 && r.n == 1 && r.specs[0].target[0] == '/' &&
			      strstr(r.specs[0].target, "/bash"),
		      "bash via $PATH (%s)", first_msg(&r));
	res_free(&r);
}

/* ---- kprobes ------------------------------------------------------------ */

static void test_kprobes(void)
{
	struct res r;
	struct probe_context unsafe = { .unsafe = true };

	resolve(&r, "kprobe:vfs_read", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_KPROBE &&
		      !strcmp(r.specs[0].canonical, "kprobe:vfs_read") &&
		      !strcmp(r.specs[0].func, "vfs_read"),
	      "kprobe:vfs_read (%s)", first_msg(&r));
	if (r.n == 1)
		CHECK(!strcmp(probe_ops_find("k")->section(&r.arena, &r.specs[0]), "kprobe/vfs_read"),
		      "kprobe section");
	CHECK(r.diags.warnings == 0, "vfs_read is traceable");
	res_free(&r);

	resolve(&r, "kr:vfs_read", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_KRETPROBE &&
		      !strcmp(r.specs[0].canonical, "kretprobe:vfs_read"),
	      "kr:vfs_read");
	if (r.n == 1)
		CHECK(!strcmp(probe_ops_find("kr")->section(&r.arena, &r.specs[0]),
			      "kretprobe/vfs_read"),
		      "kretprobe section");
	res_free(&r);

	resolve(&r, "kprobe:vfs_read+0x10", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].func, "vfs_read+16") &&
		      r.specs[0].offset == 16 && !strcmp(r.specs[0].canonical, "kprobe:vfs_read+16"),
	      "kprobe offset");
	res_free(&r);

	check_error("kretprobe:vfs_read+1", NULL, 0, "offset");
	check_error("kprobe:vfs_read+1+2", NULL, 0, "vfs_read+1+2");
	check_error("kprobe:0xffffffff81000000", NULL, 0, "Probing by address requires --unsafe");
	check_error("kprobe:a:b:c", NULL, 0, "kprobe probe type requires 1 or 2 arguments, found 3");

	resolve_ctx(&r, "kprobe:0xffffffff81000000", NULL, 0, &unsafe);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].func, "0xffffffff81000000"),
	      "address kprobe with --unsafe");
	if (r.n == 1)
		CHECK(!strcmp(probe_ops_find("kprobe")->section(&r.arena, &r.specs[0]), "kprobe"),
		      "address kprobe section");
	res_free(&r);

	resolve(&r, "kprobe:no_such_kernel_function_xyz", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.diags.warnings == 1 &&
		      strstr(r.diags.head ? r.diags.head->msg : "", "is not traceable"),
	      "untraceable function warns");
	res_free(&r);

	resolve(&r, "kprobe:vfs_rea*", NULL, 0);
	CHECK(r.rc == 0 && has_canonical(&r, "kprobe:vfs_read") &&
		      !has_canonical(&r, "kprobe:vfs_write"),
	      "kprobe wildcard (%d, %s)", r.n, first_msg(&r));
	res_free(&r);

	resolve(&r, "k*:vfs_read", NULL, 0);
	CHECK(r.rc == 0 && has_canonical(&r, "kprobe:vfs_read") &&
		      has_canonical(&r, "kretprobe:vfs_read"),
	      "wildcard provider (%d, %s)", r.n, first_msg(&r));
	res_free(&r);

	resolve(&r, "kprobe:vmlinux:vfs_read", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && !strcmp(r.specs[0].canonical, "kprobe:vmlinux:vfs_read") &&
		      r.diags.warnings == 0,
	      "module form");
	res_free(&r);
}

/* ---- raw tracepoints ---------------------------------------------------- */

static void test_rawtracepoints(void)
{
	struct res r;

	if (!have_btf()) {
		check_skip("rawtracepoint", "no /sys/kernel/btf/vmlinux");
		return;
	}
	resolve(&r, "rawtracepoint:sys_enter", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_RAWTRACEPOINT &&
		      !strcmp(r.specs[0].canonical, "rawtracepoint:vmlinux:sys_enter") &&
		      !strcmp(r.specs[0].func, "sys_enter"),
	      "rawtracepoint:sys_enter (%s)", first_msg(&r));
	if (r.n == 1)
		CHECK(!strcmp(probe_ops_find("rt")->section(&r.arena, &r.specs[0]), "raw_tp/sys_enter"),
		      "raw_tp section");
	res_free(&r);

	resolve(&r, "rt:sched_sw*", NULL, 0);
	CHECK(r.rc == 0 && has_canonical(&r, "rawtracepoint:vmlinux:sched_switch"),
	      "rt wildcard");
	res_free(&r);

	check_error("rawtracepoint:no_such_tp_xyz", NULL, 0, "no_such_tp_xyz");
	check_error("rawtracepoint:a:b:c", NULL, 0, "requires 1 or 2 arguments, found 3");
}

/* ---- fentry/fexit and the kprobe fallback -------------------------------- */

static void test_fentry(void)
{
	struct res r;

	if (!have_btf()) {
		check_skip("fentry", "no /sys/kernel/btf/vmlinux");
		return;
	}
	resolve(&r, "fentry:vfs_read", NULL, 0);
	CHECK(r.rc == 0 && r.n == 1 && r.specs[0].kind == PROBE_FENTRY &&
		      !strcmp(r.specs[0].canonical, "fentry:vmlinux:vfs_read"),
	      "fentry:vfs_read (%s)", first_msg(&r));
	if (r.n == 1)
		CHECK(!strcmp(probe_ops_of(&r.specs[0])->section(&r.arena, &r.specs[0]), "fentry/vfs_read"),
		      "fentry section");
	res_free(&r);

	resolve(&r, "kretfunc:vfs_rea*", NULL, 0);
	CHECK(r.rc == 0 && r.n >= 2 && r.specs[0].kind == PROBE_FEXIT && has_canonical(&r, "fexit:vmlinux:vfs_read") &&
		      (r.specs[0].flags & PF_BTF_RETVAL),
	      "kretfunc wildcard (%s)", first_msg(&r));
	res_free(&r);

	check_error("fentry:no_such_function_xyz", NULL, 0, "Unknown kernel function");
	check_error("fentry:bpf:abc:prog", NULL, 0, "the program id 'abc' is not a number");
	check_error("fentry:bpf:4294967295:no_such_function_xyz", NULL, 0, "Unknown BPF program function");
	check_error("fexit:a:b:c", NULL, 0, "requires 1 or 2 arguments, found 3");
}

/* The kprobe fallback decides from the features the caller knows: fill
 * them in rather than asking this kernel. */
static void resolve_with_features(struct res *r, const char *raw, unsigned present)
{
	struct kernel_features kf = { .known = (1u << KERNEL_FEATURES) - 1, .present = present };
	struct probe_context ctx = { .features = &kf };
	resolve_ctx(r, raw, NULL, 0, &ctx);
}

static void test_kprobe_fallback(void)
{
	const unsigned kprobes = 1u << KFEAT_KPROBES, fentry = 1u << KFEAT_FENTRY;
	static const struct {
		const char *probe;
		unsigned present;
		enum probe_kind kind;
		const char *section;
	} cases[] = {
		{ "kprobe:vfs_read", kprobes | fentry, PROBE_KPROBE, "kprobe/vfs_read" },
		{ "kprobe:vfs_read", fentry, PROBE_KPROBE_FENTRY, "fentry/vfs_read" },
		{ "kretprobe:vfs_read", fentry, PROBE_KRETPROBE_FEXIT, "fexit/vfs_read" },
		{ "kprobe:vfs_read", 0, PROBE_KPROBE, "kprobe/vfs_read" },
		{ "kprobe:vfs_read+4", fentry, PROBE_KPROBE, "kprobe/vfs_read" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct res r;
		resolve_with_features(&r, cases[i].probe, cases[i].present);
		bool ok = r.rc == 0 && r.n == 1 && r.specs[0].kind == cases[i].kind;
		const struct probe_ops *ops = ok ? probe_ops_of(&r.specs[0]) : NULL;
		CHECK(ok && !strcmp(ops->section(&r.arena, &r.specs[0]), cases[i].section) &&
			      !strcmp(r.specs[0].canonical, cases[i].probe) && r.specs[0].flags == ops->flags,
		      "%s with features %#x: kind %d (%s)", cases[i].probe, cases[i].present,
		      r.n ? (int)r.specs[0].kind : -1, first_msg(&r));
		res_free(&r);
	}
}

/* ---- glob --------------------------------------------------------------- */

static void test_glob(void)
{
	CHECK(probe_glob_match("sys_enter_get*", "sys_enter_getuid"), "prefix");
	CHECK(!probe_glob_match("sys_enter_get*", "sys_enter_setuid"), "prefix mismatch");
	CHECK(probe_glob_match("*", ""), "* matches empty");
	CHECK(probe_glob_match("*foo*", "a:b:xfooy"), "* crosses ':'");
	CHECK(probe_glob_match("uprobe:*:main", "uprobe:/usr/bin/bash:main"), "* crosses '/'");
	CHECK(probe_glob_match("a*b*c", "aXbYbZc"), "backtracking");
	CHECK(!probe_glob_match("a*b*c", "aXbYbZ"), "backtracking mismatch");
	CHECK(probe_glob_match("getppi?", "getppid"), "?");
	CHECK(!probe_glob_match("getppi?", "getppi"), "? needs a char");
	CHECK(probe_glob_match("vfs_read", "vfs_read"), "literal");
	CHECK(!probe_glob_match("vfs_read", "vfs_readv"), "literal is anchored");
}

/* ---- listing ------------------------------------------------------------ */

static char *list(const char *pattern, bool verbose, int *rc)
{
	struct arena a = { 0 };
	struct diags d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	diags_init(&d, &a, "stdin", "");
	*rc = probes_list(&d, pattern, 0, f, verbose);
	fclose(f);
	arena_free(&a);
	return buf;
}

static void test_list(void)
{
	int rc;
	char *out;

	out = list("interval:*", false, &rc);
	CHECK(rc == 0 && !strcmp(out, "interval:hz:\ninterval:ms:\ninterval:s:\ninterval:us:\n"),
	      "interval listing: '%s'", out);
	free(out);

	out = list("i:s*", false, &rc);
	CHECK(rc == 0 && !strcmp(out, "interval:s:\n"), "alias in listing: '%s'", out);
	free(out);

	out = list("software:cpu*", false, &rc);
	CHECK(rc == 0 && !strcmp(out, "software:cpu:\nsoftware:cpu-clock:\nsoftware:cpu-migrations:\n"),
	      "software listing, aliases too: '%s'", out);
	free(out);

	/* a kernel without kprobes lists none (and says why on stderr) */
	bool kprobes = access("/sys/bus/event_source/devices/kprobe", F_OK) == 0;
	out = list("kprobe:vfs_read", false, &rc);
	CHECK(rc == 0 && !strcmp(out, kprobes ? "kprobe:vfs_read\n" : ""), "kprobe listing: '%s'", out);
	free(out);

	out = list("nosuch:x", false, &rc);
	CHECK(rc < 0 && out && !*out, "unknown provider in listing");
	free(out);

	if (have_btf()) {
		out = list("rawtracepoint:*sched_switch", true, &rc);
		CHECK(rc == 0 && !strncmp(out, "rawtracepoint:vmlinux:sched_switch\n    bool preempt\n", 51),
		      "rawtracepoint -lv: '%s'", out);
		free(out);
		out = list("rt:sys_enter", false, &rc);
		CHECK(rc == 0 && !strcmp(out, "rawtracepoint:vmlinux:sys_enter\n"),
		      "rawtracepoint without module lists any module: '%s'", out);
		free(out);
	}

	if (!have_tracefs()) {
		check_skip("tracepoint listing", "tracefs is not mounted/readable");
		return;
	}
	out = list("tracepoint:syscalls:sys_enter_open*", false, &rc);
	CHECK(rc == 0 && strstr(out, "tracepoint:syscalls:sys_enter_openat\n") &&
		      strstr(out, "tracepoint:syscalls:sys_enter_openat2\n") &&
		      !strstr(out, "sys_exit"),
	      "tracepoint listing: '%s'", out);
	free(out);

	out = list("t:syscalls:sys_enter_openat", true, &rc);
	CHECK(rc == 0 && !strcmp(out, "tracepoint:syscalls:sys_enter_openat\n"
				      "    int __syscall_nr\n    int dfd\n    const char * filename\n"
				      "    int flags\n    umode_t mode\n"),
	      "tracepoint -lv: '%s'", out);
	free(out);

	out = list("*sys_enter_getppid*", false, &rc);
	CHECK(rc == 0 && strstr(out, "tracepoint:syscalls:sys_enter_getppid\n"),
	      "pattern without provider: '%s'", out);
	free(out);
}

int main(void)
{
	test_split();
	test_providers();
	test_timers();
	test_perf_events();
	test_glob();
	test_tracepoint_format();
	test_tracepoint_resolve();
	test_syscall_tracepoint_nrs();
	test_uprobes();
	test_kprobes();
	test_rawtracepoints();
	test_fentry();
	test_kprobe_fallback();
	test_list();
	return check_summary();
}
