/* The script preprocessor (§1.6): #define, #if/#ifdef and friends, #include. */
#ifndef SONDE_PREPROC_H
#define SONDE_PREPROC_H
#include <stdbool.h>

#include "../common/arena.h"
#include "../common/diag.h"

struct c_header;
struct input_log;

/* Where #include looks; NULL options or NULL fields mean the defaults. */
struct pp_options {
	const char *script_dir;            /* "..." of the script: its directory ("." for -e, stdin) */
	const char *const *include_dirs;   /* -I, in order */
	int ninclude_dirs;
	const char *const *include_files;  /* --include, in order */
	int ninclude_files;
	const char *const *system_dirs;    /* NULL: /usr/local/include, /usr/include, ... */
	int nsystem_dirs;
	bool verbose;                      /* warn about <...> headers that are not found */
	int line_base;                     /* the script's lines start at line_base + 1 (diag.h) */
	const char *script_path;           /* the script file, NULL for -e and stdin (import) */
	struct input_log *inputs;          /* notes each file read (the compile cache), or NULL */
};

/* The source with directives applied and macros expanded, line for line
 * (arena string). The preprocessed text of every included header goes to
 * *headers (innermost first). Problems are reported in d. */
const char *preprocess(struct arena *a, struct diags *d, const char *src, const struct pp_options *o,
		       struct c_header **headers);

#endif
