/* test_sync.c: self-tests of mutexes, condition variables, semaphores and futexes under
 * contention on all CPUs. */
#include "core/selftest.h"
#include "arch/x86_64/percpu.h"
#include "core/sched/futex.h"
#include "core/sched/sched.h"
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"

#define MUTEX_ITERS 5000
#define ITEMS 4000
#define RING 8

struct shared {
	struct mutex m;
	struct condvar not_empty, not_full;
	uint64_t counter;
	uint32_t ring[RING];
	uint32_t head, tail;
	uint64_t consumed_sum;
	uint32_t consumed;
	struct semaphore sem;
	volatile uint32_t in_sem, max_in_sem;
};

static void mutex_worker(void *arg)
{
	struct shared *s = arg;

	for (int i = 0; i < MUTEX_ITERS; i++) {
		mutex_lock(&s->m);
		uint64_t v = s->counter;

		if (i % 64 == 0)
			sched_yield(); /* hold it across a switch now and then */
		s->counter = v + 1;
		mutex_unlock(&s->m);
	}
}

static void producer(void *arg)
{
	struct shared *s = arg;

	for (uint32_t i = 1; i <= ITEMS; i++) {
		mutex_lock(&s->m);
		while (s->head - s->tail == RING)
			cond_wait(&s->not_full, &s->m);
		s->ring[s->head++ % RING] = i;
		cond_signal(&s->not_empty);
		mutex_unlock(&s->m);
	}
}

static void consumer(void *arg)
{
	struct shared *s = arg;

	for (;;) {
		mutex_lock(&s->m);
		while (s->head == s->tail && s->consumed < 2 * ITEMS)
			cond_wait(&s->not_empty, &s->m);
		if (s->consumed == 2 * ITEMS) {
			cond_broadcast(&s->not_empty);
			mutex_unlock(&s->m);
			return;
		}
		s->consumed_sum += s->ring[s->tail++ % RING];
		s->consumed++;
		cond_signal(&s->not_full);
		if (s->consumed == 2 * ITEMS)
			cond_broadcast(&s->not_empty);
		mutex_unlock(&s->m);
	}
}

static void sem_worker(void *arg)
{
	struct shared *s = arg;

	for (int i = 0; i < 500; i++) {
		sem_down(&s->sem);
		uint32_t n = __atomic_add_fetch(&s->in_sem, 1, __ATOMIC_SEQ_CST);

		if (n > s->max_in_sem)
			s->max_in_sem = n;
		if (i % 8 == 0)
			sched_yield();
		__atomic_sub_fetch(&s->in_sem, 1, __ATOMIC_SEQ_CST);
		sem_up(&s->sem);
	}
}

static int run(void (*fn)(void *), struct shared *s, uint32_t n, struct st *st)
{
	struct thread *t[MAX_CPUS * 4];

	for (uint32_t i = 0; i < n; i++) {
		t[i] = thread_create("sync", fn, s, THREAD_ANY_CPU);
		if (!t[i])
			return st_fail(st, "thread_create failed");
	}
	for (uint32_t i = 0; i < n; i++)
		thread_join(t[i]);
	return 0;
}

int test_sync(struct st *st)
{
	static struct shared s;
	uint32_t n = ncpus * 2;
	struct thread *p[2], *c[3];
	uint64_t expect = 2ULL * ITEMS * (ITEMS + 1) / 2;

	mutex_init(&s.m);
	cond_init(&s.not_empty);
	cond_init(&s.not_full);
	sem_init(&s.sem, 2);
	s.counter = 0;
	if (run(mutex_worker, &s, n, st))
		return -1;
	if (s.counter != (uint64_t)n * MUTEX_ITERS)
		return st_fail(st, "mutex: counter %lu, expected %lu", s.counter,
			       (uint64_t)n * MUTEX_ITERS);
	for (int i = 0; i < 2; i++)
		p[i] = thread_create("prod", producer, &s, THREAD_ANY_CPU);
	for (int i = 0; i < 3; i++)
		c[i] = thread_create("cons", consumer, &s, THREAD_ANY_CPU);
	for (int i = 0; i < 2; i++)
		if (p[i])
			thread_join(p[i]);
	for (int i = 0; i < 3; i++)
		if (c[i])
			thread_join(c[i]);
	if (!p[0] || !p[1] || !c[0] || !c[1] || !c[2])
		return st_fail(st, "thread_create failed");
	if (s.consumed != 2 * ITEMS || s.consumed_sum != expect)
		return st_fail(st, "condvar: consumed %u items summing %lu, expected %u / %lu",
			       s.consumed, s.consumed_sum, 2 * ITEMS, expect);
	if (run(sem_worker, &s, n, st))
		return -1;
	if (s.max_in_sem > 2 || s.sem.count != 2)
		return st_fail(st, "semaphore: %u holders at once (limit 2), count %lu",
			       s.max_in_sem, s.sem.count);
	if (sem_down_until(&s.sem, 0) || sem_down_until(&s.sem, 0) ||
	    sem_down_until(&s.sem, time_ns() + NSEC_PER_MSEC) != -ETIMEDOUT)
		return st_fail(st, "semaphore: timed down did not time out");
	return st_ok(st, "%u threads: mutex %lu increments, condvar %u items, semaphore", n,
		     s.counter, s.consumed);
}

struct futex_job {
	uint32_t word;
	volatile uint32_t woken;
};

static void futex_waiter(void *arg)
{
	struct futex_job *j = arg;

	while (__atomic_load_n(&j->word, __ATOMIC_ACQUIRE) == 0)
		if (futex_wait(&j->word, 0, 0) == 0)
			__atomic_fetch_add(&j->woken, 1, __ATOMIC_RELAXED);
}

int test_futex(struct st *st)
{
	struct futex_job j = { 0, 0 };
	uint32_t other = 5;
	struct thread *t[4];
	uint64_t t0;
	int r, woken = 0;

	if (futex_wait(&other, 4, 0) != -EAGAIN)
		return st_fail(st, "wait on a changed value did not return -EAGAIN");
	t0 = time_ns();
	r = futex_wait(&other, 5, t0 + 2 * NSEC_PER_MSEC);
	if (r != -ETIMEDOUT || time_ns() - t0 < 2 * NSEC_PER_MSEC)
		return st_fail(st, "timed wait returned %d after %lu us", r,
			       (time_ns() - t0) / 1000);
	for (int i = 0; i < 4; i++) {
		t[i] = thread_create("futex", futex_waiter, &j, THREAD_ANY_CPU);
		if (!t[i])
			return st_fail(st, "thread_create failed");
	}
	sleep_ns(5 * NSEC_PER_MSEC);
	if (futex_wake(&other, 10) != 0)
		return st_fail(st, "wake on an address nobody waits on woke someone");
	__atomic_store_n(&j.word, 1, __ATOMIC_RELEASE);
	for (int k = 0; k < 100 && woken < 4; k++) {
		woken += futex_wake(&j.word, 1);
		sleep_ns(NSEC_PER_MSEC / 4);
	}
	woken += futex_wake(&j.word, 100);
	for (int i = 0; i < 4; i++)
		thread_join(t[i]);
	if (woken > 4 || j.woken > 4)
		return st_fail(st, "woke %d threads, %u saw a wake (4 waiters)", woken, j.woken);
	return st_ok(st, "-EAGAIN, -ETIMEDOUT, %d of 4 waiters woken one by one", woken);
}
