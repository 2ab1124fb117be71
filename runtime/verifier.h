/* Explaining a kernel verifier rejection in the script's terms. */
#ifndef SONDE_VERIFIER_H
#define SONDE_VERIFIER_H
#include <stdio.h>

/* `log` is the verifier log of the rejected program of probe `probe`.
 * Prints an ERROR line with the reason and source line when known, then
 * the tail of the log (`tail_lines` lines). */
void verifier_explain(FILE *f, const char *probe, const char *log, int tail_lines);

#endif
