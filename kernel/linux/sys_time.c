/* sys_time.c: clocks and sleeping: clock_gettime/getres, gettimeofday, time, nanosleep,
 * clock_nanosleep. The wall clock is core/time.c's (time_realtime_ns). */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/errno.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/vdso.h"
#include "linux/task.h"
#include "linux/time.h"
#include "core/uaccess.h"

#define TIMER_ABSTIME 1

static uint64_t cpu_ns(const struct thread *t)
{
	return (sched_runtime_tsc(t) * 1000000ULL) / time_tsc_khz();
}

uint64_t clock_thread_cpu_ns(void)
{
	return cpu_ns(current_thread());
}

uint64_t clock_process_cpu_ns(void)
{
	struct process *p = current_process();
	uint64_t ns;
	struct list *pos;

	mutex_lock(&p->lock);
	ns = p->dead_cpu_ns;
	list_for_each (pos, &p->tasks)
		ns += cpu_ns(list_entry(pos, struct task, node)->thread);
	mutex_unlock(&p->lock);
	return ns;
}

/* A CPU-time clock id of pthread_getcpuclockid/clock_getcpuclockid: ~id >> 3 is the tid
 * (or pid), bit 2 says per-thread. */
static int cpu_clock(int id, uint64_t *ns)
{
	int who = ~id >> 3;
	struct task *t;

	if ((id & 7) == 7 || (id & 3) == 3)
		return -EINVAL;
	if (!(id & 4)) {
		if (who && who != current_process()->pid)
			return -EINVAL;
		*ns = clock_process_cpu_ns();
		return 0;
	}
	mutex_lock(&current_process()->lock);
	t = who ? task_find(current_process(), who) : current_task();
	if (t)
		*ns = cpu_ns(t->thread);
	mutex_unlock(&current_process()->lock);
	return t ? 0 : -EINVAL;
}

int clock_now(int id, uint64_t *ns)
{
	if (id < 0)
		return cpu_clock(id, ns);
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
	case CLOCK_REALTIME_ALARM:
		*ns = time_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ns = time_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = clock_process_cpu_ns();
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = clock_thread_cpu_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

uint64_t clock_abs_to_mono(int id, const struct timespec_k *ts)
{
	uint64_t t = timespec_to_ns(ts), now;

	if (clock_now(id, &now))
		return 0;
	if (t <= now)
		return 0;
	return time_ns() + (t - now);
}

SYSCALL_DEFINE2(clock_gettime, int, id, struct timespec_k *, uts)
{
	struct timespec_k ts;
	uint64_t ns;
	int r = clock_now(id, &ns);

	if (r)
		return r;
	ts = ns_to_timespec(ns);
	return copy_to_user(uts, &ts, sizeof(ts));
}

SYSCALL_DEFINE2(clock_getres, int, id, struct timespec_k *, uts)
{
	struct timespec_k ts = { 0, 1 };
	uint64_t ns;

	if (clock_now(id, &ns))
		return -EINVAL;
	if (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE)
		ts.tv_nsec = 4000000;
	return uts ? copy_to_user(uts, &ts, sizeof(ts)) : 0;
}

SYSCALL_DEFINE2(gettimeofday, struct timeval_k *, utv, void *, utz)
{
	uint64_t ns = time_realtime_ns();
	struct timeval_k tv = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
	uint32_t tz[2] = { 0, 0 };

	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	if (utz && copy_to_user(utz, tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

/* Set the wall clock: as root (every program in Mote is), CLOCK_REALTIME only; a time before
 * the boot (the monotonic clock's zero) is EINVAL, as on Linux. Absolute timers already armed
 * on CLOCK_REALTIME keep their monotonic deadline. */
static long set_realtime(const struct timespec_k *ts)
{
	uint64_t ns;

	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= (int64_t)NSEC_PER_SEC ||
	    (uint64_t)ts->tv_sec > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC)
		return -EINVAL;
	ns = timespec_to_ns(ts);
	if (ns < time_ns())
		return -EINVAL;
	time_set_realtime(ns);
	vdso_realtime_changed();
	return 0;
}

SYSCALL_DEFINE2(clock_settime, int, id, const struct timespec_k *, uts)
{
	struct timespec_k ts;
	uint64_t ns;

	if (clock_now(id, &ns))
		return -EINVAL; /* no such clock */
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (id != CLOCK_REALTIME)
		return -EINVAL; /* the others cannot be set */
	return set_realtime(&ts);
}

/* settimeofday: the time zone is obsolete (kept nowhere, as Linux keeps it for nothing
 * here); a NULL time changes nothing. */
SYSCALL_DEFINE2(settimeofday, const struct timeval_k *, utv, const void *, utz)
{
	struct timeval_k tv;
	struct timespec_k ts;

	if (!utv)
		return 0;
	if (copy_from_user(&tv, utv, sizeof(tv)))
		return -EFAULT;
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EINVAL;
	ts.tv_sec = tv.tv_sec;
	ts.tv_nsec = tv.tv_usec * 1000;
	return set_realtime(&ts);
}

SYSCALL_DEFINE1(time, int64_t *, ut)
{
	int64_t t = (int64_t)(time_realtime_ns() / NSEC_PER_SEC);

	if (ut && put_user(t, ut))
		return -EFAULT;
	return t;
}

/* Sleep until deadline (time_ns); a signal cuts it short: -EINTR and the time left. */
static long sleep_to(uint64_t deadline, struct timespec_k *urem)
{
	while (time_ns() < deadline) {
		if (signal_pending()) {
			uint64_t now = time_ns();

			if (urem) {
				struct timespec_k left =
					ns_to_timespec(deadline > now ? deadline - now : 0);

				if (copy_to_user(urem, &left, sizeof(left)))
					return -EFAULT;
			}
			return -EINTR;
		}
		sleep_until(deadline);
	}
	return 0;
}

SYSCALL_DEFINE2(nanosleep, const struct timespec_k *, ureq, struct timespec_k *, urem)
{
	struct timespec_k ts;

	if (copy_from_user(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	return sleep_to(time_ns() + timespec_to_ns(&ts), urem);
}

SYSCALL_DEFINE4(clock_nanosleep, int, id, int, flags, const struct timespec_k *, ureq,
		struct timespec_k *, urem)
{
	struct timespec_k ts;
	uint64_t now;

	if (copy_from_user(&ts, ureq, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	if (clock_now(id, &now) || id == CLOCK_THREAD_CPUTIME_ID || (id < 0 && (id & 4)))
		return -EINVAL;
	if (flags & TIMER_ABSTIME)
		return sleep_to(clock_abs_to_mono(id, &ts), NULL);
	return sleep_to(time_ns() + timespec_to_ns(&ts), urem);
}
