/* sync.h: sleeping locks: mutexes, condition variables, counting semaphores. */
#ifndef MOTE_CORE_SCHED_SYNC_H
#define MOTE_CORE_SCHED_SYNC_H

#include "lib/types.h"
#include "lib/spinlock.h"
#include "core/sched/wait.h"

struct thread;

/* A mutex is handed to the longest waiter on unlock (FIFO, no barging). */
struct mutex {
	struct spinlock lock;
	struct thread *volatile owner;
	struct waitq wq;
};

struct condvar {
	struct spinlock lock;
	struct waitq wq;
};

struct semaphore {
	struct spinlock lock;
	uint64_t count;
	struct waitq wq;
};

#define MUTEX_INIT(name)                                   \
	{                                                  \
		SPINLOCK_INIT, NULL, WAITQ_INIT((name).wq) \
	}
#define CONDVAR_INIT(name)                           \
	{                                            \
		SPINLOCK_INIT, WAITQ_INIT((name).wq) \
	}

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
/* Returns true if the mutex was free and is now held. */
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

void cond_init(struct condvar *cv);
/* Release m, sleep until signalled, take m again. */
void cond_wait(struct condvar *cv, struct mutex *m);
/* Same with a deadline (time_ns()); returns 0 or -ETIMEDOUT (m is held either way). */
int cond_wait_until(struct condvar *cv, struct mutex *m, uint64_t deadline);
void cond_signal(struct condvar *cv);
void cond_broadcast(struct condvar *cv);

void sem_init(struct semaphore *s, uint64_t count);
void sem_down(struct semaphore *s);
/* Returns 0, or -ETIMEDOUT if deadline (time_ns()) passed first. */
int sem_down_until(struct semaphore *s, uint64_t deadline);
void sem_up(struct semaphore *s);

#endif /* MOTE_CORE_SCHED_SYNC_H */
