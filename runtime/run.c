/* The run-time lifecycle of §1.7: load, begin, attach, event loop, end,
 * maps, detach. */
#include "run.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <limits.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../probes/probe.h"
#include "actions.h"
#include "detach.h"
#include "flamegraph.h"
#include "map_read.h"
#include "printf.h"
#include "ringbuf_size.h"
#include "skb_output.h"
#include "tests.h"
#include "verifier.h"


struct runner {
	const struct compiled_program *prog;
	const struct run_options *opts;
	struct output out;
	struct bpf_object *obj;
	struct bpf_program **progs; /* by prog_desc index */
	int *map_fds;               /* by map index */
	struct probe_link *links;
	int nlinks;
	pid_t child_pid;          /* the -c child, 0 without one */
	int *first_link;          /* per program: its first entry in links, -1 if none */
	struct ring_buffer *rb;
	struct skb_output *skb;   /* skboutput() packets and their pcap files, NULL: none */
	bool exiting;
	int exit_code;
	bool have_exit_code;
	int pidfd; /* -p: the traced process, or -1 */
	int globals_fd;         /* the globals map (lost-event counter), or -1 */
	uint64_t lost_reported; /* lost events already reported */
	int out_err;            /* first write error on the program output, 0: none */
	struct metrics_server *metrics; /* --metrics, NULL: none */
	uint64_t deadline_ns;   /* --duration: CLOCK_MONOTONIC end of the run, 0: none */
	uint64_t flushed_ns;    /* CLOCK_MONOTONIC of the last flush of the event loop */
	int stop_signals;       /* signals that stop consuming events: 1, 2 after the first */
};

/* libbpf's log callback has no context pointer: keep the tail of its
 * messages here so a load failure can be explained. */
static struct {
	char text[16384];
	size_t len;
	bool echo;
} libbpf_log;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[4096];
	vsnprintf(line, sizeof(line), fmt, ap);
	if (libbpf_log.echo) {
		const char *tag = level == LIBBPF_WARN ? "WARN" : level == LIBBPF_INFO ? "INFO" : "DEBUG";
		fprintf(stderr, "[%s] %s", tag, line);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	size_t n = strlen(line);
	if (n >= sizeof(libbpf_log.text))
		return 0;
	if (libbpf_log.len + n >= sizeof(libbpf_log.text)) {
		/* keep the newest half */
		size_t keep = sizeof(libbpf_log.text) / 2;
		memmove(libbpf_log.text, libbpf_log.text + libbpf_log.len - keep, keep);
		libbpf_log.len = keep;
	}
	memcpy(libbpf_log.text + libbpf_log.len, line, n);
	libbpf_log.len += n;
	libbpf_log.text[libbpf_log.len] = 0;
	return 0;
}

static volatile sig_atomic_t got_signal, got_usr1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig != SIGPIPE)
		got_signal++;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	/* A closed output pipe must not kill sonde before it detaches: the
	 * write fails with EPIPE instead. A handler, not SIG_IGN, so that the
	 * -c child and system() commands start with the default action. */
	sigaction(SIGPIPE, &sa, NULL);
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t boottime_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

/* ---- map maintenance for clear() and zero() ---- */

static void map_clear(struct runner *r, int idx, bool zero_only)
{
	const struct map_desc *m = &r->prog->maps[idx];
	int fd = r->map_fds[idx];
	if (m->array) {
		map_array_reset(m, fd, r->out.ncpus, zero_only);
		return;
	}
	size_t vsize = m->percpu ? ((m->value_size + 7) & ~(size_t)7) * (size_t)r->out.ncpus : m->value_size;
	unsigned char *key = calloc(1, m->key_size), *next = calloc(1, m->key_size);
	unsigned char *zero = calloc(1, vsize);
	if (!key || !next || !zero)
		goto out;
	/* collect first: deleting while iterating restarts the walk */
	size_t n = 0, cap = 0;
	unsigned char *keys = NULL;
	void *prev = NULL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			unsigned char *k = realloc(keys, cap * m->key_size);
			if (!k)
				break;
			keys = k;
		}
		memcpy(keys + n * m->key_size, next, m->key_size);
		n++;
		memcpy(key, next, m->key_size);
		prev = key;
	}
	for (size_t i = 0; i < n; i++) {
		if (zero_only)
			bpf_map_update_elem(fd, keys + i * m->key_size, zero, BPF_EXIST);
		else
			bpf_map_delete_elem(fd, keys + i * m->key_size);
	}
	free(keys);
