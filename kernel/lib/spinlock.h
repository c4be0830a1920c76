/* spinlock.h: interrupt-disabling spin locks, safe between threads, CPUs and interrupt handlers. */
#ifndef MOTE_LIB_SPINLOCK_H
#define MOTE_LIB_SPINLOCK_H

#include "lib/types.h"
#include "arch/x86_64/cpu.h"

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

/* Take the lock without touching the interrupt flag (caller has interrupts off). */
static inline void spin_lock_raw(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

static inline bool spin_trylock_raw(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock_raw(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* Disable interrupts, take the lock; returns the previous interrupt state for spin_unlock. */
static inline uint64_t spin_lock(struct spinlock *l)
{
	uint64_t f = arch_irq_save();

	spin_lock_raw(l);
	return f;
}

static inline void spin_unlock(struct spinlock *l, uint64_t flags)
{
	spin_unlock_raw(l);
	arch_irq_restore(flags);
}

#endif /* MOTE_LIB_SPINLOCK_H */
