// The hand-written floors of bench/bench.py: the least a libbpf program
// does for each benchmark workload. The BPF side is in floors/*.bpf.c,
// compiled next to this binary.
//
//   bench-floor count|hist|keyed|empty
//                                  attach to syscalls:sys_enter_getpid,
//                                  run until SIGINT or SIGTERM (empty: a
//                                  program that does nothing, the cost of
//                                  running one at all)
//   bench-floor printf CMD ARG...  run CMD, print its pid for each of its
//                                  getpid() calls from a ring buffer
//   bench-floor probes TP...       attach to syscalls:TP for each TP, then
//                                  detach them all in parallel threads
//   bench-floor minimal            load one program and exit
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define GETPID_TRACEPOINT "sys_enter_getpid"

static int usage(void)
{
	fprintf(stderr, "usage: bench-floor count|hist|keyed|empty|minimal\n"
			"       bench-floor printf CMD [ARG...]\n"
			"       bench-floor probes TRACEPOINT...\n");
	return 2;
}

// Opens floors/NAME.bpf.o from the directory of this executable.
static struct bpf_object *open_floor(const char *name)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len < 0) {
		perror("bench-floor: /proc/self/exe");
		return NULL;
	}
	exe[len] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, sizeof(path), "%s/%s.bpf.o", exe, name);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "bench-floor: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	return obj;
}

static int load(struct bpf_object *obj, const char *name)
{
	int err = bpf_object__load(obj);

	if (err)
		fprintf(stderr, "bench-floor: cannot load %s: %s\n", name, strerror(-err));
	return err;
}

static struct bpf_link *attach_syscall_tracepoint(struct bpf_object *obj, const char *tracepoint)
{
	struct bpf_program *prog = bpf_object__next_program(obj, NULL);
	struct bpf_link *link = bpf_program__attach_tracepoint(prog, "syscalls", tracepoint);

	if (!link)
		fprintf(stderr, "bench-floor: cannot attach to syscalls:%s: %s\n", tracepoint,
			strerror(errno));
	return link;
}

// count, hist, keyed, empty: attached until the benchmark stops us.
static int run_until_signal(const char *name, int argc, char **argv)
{
	sigset_t stop;
	int sig, rc = 1;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	struct bpf_object *obj = open_floor(name);
	if (!obj)
		return 1;
	if (load(obj, name) == 0) {
		struct bpf_link *link = attach_syscall_tracepoint(obj, GETPID_TRACEPOINT);
		if (link) {
			printf("ready\n");
			fflush(stdout);
			sigwait(&stop, &sig);
			bpf_link__destroy(link);
			rc = 0;
		}
	}
	bpf_object__close(obj);
	return rc;
}

struct printer {
	FILE *out;
};

static int print_record(void *ctx, void *data, size_t size)
{
	struct printer *printer = ctx;

	fprintf(printer->out, "%u\n", *(const unsigned *)data);
	return 0;
}

// Starts CMD stopped on a pipe, so its pid is known before the program loads.
static pid_t spawn_held(char **argv, int *release_fd)
{
	int fds[2];

	if (pipe(fds) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char go;
		close(fds[1]);
		if (read(fds[0], &go, 1) != 1)
			_exit(127);
		close(fds[0]);
		execvp(argv[0], argv);
		perror("bench-floor: exec");
		_exit(127);
	}
	close(fds[0]);
	*release_fd = fds[1];
	return pid;
}

static unsigned long long sum_lost(struct bpf_object *obj)
{
	int cpus = libbpf_num_possible_cpus();
	unsigned long long total = 0;
	unsigned long long *per_cpu = calloc(cpus > 0 ? cpus : 1, sizeof(*per_cpu));
	__u32 key = 0;

	if (per_cpu && cpus > 0 &&
	    bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "lost")), &key, per_cpu) == 0)
		for (int i = 0; i < cpus; i++)
			total += per_cpu[i];
	free(per_cpu);
	return total;
}

