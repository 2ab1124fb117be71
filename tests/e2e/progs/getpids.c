/* Workload for the mixed-probe cases: work(i) for i = 0..2, each calling
 * getpid(2). Prints "getpids done 3". */
#include <unistd.h>
#include <sys/syscall.h>
#include <stdio.h>
__attribute__((noinline)) int work(int x) { return x + (int)syscall(SYS_getpid) * 0; }
int main(void) { int s = 0; for (int i = 0; i < 3; i++) s += work(i); printf("getpids done %d\n", s); return 0; }
