#include "suggest.h"

#include <string.h>

/* Edits (insert, delete, replace, swap of neighbours) from a to b. */
static int edit_distance(const char *a, const char *b)
{
	enum { MAX = 32 };
	size_t la = strlen(a), lb = strlen(b);
	if (la >= MAX || lb >= MAX)
		return MAX;
	int d[MAX][MAX];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

void suggestion_init(struct suggestion *sg, const char *name)
{
	sg->name = name;
	/* short names get one edit, longer ones two */
	sg->best = (strlen(name) >= 6 ? 2 : 1) + 1;
	sg->found = NULL;
}

void suggestion_offer(struct suggestion *sg, const char *candidate)
{
	int d = edit_distance(sg->name, candidate);
	if (d < sg->best) {
		sg->best = d;
		sg->found = candidate;
	}
}
