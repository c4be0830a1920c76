/* sys_sched.c: scheduling calls: sched_yield, CPU affinity (the scheduler keeps a thread on
 * the CPUs of its mask), scheduling policies and priorities, nice values. Policies, real-time
 * priorities and nice values are recorded, reported and inherited as Linux's are; the
 * scheduler treats every thread alike (time slices, no priorities). A thread is named by its
 * tid: 0 or one of the calling process's, or another process's main thread (its pid). */
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/uaccess.h"
#include "lib/errno.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/time.h"

#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000
#define RR_TIMESLICE_NS (100 * 1000000ULL) /* Linux's SCHED_RR quantum */
#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
#define CPUMASK_BYTES 8 /* the kernel's cpumask (MAX_CPUS <= 64), as sched_getaffinity returns */

/* A thread found by tid, and the locks that keep it there (none for the caller itself). */
struct target {
	struct task *t;
	struct process *p; /* whose sig.lock is held (with the table's), or NULL */
	uint64_t table_flags, sig_flags;
};

static int target_lock(int tid, struct target *tg)
{
	struct process *me = current_process();

	tg->p = NULL;
	if (tid < 0)
		return -ESRCH;
	if (tid == 0 || tid == current_task()->tid) {
		tg->t = current_task();
		return 0;
	}
	tg->table_flags = process_lock();
	tg->sig_flags = spin_lock(&me->sig.lock); /* (signal.c changes the list under it) */
	tg->t = task_find(me, tid);
	tg->p = me;
	if (!tg->t) {
		spin_unlock(&me->sig.lock, tg->sig_flags);
		tg->p = process_find(tid);
		if (tg->p && tg->p->state == PROC_LIVE) {
			tg->sig_flags = spin_lock(&tg->p->sig.lock);
			tg->t = task_find(tg->p, tid);
			if (!tg->t)
				spin_unlock(&tg->p->sig.lock, tg->sig_flags);
		}
	}
	if (!tg->t) {
		process_unlock(tg->table_flags);
		tg->p = NULL;
		return -ESRCH;
	}
	return 0;
}

static void target_unlock(struct target *tg)
{
	if (tg->p) {
		spin_unlock(&tg->p->sig.lock, tg->sig_flags);
		process_unlock(tg->table_flags);
	}
}

SYSCALL_DEFINE0(sched_yield)
{
	sched_yield();
	return 0;
}

/* The VM's CPUs (the APs boot in the background: all of them, as sysfs counts them). */
static uint64_t online_mask(void)
{
	smp_wait_all();
	return ncpus >= 64 ? ~0ULL : (1ULL << ncpus) - 1;
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, size_t, len, uint8_t *, umask)
{
	struct target tg;
	uint64_t mask = online_mask();
	long r;

	if (len * 8 < ncpus || (len & 7))
		return -EINVAL;
	r = target_lock(pid, &tg);
	if (r)
		return r;
	mask &= READ_ONCE(tg.t->thread->allowed);
	target_unlock(&tg);
	return copy_to_user(umask, &mask, CPUMASK_BYTES) ? -EFAULT : CPUMASK_BYTES;
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, size_t, len, const uint8_t *, umask)
{
	uint64_t mask = 0;
	struct target tg;
	long r;

	if (copy_from_user(&mask, umask, MIN(len, (size_t)CPUMASK_BYTES)))
		return -EFAULT;
	r = target_lock(pid, &tg);
	if (r)
		return r;
	mask &= online_mask();
	if (!mask) {
		target_unlock(&tg);
		return -EINVAL;
	}
	sched_set_allowed(tg.t->thread, mask); /* (the caller moves at once: it holds no lock) */
	target_unlock(&tg);
	return 0;
}

