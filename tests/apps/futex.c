/* futex.c: the futex system call: wait/wake counts, requeue, bitsets, wake-op, timeouts on each
 * clock, argument errors, shared (non-private) futexes, robust lists and owner-died mutexes. */
#include "check.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

static long futex(int *uaddr, int op, int val, const struct timespec *ts, int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static long now_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* A waiter blocks on *word (op, value 0, bitset) until *released is set, then counts itself. */
struct waiter {
	int *word, op, bitset, *released, *ready, *returned;
};

static void *wait_loop(void *arg)
{
	struct waiter *w = arg;

	__atomic_fetch_add(w->ready, 1, __ATOMIC_SEQ_CST);
	do
		futex(w->word, w->op, 0, NULL, NULL, w->bitset);
	while (!__atomic_load_n(w->released, __ATOMIC_SEQ_CST));
	__atomic_fetch_add(w->returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Calls op until its results add up to want (waiters may not be asleep yet); gives the sum. */
static long wake_until(int *word, int op, int nr, int *word2, int val3, long want)
{
	struct timespec tick = { 0, 1000000 };
	long sum = 0, r;

	for (int i = 0; i < 10000 && sum < want; i++) {
		r = futex(word, op, nr, (const struct timespec *)(uintptr_t)INT_MAX, word2, val3);
		if (r < 0)
			return r;
		sum += r;
		if (sum < want)
			nanosleep(&tick, NULL);
	}
	return sum;
}

static void wake_and_requeue(int shared)
{
	int *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *w1 = &page[0], *w2 = &page[16], released = 0, ready = 0, returned = 0;
	int priv = shared ? 0 : FUTEX_PRIVATE_FLAG;
	const char *kind = shared ? "shared" : "private";
	struct waiter w = { w1, FUTEX_WAIT | priv, 0, &released, &ready, &returned };
	pthread_t t[4];

	*w1 = *w2 = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, wait_loop, &w);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 4)
		sched_yield();
	CHECK_EQ(wake_until(w1, FUTEX_CMP_REQUEUE | priv, 0, w2, 0, 4), 4,
		 "%s: FUTEX_CMP_REQUEUE moved 4 waiters to a second futex", kind);
	CHECK_ERR(futex(w1, FUTEX_CMP_REQUEUE | priv, 0, NULL, w2, 1), EAGAIN,
		  "%s: FUTEX_CMP_REQUEUE with a stale value: EAGAIN", kind);
	CHECK_EQ(futex(w1, FUTEX_WAKE | priv, INT_MAX, NULL, NULL, 0), 0,
		 "%s: nobody is left on the first futex", kind);
	__atomic_store_n(&released, 1, __ATOMIC_SEQ_CST);
	CHECK_EQ(futex(w2, FUTEX_WAKE | priv, 1, NULL, NULL, 0), 1,
		 "%s: FUTEX_WAKE 1 wakes exactly 1", kind);
	CHECK_EQ(futex(w2, FUTEX_WAKE | priv, INT_MAX, NULL, NULL, 0), 3,
		 "%s: FUTEX_WAKE all wakes the other 3", kind);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(returned, 4, "%s: futex woke 4 threads", kind);

	/* plain wake-all with waiters arriving late */
	released = ready = returned = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, wait_loop, &w);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 4)
		sched_yield();
	__atomic_store_n(&released, 1, __ATOMIC_SEQ_CST);
	CHECK_EQ(wake_until(w1, FUTEX_WAKE | priv, INT_MAX, NULL, 0, 4), 4,
		 "%s: FUTEX_WAKE calls woke 4 waiters in all", kind);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	munmap(page, 4096);
}

static void bitsets(void)
{
	int word = 0, rel_a = 0, rel_b = 0, ready = 0, ret_a = 0, ret_b = 0;
	struct waiter a = { &word, FUTEX_WAIT_BITSET_PRIVATE, 1, &rel_a, &ready, &ret_a };
	struct waiter b = { &word, FUTEX_WAIT_BITSET_PRIVATE, 2, &rel_b, &ready, &ret_b };
	pthread_t ta, tb;

	pthread_create(&ta, NULL, wait_loop, &a);
	pthread_create(&tb, NULL, wait_loop, &b);
	while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 2)
		sched_yield();
	rel_b = 1;
	CHECK_EQ(wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, 2, 1), 1,
		 "FUTEX_WAKE_BITSET 2 wakes the waiter on bitset 2");
	pthread_join(tb, NULL);
	CHECK(ret_b == 1 && __atomic_load_n(&ret_a, __ATOMIC_SEQ_CST) == 0,
	      "and not the waiter on bitset 1");
	rel_a = 1;
	CHECK_EQ(wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, 1, 1), 1,
		 "FUTEX_WAKE_BITSET 1 wakes the other");
	pthread_join(ta, NULL);
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0), EINVAL,
		  "FUTEX_WAIT_BITSET with bitset 0: EINVAL");
}

