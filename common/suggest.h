/* "Did you mean" hints: the known name closest to a misspelt one. */
#ifndef SONDE_SUGGEST_H
#define SONDE_SUGGEST_H

struct suggestion {
	const char *name;  /* as written */
	int best;          /* edits of the closest candidate so far */
	const char *found; /* it, or NULL while none is close enough */
};

void suggestion_init(struct suggestion *sg, const char *name);
/* Consider one known name. */
void suggestion_offer(struct suggestion *sg, const char *candidate);

#endif
