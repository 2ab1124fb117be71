/* printf formatting at run time (formats are parsed by common/format.h). */
#ifndef SONDE_PRINTF_H
#define SONDE_PRINTF_H
#include <stdio.h>

#include "../common/program.h"

struct output;

/* Format into f: args is the tuple type of the values (NULL: no values),
 * data its bytes; o supplies the program, stack map and symbolizer for
 * %s of stacks and symbols (o->out is not used). */
void format_print_out(FILE *f, const char *fmt, const struct type *args, const void *data,
		      struct output *o);
/* The same with only the program (no stack map; temporary symbolizer). */
void format_print(FILE *f, const char *fmt, const struct type *args, const void *data,
		  const struct compiled_program *prog);

#endif