out:
	free(key);
	free(next);
	free(zero);
}

/* ---- output errors ---- */

/* The error of a stream that failed to write, 0 if none. errno may have
 * changed since the failed write, but a pipe whose reader is gone always
 * polls POLLERR, so a broken pipe is recognised. */
static int stream_error(FILE *f)
{
	if (!ferror(f))
		return 0;
	int err = errno ? errno : EIO;
	struct pollfd p = { .fd = fileno(f) };
	if (poll(&p, 1, 0) > 0 && (p.revents & POLLERR))
		err = EPIPE;
	return err;
}

/* Records the first output error; true once the output has failed. */
static bool output_failed(struct runner *r)
{
	if (!r->out_err)
		r->out_err = stream_error(r->out.out);
	return r->out_err != 0;
}

/* Flushes the program output and records an error it reports. */
static void output_flush(struct runner *r)
{
	skb_output_flush(r->skb);
	errno = 0;
	if (fflush(r->out.out) == EOF && !r->out_err)
		r->out_err = errno ? errno : EIO;
	output_failed(r);
}

/* ---- events ---- */

/* errorf()/warnf(): the located message on stderr, one line */
static void print_located(struct output *o, const struct action *a, const void *payload)
{
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);
	if (!m)
		return;
	format_print_out(m, a->fmt, a->type, payload, o);
	if (!fclose(m))
		fprintf(stderr, "%s%s", text, n && text[n - 1] == '\n' ? "" : "\n");
	free(text);
}

