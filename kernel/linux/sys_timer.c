/* sys_timer.c: timer system calls: alarm, setitimer, getitimer and the POSIX timers
 * (timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete). The timers
 * themselves are in timers.c. */
#include "core/time.h"
#include "lib/errno.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/time.h"
#include "linux/timers.h"
#include "core/uaccess.h"

#define TIMER_ABSTIME 1
#define USEC 1000ULL

struct itimerval_k {
	struct timeval_k interval, value;
};

struct itimerspec_k {
	struct timespec_k interval, value;
};

/* struct sigevent as the kernel reads it. */
struct sigevent_k {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid; /* SIGEV_THREAD_ID */
	int32_t pad[11];
};

static bool timeval_ok(const struct timeval_k *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static bool timespec_ok(const struct timespec_k *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NSEC_PER_SEC;
}

static uint64_t timeval_ns(const struct timeval_k *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * USEC;
}

/* ns as a timeval, rounded up so that a timer with time left never reads as disarmed. */
static struct timeval_k ns_timeval(uint64_t ns)
{
	uint64_t us = (ns + USEC - 1) / USEC;

	return (struct timeval_k){ (int64_t)(us / 1000000), (int64_t)(us % 1000000) };
}

static int itimer_set(int which, uint64_t value, uint64_t interval, struct ptimer_value *old)
{
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	return ptimer_settime(ITIMER_ID(which), false, value, interval, old);
}

SYSCALL_DEFINE1(alarm, unsigned int, secs)
{
	struct ptimer_value old;
	uint64_t left;

	(void)itimer_set(ITIMER_REAL, secs * NSEC_PER_SEC, 0, &old);
	/* Whole seconds, rounded to the nearest; a timer still armed never returns 0. */
	left = (old.left + NSEC_PER_SEC / 2) / NSEC_PER_SEC;
	return old.left && !left ? 1 : (long)left;
}

SYSCALL_DEFINE3(setitimer, int, which, const struct itimerval_k *, unew, struct itimerval_k *, uold)
{
	struct itimerval_k n = { 0 }, o;
	struct ptimer_value old;
	int r;

	if (unew && copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	if (!timeval_ok(&n.value) || !timeval_ok(&n.interval))
		return -EINVAL;
	r = itimer_set(which, timeval_ns(&n.value), timeval_ns(&n.interval), &old);
	if (r)
		return r;
	o = (struct itimerval_k){ ns_timeval(old.interval), ns_timeval(old.left) };
	if (uold && copy_to_user(uold, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(getitimer, int, which, struct itimerval_k *, ucur)
{
	struct ptimer_value cur;
	struct itimerval_k v;

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	(void)ptimer_gettime(ITIMER_ID(which), &cur);
	v = (struct itimerval_k){ ns_timeval(cur.interval), ns_timeval(cur.left) };
	return copy_to_user(ucur, &v, sizeof(v));
}

/* The clocks a timer can run on; the CPU-time ones count wall time (timers.h). */
static bool timer_clock_ok(int id)
{
	uint64_t ns;

	return id != CLOCK_MONOTONIC_RAW && id != CLOCK_REALTIME_COARSE &&
	       id != CLOCK_MONOTONIC_COARSE && !clock_now(id, &ns);
}

SYSCALL_DEFINE3(timer_create, int, clock, const struct sigevent_k *, uev, int *, uid)
{
	struct sigevent_k ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
	int tid = 0, id;

	if (!timer_clock_ok(clock))
		return -EINVAL;
	if (uev && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	if (ev.notify & SIGEV_THREAD_ID) {
		struct task *t;

		mutex_lock(&current_process()->lock);
		t = task_find(current_process(), ev.tid);
		mutex_unlock(&current_process()->lock);
		if (!t)
			return -EINVAL;
		tid = ev.tid;
	}
	switch (ev.notify & ~SIGEV_THREAD_ID) {
	case SIGEV_SIGNAL:
	case SIGEV_THREAD: /* glibc's helper thread asks for the signal; to the kernel it is one */
		if (ev.signo <= 0 || ev.signo > NSIG)
			return -EINVAL;
		break;
	case SIGEV_NONE:
		break;
	default:
		return -EINVAL;
	}
	if ((ev.notify & SIGEV_THREAD_ID) && ev.notify != (SIGEV_SIGNAL | SIGEV_THREAD_ID))
		return -EINVAL;
	/* Without a sigevent, the signal's value is the timer's id. */
	id = ptimer_create(clock, ev.notify != SIGEV_NONE, ev.signo, uev ? ev.value : ~0ULL, tid);
	if (id < 0)
		return id;
	if (put_user(id, uid)) {
		(void)ptimer_delete(id);
		return -EFAULT;
	}
	return 0;
}

static struct itimerspec_k to_itimerspec(const struct ptimer_value *v)
{
	return (struct itimerspec_k){ ns_to_timespec(v->interval), ns_to_timespec(v->left) };
}

SYSCALL_DEFINE4(timer_settime, int, id, int, flags, const struct itimerspec_k *, unew,
		struct itimerspec_k *, uold)
{
	struct itimerspec_k n, o;
	struct ptimer_value old;
	int r;

	if (id < 0)
		return -EINVAL;
	if (copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	if (!timespec_ok(&n.value) || !timespec_ok(&n.interval))
		return -EINVAL;
	r = ptimer_settime(id, flags & TIMER_ABSTIME, timespec_to_ns(&n.value),
			   timespec_to_ns(&n.interval), &old);
	if (r)
		return r;
	o = to_itimerspec(&old);
	if (uold && copy_to_user(uold, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timer_gettime, int, id, struct itimerspec_k *, ucur)
{
	struct ptimer_value cur;
	struct itimerspec_k v;

	if (id < 0 || ptimer_gettime(id, &cur))
		return -EINVAL;
	v = to_itimerspec(&cur);
	return copy_to_user(ucur, &v, sizeof(v));
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
	return id < 0 ? -EINVAL : ptimer_getoverrun(id);
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
	return id < 0 ? -EINVAL : ptimer_delete(id);
}
