/* Workload for the C type cases: passes a pointer to a filled struct rec
 * and a struct flags of bitfields to e2e_record() once. The struct's definition is repeated in the
 * scripts of the cases, which read it through arg0. */
#include <string.h>

enum colour { RED, GREEN = 5, BLUE };

struct point {
	short x, y;
};

struct rec {
	signed char tag;
	short s;
	int values[3];
	char name[8];
	struct point corners[2];
	union {
		unsigned int word;
		unsigned char bytes[4];
	} u;
	enum colour colour;
	long grid[2][2];
	struct rec *self;
};

struct flags {
	unsigned int a : 3;
	int b : 5;
	unsigned int c : 12;
	char d;
	long long e : 40;
};

__attribute__((noinline)) int e2e_record(struct rec *r, struct flags *f)
{
	__asm__ volatile("" ::: "memory");
	return r->tag;
}

int main(void)
{
	struct rec r;
	memset(&r, 0, sizeof(r));
	r.tag = -3;
	r.s = 300;
	r.values[0] = 10;
	r.values[1] = -20;
	r.values[2] = 30;
	strcpy(r.name, "alpha");
	r.corners[0] = (struct point){ 1, 2 };
	r.corners[1] = (struct point){ -3, 4 };
	r.u.word = 0x04030201;
	r.colour = BLUE;
	r.grid[0][0] = 1;
	r.grid[0][1] = 2;
	r.grid[1][0] = 3;
	r.grid[1][1] = 4;
	r.self = &r;
	struct flags f = { .a = 5, .b = -7, .c = 4000, .d = 'x', .e = -123456789012LL };
	return e2e_record(&r, &f) == -3 ? 0 : 1;
}