/* unwatch(addr): detach the watchpoints at addr; the others stay. */
static void unwatch(struct runner *r, uint64_t addr)
{
	for (int i = 0; i < r->prog->nprogs; i++) {
		const struct attach_spec *spec = &r->prog->progs[i].spec;
		if ((spec->flags & PF_DEBUG_REGISTER) && spec->offset == addr && r->first_link[i] >= 0)
			probe_link_destroy(&r->links[r->first_link[i]]);
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct runner *r = ctx;
	if (r->exiting || size < 8)
		return 0;
	uint64_t idx;
	memcpy(&idx, data, 8);
	if (idx >= (uint64_t)r->prog->nactions)
		return 0;
	const struct action *a = &r->prog->actions[idx];
	/* once the output failed only exit() still matters */
	if (r->out_err && a->kind != ACT_EXIT)
		return 0;
	errno = 0; /* so that a failed write below leaves its own errno */
	const unsigned char *payload = (const unsigned char *)data + 8;
	switch (a->kind) {
	case ACT_PRINTF:
		output_printf(&r->out, a->fmt, a->type, payload);
		break;
	case ACT_PRINT:
		output_value(&r->out, a->type, payload);
		break;
	case ACT_PRINT_MAP: {
		int64_t top, div;
		memcpy(&top, payload, 8);
		memcpy(&div, payload + 8, 8);
		output_map(&r->out, &r->prog->maps[a->map], r->map_fds[a->map], top, div, true);
		break;
	}
	case ACT_CLEAR:
	case ACT_ZERO:
		map_clear(r, a->map, a->kind == ACT_ZERO);
		break;
	case ACT_TIME:
		output_time(&r->out, a->fmt);
		break;
	case ACT_SYSTEM:
		action_system(&r->out, a, payload);
		break;
	case ACT_CAT:
		action_cat(&r->out, a, payload);
		break;
	case ACT_JOIN:
		action_join(&r->out, a, payload);
		break;
	case ACT_SKB_OUTPUT: /* its packets come through the perf event array */
		break;
	case ACT_UNWATCH: {
		uint64_t addr;
		memcpy(&addr, payload, 8);
		unwatch(r, addr);
		break;
	}
	case ACT_WARNING:
		if (r->opts->no_warnings)
			break;
		fflush(r->out.out);
		fputs(a->fmt, stderr);
		break;
	case ACT_WARNF:
		if (r->opts->no_warnings)
			break;
		/* fall through */
	case ACT_ERRORF:
		fflush(r->out.out);
		print_located(&r->out, a, payload);
		break;
	case ACT_EXIT: {
		int64_t code;
		memcpy(&code, payload, 8);
		if (!r->have_exit_code) {
			r->exit_code = (int)(code & 255);
			r->have_exit_code = true;
		}
		r->exiting = true;
		return -1; /* stop consuming: later events are dropped */
	}
	}
	if (output_failed(r))
		return -1;
	/* events that come faster than they are printed would keep the
	 * consumer from returning: a signal ends the batch (the rest is
	 * drained at the end, unless the next signal comes) */
	return got_signal >= r->stop_signals ? -EINTR : 0;
}

static void drain(struct runner *r)
{
	if (r->rb)
		ring_buffer__consume(r->rb);
	skb_output_consume(r->skb);
}

/* Wait at most timeout ms for events, then handle them: as
 * ring_buffer__poll, and the skboutput() packets too. */
static int poll_events(struct runner *r, int timeout)
{
	if (!r->skb)
		return ring_buffer__poll(r->rb, timeout);
	struct pollfd fds[2] = { { .fd = ring_buffer__epoll_fd(r->rb), .events = POLLIN },
				 { .fd = skb_output_fd(r->skb), .events = POLLIN } };
	if (poll(fds, 2, timeout) < 0)
		return -errno;
	int n = ring_buffer__consume(r->rb), err = skb_output_consume(r->skb);
	return n < 0 ? n : err < 0 ? err : n + (fds[1].revents != 0);
}

/* ---- load ---- */

/* Kernel verifier log of the program being loaded; the kernel keeps the
 * tail when it does not fit, which is where the reason is. */
enum { VERIFIER_LOG_SIZE = 1 << 20 };

static void explain_load_failure(struct runner *r, int err, const char *vlog)
{
	for (int i = 0; i < r->prog->nprogs; i++) {
		const struct attach_spec *spec = &r->prog->progs[i].spec;
		char quoted[64], why[512];
		snprintf(quoted, sizeof(quoted), "'%s'", r->prog->progs[i].fn_name);
		if (!strstr(libbpf_log.text, quoted))
			continue;
		/* EPERM: the kernel refuses the program type (the verifier says
		 * EACCES or EINVAL); the probe type knows why */
		const char *refused = err == -EPERM ? probe_explain(spec, err, why, sizeof(why)) : NULL;
		if (refused)
			fprintf(stderr, "ERROR: %s: %s\n", spec->canonical, refused);
		else
			verifier_explain(stderr, spec->canonical, vlog, r->opts->verbose ? 1000000 : 20);
		return;
	}
	fprintf(stderr, "ERROR: Failed to load the BPF programs: %s\n%s", strerror(-err), libbpf_log.text);
}

/* The descriptor of a map the program may have (name NULL: it has none). */
static int map_fd_by_name(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = name ? bpf_object__find_map_by_name(obj, name) : NULL;
	return m ? bpf_map__fd(m) : -1;
}

static int load(struct runner *r)
{
	const struct compiled_program *p = r->prog;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "sonde");
	r->obj = bpf_object__open_mem(p->elf, p->elf_size, &oo);
	if (!r->obj) {
		fprintf(stderr, "ERROR: Failed to open the BPF object: %s\n", strerror(errno));
		return -1;
	}
	struct bpf_map *scratch = bpf_object__find_map_by_name(r->obj, p->scratch_name);
	if (scratch)
		bpf_map__set_max_entries(scratch, (uint32_t)r->out.ncpus);
	if (skb_output_size(r->skb, r->obj, r->out.ncpus)) {
		fprintf(stderr, "ERROR: cannot size the perf event array of skboutput()\n");
		return -1;
	}
	r->progs = calloc((size_t)(p->nprogs ? p->nprogs : 1), sizeof(*r->progs));
	r->first_link = calloc((size_t)(p->nprogs ? p->nprogs : 1), sizeof(*r->first_link));
	r->map_fds = calloc((size_t)(p->nmaps ? p->nmaps : 1), sizeof(*r->map_fds));
	if (!r->progs || !r->map_fds || !r->first_link)
		return -1;
	char *vlog = calloc(1, VERIFIER_LOG_SIZE);
	if (!vlog)
		return -1;
	for (int i = 0; i < p->nprogs; i++) {
		r->progs[i] = bpf_object__find_program_by_name(r->obj, p->progs[i].fn_name);
		if (!r->progs[i])
			continue;
		bpf_program__set_log_buf(r->progs[i], vlog, VERIFIER_LOG_SIZE);
		int perr = probe_prepare(r->progs[i], &p->progs[i].spec);
		if (perr) {
			char why[256];
			fprintf(stderr, "ERROR: cannot prepare %s: %s\n", p->progs[i].spec.canonical,
				probe_attach_error(&p->progs[i].spec, perr, why, sizeof(why)));
			free(vlog);
			return -1;
		}
		if (r->opts->dump_verifier)
			bpf_program__set_log_level(r->progs[i], 1);
	}
	struct bpf_map *rbmap = bpf_object__find_map_by_name(r->obj, p->ringbuf_name);
	if (!rbmap) {
		free(vlog);
		fprintf(stderr, "ERROR: internal error: no event ring buffer\n");
		return -1;
	}
	unsigned long rb_size = ringbuf_size(p, r->progs);
	int err = rb_size > UINT32_MAX ? -E2BIG : bpf_map__set_max_entries(rbmap, (uint32_t)rb_size);
	if (err)
		fprintf(stderr, "ERROR: cannot size the event ring buffer (%lu bytes): %s\n", rb_size, strerror(-err));
	else if ((err = bpf_object__load(r->obj)))
		explain_load_failure(r, err, vlog);
	else if (r->opts->dump_verifier)
		fputs(vlog, stderr);
	free(vlog);
	if (err)
		return -1;
	for (int i = 0; i < p->nmaps; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(r->obj, p->maps[i].bpf_name);
		r->map_fds[i] = m ? bpf_map__fd(m) : -1;
	}
	r->out.stack_fd = map_fd_by_name(r->obj, p->stack_map_name);
	r->out.ustack_fd = map_fd_by_name(r->obj, p->ustack_map_name);
	r->rb = ring_buffer__new(bpf_map__fd(rbmap), on_event, r, NULL);
	if (!r->rb) {
		fprintf(stderr, "ERROR: Failed to create the event ring buffer: %s\n", strerror(errno));
		return -1;
	}
	return skb_output_start(r->skb, r->obj);
}

