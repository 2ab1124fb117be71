// Workload for the C++ uprobe cases: N rounds of ns::K::get(i),
// ns::foo(int) and ns::foo(const char *). Prints "cxx done SUM".
#include <cstdio>
#include <cstdlib>

namespace ns {
struct K {
	__attribute__((noinline)) int get(int x) { return x + 1; }
};
__attribute__((noinline)) int foo(int a) { return a * 2; }
__attribute__((noinline)) int foo(const char *s) { return s[0]; }
} // namespace ns

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2, sum = 0;
	ns::K k;
	for (int i = 0; i < n; i++)
		sum += k.get(i) + ns::foo(i) + ns::foo("x");
	printf("cxx done %d\n", sum);
	return 0;
}
