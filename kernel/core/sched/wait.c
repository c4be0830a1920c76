/* wait.c: wait queues with optional deadlines (a timer wakes the sleeper with -ETIMEDOUT). */
#include "core/sched/wait.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sched/timer.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/spinlock.h"

struct waiter {
	struct list node;
	struct thread *t;
	uint64_t key;
	uint32_t bits;
	struct spinlock *lock;
	bool woken, timed_out, interrupted;
	struct timer timer;
};

static void wake_waiter(struct waiter *w)
{
	list_del(&w->node);
	w->woken = true;
	sched_wake(w->t);
}

static void timeout(struct timer *tm)
{
	struct waiter *w = container_of(tm, struct waiter, timer);

	spin_lock_raw(w->lock);
	if (!w->woken) {
		list_del(&w->node);
		w->timed_out = true;
		sched_wake(w->t);
	}
	spin_unlock_raw(w->lock);
}

int waitq_sleep_key(struct waitq *wq, struct spinlock *lock, uint64_t key, uint64_t deadline)
{
	return waitq_sleep_bits(wq, lock, key, ~0u, deadline);
}

int waitq_sleep_bits(struct waitq *wq, struct spinlock *lock, uint64_t key, uint32_t bits,
		     uint64_t deadline)
{
	struct waiter w = { .t = current_thread(), .key = key, .bits = bits, .lock = lock };
	bool intr = w.t->intr_armed;

	w.t->intr_armed = false;
	if (intr) {
		/* Publish the sleep to waitq_interrupt_thread, unless an interrupt came first. */
		spin_lock_raw(&w.t->intr_lock);
		if (w.t->intr_kick)
			w.t->intr_kick = false;
		else
			w.t->intr_waiter = &w;
		spin_unlock_raw(&w.t->intr_lock);
		if (!w.t->intr_waiter)
			return -EINTR;
	}
	list_add_tail(&wq->waiters, &w.node);
	w.t->state = THREAD_SLEEPING;
	if (deadline)
		timer_start(&w.timer, deadline, timeout);
	spin_unlock_raw(lock);
	schedule();
	/* The timer function takes the lock: cancel it before taking the lock again (a requeue
	 * may have moved the waiter to another queue and lock). So does an interrupter, under
	 * intr_lock: unpublish first. */
	if (deadline)
		timer_cancel(&w.timer);
	if (intr) {
		spin_lock_raw(&w.t->intr_lock);
		w.t->intr_waiter = NULL;
		spin_unlock_raw(&w.t->intr_lock);
	}
	spin_lock_raw(w.lock);
	if (w.lock != lock) { /* requeued: give the caller back the lock it expects */
		spin_unlock_raw(w.lock);
		spin_lock_raw(lock);
	}
	if (w.interrupted)
		return -EINTR;
	return w.woken ? 0 : -ETIMEDOUT;
}

int waitq_sleep(struct waitq *wq, struct spinlock *lock, uint64_t deadline)
{
	return waitq_sleep_key(wq, lock, 0, deadline);
}

int waitq_wake_one(struct waitq *wq)
{
	if (list_empty(&wq->waiters))
		return 0;
	wake_waiter(list_first_entry(&wq->waiters, struct waiter, node));
	return 1;
}

struct thread *waitq_first(struct waitq *wq)
{
	if (list_empty(&wq->waiters))
		return NULL;
	return list_first_entry(&wq->waiters, struct waiter, node)->t;
}

int waitq_wake_all(struct waitq *wq)
{
	int n = 0;

	while (!list_empty(&wq->waiters)) {
		wake_waiter(list_first_entry(&wq->waiters, struct waiter, node));
		n++;
	}
	return n;
}

int waitq_wake_key(struct waitq *wq, uint64_t key, int n)
{
	struct list *pos, *tmp;
	int woken = 0;

	list_for_each_safe (pos, tmp, &wq->waiters) {
		struct waiter *w = list_entry(pos, struct waiter, node);

		if (woken == n)
			break;
		if (w->key == key) {
			wake_waiter(w);
			woken++;
		}
	}
	return woken;
}

int waitq_wake_bits(struct waitq *wq, uint64_t key, uint32_t bits, int n)
{
	struct list *pos, *tmp;
	int woken = 0;

	list_for_each_safe (pos, tmp, &wq->waiters) {
		struct waiter *w = list_entry(pos, struct waiter, node);

		if (woken == n)
			break;
		if (w->key == key && (w->bits & bits)) {
			wake_waiter(w);
			woken++;
		}
	}
	return woken;
}

int waitq_requeue(struct waitq *from, uint64_t key, struct waitq *to, struct spinlock *tolock,
		  uint64_t newkey, int n)
{
	struct list *pos, *tmp;
	int moved = 0;

	list_for_each_safe (pos, tmp, &from->waiters) {
		struct waiter *w = list_entry(pos, struct waiter, node);

		if (moved == n)
			break;
		if (w->key != key)
			continue;
		list_del(&w->node);
		w->key = newkey;
		w->lock = tolock;
		list_add_tail(&to->waiters, &w->node);
		moved++;
	}
	return moved;
}

void waitq_arm_interrupt(void)
{
	current_thread()->intr_armed = true;
}

static bool (*interrupted_check)(void);

bool waitq_interrupted(void)
{
	bool (*check)(void) = READ_ONCE(interrupted_check);

	return check && check();
}

void waitq_set_interrupted(bool (*check)(void))
{
	WRITE_ONCE(interrupted_check, check);
}

void waitq_disarm_interrupt(void)
{
	current_thread()->intr_armed = false;
}

bool waitq_interrupt_thread(struct thread *t)
{
	uint64_t f = arch_irq_save();
	struct waiter *w;
	bool woke = false;

	spin_lock_raw(&t->intr_lock);
	w = t->intr_waiter;
	if (!w) {
		t->intr_kick = true;
	} else {
		/* w stays valid: its sleeper unpublishes it under intr_lock before returning. A
		 * requeue moves it under both locks: retake until the lock read is its own. */
		struct spinlock *l;

		for (;;) {
			l = READ_ONCE(w->lock);
			spin_lock_raw(l);
			if (READ_ONCE(w->lock) == l)
				break;
			spin_unlock_raw(l);
		}
		if (!w->woken && !w->timed_out) {
			list_del(&w->node);
			w->woken = true;
			w->interrupted = true;
			sched_wake(w->t);
			woke = true;
		}
		spin_unlock_raw(l);
	}
	spin_unlock_raw(&t->intr_lock);
	arch_irq_restore(f);
	return woke;
}

int sleep_until(uint64_t deadline)
{
	struct spinlock lock = SPINLOCK_INIT;
	struct waitq wq;
	uint64_t f;
	int r = 0;

	waitq_init(&wq);
	f = spin_lock(&lock);
	while (time_ns() < deadline && r != -EINTR)
		r = waitq_sleep(&wq, &lock, deadline);
	spin_unlock(&lock, f);
	return r == -EINTR ? r : 0;
}

void sleep_ns(uint64_t ns)
{
	sleep_until(time_ns() + ns);
}
