/* futex.h: the application's futexes (sys_futex.c), for the kernel's own wake-ups
 * (CLONE_CHILD_CLEARTID and robust lists at thread exit). */
#ifndef MOTE_LINUX_FUTEX_H
#define MOTE_LINUX_FUTEX_H

#include "lib/types.h"

/* Wake up to n waiters of the futex at uaddr; returns how many. */
long ufutex_wake(uint32_t *uaddr, int n);

/* Whether futex(OP, ..., TIMEOUT) is a wait with a timeout: a signal's handler ends it with
 * EINTR whatever SA_RESTART says (Linux's -ERESTART_RESTARTBLOCK); an untimed wait restarts
 * under SA_RESTART. */
bool futex_is_timed_wait(uint64_t op, uint64_t timeout);

#endif /* MOTE_LINUX_FUTEX_H */
