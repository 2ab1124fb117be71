/* C++ demangling (see demangle.h). */
#include "demangle.h"

#include <stdlib.h>
#include <string.h>

/* libstdc++'s demangler has C linkage (cxxabi.h declares it in namespace
 * abi, extern "C"). */
char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

bool demangle_is_mangled(const char *name)
{
	return name[0] == '_' && name[1] == 'Z';
}

char *demangle(const char *name)
{
	int status = 0;

	if (!demangle_is_mangled(name))
		return NULL;
	char *out = __cxa_demangle(name, NULL, NULL, &status);
	if (status) {
		free(out);
		return NULL;
	}
	return out;
}

/* The parameter list is the last top-level "(...)": templates and
 * operator names may hold parentheses of their own, so scan from the end
 * for the '(' that balances the final ')'. */
size_t demangle_base_len(const char *d)
{
	size_t n = strlen(d);
	const char *close = strrchr(d, ')');

	if (!close)
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
