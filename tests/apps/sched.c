/* sched.c: scheduling calls and what a child inherits: CPU affinity, policies and priorities,
 * sched_rr_get_interval, nice values (getpriority/setpriority), supplementary groups. Changes
 * that need privileges beyond root's default ones in a container (a lower nice value, real-time
 * policies) are left out: only their errors that come first are checked. */
#include "check.h"

#include <grp.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

/* Runs fn in a child; returns its exit status (0 if all its conditions held), or -1. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static cpu_set_t first_cpu;

static int child_affinity(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) != 0 || !CPU_EQUAL(&set, &first_cpu);
}

static void affinity(void)
{
	cpu_set_t set, one;
	int first = -1;

	CHECK_EQ(sched_getaffinity(0, sizeof(set), &set), 0, "sched_getaffinity");
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &set))
			first = i;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	first_cpu = one;
	CHECK_EQ(syscall(SYS_sched_getaffinity, 0, 8, &one), 8,
		 "the raw call returns the size of the kernel's mask: 8 bytes");
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, &one), EINVAL,
		  "a mask shorter than a long: EINVAL");
	CHECK_ERR(sched_getaffinity(-1, sizeof(set), &set), ESRCH, "sched_getaffinity(-1): ESRCH");
	CHECK_ERR(sched_getaffinity(999999, sizeof(set), &set), ESRCH,
		  "sched_getaffinity of no such thread: ESRCH");
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof(one), &one), 0, "pin ourselves to our first CPU");
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_EQUAL(&set, &one),
	      "sched_getaffinity reports that one CPU");
	CHECK_EQ(sched_getcpu(), first, "and we run there");
	CHECK_EQ(in_child(child_affinity), 0, "a child inherits the mask");
	CPU_ZERO(&one);
	CPU_SET(CPU_SETSIZE - 1, &one);
	CHECK_ERR(sched_setaffinity(0, sizeof(one), &one), EINVAL, "only CPUs we lack: EINVAL");
	CHECK_ERR(sched_setaffinity(-1, sizeof(one), &one), ESRCH, "sched_setaffinity(-1): ESRCH");
	CPU_ZERO(&set);
	for (int i = 0; i < sysconf(_SC_NPROCESSORS_ONLN); i++)
		CPU_SET(i, &set);
	CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0, "every CPU again");
}

static int child_reset(void)
{
	return sched_getscheduler(0) != SCHED_OTHER;
}

static void policies(void)
{
	struct sched_param p = { 0 };
	struct timespec ts;

	CHECK(sched_get_priority_min(SCHED_RR) == 1 && sched_get_priority_max(SCHED_RR) == 99 &&
		      sched_get_priority_min(SCHED_FIFO) == 1 &&
		      sched_get_priority_max(SCHED_FIFO) == 99,
	      "real-time priorities: 1 to 99");
	CHECK(sched_get_priority_min(SCHED_OTHER) == 0 &&
		      sched_get_priority_max(SCHED_OTHER) == 0 &&
		      sched_get_priority_max(SCHED_BATCH) == 0 &&
		      sched_get_priority_max(SCHED_IDLE) == 0,
	      "the others: 0");
	CHECK_ERR(sched_get_priority_min(-23), EINVAL, "sched_get_priority_min(-23): EINVAL");
	CHECK_ERR(sched_get_priority_max(4), EINVAL, "sched_get_priority_max(4): EINVAL");
	CHECK_EQ(sched_getscheduler(0), SCHED_OTHER, "sched_getscheduler: SCHED_OTHER");
	CHECK_ERR(sched_getscheduler(-1), EINVAL, "sched_getscheduler(-1): EINVAL");
	CHECK_ERR(sched_getparam(-1, &p), EINVAL, "sched_getparam(-1): EINVAL");
	CHECK(sched_getparam(0, &p) == 0 && p.sched_priority == 0, "sched_getparam: priority 0");
	CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &p), EINVAL,
		  "SCHED_FIFO with priority 0: EINVAL");
	p.sched_priority = 5;
	CHECK_ERR(sched_setscheduler(0, SCHED_BATCH, &p), EINVAL,
		  "SCHED_BATCH with priority 5: EINVAL");
	CHECK_ERR(sched_setparam(0, &p), EINVAL, "sched_setparam 5 under SCHED_OTHER: EINVAL");
	CHECK_ERR(sched_setscheduler(0, 77, &p), EINVAL, "an unknown policy: EINVAL");
	CHECK_ERR(sched_setscheduler(-1, SCHED_OTHER, &p), EINVAL, "pid -1: EINVAL");
	p.sched_priority = 0;
	CHECK_ERR(sched_setscheduler(999999, SCHED_OTHER, &p), ESRCH, "no such thread: ESRCH");
	CHECK(sched_setscheduler(0, SCHED_BATCH, &p) == 0 && sched_getscheduler(0) == SCHED_BATCH,
	      "SCHED_BATCH, and sched_getscheduler says so");
	CHECK(sched_setparam(0, &p) == 0 && sched_getscheduler(0) == SCHED_BATCH,
	      "sched_setparam keeps the policy");
	CHECK(sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &p) == 0 &&
		      sched_getscheduler(0) == (SCHED_OTHER | SCHED_RESET_ON_FORK),
	      "SCHED_RESET_ON_FORK is reported with the policy");
	CHECK_EQ(in_child(child_reset), 0, "a child starts without it");
	CHECK(sched_rr_get_interval(0, &ts) == 0 && ts.tv_sec == 0,
	      "sched_rr_get_interval: under a second (Linux rounds to clock ticks: maybe 0)");
	CHECK_ERR(sched_rr_get_interval(-1, &ts), EINVAL, "sched_rr_get_interval(-1): EINVAL");
}

static int child_nice_inherited(void)
{
	return getpriority(PRIO_PROCESS, 0) != 3;
}

static int child_nice(void)
{
	int base = getpriority(PRIO_PROCESS, 0);

	if (setpriority(PRIO_PROCESS, 0, base + 3) != 0 || getpriority(PRIO_PROCESS, 0) != base + 3)
		return 1;
	if (in_child(child_nice_inherited) != 0)
		return 2;
	/* glibc's nice() is setpriority(getpriority() + n), clamped at 19 */
	return nice(100) != 19 || getpriority(PRIO_PROCESS, getpid()) != 19 ? 3 : 0;
}

