/* The standard library: modules written in the language, compiled into
 * sonde from stdlib/NAME.bt and imported with `import "NAME";`. */
#ifndef SONDE_STDLIB_MODULES_H
#define SONDE_STDLIB_MODULES_H

struct stdlib_module {
	const char *name;   /* "time" for stdlib/time.bt */
	const char *source; /* its text */
};

/* sorted by name (the generated stdlib_modules.c) */
extern const struct stdlib_module stdlib_modules[];
extern const int stdlib_nmodules;

/* The module called name, or NULL. */
const struct stdlib_module *stdlib_find(const char *name);

#endif