static int run_printf(const char *name, int argc, char **argv)
{
	static char buffer[1 << 16];
	struct printer printer = { stdout };
	int release_fd, status = 0, rc = 1;

	setvbuf(stdout, buffer, _IOFBF, sizeof(buffer));
	struct bpf_object *obj = open_floor(name);
	if (!obj)
		return 1;
	pid_t child = spawn_held(argv, &release_fd);
	if (child < 0) {
		perror("bench-floor: fork");
		bpf_object__close(obj);
		return 1;
	}
	struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
	__u32 target = (__u32)child;
	struct ring_buffer *ring = NULL;
	struct bpf_link *link = NULL;
	if (rodata && bpf_map__set_initial_value(rodata, &target, sizeof(target)) == 0 &&
	    load(obj, name) == 0 && (link = attach_syscall_tracepoint(obj, GETPID_TRACEPOINT)))
		ring = ring_buffer__new(bpf_map__fd(bpf_object__find_map_by_name(obj, "events")),
					print_record, &printer, NULL);
	if (ring && write(release_fd, "g", 1) == 1) {
		while (waitpid(child, &status, WNOHANG) == 0)
			if (ring_buffer__poll(ring, 50) < 0 && errno != EINTR)
				break;
		ring_buffer__consume(ring);
		fflush(stdout);
		fprintf(stderr, "bench-floor: lost %llu\n", sum_lost(obj));
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	} else {
		fprintf(stderr, "bench-floor: printf floor failed to start\n");
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	close(release_fd);
	ring_buffer__free(ring);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return rc;
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

// probes: one program attached to each tracepoint, every link detached in
// a thread of its own so the kernel's unregistering overlaps.
static int run_probes(const char *name, int count, char **tracepoints)
{
	struct bpf_link **links = calloc(count, sizeof(*links));
	pthread_t *threads = calloc(count, sizeof(*threads));
	int rc = 1, attached = 0;

	struct bpf_object *obj = open_floor(name);
	if (!obj || !links || !threads)
		goto out;
	if (load(obj, name) != 0)
		goto out;
	for (; attached < count; attached++) {
		links[attached] = attach_syscall_tracepoint(obj, tracepoints[attached]);
		if (!links[attached])
			break;
	}
	rc = attached == count ? 0 : 1;
	for (int i = 0; i < attached; i++)
		if (pthread_create(&threads[i], NULL, destroy_link, links[i]) != 0) {
			bpf_link__destroy(links[i]);
			threads[i] = 0;
		}
	for (int i = 0; i < attached; i++)
		if (threads[i])
			pthread_join(threads[i], NULL);
out:
	bpf_object__close(obj);
	free(threads);
	free(links);
	return rc;
}

static int run_minimal(const char *name, int argc, char **argv)
{
	struct bpf_object *obj = open_floor(name);

	if (!obj)
		return 1;
	int rc = load(obj, name) == 0 ? 0 : 1;
	bpf_object__close(obj);
	return rc;
}

// Each mode, its BPF object (floors/OBJECT.bpf.c), the arguments it takes
// after its name and what runs it.
static const struct mode {
	const char *name, *object;
	int min_args, max_args;
	int (*run)(const char *object, int argc, char **argv);
} modes[] = {
	{ "count", "count", 0, 0, run_until_signal },
	{ "hist", "hist", 0, 0, run_until_signal },
	{ "keyed", "keyed", 0, 0, run_until_signal },
	{ "empty", "minimal", 0, 0, run_until_signal },
	{ "printf", "printf", 1, INT_MAX, run_printf },
	// The 23-probe script counts; so does the one program of its floor.
	{ "probes", "count", 1, INT_MAX, run_probes },
	{ "minimal", "minimal", 0, 0, run_minimal },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const struct mode *mode = &modes[i];
		if (strcmp(argv[1], mode->name) == 0)
			return argc - 2 >= mode->min_args && argc - 2 <= mode->max_args
				       ? mode->run(mode->object, argc - 2, argv + 2)
				       : usage();
	}
	return usage();
}
