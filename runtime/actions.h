/* Events whose work happens in user space: system(), cat(), join(). */
#ifndef SONDE_ACTIONS_H
#define SONDE_ACTIONS_H
#include "output.h"

void action_system(struct output *o, const struct action *a, const void *payload);
void action_cat(struct output *o, const struct action *a, const void *payload);
void action_join(struct output *o, const struct action *a, const void *payload);

#endif
