/* --fmt: a program's text in the project's layout (the one of bpftrace's
 * tools): attach points one per line, the predicate on its own line, the
 * body in a block with tab indentation, one statement per line, operators
 * spaced. Comments, preprocessor lines, C definitions and blank lines
 * between statements are kept; the tokens and their order never change. */
#ifndef SONDE_SOURCE_FORMAT_H
#define SONDE_SOURCE_FORMAT_H
#include <stdio.h>

/* Write src (a program that parses) formatted to out. Returns 0, or -1
 * when writing fails. */
int source_format(const char *src, FILE *out);

#endif
