/* time.c: clocks and sleeps: clock_gettime on every clock, clock_getres, gettimeofday, time,
 * times, CPU-time clocks, nanosleep and clock_nanosleep (relative, absolute, past, errors);
 * clock_settime's and settimeofday's errors. */
#include "check.h"

#include <pthread.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

static long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

static long now(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return ns(&t);
}

static void clocks(void)
{
	static const struct {
		clockid_t id;
		const char *name;
		long max_res;
	} all[] = {
		{ CLOCK_REALTIME, "CLOCK_REALTIME", 1000000 },
		{ CLOCK_MONOTONIC, "CLOCK_MONOTONIC", 1000000 },
		{ CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID", 1000000 },
		{ CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID", 1000000 },
		{ CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW", 1000000 },
		{ CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE", 10000000 },
		{ CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE", 10000000 },
		{ CLOCK_BOOTTIME, "CLOCK_BOOTTIME", 1000000 },
	};
	struct timespec t, r;
	struct timeval tv;
	long prev, cur, back = 0;
	time_t secs;

	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK(clock_gettime(all[i].id, &t) == 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000,
		      "clock_gettime %s", all[i].name);
		CHECK(clock_getres(all[i].id, &r) == 0 && r.tv_sec == 0 && r.tv_nsec > 0 &&
			      r.tv_nsec <= all[i].max_res,
		      "clock_getres %s: 0 < resolution <= %ld ns", all[i].name, all[i].max_res);
	}
	CHECK_ERR(clock_gettime(12345, &t), EINVAL, "clock_gettime of a bad clock: EINVAL");
	CHECK_EQ(clock_getres(CLOCK_MONOTONIC, NULL), 0, "clock_getres with a NULL result");
	CHECK(now(CLOCK_REALTIME) / 1000000000L > 1600000000L, "the real time is after 2020");
	CHECK(now(CLOCK_BOOTTIME) >= now(CLOCK_MONOTONIC) - 1000000, "BOOTTIME >= MONOTONIC");
	prev = now(CLOCK_MONOTONIC);
	for (int i = 0; i < 100000; i++, prev = cur)
		back += (cur = now(CLOCK_MONOTONIC)) < prev;
	CHECK_EQ(back, 0, "100000 CLOCK_MONOTONIC reads never go back");
	cur = now(CLOCK_REALTIME);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
	      "gettimeofday");
	CHECK(labs(tv.tv_sec * 1000000000L + tv.tv_usec * 1000L - cur) < 1000000000L,
	      "gettimeofday agrees with CLOCK_REALTIME");
	secs = time(NULL);
	CHECK(labs(secs - cur / 1000000000L) <= 1, "time() agrees too");
}

static void *spin(void *arg)
{
	long t0 = now(CLOCK_THREAD_CPUTIME_ID);

	while (now(CLOCK_THREAD_CPUTIME_ID) - t0 < 20000000)
		;
	return NULL;
}

static void cpu_clocks(void)
{
	long p0 = now(CLOCK_PROCESS_CPUTIME_ID), t0 = now(CLOCK_THREAD_CPUTIME_ID);
	long w0 = now(CLOCK_MONOTONIC);
	struct tms tm;
	clockid_t other;
	pthread_t th;
	struct timespec ts;

	while (now(CLOCK_PROCESS_CPUTIME_ID) - p0 < 30000000 && now(CLOCK_MONOTONIC) - w0 < 5e9)
		;
	CHECK(now(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 30000000, "30 ms of process CPU time accrue");
	CHECK(now(CLOCK_THREAD_CPUTIME_ID) - t0 >= 20000000, "and the thread's clock moved too");
	CHECK(times(&tm) != (clock_t)-1 && tm.tms_utime + tm.tms_stime >= 0 && tm.tms_cutime == 0 &&
		      tm.tms_cstime == 0,
	      "times: our CPU time, no children's");
	CHECK_EQ(sysconf(_SC_CLK_TCK), 100, "sysconf(_SC_CLK_TCK) = 100");
	pthread_create(&th, NULL, spin, NULL);
	CHECK(pthread_getcpuclockid(th, &other) == 0 && clock_gettime(other, &ts) == 0,
	      "another thread's CPU clock reads");
	pthread_join(th, NULL);
}

static void sleeps(void)
{
	struct timespec d = { 0, 20000000 }, bad = { 0, 1000000000 }, neg = { -1, 0 }, abs;
	long t0;

	t0 = now(CLOCK_MONOTONIC);
	CHECK(nanosleep(&d, NULL) == 0 && now(CLOCK_MONOTONIC) - t0 >= 20000000,
	      "nanosleep 20 ms sleeps at least 20 ms");
	CHECK_ERR(nanosleep(&bad, NULL), EINVAL, "nanosleep with tv_nsec = 1e9: EINVAL");
	CHECK_ERR(nanosleep(&neg, NULL), EINVAL, "nanosleep with a negative time: EINVAL");
	t0 = now(CLOCK_MONOTONIC);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL) == 0 &&
		      now(CLOCK_MONOTONIC) - t0 >= 20000000,
	      "clock_nanosleep CLOCK_MONOTONIC 20 ms");
	t0 = now(CLOCK_MONOTONIC) + 25000000;
	abs = (struct timespec){ t0 / 1000000000, t0 % 1000000000 };
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0 &&
		      now(CLOCK_MONOTONIC) >= t0,
	      "clock_nanosleep TIMER_ABSTIME wakes no earlier than the deadline");
	t0 = now(CLOCK_REALTIME) + 20000000;
	abs = (struct timespec){ t0 / 1000000000, t0 % 1000000000 };
	CHECK(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL) == 0 &&
		      now(CLOCK_REALTIME) >= t0,
	      "clock_nanosleep CLOCK_REALTIME TIMER_ABSTIME");
	abs = (struct timespec){ 1, 0 };
	t0 = now(CLOCK_MONOTONIC);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0 &&
		      now(CLOCK_MONOTONIC) - t0 < 1000000000,
	      "an absolute deadline in the past returns at once");
	CHECK_EQ(clock_nanosleep(12345, 0, &d, NULL), EINVAL,
		 "clock_nanosleep on a bad clock: EINVAL");
	CHECK_EQ(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL), EINVAL,
		 "clock_nanosleep on a thread CPU clock: EINVAL");
	CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL,
		 "clock_nanosleep with tv_nsec = 1e9: EINVAL");
}

/* Setting the clocks: only the errors Linux gives before it looks at the caller's privilege
 * (a successful set would move the host's clock natively; tests/e2e/mote_run.sh sets the
 * guest's). */
static void set_errors(void)
{
	struct timespec ts = { 1, 0 }, bad = { 2000000000, 1000000000 };
	struct timeval tv = { 1, 2000000 };

	CHECK_ERR(clock_settime(CLOCK_MONOTONIC, &ts), EINVAL, "clock_settime(MONOTONIC): EINVAL");
	CHECK_ERR(clock_settime(CLOCK_BOOTTIME, &ts), EINVAL, "clock_settime(BOOTTIME): EINVAL");
	CHECK_ERR(clock_settime((clockid_t)12345, &ts), EINVAL, "clock_settime(12345): EINVAL");
	CHECK_ERR(clock_settime(CLOCK_REALTIME, &bad), EINVAL,
		  "clock_settime(REALTIME) with 10^9 ns: EINVAL");
	CHECK_ERR(settimeofday(&tv, NULL), EINVAL, "settimeofday with 2000000 us: EINVAL");
}

int main(void)
{
	check_start();
	clocks();
	cpu_clocks();
	sleeps();
	set_errors();
	return check_done();
}