static void set_globals(struct runner *r, pid_t cpid)
{
	struct bpf_map *g = bpf_object__find_map_by_name(r->obj, SONDE_GLOBALS_MAP);
	if (!g)
		return;
	r->globals_fd = bpf_map__fd(g);
	unsigned char val[GLOBALS_SIZE] = { 0 };
	uint64_t start = boottime_ns(), c = (uint64_t)cpid;
	memcpy(val + GLOBAL_START_NS, &start, 8);
	memcpy(val + GLOBAL_CPID, &c, 8);
	uint32_t key = 0;
	if (bpf_map_update_elem(bpf_map__fd(g), &key, val, BPF_ANY))
		fprintf(stderr, "WARNING: cannot set the start time: %s\n", strerror(errno));
}

static uint64_t lost_events(struct runner *r)
{
	unsigned char val[GLOBALS_SIZE];
	uint32_t key = 0;
	uint64_t lost;
	if (r->globals_fd < 0 || bpf_map_lookup_elem(r->globals_fd, &key, val))
		return r->lost_reported;
	memcpy(&lost, val + GLOBAL_LOST_EVENTS, 8);
	return lost + skb_output_lost(r->skb);
}

/* Reports the events lost since the last report, as they happen: the
 * probes count the records the full ring buffer refused (§11.3). */
static void report_lost(struct runner *r)
{
	uint64_t lost = lost_events(r);
	if (lost <= r->lost_reported)
		return;
	unsigned long long n = (unsigned long long)(lost - r->lost_reported);
	r->lost_reported = lost;
	if (r->opts->mode == OUTPUT_JSON) {
		if (!r->out_err)
			fprintf(r->out.out, "{\"type\": \"lost_events\", \"count\": %llu, \"data\": {\"events\": %llu}}\n",
				n, n);
		return;
	}
	fflush(r->out.out); /* keep the order of output and message on a terminal */
	fprintf(stderr, "Lost %llu events\n", n);
}

/* At exit, after the last drain: what is still unreported, and the total
 * (text mode; in JSON the lost_events records add up to it). */
static void report_lost_total(struct runner *r)
{
	report_lost(r);
	if (r->lost_reported && r->opts->mode == OUTPUT_TEXT)
		fprintf(stderr, "WARNING: Total lost event count: %llu\n", (unsigned long long)r->lost_reported);
}

/* tests.c: the events of one test run; the exit code it asked for, or -1. */
static int drain_test_run(void *ctx)
{
	struct runner *r = ctx;
	r->exiting = false;
	r->have_exit_code = false;
	drain(r);
	output_flush(r);
	return r->have_exit_code ? r->exit_code : -1;
}

static int run_tests_or_benches(struct runner *r)
{
	struct test_runner t = { .prog = r->prog, .progs = r->progs, .out = r->out.out, .ctx = r,
				 .drain = drain_test_run };
	int status = r->opts->run == PROBE_RUN_TESTS ? tests_run(&t) : benches_run(&t);
	output_flush(r);
	return output_failed(r) ? 1 : status;
}