SYSCALL_DEFINE1(sched_getscheduler, int, pid)
{
	struct target tg;
	long r;

	if (pid < 0)
		return -EINVAL;
	r = target_lock(pid, &tg);
	if (r)
		return r;
	r = tg.t->sched_policy | (tg.t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
	target_unlock(&tg);
	return r;
}

SYSCALL_DEFINE2(sched_getparam, int, pid, int *, uparam)
{
	struct target tg;
	int prio;
	long r;

	if (pid < 0 || !uparam)
		return -EINVAL;
	r = target_lock(pid, &tg);
	if (r)
		return r;
	prio = tg.t->sched_priority;
	target_unlock(&tg);
	return put_user(prio, uparam) ? -EFAULT : 0;
}

static bool realtime(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* sched_setscheduler and sched_setparam (policy -1: keep the thread's). Root's rights: no
 * EPERM. */
static long set_scheduler(int pid, int policy, const int *uparam)
{
	bool reset = policy >= 0 && (policy & SCHED_RESET_ON_FORK);
	struct target tg;
	int prio;
	long r;

	if (pid < 0 || !uparam)
		return -EINVAL;
	if (get_user(prio, uparam))
		return -EFAULT;
	policy = policy >= 0 ? policy & ~SCHED_RESET_ON_FORK : -1;
	if (policy != -1 && policy != SCHED_OTHER && policy != SCHED_BATCH &&
	    policy != SCHED_IDLE && !realtime(policy))
		return -EINVAL; /* (SCHED_DEADLINE needs sched_setattr) */
	r = target_lock(pid, &tg);
	if (r)
		return r;
	if (policy == -1) {
		policy = tg.t->sched_policy;
		reset = tg.t->sched_reset_on_fork;
	}
	if (realtime(policy) ? prio < 1 || prio > 99 : prio != 0) {
		r = -EINVAL;
	} else {
		tg.t->sched_policy = policy;
		tg.t->sched_priority = prio;
		tg.t->sched_reset_on_fork = reset;
	}
	target_unlock(&tg);
	return r;
}

SYSCALL_DEFINE3(sched_setscheduler, int, pid, int, policy, const int *, uparam)
{
	return policy < 0 ? -EINVAL : set_scheduler(pid, policy, uparam);
}

SYSCALL_DEFINE2(sched_setparam, int, pid, const int *, uparam)
{
	return set_scheduler(pid, -1, uparam);
}

static bool known_policy(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE ||
	       policy == SCHED_DEADLINE || realtime(policy);
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy)
{
	return !known_policy(policy) ? -EINVAL : realtime(policy) ? 99 : 0;
}

SYSCALL_DEFINE1(sched_get_priority_min, int, policy)
{
	return !known_policy(policy) ? -EINVAL : realtime(policy) ? 1 : 0;
}

/* SCHED_RR's quantum, 0 for SCHED_FIFO, the scheduler's time slice for the others. */
SYSCALL_DEFINE2(sched_rr_get_interval, int, pid, struct timespec_k *, uts)
{
	struct timespec_k ts;
	struct target tg;
	uint64_t ns;
	long r;

	if (pid < 0)
		return -EINVAL;
	r = target_lock(pid, &tg);
	if (r)
		return r;
	ns = tg.t->sched_policy == SCHED_FIFO ? 0
	     : tg.t->sched_policy == SCHED_RR ? RR_TIMESLICE_NS
					      : SCHED_SLICE_NS;
	target_unlock(&tg);
	ts.tv_sec = (int64_t)(ns / 1000000000ULL);
	ts.tv_nsec = (int64_t)(ns % 1000000000ULL);
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/*
 * getpriority/setpriority's targets: PRIO_PROCESS a thread (who: its tid, 0 the caller);
 * PRIO_PGRP and PRIO_USER (uid 0, the only user) the calling process's threads when it is in
 * the group (who 0: its own) or who is 0 (every process runs as root), other processes'
 * not yet. Sets their nice value to *nice (set), or reads the lowest into *nice; returns how
 * many there were, or -errno.
 */
static long each_target(int which, int who, int *nice, bool set)
{
	struct process *me = current_process();
	struct target tg;
	struct list *pos;
	uint64_t f;
	long n = 0, r;

	if (which == PRIO_PROCESS) {
		r = target_lock(who, &tg);
		if (r)
			return r;
		if (set)
			tg.t->nice = *nice;
		else
			*nice = tg.t->nice;
		target_unlock(&tg);
		return 1;
	}
	if (which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	if (which == PRIO_PGRP && who && who != process_getpgid(0))
		return -ESRCH;
	if (which == PRIO_USER && who)
		return -ESRCH; /* (a uid with no process) */
	f = spin_lock(&me->sig.lock);
	list_for_each (pos, &me->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		if (set)
			t->nice = *nice;
		else if (!n || t->nice < *nice)
			*nice = t->nice;
		n++;
	}
	spin_unlock(&me->sig.lock, f);
	return n;
}

/* The raw call returns 20 - nice (1..40: never negative); glibc's wrapper turns it back. */
SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	int nice = 0;
	long r = each_target(which, who, &nice, false);

	return r < 0 ? r : 20 - nice;
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, nice)
{
	long r;

	nice = MAX(-20, MIN(nice, 19));
	r = each_target(which, who, &nice, true);
	return r < 0 ? r : 0;
}
