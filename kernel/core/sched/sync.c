/* sync.c: mutexes (an uncontended lock is one compare-and-swap plus the queue check),
 * condition variables and semaphores, all on wait queues. */
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "arch/x86_64/percpu.h"
#include "core/panic.h"
#include "lib/errno.h"

void mutex_init(struct mutex *m)
{
	spin_init(&m->lock);
	m->owner = NULL;
	waitq_init(&m->wq);
}

bool mutex_trylock(struct mutex *m)
{
	struct thread *none = NULL;

	return __atomic_compare_exchange_n(&m->owner, &none, current_thread(), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void mutex_lock(struct mutex *m)
{
	struct thread *me = current_thread();
	uint64_t f;

	if (mutex_trylock(m))
		return;
	BUG_ON(m->owner == me);
	f = spin_lock(&m->lock);
	waitq_disarm_interrupt();
	while (m->owner != me) {
		if (mutex_trylock(m))
			break;
		(void)waitq_sleep(&m->wq, &m->lock, 0);
	}
	spin_unlock(&m->lock, f);
}

void mutex_unlock(struct mutex *m)
{
	uint64_t f = spin_lock(&m->lock);

	BUG_ON(m->owner != current_thread());
	if (list_empty(&m->wq.waiters)) {
		__atomic_store_n(&m->owner, NULL, __ATOMIC_RELEASE);
	} else {
		/* Hand over: the first waiter owns the mutex when it wakes. */
		__atomic_store_n(&m->owner, waitq_first(&m->wq), __ATOMIC_RELEASE);
		waitq_wake_one(&m->wq);
	}
	spin_unlock(&m->lock, f);
}

void cond_init(struct condvar *cv)
{
	spin_init(&cv->lock);
	waitq_init(&cv->wq);
}

int cond_wait_until(struct condvar *cv, struct mutex *m, uint64_t deadline)
{
	uint64_t f = spin_lock(&cv->lock);
	int r;

	mutex_unlock(m);
	waitq_disarm_interrupt();
	r = waitq_sleep(&cv->wq, &cv->lock, deadline);
	spin_unlock(&cv->lock, f);
	mutex_lock(m);
	return r;
}

void cond_wait(struct condvar *cv, struct mutex *m)
{
	(void)cond_wait_until(cv, m, 0);
}

void cond_signal(struct condvar *cv)
{
	uint64_t f = spin_lock(&cv->lock);

	waitq_wake_one(&cv->wq);
	spin_unlock(&cv->lock, f);
}

void cond_broadcast(struct condvar *cv)
{
	uint64_t f = spin_lock(&cv->lock);

	waitq_wake_all(&cv->wq);
	spin_unlock(&cv->lock, f);
}

void sem_init(struct semaphore *s, uint64_t count)
{
	spin_init(&s->lock);
	s->count = count;
	waitq_init(&s->wq);
}

int sem_down_until(struct semaphore *s, uint64_t deadline)
{
	uint64_t f = spin_lock(&s->lock);
	int r = 0;

	waitq_disarm_interrupt();
	while (!s->count && !r)
		r = waitq_sleep(&s->wq, &s->lock, deadline);
	if (s->count) {
		s->count--;
		r = 0;
	}
	spin_unlock(&s->lock, f);
	return r;
}

void sem_down(struct semaphore *s)
{
	(void)sem_down_until(s, 0);
}

void sem_up(struct semaphore *s)
{
	uint64_t f = spin_lock(&s->lock);

	s->count++;
	waitq_wake_one(&s->wq);
	spin_unlock(&s->lock, f);
}
