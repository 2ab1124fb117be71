/* Detaching the probes (§1.7 step 6) without making anyone wait for the
 * kernel's cleanup. */
#include "detach.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The descriptors of sonde that are not perf events, into fds (at most
 * max); how many, or -1 if they cannot be listed. */
static int other_fds(int *fds, int max)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		char path[64], target[64];
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = 0;
		if (strcmp(target, "anon_inode:[perf_event]"))
			fds[n++] = fd;
	}
	bool complete = !e;
	closedir(d);
	return complete ? n : -1;
}

/* A child that keeps a copy of sonde's descriptors until every thread of
 * sonde has gone; it learns that from the end of a pipe whose write end
 * only sonde holds. With only_events it keeps the perf events alone that
 * the links hold (the links, programs and maps go when sonde closes them);
 * else all but
 * stdin, stdout, stderr and the output file (-o FILE, which may be a pipe
 * too): a reader of sonde's output sees its end when sonde ends. Returns
 * once the child has closed the others; false if it could not start. */
static bool fork_keeper(int out_fd, const struct probe_link *links, int nlinks, bool only_events)
{
	enum { MAX_FDS = 1 << 16 };
	int gone[2], ready[2];
	int *close_fds = only_events ? malloc((MAX_FDS + (size_t)nlinks) * sizeof(int)) : NULL;
	int nclose = close_fds ? other_fds(close_fds, MAX_FDS) : 0;
	/* a perf event with a program of its own (no link) detaches when its
	 * last descriptor closes: sonde's */
	for (int i = 0; nclose >= 0 && i < nlinks; i++)
		if (!links[i].link && links[i].fd >= 0)
			close_fds[nclose++] = links[i].fd;
	if (only_events && nclose < 0) {
		free(close_fds);
		return false;
	}
	if (pipe2(gone, O_CLOEXEC) < 0) {
		free(close_fds);
		return false;
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(gone[0]);
		close(gone[1]);
		free(close_fds);
		return false;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(gone[1]);
		close(ready[0]);
		setsid(); /* out of the terminal's process group */
		signal(SIGINT, SIG_IGN);
		for (int i = 0; i < nclose; i++)
			close(close_fds[i]);
		for (int fd = 0; fd <= 2; fd++)
			if (fd != gone[0] && fd != ready[1])
				close(fd);
		if (out_fd > 2 && out_fd != gone[0] && out_fd != ready[1])
			close(out_fd);
		close(ready[1]); /* sonde may detach now */
		char c;
		while (read(gone[0], &c, 1) != 0 && errno == EINTR) {
		}
		_exit(0);
	}
	free(close_fds);
	close(gone[0]); /* sonde keeps gone[1] open until it has gone */
	close(ready[1]);
	if (pid < 0)
		close(gone[1]);
	char c;
	while (pid > 0 && read(ready[0], &c, 1) < 0 && errno == EINTR) {
	}
	close(ready[0]);
	return pid > 0;
}

struct detach_job {
	struct probe_link *links;
	int n;
	atomic_int next;   /* next link to destroy */
	atomic_int done;   /* links destroyed */
	atomic_bool stop;  /* handed over: take no more links */
};

static void *detach_worker(void *arg)
{
	struct detach_job *j = arg;
	while (!atomic_load(&j->stop)) {
		int i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n)
			break;
		probe_link_destroy(&j->links[i]);
		atomic_fetch_add(&j->done, 1);
	}
	return NULL;
}

/* Start the workers with the signals blocked, so that every signal goes to
 * the thread that waits for them. Returns how many started. */
static int start_workers(struct detach_job *job, pthread_t *tid, int want)
{
	enum { STACK_SIZE = 64 << 10 };
	sigset_t all, old;
	pthread_attr_t attr;
	int started = 0;
	sigfillset(&all);
	if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
		return 0; /* the caller detaches alone */
	bool have_attr = pthread_attr_init(&attr) == 0;
	if (have_attr && pthread_attr_setstacksize(&attr, STACK_SIZE) != 0) {
		/* keeps the default stack size: more memory, same result */
	}
	while (started < want && pthread_create(&tid[started], have_attr ? &attr : NULL, detach_worker, job) == 0)
		started++;
	if (pthread_sigmask(SIG_SETMASK, &old, NULL) != 0) {
		/* cannot happen with a mask pthread_sigmask returned */
	}
	if (have_attr)
		pthread_attr_destroy(&attr);
	return started;
}

/* Closing a tracepoint (or uprobe) perf-event link takes two waits for RCU
 * grace periods, each under a kernel-wide mutex: one to take the program
 * off the event (after it, the program no longer runs), one to take the
 * event off the tracepoint (which the keeper does, after sonde has gone:
 * it holds the perf events). A few threads overlap the waits that can
 * overlap; this thread only waits, so that a signal meanwhile (a second
 * Ctrl-C) ends sonde promptly: the rest goes to a keeper that holds every
 * descriptor. Returns false when it handed over (workers may still use
 * links: keep them). */
bool detach_links(struct probe_link *links, int n, int out_fd, volatile sig_atomic_t *signals)
{
	enum { THREADS = 16 };
	/* on the heap: after a hand-over the workers use it until sonde exits */
	struct detach_job *job = calloc(1, sizeof(*job));
	pthread_t tid[THREADS];
	sig_atomic_t seen = *signals;
	if (n > 0 && !fork_keeper(out_fd, links, n, true)) {
		/* sonde waits for the kernel's cleanup too: slower, same result */
	}
	if (!job) {
		for (int i = 0; i < n; i++)
			probe_link_destroy(&links[i]);
		return true;
	}
	job->links = links;
	job->n = n;
	int started = n > 0 ? start_workers(job, tid, n < THREADS ? n : THREADS) : 0;
	if (started == 0) {
		detach_worker(job); /* no thread: this one does it all */
		free(job);
		return true;
	}
	while (atomic_load(&job->done) < n && *signals == seen) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL); /* a signal cuts it short */
	}
	if (*signals != seen) {
		atomic_store(&job->stop, true);
		if (!fork_keeper(out_fd, NULL, 0, false)) {
			/* sonde's exit closes what is left, slowly */
		}
		for (int t = 0; t < started; t++)
			pthread_detach(tid[t]);
		return false; /* job and links stay allocated until exit */
	}
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	free(job);
	return true;
}
