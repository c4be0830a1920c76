/* spinlock.h (host-test shim): the kernel's spin locks for a single-threaded host test of a
 * driver (tests/unit/kcon_glue.c): nothing to lock, no interrupt flag to touch. */
#ifndef MOTE_LIB_SPINLOCK_H
#define MOTE_LIB_SPINLOCK_H

#include "lib/types.h"

struct spinlock {
	volatile uint32_t locked;
};

#define SPINLOCK_INIT \
	{             \
		0     \
	}

static inline void spin_init(struct spinlock *l)
{
	l->locked = 0;
}

static inline void spin_lock_raw(struct spinlock *l)
{
	l->locked = 1;
}

static inline void spin_unlock_raw(struct spinlock *l)
{
	l->locked = 0;
}

static inline uint64_t spin_lock(struct spinlock *l)
{
	l->locked = 1;
	return 0;
}

static inline void spin_unlock(struct spinlock *l, uint64_t flags)
{
	(void)flags;
	l->locked = 0;
}

#endif
