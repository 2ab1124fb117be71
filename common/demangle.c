/* C++ and Rust demangling (see demangle.h). */
#include "demangle.h"

#include <stdlib.h>
#include <string.h>

#include "demangle_rust.h"

/* libstdc++'s demangler has C linkage (cxxabi.h declares it in namespace
 * abi, extern "C"). */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

static bool is_itanium_mangled(const char *name)
{
	return name[0] == '_' && name[1] == 'Z';
}

bool demangle_is_mangled(const char *name)
{
	return is_itanium_mangled(name) || demangle_rust_v0_prefix(name);
}

/* Rust v0 names have a prefix of their own; legacy Rust names are
 * Itanium-shaped, so they are told apart by their hash element before
 * the C++ demangler sees them. */
char *demangle(const char *name)
{
	int status = 0;
	bool is_rust;

	if (demangle_rust_v0_prefix(name))
		return demangle_rust_v0(name);
	if (!is_itanium_mangled(name))
		return NULL;
	char *rust = demangle_rust_legacy(name, &is_rust);
	if (is_rust)
		return rust;
	char *out = __cxa_demangle(name, NULL, NULL, &status);
	if (status) {
		free(out);
		return NULL;
	}
	return out;
}

/* The parameter list is the last top-level "(...)": templates and
 * operator names may hold parentheses of their own, so scan from the end
 * for the '(' that balances the final ')'. A final ')' followed by a '>'
 * is inside template or generic arguments: no parameter list (a Rust
 * name never has one: "<(u8, u16) as m::T>::f"). */
size_t demangle_base_len(const char *d)
{
	size_t n = strlen(d);
	const char *close = strrchr(d, ')');

	if (!close || strchr(close, '>'))
		return n;
	int depth = 0;
	for (const char *p = close; p >= d; p--) {
		if (*p == ')')
			depth++;
		else if (*p == '(' && --depth == 0)
			return (size_t)(p - d);
	}
	return n;
}