static void run_special(struct runner *r, enum probe_kind kind)
{
	for (int i = 0; i < r->prog->nprogs; i++) {
		if (r->prog->progs[i].spec.kind != kind || !r->progs[i])
			continue;
		int err = probe_run_once(r->progs[i]);
		if (err)
			fprintf(stderr, "ERROR: failed to run %s probe: %s\n", r->prog->progs[i].spec.canonical,
				strerror(-err));
	}
}

/* Drop the links a failed attach left behind (a probe on every CPU may
 * fail on a later CPU after the first ones attached). */
static void drop_links_from(struct runner *r, int first)
{
	for (int i = first; i < r->nlinks; i++)
		probe_link_destroy(&r->links[i]);
	r->nlinks = first;
}

/* An attach failure is fatal unless missing_probes is warn or ignore
 * (§1.10): then the probe is skipped and the others still run. */
static int attach_failed(struct runner *r, const struct prog_desc *d, int err)
{
	char why[512];
	switch (r->prog->missing_probes) {
	case PROBE_MISSING_IGNORE:
		return 0;
	case PROBE_MISSING_WARN:
		if (!r->opts->no_warnings)
			fprintf(stderr, "WARNING: Unable to attach probe: %s: %s. Skipping.\n", d->spec.canonical,
				probe_attach_error(&d->spec, err, why, sizeof(why)));
		return 0;
	default:
		fprintf(stderr, "ERROR: %s\n", probe_attach_error(&d->spec, err, why, sizeof(why)));
		fprintf(stderr,
			"ERROR: Unable to attach probe: %s. If this is expected, set the 'missing_probes' config variable to 'warn'.\n",
			d->spec.canonical);
		return -1;
	}
}

/* Attach every probe. *count gets the probes counted in the Attached
 * line (begin/end/self included), *live those that can still produce
 * events after begin (all but begin/end). A signal stops it early. */
/* Attach program i (begin/end/self only count). -1 when the run must stop. */
static int attach_one(struct runner *r, int i, int *count, int *live)
{
	const struct prog_desc *d = &r->prog->progs[i];
	if (d->spec.flags & PF_RUN_ONCE) {
		(*count)++;
		*live += d->spec.kind != PROBE_BEGIN && d->spec.kind != PROBE_END;
		return 0;
	}
	int before = r->nlinks;
	pid_t pid = r->opts->pid > 0 || !(d->spec.flags & PF_PROCESS) ? r->opts->pid : r->child_pid;
	int err = probe_attach(r->progs[i], &d->spec, pid, &r->links, &r->nlinks);
	if (err) {
		drop_links_from(r, before);
		return attach_failed(r, d, err) < 0 ? -1 : 0;
	}
	r->first_link[i] = r->nlinks > before ? before : -1;
	if (r->nlinks > before) {
		/* a uprobe_multi link is a probe per function */
		*count += d->spec.nmulti ? d->spec.nmulti : 1;
		(*live)++;
	}
	return 0;
}

/* With -c, a probe on one process (PF_PROCESS) is attached once the child
 * has exec'd (it waits, stopped, meanwhile): before, it is a copy of sonde. */
static bool attached_after_exec(const struct runner *r, const struct prog_desc *d)
{
	return r->child_pid > 0 && r->opts->pid <= 0 && (d->spec.flags & PF_PROCESS);
}

/* The probes attached before the child's exec (after_exec false) or after
 * it. In source order, except that the probe types the kernel runs
 * last-attached first (PF_LIFO) come after the others, in reverse, so that
 * they too fire in source order. */
static int attach_all(struct runner *r, bool after_exec, int *count, int *live)
{
	const struct compiled_program *p = r->prog;
	for (int i = 0; i < p->nprogs && !got_signal; i++)
		if (!(p->progs[i].spec.flags & PF_LIFO) &&
		    attached_after_exec(r, &p->progs[i]) == after_exec && attach_one(r, i, count, live) < 0)
			return -1;
	for (int i = p->nprogs - 1; i >= 0 && !got_signal; i--)
		if ((p->progs[i].spec.flags & PF_LIFO) &&
		    attached_after_exec(r, &p->progs[i]) == after_exec && attach_one(r, i, count, live) < 0)
			return -1;
	return 0;
}

static bool any_after_exec(const struct runner *r)
{
	for (int i = 0; i < r->prog->nprogs; i++)
		if (attached_after_exec(r, &r->prog->progs[i]))
			return true;
	return false;
}

#define BPF_FS_DIR "/sys/fs/bpf"

