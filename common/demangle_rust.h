/* Rust symbol names made readable (private to demangle.c). The output is
 * the short form rustc-demangle prints with "{:#}": no crate
 * disambiguators, no legacy hashes, no type suffixes on constants. */
#ifndef SONDE_DEMANGLE_RUST_H
#define SONDE_DEMANGLE_RUST_H
#include <stdbool.h>

/* A v0 mangled name: "_R", "R" or "__R" and the start of a path. */
bool demangle_rust_v0_prefix(const char *name);

/* The demangled v0 name in a malloc'ed string, or NULL when name is not
 * a well-formed v0 name (or its demangled form would be too long). */
char *demangle_rust_v0(const char *name);

/* A legacy Rust name: an Itanium-style nested name "_ZN...E" whose last
 * element is the hash "h" + 16 hex digits. Sets *is_rust; the demangled
 * name (malloc'ed) or NULL when it is not legacy Rust or is malformed. */
char *demangle_rust_legacy(const char *name, bool *is_rust);

#endif
