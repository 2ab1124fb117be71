/* Known system calls for the syscall tracepoint cases: getppid 3 times,
 * getpgid(-1) twice (-ESRCH), getpriority(-1, 0) once (-EINVAL), open and
 * openat of /dev/null once each, openat2 of it once, and an ia32 system
 * call whose number (39, mkdir there) is getpid's on x86-64: the syscall
 * tracepoints do not see it. */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	struct open_how how = { .flags = O_RDONLY };
	/* on the stack: a page the process has touched, which BPF can read */
	char path[] = "/dev/null";
	long ret;

	for (int i = 0; i < 3; i++)
		syscall(SYS_getppid);
	for (int i = 0; i < 2; i++)
		syscall(SYS_getpgid, -1);
	syscall(SYS_getpriority, -1, 0);
	close((int)syscall(SYS_open, path, O_RDONLY));
	close((int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
	close((int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how)));
	/* ia32 mkdir(NULL): EFAULT */
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(39L), "b"(0L) : "memory");
	return ret == -14 ? 0 : 1;
}
