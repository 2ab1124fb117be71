/* The probed functions of the DWARF uprobe workload (see dwarfargs.c). */
#include "dwarfargs.h"

#define KEEP __attribute__((noinline)) __attribute__((used))

KEEP int add(int a, int b) { return a + b; }
KEEP void ints(int8_t i8, uint8_t u8, int16_t i16, uint16_t u16, int32_t i32, uint32_t u32) { __asm__ volatile("" ::: "memory"); }
KEEP void wide(int64_t i64, uint64_t u64, ulong_t ul, enum color c, _Bool b, char ch) { __asm__ volatile("" ::: "memory"); }
KEEP int strs(const char *name, char *buf, volatile int v) { return name[0] + v; }
KEEP long structs(struct outer *o, point_t *p, union word *w, const struct outer *co) { return o->id + p->x + co->id; }
KEEP int seven(int a, int b, int c, int d, int e, int f, int g) { return a + g; }
KEEP int byval(struct outer o, point_t p) { return p.x + (int)o.id; }
KEEP double mixed(double d, int after) { return d + after; }
KEEP int negate(int x) { return -x; }
