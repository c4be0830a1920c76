/* wait.h: wait queues, the one sleeping primitive everything else (mutexes, condition
 * variables, semaphores, futexes, join, sleep) is built on. */
#ifndef MOTE_CORE_SCHED_WAIT_H
#define MOTE_CORE_SCHED_WAIT_H

#include "lib/types.h"
#include "lib/list.h"

struct spinlock;
struct thread;

/* A wait queue is protected by a spin lock its user owns (the one guarding the condition). */
struct waitq {
	struct list waiters;
};

#define WAITQ_INIT(name)                  \
	{                                 \
		LIST_INIT((name).waiters) \
	}

static inline void waitq_init(struct waitq *wq)
{
	list_init(&wq->waiters);
}

/*
 * Sleep on wq until woken or until time_ns() >= deadline (0: no deadline). The caller holds
 * lock (taken with spin_lock, interrupts off); it is released while asleep and held again
 * on return. key tags the waiter for waitq_wake_key (0 if unused).
 * Returns 0 if woken, -ETIMEDOUT if the deadline passed first, -EINTR if the sleep was armed
 * (waitq_arm_interrupt) and interrupted (waitq_interrupt_thread).
 */
int waitq_sleep(struct waitq *wq, struct spinlock *lock, uint64_t deadline);
int waitq_sleep_key(struct waitq *wq, struct spinlock *lock, uint64_t key, uint64_t deadline);
/* Same, with a bit mask (futex bitsets): waitq_wake_bits wakes waiters whose bits intersect. */
int waitq_sleep_bits(struct waitq *wq, struct spinlock *lock, uint64_t key, uint32_t bits,
		     uint64_t deadline);
int waitq_wake_bits(struct waitq *wq, uint64_t key, uint32_t bits, int n);
/*
 * Move up to n waiters tagged key from `from` (its lock held) to `to` (tolock held too),
 * tagged newkey (futex requeue). A moved waiter returns from its sleep holding the lock it
 * went to sleep with. Returns the number moved.
 */
int waitq_requeue(struct waitq *from, uint64_t key, struct waitq *to, struct spinlock *tolock,
		  uint64_t newkey, int n);
/*
 * Interruptible sleeps, for signals, without the sleeper naming its queue to the sender.
 * waitq_arm_interrupt() makes the calling thread's next sleep interruptible (linux/signal.c's
 * signal_pending() arms it when it finds nothing: a blocking call checks, then sleeps, under the
 * queue's lock; every sleep disarms, so kernel-internal sleeps stay uninterruptible).
 * waitq_interrupt_thread(t) ends t's interruptible sleep in progress (it returns -EINTR), or,
 * if t is not in one, makes its next one return -EINTR at once (so a signal sent between the
 * check and the sleep is not lost). Callable with interrupts off and from interrupt handlers.
 * Returns true if it woke t. Lock order: t's intr_lock, then the queue's lock.
 */
void waitq_arm_interrupt(void);
/* Undo an arming the caller did not sleep after: kernel-internal sleeps (sync.c, thread join)
 * call it so that they never end with -EINTR. */
void waitq_disarm_interrupt(void);
bool waitq_interrupt_thread(struct thread *t);
/*
 * Whether a blocking call of the current thread should end now rather than sleep: for a
 * program's thread, an unblocked signal is pending (the check linux/signal.c installs with
 * waitq_set_interrupted; none: never). When not, the thread's next sleep is armed, as above.
 * What file systems and drivers call, so that they need not know what a signal is.
 */
bool waitq_interrupted(void);
void waitq_set_interrupted(bool (*check)(void));
/* Wake the first waiter / all / up to n waiters tagged key. Caller holds the queue's lock.
 * Return the number woken. */
int waitq_wake_one(struct waitq *wq);
int waitq_wake_all(struct waitq *wq);
int waitq_wake_key(struct waitq *wq, uint64_t key, int n);
/* The thread of the first waiter (NULL if none). Caller holds the queue's lock. */
struct thread *waitq_first(struct waitq *wq);
/* Sleep until time_ns() >= deadline: 0, or -EINTR if the sleep was armed and interrupted. */
int sleep_until(uint64_t deadline);
/* Sleep for ns nanoseconds (nanosleep). */
void sleep_ns(uint64_t ns);

#endif /* MOTE_CORE_SCHED_WAIT_H */
