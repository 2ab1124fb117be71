/* C++ (Itanium ABI) symbol names made readable, through the demangler of
 * the C++ runtime sonde already links (libstdc++'s __cxa_demangle). */
#ifndef SONDE_DEMANGLE_H
#define SONDE_DEMANGLE_H
#include <stdbool.h>
#include <stddef.h>

/* A mangled C++ name ("_Z..."): worth demangling. */
bool demangle_is_mangled(const char *name);

/* The demangled form of name in a malloc'ed string (free it), or NULL
 * when name is not a mangled C++ name or cannot be demangled. */
char *demangle(const char *name);

/* The length of the demangled name without its parameter list and
 * qualifiers: "ns::foo(int) const" -> 7 ("ns::foo"). */
size_t demangle_base_len(const char *demangled);

#endif
