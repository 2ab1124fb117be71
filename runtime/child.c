/* The `-c CMD` child: forked before the probes are attached, held on a pipe
 * until they are, so nothing it does is missed. The command is looked up
 * before anything is loaded, so a missing one fails early; an exec that
 * still fails is reported back on a close-on-exec pipe. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

/* 0 if path is an executable regular file, else -errno. */
static int check_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return -EACCES;
	return 0;
}

int child_resolve(const char *name, char **path)
{
	*path = NULL;
	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		int err = check_executable(name);
		if (!err && !(*path = strdup(name)))
			return -ENOMEM;
		return err;
	}
	const char *dirs = getenv("PATH");
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	int err = -ENOENT; /* a non-executable match reports EACCES, like execvp */
	for (const char *p = dirs;; p++) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char buf[PATH_MAX];
		/* an empty PATH element is the current directory */
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)len, p, len ? "/" : "", name);
		if (n > 0 && (size_t)n < sizeof(buf)) {
			int e = check_executable(buf);
			if (!e)
				return (*path = strdup(buf)) ? 0 : -ENOMEM;
			if (e == -EACCES)
				err = e;
		}
		if (!end)
			return err;
		p = end;
	}
}

/* The go byte: run, or stop right after the exec (as a tracee: the exec
 * stops it with SIGTRAP) for the parent to attach to the new program. */
enum { GO_RUN = 'g', GO_STOP_AT_EXEC = 's' };

/* In the child: wait for the go byte, then exec; an exec failure is
 * written to exec_fd (closed by a successful exec). */
static void child_main(int release_fd, int exec_fd, const char *path, char *const *argv)
{
	char go;
	/* wait until the parent has attached every probe */
	if (read(release_fd, &go, 1) != 1)
		_exit(127);
	close(release_fd);
	if (go == GO_STOP_AT_EXEC && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(127);
	execvp(path, argv);
	int err = errno;
	ssize_t n = write(exec_fd, &err, sizeof(err));
	(void)n; /* nothing else to tell the parent with */
	_exit(127);
}

int child_spawn(struct child *c, const char *path, char *const *argv)
{
	int release[2], exec_status[2];
	memset(c, 0, sizeof(*c));
	c->release_fd = c->exec_fd = -1;
	if (pipe2(release, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(exec_status, O_CLOEXEC) < 0) {
		int err = -errno;
		close(release[0]);
		close(release[1]);
		return err;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(release[0]);
		close(release[1]);
		close(exec_status[0]);
		close(exec_status[1]);
		return err;
	}
	if (pid == 0) {
		close(release[1]);
		close(exec_status[0]);
		child_main(release[0], exec_status[1], path, argv);
	}
	close(release[0]);
	close(exec_status[1]);
	c->pid = pid;
	c->release_fd = release[1];
	c->exec_fd = exec_status[0];
	return 0;
}

int child_start(struct child *c, bool stop_at_exec)
{
	if (!c->pid || c->release_fd < 0) /* no -c (a zeroed struct child), or started */
		return 0;
	char go = stop_at_exec ? GO_STOP_AT_EXEC : GO_RUN;
	ssize_t n = write(c->release_fd, &go, 1);
	(void)n; /* a child that died already reports below or in child_poll_exit */
	close(c->release_fd);
	c->release_fd = -1;
	/* EOF: the exec succeeded (the pipe was close-on-exec) */
	int err = 0;
	ssize_t got;
	do
		got = read(c->exec_fd, &err, sizeof(err));
	while (got < 0 && errno == EINTR);
	close(c->exec_fd);
	c->exec_fd = -1;
	if (got == (ssize_t)sizeof(err))
		return -err;
	if (stop_at_exec) {
		int status;
		while (waitpid(c->pid, &status, 0) < 0)
			if (errno != EINTR)
				return -errno;
		if (!WIFSTOPPED(status)) {
			c->exited = true;
			c->status = status;
			return -ECHILD;
		}
		c->stopped = true;
	}
	return 0;
}

int child_resume(struct child *c)
{
	if (!c->stopped)
		return 0;
	c->stopped = false;
	/* detach without delivering the exec's SIGTRAP */
	return ptrace(PTRACE_DETACH, c->pid, NULL, NULL) < 0 ? -errno : 0;
}

bool child_poll_exit(struct child *c)
{
	if (!c->pid || c->exited)
		return c->exited;
	int status;
	pid_t r = waitpid(c->pid, &status, WNOHANG);
	if (r == c->pid) {
		c->exited = true;
		c->status = status;
	}
	return c->exited;
}

void child_terminate(struct child *c)
{
	if (!c->pid)
		return;
	if (c->release_fd >= 0) {
		close(c->release_fd); /* the child's read fails and it exits */
		c->release_fd = -1;
	}
	if (c->exec_fd >= 0) {
		close(c->exec_fd);
		c->exec_fd = -1;
	}
	if (!child_poll_exit(c)) {
		kill(c->pid, SIGTERM);
		child_resume(c); /* a stopped tracee takes the signal once let go */
		/* a signal while it takes its time (a second Ctrl-C): no more
		 * waiting for a child that ignores SIGTERM */
		while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
			kill(c->pid, SIGKILL);
		c->exited = true;
	}
}
