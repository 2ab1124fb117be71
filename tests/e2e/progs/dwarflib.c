/* A shared library for the DWARF uprobe cases: lib_scale(x, factor). */
__attribute__((noinline)) int lib_scale(int x, int factor) { return x * factor; }
