/* threads.c: threads contending for real (run on 2 vCPUs): mutex, atomics, condvar queue, barrier,
 * rwlock, spinlock, semaphore, a hand-made futex lock; creation churn, detach, join, stacks. */
#include "check.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/syscall.h>

#define NT 4
#define ITERS 100000

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_spinlock_t spin;
static long mutex_count, spin_count, futex_count;
static long atomic_count;
static sem_t sem;
static long sem_count;

/* Drepper's "mutex3" from "Futexes Are Tricky": 0 free, 1 locked, 2 locked with waiters. */
static int flock_word;

static void futex_lock(int *w)
{
	int c = __sync_val_compare_and_swap(w, 0, 1);

	if (c == 0)
		return;
	if (c != 2)
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
		c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
	}
}

static void futex_unlock(int *w)
{
	if (__atomic_fetch_sub(w, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(w, 0, __ATOMIC_RELEASE);
		syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

static void *counters(void *arg)
{
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&mutex);
		mutex_count++;
		pthread_mutex_unlock(&mutex);
		__atomic_fetch_add(&atomic_count, 1, __ATOMIC_RELAXED);
		pthread_spin_lock(&spin);
		spin_count++;
		pthread_spin_unlock(&spin);
		futex_lock(&flock_word);
		futex_count++;
		futex_unlock(&flock_word);
		if (i % 10 == 0) {
			sem_wait(&sem);
			sem_count++;
			sem_post(&sem);
		}
	}
	return (void *)(uintptr_t)syscall(SYS_gettid);
}

/* A bounded queue: two producers, two consumers; -1 tells a consumer to stop. */
#define QN 8
#define PER_PRODUCER 50000
static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	long items[QN];
	int head, len;
} q = { .lock = PTHREAD_MUTEX_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER };

static void put(long v)
{
	pthread_mutex_lock(&q.lock);
	while (q.len == QN)
		pthread_cond_wait(&q.not_full, &q.lock);
	q.items[(q.head + q.len++) % QN] = v;
	pthread_cond_signal(&q.not_empty);
	pthread_mutex_unlock(&q.lock);
}

static long take(void)
{
	long v;

	pthread_mutex_lock(&q.lock);
	while (q.len == 0)
		pthread_cond_wait(&q.not_empty, &q.lock);
	v = q.items[q.head];
	q.head = (q.head + 1) % QN;
	q.len--;
	pthread_cond_signal(&q.not_full);
	pthread_mutex_unlock(&q.lock);
	return v;
}

struct tally {
	long sum, n;
};

static void *producer(void *arg)
{
	for (long i = 1; i <= PER_PRODUCER; i++)
		put(i);
	return NULL;
}

static void *consumer(void *arg)
{
	struct tally *t = arg;
	long v;

	while ((v = take()) >= 0) {
		t->sum += v;
		t->n++;
	}
	return NULL;
}

#define ROUNDS 1000
static pthread_barrier_t barrier;
static int round_count[ROUNDS], serial_count, barrier_bad;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b, rw_torn;

static void *rounds(void *arg)
{
	for (int r = 0; r < ROUNDS; r++) {
		__atomic_fetch_add(&round_count[r], 1, __ATOMIC_SEQ_CST);
		if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
			serial_count++;
		if (__atomic_load_n(&round_count[r], __ATOMIC_SEQ_CST) != NT)
			__atomic_fetch_add(&barrier_bad, 1, __ATOMIC_SEQ_CST);
		if ((uintptr_t)arg % 2) {
			pthread_rwlock_wrlock(&rw);
			rw_a++;
			rw_b++;
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			if (rw_a != rw_b)
				rw_torn++;
			pthread_rwlock_unlock(&rw);
		}
	}
	return NULL;
}

static int live_detached;

