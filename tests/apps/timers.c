/* timers.c: timers that deliver signals: alarm, setitimer (REAL, VIRTUAL, PROF), POSIX timers
 * (timer_create with SIGEV_SIGNAL, SIGEV_THREAD_ID and SIGEV_THREAD; relative, absolute, periodic,
 * overruns, gettime, delete) and their errors. Only lower bounds on time are checked. */
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static volatile int count[65], last_val, last_code, last_overrun;
static volatile pid_t last_tid;

static void handler(int sig, siginfo_t *si, void *uc)
{
	count[sig]++;
	last_val = si->si_value.sival_int;
	last_code = si->si_code;
	last_overrun = si->si_overrun;
	last_tid = gettid();
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Waits (burning CPU if burn) until count[sig] reaches n or 5 s pass; returns the ms waited. */
static long wait_for(int sig, int n, int burn)
{
	struct timespec ms = { 0, 1000000 };
	long t0 = now_ms();

	while (count[sig] < n && now_ms() - t0 < 5000) {
		if (burn)
			for (volatile int i = 0; i < 100000; i++)
				;
		else
			nanosleep(&ms, NULL);
	}
	return now_ms() - t0;
}

static void itimers(void)
{
	struct itimerval it = { { 0, 20000 }, { 0, 30000 } }, cur, zero = { { 0, 0 }, { 0, 0 } };
	long t0 = now_ms(), waited;

	CHECK_EQ(alarm(5), 0, "alarm(5) with none pending returns 0");
	CHECK_EQ(alarm(0), 5, "alarm(0) cancels it and returns the 5 s left");
	alarm(1);
	waited = wait_for(SIGALRM, 1, 0);
	CHECK(count[SIGALRM] == 1 && waited >= 995, "alarm(1): SIGALRM after a second");
	count[SIGALRM] = 0;
	t0 = now_ms();
	CHECK_EQ(setitimer(ITIMER_REAL, &it, NULL), 0,
		 "setitimer ITIMER_REAL 30 ms then every 20 ms");
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_interval.tv_usec == 20000 &&
		      cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 30000,
	      "getitimer shows the interval and the time left");
	wait_for(SIGALRM, 3, 0);
	setitimer(ITIMER_REAL, &zero, &cur);
	CHECK(count[SIGALRM] >= 3 && now_ms() - t0 >= 69, "3 SIGALRMs, not before 70 ms");
	CHECK(getitimer(ITIMER_REAL, &cur) == 0 && cur.it_value.tv_sec == 0 &&
		      cur.it_value.tv_usec == 0,
	      "a zero setitimer disarms it");
	it = (struct itimerval){ { 0, 0 }, { 0, 20000 } };
	CHECK_EQ(setitimer(ITIMER_VIRTUAL, &it, NULL), 0, "setitimer ITIMER_VIRTUAL 20 ms");
	wait_for(SIGVTALRM, 1, 1);
	CHECK_EQ(count[SIGVTALRM], 1, "SIGVTALRM after 20 ms of user CPU");
	CHECK_EQ(setitimer(ITIMER_PROF, &it, NULL), 0, "setitimer ITIMER_PROF 20 ms");
	wait_for(SIGPROF, 1, 1);
	CHECK_EQ(count[SIGPROF], 1, "SIGPROF after 20 ms of CPU");
	CHECK_ERR(setitimer(42, &it, NULL), EINVAL, "setitimer of an unknown timer: EINVAL");
}

static void posix_timers(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGRTMIN,
			       .sigev_value.sival_int = 77 };
	struct itimerspec its = { { 0, 0 }, { 0, 30000000 } }, cur;
	struct timespec abs;
	sigset_t s;
	timer_t t;
	long t0;

	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &t), 0, "timer_create CLOCK_MONOTONIC");
	t0 = now_ms();
	CHECK_EQ(timer_settime(t, 0, &its, NULL), 0, "timer_settime 30 ms");
	CHECK(timer_gettime(t, &cur) == 0 && cur.it_value.tv_nsec > 0 &&
		      cur.it_value.tv_nsec <= 30000000 && cur.it_value.tv_sec == 0,
	      "timer_gettime shows it armed");
	wait_for(SIGRTMIN, 1, 0);
	CHECK(count[SIGRTMIN] == 1 && now_ms() - t0 >= 29, "the timer's signal came after 30 ms");
	CHECK(last_code == SI_TIMER && last_val == 77, "siginfo: SI_TIMER with the sigev_value");
	clock_gettime(CLOCK_MONOTONIC, &abs);
	its.it_value = (struct timespec){ abs.tv_sec, abs.tv_nsec + 20000000 };
	if (its.it_value.tv_nsec >= 1000000000) {
		its.it_value.tv_sec++;
		its.it_value.tv_nsec -= 1000000000;
	}
	CHECK_EQ(timer_settime(t, TIMER_ABSTIME, &its, NULL), 0, "timer_settime TIMER_ABSTIME");
	wait_for(SIGRTMIN, 2, 0);
	CHECK_EQ(count[SIGRTMIN], 2, "the absolute timer fired");

	/* periodic and blocked: expiries beyond the first become the overrun count */
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	its = (struct itimerspec){ { 0, 5000000 }, { 0, 5000000 } };
	timer_settime(t, 0, &its, NULL);
	nanosleep(&(struct timespec){ 0, 60000000 }, NULL);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	CHECK(count[SIGRTMIN] >= 3 && last_overrun >= 1,
	      "a blocked periodic timer: si_overrun > 0");
	CHECK(timer_getoverrun(t) >= 0, "timer_getoverrun");
	CHECK_EQ(timer_delete(t), 0, "timer_delete");
	CHECK_ERR(timer_gettime(t, &cur), EINVAL, "timer_gettime of a deleted timer: EINVAL");
	CHECK_ERR(timer_create(12345, &ev, &t), EINVAL, "timer_create on a bad clock: EINVAL");
}

static volatile int thread_fired, thread_val;
static volatile pid_t target_tid;

static void notified(union sigval v)
{
	thread_val = v.sival_int;
	thread_fired = 1;
}

static void *target(void *arg)
{
	target_tid = gettid();
	while (!count[SIGRTMIN + 1])
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	return NULL;
}

static void thread_timers(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD,
			       .sigev_notify_function = notified,
			       .sigev_value.sival_int = 5 };
	struct itimerspec its = { { 0, 0 }, { 0, 10000000 } };
	pthread_t th;
	timer_t t;

	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &t), 0, "timer_create SIGEV_THREAD");
	timer_settime(t, 0, &its, NULL);
	for (int i = 0; i < 5000 && !thread_fired; i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	CHECK(thread_fired && thread_val == 5, "SIGEV_THREAD ran its function with the value");
	timer_delete(t);

	pthread_create(&th, NULL, target, NULL);
	while (!target_tid)
		sched_yield();
	ev = (struct sigevent){ .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN + 1 };
	ev._sigev_un._tid = target_tid; /* sigev_notify_thread_id: glibc 2.36 has no name for it */
	CHECK_EQ(timer_create(CLOCK_MONOTONIC, &ev, &t), 0, "timer_create SIGEV_THREAD_ID");
	timer_settime(t, 0, &its, NULL);
	pthread_join(th, NULL);
	CHECK(count[SIGRTMIN + 1] == 1 && last_tid == target_tid,
	      "SIGEV_THREAD_ID: the signal went to that thread");
	timer_delete(t);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART };
	int sigs[] = { SIGALRM, SIGVTALRM, SIGPROF, SIGRTMIN, SIGRTMIN + 1 };

	check_start();
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	itimers();
	posix_timers();
	thread_timers();
	return check_done();
}
