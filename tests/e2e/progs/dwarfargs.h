/* Types and functions of the DWARF uprobe workload (dwarfargs.c, its
 * functions in dwarfargs_funcs.c, lib_scale in dwarflib.c). */
#include <stdint.h>

enum color { RED, GREEN = 5, BLUE };
typedef unsigned long ulong_t;
typedef struct point { int x, y; } point_t;
struct inner { short s; char tag[8]; };
struct outer { long id; struct inner in; point_t *pt; const char *label; struct outer *next; };
union word { int i; char c[4]; };

int add(int a, int b);
void ints(int8_t i8, uint8_t u8, int16_t i16, uint16_t u16, int32_t i32, uint32_t u32);
void wide(int64_t i64, uint64_t u64, ulong_t ul, enum color c, _Bool b, char ch);
int strs(const char *name, char *buf, volatile int v);
long structs(struct outer *o, point_t *p, union word *w, const struct outer *co);
int seven(int a, int b, int c, int d, int e, int f, int g);
int byval(struct outer o, point_t p);
double mixed(double d, int after);
int lib_scale(int x, int factor);
int negate(int x);
