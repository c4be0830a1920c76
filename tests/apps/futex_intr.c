/* futex_intr.c: a signal ends a futex wait (semaphores, raw FUTEX_WAIT and WAIT_BITSET, in the
 * main thread and in another): EINTR after a handler without SA_RESTART; with it an untimed
 * wait goes on, a timed one still ends (as Linux). Mote's futex turned the interruption into a spurious wake, so
 * glibc waited on: Python's lock.acquire(timeout=5) ignored a SIGALRM (test_threadsignals). */
#include "check.h"

#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* SIGALRM's handler (FLAGS: 0 or SA_RESTART), and the timer 0.2 s away, then every 0.2 s (a
 * wait entered late on a slow machine is still interrupted); alarm_off stops it. */
static void alarm_soon(int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	struct itimerval it = { .it_value = { 0, 200000 }, .it_interval = { 0, 200000 } };

	sigaction(SIGALRM, &sa, NULL);
	handled = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void alarm_off(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static struct timespec in(clockid_t c, double s)
{
	struct timespec t;

	clock_gettime(c, &t);
	t.tv_sec += (time_t)s;
	t.tv_nsec += (long)((s - (time_t)s) * 1e9);
	if (t.tv_nsec >= 1000000000L)
		t.tv_sec++, t.tv_nsec -= 1000000000L;
	return t;
}

static long futex(int *word, int op, const struct timespec *ts, int bits)
{
	return syscall(SYS_futex, word, op, 0, ts, NULL, bits);
}

static void without_restart(void)
{
	struct timespec dl;
	int word = 0;
	sem_t s;
	double t0;

	sem_init(&s, 0, 0);
	alarm_soon(0);
	t0 = now();
	CHECK_ERR(sem_wait(&s), EINTR, "sem_wait: interrupted");
	alarm_off();
	CHECK(handled >= 1 && now() - t0 < 2.5, "... by the handler, at once");
	alarm_soon(0);
	dl = in(CLOCK_REALTIME, 5);
	t0 = now();
	CHECK_ERR(sem_timedwait(&s, &dl), EINTR, "sem_timedwait (5 s): interrupted");
	alarm_off();
	CHECK(handled >= 1 && now() - t0 < 2.5, "... long before its deadline");
	alarm_soon(0);
	dl = in(CLOCK_MONOTONIC, 5);
	CHECK_ERR(sem_clockwait(&s, CLOCK_MONOTONIC, &dl), EINTR, "sem_clockwait: interrupted");
	alarm_off();
	alarm_soon(0);
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, NULL, 0), EINTR, "FUTEX_WAIT: EINTR");
	alarm_off();
	alarm_soon(0);
	dl = in(CLOCK_MONOTONIC, 5);
	CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, &dl, FUTEX_BITSET_MATCH_ANY), EINTR,
		  "FUTEX_WAIT_BITSET with a deadline: EINTR");
	alarm_off();
	sem_destroy(&s);
}

static int word1;
static sem_t sem1;

/* After 0.7 s: the futex word set and woken, the semaphore posted. */
static void *release_later(void *arg)
{
	(void)arg;
	usleep(700000);
	__atomic_store_n(&word1, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &word1, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	sem_post(&sem1);
	return NULL;
}

/* SA_RESTART: an untimed wait goes on after the handler until woken; a timed one ends with
 * EINTR all the same (Linux restarts it only when no handler ran). */
static void with_restart(void)
{
	struct timespec dl;
	pthread_t t;
	long r;

	sem_init(&sem1, 0, 0);
	alarm_soon(SA_RESTART);
	dl = in(CLOCK_MONOTONIC, 5);
	CHECK_ERR(futex(&word1, FUTEX_WAIT_BITSET_PRIVATE, &dl, FUTEX_BITSET_MATCH_ANY), EINTR,
		  "SA_RESTART: FUTEX_WAIT_BITSET with a deadline still ends with EINTR");
	alarm_off();
	alarm_soon(SA_RESTART);
	dl = in(CLOCK_REALTIME, 5);
	CHECK_ERR(sem_timedwait(&sem1, &dl), EINTR, "SA_RESTART: so does sem_timedwait");
	alarm_off();
	pthread_create(&t, NULL, release_later, NULL);
	alarm_soon(SA_RESTART);
	r = futex(&word1, FUTEX_WAIT_PRIVATE, NULL, 0);
	CHECK(r == 0 && handled >= 1, "SA_RESTART: an untimed FUTEX_WAIT goes on, until woken");
	CHECK(sem_wait(&sem1) == 0, "SA_RESTART: sem_wait goes on, until posted");
	alarm_off();
	pthread_join(t, NULL);
	sem_destroy(&sem1);
}

static int word2, waiter_done;
static long thread_result;
static int thread_errno;

static void *waiter(void *arg)
{
	(void)arg;
	thread_result = futex(&word2, FUTEX_WAIT_PRIVATE, NULL, 0);
	thread_errno = errno;
	__atomic_store_n(&waiter_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* A signal sent to another thread (pthread_kill) ends that thread's wait. */
static void other_thread(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	pthread_t t;

	sigaction(SIGUSR1, &sa, NULL);
	handled = 0;
	pthread_create(&t, NULL, waiter, NULL);
	/* until it is interrupted (a signal before its wait began only runs the handler); at
	 * most 5 s, then a wake ends it */
	for (int i = 0; i < 50 && !__atomic_load_n(&waiter_done, __ATOMIC_SEQ_CST); i++) {
		usleep(100000);
		pthread_kill(t, SIGUSR1);
	}
	if (!__atomic_load_n(&waiter_done, __ATOMIC_SEQ_CST)) {
		word2 = 1;
		syscall(SYS_futex, &word2, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	pthread_join(t, NULL);
	CHECK(thread_result == -1 && thread_errno == EINTR && handled >= 1,
	      "another thread's FUTEX_WAIT: EINTR on its signal");
}

int main(void)
{
	check_start();
	without_restart();
	with_restart();
	other_thread();
	return check_done();
}
