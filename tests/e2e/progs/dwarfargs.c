/* Workload for the DWARF uprobe cases (probe_uprobe_dwarf_*, _line*).
 * usage: dwarfargs [N [MS]]: calls functions whose parameters have many C
 * types N times (default 1), then stays alive MS milliseconds (so that the
 * symbols of its addresses can still be read). It prints nothing. The line
 * cases name lines 1, 24 (empty), 25 (the loop) and 26: keep them in place. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dwarfargs.h"

static char greeting[] = "hello";
volatile long dwarfargs_sum;

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	char buf[16] = "buffer";
	point_t pt = { 3, 4 };
	struct outer second = { 2, { 7, "two" }, &pt, "second", NULL };
	struct outer first = { 1, { -5, "inner" }, &pt, "first", &second };
	union word w = { .i = 0x41424344 };
	long sum = (long)strlen(greeting) + (long)strlen(first.label) + (long)strlen(second.label);

	for (int i = 0; i < n; i++) {
		sum += add(i, 100);
		ints(-8, 200, -16000, 60000, -100000, 4000000000u);
		wide(-5000000000LL, 18000000000000000000ULL, 77, GREEN, 1, 'z');
		sum += strs(greeting, buf, 9);
		sum += structs(&first, &pt, &w, &second);
		sum += seven(1, 2, 3, 4, 5, 6, 7);
		sum += byval(first, pt);
		sum += (long)mixed(1.5, 42);
		sum += lib_scale(i, 3);
		sum += negate(i);
	}

	dwarfargs_sum = sum;
	if (argc > 2)
		usleep((useconds_t)atoi(argv[2]) * 1000);
	return 0;
}
