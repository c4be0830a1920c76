/* futex.h: the application's futexes (sys_futex.c), for the kernel's own wake-ups
 * (CLONE_CHILD_CLEARTID and robust lists at thread exit). */
#ifndef MOTE_LINUX_FUTEX_H
#define MOTE_LINUX_FUTEX_H

#include "lib/types.h"

/* Wake up to n waiters of the futex at uaddr; returns how many. */
long ufutex_wake(uint32_t *uaddr, int n);

#endif /* MOTE_LINUX_FUTEX_H */
