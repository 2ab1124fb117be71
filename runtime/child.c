/* The `-c CMD` child: forked before the probes are attached, held on a pipe
 * until they are, so nothing it does is missed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

int child_spawn(struct child *c, char *const *argv)
{
	int fds[2];
	memset(c, 0, sizeof(*c));
	c->release_fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (pid == 0) {
		char go;
		close(fds[1]);
		/* wait until the parent has attached every probe */
		if (read(fds[0], &go, 1) != 1)
			_exit(127);
		close(fds[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "ERROR: failed to execute '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	c->pid = pid;
	c->release_fd = fds[1];
	return 0;
}

void child_release(struct child *c)
{
	if (c->release_fd < 0)
		return;
	ssize_t n = write(c->release_fd, "g", 1);
	(void)n; /* a child that died already shows up in child_poll_exit */
	close(c->release_fd);
	c->release_fd = -1;
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
	if (!child_poll_exit(c)) {
		kill(c->pid, SIGTERM);
		waitpid(c->pid, &c->status, 0);
		c->exited = true;
	}
}