static void nice_values(void)
{
	errno = 0;
	CHECK(getpriority(PRIO_PROCESS, 0) == 0 && errno == 0, "getpriority: nice 0");
	CHECK_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 20, "the raw call: 20 - nice");
	CHECK(getpriority(PRIO_PROCESS, getpid()) == 0 && getpriority(PRIO_PGRP, 0) == 0,
	      "by pid, by process group: 0 (by user: the host's others count too)");
	CHECK_ERR(getpriority(7, 0), EINVAL, "an unknown which: EINVAL");
	CHECK_ERR(getpriority(PRIO_PROCESS, 999999), ESRCH, "no such process: ESRCH");
	CHECK_ERR(setpriority(PRIO_PROCESS, 999999, 1), ESRCH, "setpriority on none: ESRCH");
	CHECK_EQ(in_child(child_nice), 0,
		 "a child raises its nice value, its own child inherits it, 19 at most");
	CHECK(getpriority(PRIO_PROCESS, 0) == 0, "ours is still 0");
}

static int child_groups(void)
{
	gid_t g[8];

	return getgroups(8, g) != 3 || g[0] != 1 || g[1] != 2 || g[2] != 3;
}

static void groups(void)
{
	gid_t g[8], set[] = { 3, 1, 2 };
	int n = getgroups(8, g);

	CHECK(n >= 0, "getgroups");
	CHECK_EQ(setgroups(3, set), 0, "setgroups 3 1 2");
	CHECK_EQ(getgroups(0, NULL), 3, "getgroups(0) counts 3");
	CHECK(getgroups(8, g) == 3 && g[0] == 1 && g[1] == 2 && g[2] == 3,
	      "getgroups returns them sorted: 1 2 3");
	CHECK_ERR(getgroups(2, g), EINVAL, "a list too short for them: EINVAL");
	CHECK_EQ(in_child(child_groups), 0, "a child has them too");
	CHECK_ERR(setgroups((size_t)65537, set), EINVAL, "more than NGROUPS_MAX: EINVAL");
	CHECK_ERR(syscall(SYS_setgroups, 2, (gid_t *)8), EFAULT, "a bad list: EFAULT");
	CHECK(setgroups(0, NULL) == 0 && getgroups(0, NULL) == 0, "setgroups(0): none");
}

int main(void)
{
	check_start();
	affinity();
	policies();
	nice_values();
	groups();
	return check_done();
}
