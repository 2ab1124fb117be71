/* C++ (Itanium ABI) symbol names made readable, through the demangler of
 * the C++ runtime sonde already links (libstdc++'s __cxa_demangle), and
 * Rust ones (v0 and legacy) through sonde's own (demangle_rust.c). */
#ifndef SONDE_DEMANGLE_H
#define SONDE_DEMANGLE_H
#include <stdbool.h>
#include <stddef.h>

/* A mangled C++ or legacy Rust name ("_Z...") or a Rust v0 one ("_R..."):
 * worth demangling. */
bool demangle_is_mangled(const char *name);

/* The demangled form of name in a malloc'ed string (free it), or NULL
 * when name is not a mangled name or cannot be demangled. Rust names come
 * in the short form (no crate hashes): "<mycrate::Foo as mycrate::Trait>::bar". */
char *demangle(const char *name);

/* The length of the demangled name without its parameter list and
 * qualifiers: "ns::foo(int) const" -> 7 ("ns::foo"); all of a Rust name,
 * which has none ("m::foo::<u32>"). */
size_t demangle_base_len(const char *demangled);

#endif
