/* Reading whole files (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

enum { FILE_INITIAL_CAP = 64 * 1024, FILE_MIN_READ = 4096 };

char *file_read_all(const char *path, size_t *len)
{
	size_t cap = FILE_INITIAL_CAP, n = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		goto fail;
	for (;;) {
		ssize_t r;
		/* keep room for a useful read and the NUL */
		if (cap - n < FILE_MIN_READ) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail: {
	int e = errno;
	free(buf);
	close(fd);
	errno = e;
	return NULL;
}
}