static void *detached(void *arg)
{
	char stack_use[32 << 10];

	memset(stack_use, 1, sizeof(stack_use));
	__atomic_fetch_sub(&live_detached, stack_use[100], __ATOMIC_SEQ_CST); /* 1 */
	syscall(SYS_futex, &live_detached, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
	return NULL;
}

static void *identity(void *arg)
{
	return (void *)(uintptr_t)((uintptr_t)arg * 3);
}

int main(void)
{
	pthread_t t[NT], pc[4];
	struct tally tl[2] = { { 0 } };
	pid_t tids[NT], me = gettid();
	int distinct = 1, churn_ok = 1, left;
	pthread_attr_t attr;
	void *ret;

	check_start();
	pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
	sem_init(&sem, 0, 1);
	for (int i = 0; i < NT; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, counters, NULL), 0,
			 "create counting thread %d", i);
	for (int i = 0; i < NT; i++) {
		pthread_join(t[i], &ret);
		tids[i] = (pid_t)(uintptr_t)ret;
	}
	for (int i = 0; i < NT; i++)
		for (int j = 0; j < i; j++)
			distinct &= tids[i] != tids[j] && tids[i] != me && tids[i] > 0;
	CHECK(distinct, "each thread had its own tid");
	CHECK_EQ(mutex_count, NT * ITERS, "mutex counter = %d", NT * ITERS);
	CHECK_EQ(atomic_count, NT * ITERS, "atomic counter = %d", NT * ITERS);
	CHECK_EQ(spin_count, NT * ITERS, "spinlock counter = %d", NT * ITERS);
	CHECK_EQ(futex_count, NT * ITERS, "futex-lock counter = %d", NT * ITERS);
	CHECK_EQ(sem_count, NT * ITERS / 10, "semaphore counter = %d", NT * ITERS / 10);

	pthread_create(&pc[0], NULL, producer, NULL);
	pthread_create(&pc[1], NULL, producer, NULL);
	pthread_create(&pc[2], NULL, consumer, &tl[0]);
	pthread_create(&pc[3], NULL, consumer, &tl[1]);
	pthread_join(pc[0], NULL);
	pthread_join(pc[1], NULL);
	put(-1);
	put(-1);
	pthread_join(pc[2], NULL);
	pthread_join(pc[3], NULL);
	CHECK_EQ(tl[0].n + tl[1].n, 2 * PER_PRODUCER, "condvar queue passed %d items",
		 2 * PER_PRODUCER);
	CHECK_EQ(tl[0].sum + tl[1].sum, (long)PER_PRODUCER * (PER_PRODUCER + 1),
		 "and their sum is %ld", (long)PER_PRODUCER * (PER_PRODUCER + 1));

	pthread_barrier_init(&barrier, NULL, NT);
	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, rounds, (void *)(uintptr_t)i);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(barrier_bad, 0, "%d barrier rounds: nobody passed early", ROUNDS);
	CHECK_EQ(serial_count, ROUNDS, "one serial thread per round");
	CHECK(rw_torn == 0 && rw_a == ROUNDS * NT / 2 && rw_b == rw_a,
	      "rwlock: %d writes, readers never saw a torn pair", ROUNDS * NT / 2);

	for (int round = 0; round < 20; round++) {
		pthread_t many[16];

		for (int i = 0; i < 16; i++)
			churn_ok &=
				pthread_create(&many[i], NULL, identity, (void *)(uintptr_t)i) == 0;
		for (int i = 0; i < 16; i++)
			churn_ok &= pthread_join(many[i], &ret) == 0 &&
				    (uintptr_t)ret == (uintptr_t)i * 3;
	}
	CHECK(churn_ok, "320 threads created and joined, each returned its value");

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	live_detached = 8;
	for (int i = 0; i < 8; i++)
		CHECK_EQ(pthread_create(&t[0], &attr, detached, NULL), 0,
			 "create detached thread %d with a 64 KiB stack", i);
	while ((left = __atomic_load_n(&live_detached, __ATOMIC_SEQ_CST)) > 0)
		syscall(SYS_futex, &live_detached, FUTEX_WAIT_PRIVATE, left, NULL, NULL, 0);
	CHECK_EQ(live_detached, 0, "all 8 detached threads ran");
	CHECK_EQ(pthread_join(pthread_self(), NULL), EDEADLK, "joining oneself: EDEADLK");
	return check_done();
}