/* Pins live in a BPF file system. Where none is mounted at its usual
 * place, mount one, as bpftool does; elsewhere say what is missing.
 * Returns 0 or -1 after saying why. */
static int bpf_fs_ready(const char *path)
{
	char dir[PATH_MAX];
	struct statfs st;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	if (!statfs(dir, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (!strcmp(dir, BPF_FS_DIR) && !mount("bpf", BPF_FS_DIR, "bpf", 0, "mode=0700"))
		return 0;
	fprintf(stderr, "ERROR: cannot pin to %s: %s is not a BPF file system (mount -t bpf bpf %s)\n", path,
		dir, dir);
	return -1;
}

/* iter:NAME:PIN: the link stays in the BPF file system for others to read
 * after sonde has exited. */
static void pin_iterator(struct runner *r, int prog)
{
	const struct attach_spec *spec = &r->prog->progs[prog].spec;
	int err = bpf_fs_ready(spec->target) ? -1 : bpf_link__pin(r->links[r->first_link[prog]].link, spec->target);
	if (err) {
		if (err != -1)
			fprintf(stderr, "ERROR: Failed to pin iter probe %s to %s: %s\n", spec->canonical,
				spec->target, strerror(-err));
		r->exit_code = 1;
		r->have_exit_code = true;
		return;
	}
	fprintf(r->out.out, "Program pinned to %s\n", spec->target);
}

/* Read each attached iterator to its end (its programs print through the
 * ring buffer, drained meanwhile). false when the program has none. */
static bool run_iterators(struct runner *r)
{
	bool any = false;
	char buf[4096];

	for (int i = 0; i < r->prog->nprogs && !got_signal; i++) {
		const struct attach_spec *spec = &r->prog->progs[i].spec;
		if (!(spec->flags & PF_ITER) || r->first_link[i] < 0)
			continue;
		any = true;
		if (spec->target) {
			pin_iterator(r, i);
			continue;
		}
		int fd = bpf_iter_create(bpf_link__fd(r->links[r->first_link[i]].link));
		if (fd < 0) {
			fprintf(stderr, "ERROR: Failed to create iter probe: %s\n", strerror(-fd));
			continue;
		}
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR && !got_signal))
			drain(r);
		if (n < 0 && errno != EINTR)
			fprintf(stderr, "ERROR: Failed to read iter probe %s: %s\n", spec->canonical,
				strerror(errno));
		close(fd);
		drain(r);
	}
	return any;
}

static void print_maps(struct runner *r)
{
	output_exit_separator(&r->out);
	if (!r->opts->print_maps_on_exit || !r->prog->print_maps_on_exit)
		return;
	int n = r->prog->nmaps;
	int *order = map_order_by_name(r->prog);
	if (!order)
		return;
	for (int i = 0; i < n; i++)
		output_map(&r->out, &r->prog->maps[order[i]], r->map_fds[order[i]], 0, 0, false);
	free(order);
	fflush(r->out.out);
}

/* A pidfd polls readable once the process has exited, even while it is
 * still an unreaped zombie (kill(pid, 0) would still succeed then). */
static bool process_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	return poll(&p, 1, 0) > 0;
}

/* Runs until exit(), a signal, the end of the -c child or -p process, a
 * failed output, or at once when nothing but begin/end probes is
 * attached (`live` == 0). Every way out but exit(), a signal and a failed
 * output first prints what is still buffered. */
/* How long the next poll may wait (ms); 0 once --duration has passed. */
static int poll_timeout(const struct runner *r)
{
	enum { POLL_MS = 100 };
	if (!r->deadline_ns)
		return POLL_MS;
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	if (now >= r->deadline_ns)
		return 0;
	uint64_t left_ms = (r->deadline_ns - now + 999999) / 1000000;
	return left_ms < POLL_MS ? (int)left_ms : POLL_MS;
}

/* Output written in blocks (not a terminal, or -B full) waits at most
 * FLUSH_MS for a reader, and less once the events pause. */
static void flush_now_and_then(struct runner *r, bool idle)
{
	enum { FLUSH_MS = 100 };
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	if (idle || now - r->flushed_ns >= FLUSH_MS * 1000000ull) {
		output_flush(r);
		r->flushed_ns = now;
	}
}

/* The kernel wakes the consumer for the first event after it caught up:
 * one that is always caught up costs the traced program a wakeup per
 * event. A pause after each batch turns them into one per batch. */
static void let_events_gather(void)
{
	enum { GATHER_US = 1000 };
	struct timespec ts = { 0, GATHER_US * 1000 };
	nanosleep(&ts, NULL); /* a signal cuts it short */
}

