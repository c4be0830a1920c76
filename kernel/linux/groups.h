/* groups.h: supplementary group lists (setgroups, getgroups). A list never changes once made:
 * the threads and processes a task makes share its list (a reference each) until one of them
 * sets its own. NULL is the empty list. */
#ifndef MOTE_LINUX_GROUPS_H
#define MOTE_LINUX_GROUPS_H

#include "lib/types.h"

#define NGROUPS_MAX 65536 /* as Linux's (/proc/sys/kernel/ngroups_max) */

struct groups {
	int refs;
	int n;
	uint32_t gid[]; /* sorted, as Linux keeps them */
};

/* A new list of the n ids at user address ugid (0 <= n <= NGROUPS_MAX), sorted; refs 1.
 * NULL with *err set: -EFAULT, -ENOMEM. n == 0 gives NULL with *err 0. */
struct groups *groups_from_user(const uint32_t *ugid, int n, int *err);
/* Another reference to g (NULL is fine); returns g. */
struct groups *groups_get(struct groups *g);
/* Drop a reference (NULL is fine); the last one frees the list. */
void groups_put(struct groups *g);

#endif /* MOTE_LINUX_GROUPS_H */
