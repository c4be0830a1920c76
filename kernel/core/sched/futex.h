/* futex.h: wait/wake on a 32-bit word, the blocking primitive the application will see. */
#ifndef MOTE_CORE_SCHED_FUTEX_H
#define MOTE_CORE_SCHED_FUTEX_H

#include "lib/types.h"

/* Boot CPU, before any thread uses futexes. */
void futex_init(void);
/* If *addr == val, sleep until futex_wake(addr) or the deadline (time_ns(), 0: none).
 * Returns 0 if woken, -EAGAIN if *addr != val, -ETIMEDOUT. */
int futex_wait(const uint32_t *addr, uint32_t val, uint64_t deadline);
/* Wake up to n threads sleeping on addr; returns how many were woken. */
int futex_wake(const uint32_t *addr, int n);

#endif /* MOTE_CORE_SCHED_FUTEX_H */