static void event_loop(struct runner *r, struct child *child, int live)
{
	while (!r->exiting && !got_signal && !r->out_err) {
		if (live == 0) {
			drain(r);
			break;
		}
		if (got_usr1) {
			got_usr1 = 0;
			run_special(r, PROBE_SELF);
		}
		int timeout = poll_timeout(r);
		if (timeout == 0) { /* --duration is over: the events so far still count */
			drain(r);
			break;
		}
		int n = poll_events(r, timeout);
		report_lost(r);
		flush_now_and_then(r, n == 0);
		if (n > 0)
			let_events_gather();
		if (n < 0 && n != -EINTR && !r->exiting)
			break;
		if ((child && child_poll_exit(child)) || (r->pidfd >= 0 && process_exited(r->pidfd))) {
			drain(r);
			break;
		}
	}
	report_lost(r);
}

/* Detach every probe once: before the end probes, or at cleanup after an
 * early failure. */
static void detach_probes(struct runner *r)
{
	if (detach_links(r->links, r->nlinks, r->out.out ? fileno(r->out.out) : -1, &got_signal))
		free(r->links); /* else detach threads may still read it until exit */
	r->links = NULL;
	r->nlinks = 0;
}

static void cleanup(struct runner *r)
{
	detach_probes(r);
	ring_buffer__free(r->rb);
	skb_output_close(r->skb); /* after an early failure: finish() closed it otherwise */
	bpf_object__close(r->obj);
	free(r->progs);
	free(r->first_link);
	free(r->map_fds);
}

/* `Attached N probes` (or its JSON record) and the notification line
 * test harnesses wait for (§1.7 step 4). */
static void announce_attached(struct runner *r, int nattached)
{
	if (r->opts->mode == OUTPUT_JSON)
		output_attached(&r->out, nattached);
	else if (!r->opts->quiet)
		fprintf(stderr, "Attached %d probe%s\n", nattached, nattached == 1 ? "" : "s");
	const char *notify = getenv("__SONDE_NOTIFY_PROBES_ATTACHED") ? "__SONDE_NOTIFY_PROBES_ATTACHED"
				: getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED") ? "__BPFTRACE_NOTIFY_PROBES_ATTACHED"
				: NULL;
	if (notify) {
		printf("%s\n", notify);
		fflush(stdout);
	}
}