static void timeouts_and_errors(void)
{
	struct timespec rel = { 0, 50000000 }, abs, bad = { 0, 2000000000 }, zero = { 0, 0 };
	int word = 0, two = 0;
	long t0, r;

	t0 = now_ns(CLOCK_MONOTONIC);
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0), ETIMEDOUT,
		  "FUTEX_WAIT with a 50 ms timeout: ETIMEDOUT");
	CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 50000000, "after at least 50 ms");
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY),
		  ETIMEDOUT, "FUTEX_WAIT_BITSET to an absolute CLOCK_MONOTONIC time: ETIMEDOUT");
	r = now_ns(CLOCK_MONOTONIC);
	CHECK(r >= abs.tv_sec * 1000000000L + abs.tv_nsec, "not before that time");
	t0 = now_ns(CLOCK_REALTIME) + 30000000;
	abs = (struct timespec){ t0 / 1000000000, t0 % 1000000000 };
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &abs, NULL,
			FUTEX_BITSET_MATCH_ANY),
		  ETIMEDOUT, "FUTEX_WAIT_BITSET with FUTEX_CLOCK_REALTIME: ETIMEDOUT");
	CHECK(now_ns(CLOCK_REALTIME) >= t0, "not before that time");
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, &zero, NULL, 0), ETIMEDOUT,
		  "a zero timeout: ETIMEDOUT at once");
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EAGAIN,
		  "FUTEX_WAIT on a changed value: EAGAIN");
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0), EINVAL,
		  "a timeout with tv_nsec of 2e9: EINVAL");
	CHECK_ERR(futex((int *)((char *)&word + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL,
		  "an unaligned futex: EINVAL");
	CHECK_ERR(futex(&word, 99, 0, NULL, NULL, 0), ENOSYS, "an unknown futex op: ENOSYS");
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0,
		 "FUTEX_WAKE with no waiter");
	CHECK_EQ(futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (const struct timespec *)1, &two,
		       FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)),
		 0, "FUTEX_WAKE_OP with no waiters");
	CHECK_EQ(two, 5, "FUTEX_WAKE_OP applied its operation to the second word");
}

static pthread_mutex_t robust;

static void *die_holding(void *arg)
{
	struct timespec hold = { 0, *(long *)arg };

	pthread_mutex_lock(&robust);
	nanosleep(&hold, NULL);
	return NULL; /* exits still owning the mutex */
}

static void robust_lists(void)
{
	struct robust_list_head *head = NULL;
	size_t len = 0;
	pthread_mutexattr_t ma;
	long hold = 0;
	pthread_t t;

	CHECK(syscall(SYS_get_robust_list, 0, &head, &len) == 0 && head != NULL &&
		      len == sizeof(struct robust_list_head),
	      "get_robust_list: glibc registered a list of the right size");
	CHECK_ERR(syscall(SYS_set_robust_list, head, len + 1), EINVAL,
		  "set_robust_list with a wrong size: EINVAL");
	CHECK_EQ(syscall(SYS_set_robust_list, head, len), 0, "set_robust_list again");
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	pthread_create(&t, NULL, die_holding, &hold);
	pthread_join(t, NULL);
	CHECK_EQ(pthread_mutex_lock(&robust), EOWNERDEAD,
		 "a robust mutex whose owner exited: EOWNERDEAD");
	CHECK(pthread_mutex_consistent(&robust) == 0 && pthread_mutex_unlock(&robust) == 0 &&
		      pthread_mutex_lock(&robust) == 0 && pthread_mutex_unlock(&robust) == 0,
	      "made consistent, it locks normally again");
	hold = 50000000;
	pthread_create(&t, NULL, die_holding, &hold);
	while (pthread_mutex_trylock(&robust) == 0) { /* until the thread holds it */
		pthread_mutex_unlock(&robust);
		sched_yield();
	}
	CHECK_EQ(pthread_mutex_lock(&robust), EOWNERDEAD,
		 "a waiter blocked on it is woken with EOWNERDEAD when the owner exits");
	pthread_join(t, NULL);
	pthread_mutex_consistent(&robust);
	pthread_mutex_unlock(&robust);
}

int main(void)
{
	check_start();
	wake_and_requeue(0);
	wake_and_requeue(1);
	bitsets();
	timeouts_and_errors();
	robust_lists();
	return check_done();
}