/* --flamegraph: the SVG of the stack-keyed maps; 0, or -1 after saying why. */
static int write_flamegraph(struct runner *r)
{
	FILE *f = r->opts->flamegraph;
	if (!f)
		return 0;
	long long samples = flamegraph_write(f, &r->out, r->prog, r->map_fds);
	if (samples == 0)
		fprintf(stderr, "WARNING: --flamegraph %s: no samples: %s\n", r->opts->flamegraph_name,
			flamegraph_has_maps(r->prog) ? "the maps keyed by stacks are empty"
						     : "no map has a kstack or ustack in its key and a number as value");
	errno = 0;
	if (samples < 0 || fflush(f) == EOF || ferror(f)) {
		fprintf(stderr, "ERROR: --flamegraph %s: %s\n", r->opts->flamegraph_name,
			samples < 0 ? "cannot read the maps" : strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

/* --metrics: serve the maps from now on. */
static int start_metrics(struct runner *r)
{
	char url[128];
	struct metrics_source src = {
		.prog = r->prog,
		.map_fds = r->map_fds,
		.stack_fd = r->out.stack_fd,
		.ustack_fd = r->out.ustack_fd,
		.ncpus = r->out.ncpus,
		.cmd_path = r->opts->cmd_path,
	};
	if (!r->opts->metrics)
		return 0;
	r->metrics = metrics_start(r->opts->metrics, &src, url, sizeof(url));
	if (!r->metrics)
		return -1;
	if (!r->opts->quiet)
		fprintf(stderr, "Serving metrics at %s\n", url);
	return 0;
}

/* After the event loop: end probes, lost events, maps (§1.7 steps 6-8).
 * Returns the exit status. */
static int finish(struct runner *r)
{
	/* end probes may call exit(code) too: that code wins */
	bool had_exit = r->have_exit_code;
	int code = r->exit_code;
	r->exiting = false;
	r->have_exit_code = false;
	/* end probes see the final state: nothing fires after them */
	detach_probes(r);
	run_special(r, PROBE_END);
	/* a second SIGINT cuts the draining of end-probe output short */
	r->stop_signals = 2;
	if (got_signal < 2)
		drain(r);
	if (!r->have_exit_code && had_exit) {
		r->exit_code = code;
		r->have_exit_code = true;
	}
	output_flush(r);
	/* the last packets were drained with the events */
	int pcap_err = skb_output_close(r->skb);
	r->skb = NULL;
	report_lost_total(r);
	if (!r->out_err)
		print_maps(r);
	output_flush(r);
	int files_err = write_flamegraph(r) || pcap_err;
	if (r->out_err == EPIPE)
		return RUN_BROKEN_PIPE; /* quietly: the reader has gone */
	if (r->out_err) {
		fprintf(stderr, "ERROR: failed to write to %s: %s\n", r->opts->out_name ? r->opts->out_name : "stdout",
			strerror(r->out_err));
		return 1;
	}
	if (files_err)
		return 1;
	return r->have_exit_code ? r->exit_code : 0;
}

int run_program(const struct compiled_program *prog, const struct run_options *opts)
{
	struct runner r = { .prog = prog, .opts = opts, .pidfd = -1, .globals_fd = -1, .stop_signals = 1 };
	r.out.out = opts->out;
	r.out.mode = opts->mode;
	r.out.folded = opts->folded;
	r.out.prog = prog;
	r.out.ncpus = libbpf_num_possible_cpus();
	if (r.out.ncpus <= 0)
		r.out.ncpus = 1;
	libbpf_log.echo = opts->dump_libbpf || opts->verbose;
	libbpf_set_print(libbpf_print);
	install_signals();

	struct child child = { 0 };
	int status = 255;
	if (opts->cmd_argv) {
		/* its symbols resolve its stacks after it exited */
		symbolizer_add_binary(output_symbolizer(&r.out), opts->cmd_path);
		int err = child_spawn(&child, opts->cmd_path, opts->cmd_argv);
		if (err) {
			fprintf(stderr, "ERROR: failed to spawn child '%s': %s\n", opts->cmd_argv[0], strerror(-err));
			return 1;
		}
	}
	if (opts->pid > 0) {
		r.pidfd = (int)syscall(SYS_pidfd_open, opts->pid, 0);
		if (r.pidfd < 0) {
			fprintf(stderr, "ERROR: cannot trace process %d: %s\n", (int)opts->pid, strerror(errno));
			status = 1;
			goto out;
		}
	}
	/* the pcap files exist before anything attaches */
	if (skb_output_open(prog, &r.skb) < 0) {
		status = 1;
		goto out;
	}
	if (load(&r) < 0)
		goto out;
	if (start_metrics(&r) < 0) {
		status = 1;
		goto out;
	}
	set_globals(&r, child.pid);
	r.child_pid = child.pid;
	if (opts->run != PROBE_RUN_TRACE) {
		status = run_tests_or_benches(&r);
		goto out;
	}

	run_special(&r, PROBE_BEGIN);
	int nattached = 0, live = 0;
	bool after_exec = any_after_exec(&r);
	if (attach_all(&r, false, &nattached, &live) < 0)
		goto out;
	if (opts->dry_run) {
		status = 0;
		goto out;
	}
	if (got_signal) /* stopped while attaching: end as after the event loop */
		goto end;
	if (nattached == 0 && !after_exec) {
		fprintf(stderr, "ERROR: Attachment failed for all probes.\n");
		goto out;
	}
	int err = child_start(&child, after_exec);
	if (err) {
		fprintf(stderr, "ERROR: failed to execute '%s': %s\n", opts->cmd_argv[0], strerror(-err));
		status = 1;
		goto out;
	}
	if (after_exec && (attach_all(&r, true, &nattached, &live) < 0 || child_resume(&child) < 0))
		goto out;
	if (nattached == 0) {
		fprintf(stderr, "ERROR: Attachment failed for all probes.\n");
		goto out;
	}
	announce_attached(&r, nattached);
	if (opts->duration > 0)
		r.deadline_ns = clock_ns(CLOCK_MONOTONIC) + (uint64_t)(opts->duration * 1e9);
	drain(&r); /* begin output, after the attached line */
	report_lost(&r);
	output_failed(&r);

	if (run_iterators(&r))
		goto end; /* an iterator's run is the whole run */
	event_loop(&r, opts->cmd_argv ? &child : NULL, live);
end:
	status = finish(&r);
out:
	fflush(opts->out);
	child_terminate(&child);
	metrics_stop(r.metrics); /* before the map fds close */
	cleanup(&r);
	output_free(&r.out);
	if (r.pidfd >= 0)
		close(r.pidfd);
	return status;
}
