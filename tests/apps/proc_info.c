/* proc_info.c: what a process learns about itself: ids, uname, sysinfo, uid/gid family, prctl,
 * scheduling (yield, affinity, getcpu), getrusage, wait4 without children, rseq. */
#include "check.h"

#include <grp.h>
#include <sched.h>
#include <stdint.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

static void ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, groups[64];
	int n;

	CHECK(getpid() > 0, "getpid > 0");
	CHECK_EQ(gettid(), getpid(), "gettid = getpid in the main thread");
	CHECK_EQ(syscall(SYS_gettid), getpid(), "the raw gettid agrees");
	CHECK(getppid() >= 0, "getppid >= 0 (0 when there is no parent)");
	CHECK(getpgrp() >= 0 && getsid(0) >= 0, "getpgrp, getsid");
	CHECK(getresuid(&r, &e, &s) == 0 && r == getuid() && e == geteuid() && s == e,
	      "getresuid agrees with getuid/geteuid");
	CHECK(getresgid(&gr, &ge, &gs) == 0 && gr == getgid() && ge == getegid() && gs == ge,
	      "getresgid agrees with getgid/getegid");
	CHECK(setuid(getuid()) == 0 && setgid(getgid()) == 0, "setuid/setgid to what we are");
	CHECK(setresuid(-1, -1, -1) == 0 && setresgid(-1, -1, -1) == 0,
	      "setresuid/setresgid with -1 change nothing");
	CHECK(setreuid(-1, geteuid()) == 0 && seteuid(geteuid()) == 0, "setreuid, seteuid");
	n = getgroups(64, groups);
	CHECK(n >= 0, "getgroups");
	CHECK(setfsuid(-1) == (int)geteuid() && setfsgid(-1) == (int)getegid(),
	      "setfsuid/setfsgid(-1) report the effective ids");
	CHECK_ERR(syscall(SYS_getgroups, -1, groups), EINVAL,
		  "getgroups with a negative size: EINVAL");
}

static void system_info(void)
{
	struct utsname u;
	struct sysinfo si;

	CHECK(uname(&u) == 0, "uname");
	CHECK_STR(u.sysname, "Linux", "uname sysname");
	CHECK_STR(u.machine, "x86_64", "uname machine");
	CHECK(u.release[0] >= '1' && u.release[0] <= '9' && strchr(u.release, '.'),
	      "uname release looks like a version");
	CHECK(u.nodename[0] != '\0' && u.version[0] != '\0', "uname nodename and version set");
	CHECK(sysinfo(&si) == 0 && si.uptime >= 0 && si.mem_unit > 0 && si.totalram > 0 &&
		      si.freeram <= si.totalram && si.procs >= 1,
	      "sysinfo: uptime, memory, at least one process");
	CHECK(sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_NPROCESSORS_ONLN) >= 1 &&
		      sysconf(_SC_PHYS_PAGES) > 0,
	      "sysconf: page size 4096, processors, memory");
}

static void prctls(void)
{
	char name[32] = "";

	CHECK(prctl(PR_SET_NAME, "mote-app", 0, 0, 0) == 0 &&
		      prctl(PR_GET_NAME, name, 0, 0, 0) == 0 && strcmp(name, "mote-app") == 0,
	      "PR_SET_NAME then PR_GET_NAME: mote-app");
	CHECK(prctl(PR_SET_NAME, "a-name-longer-than-sixteen", 0, 0, 0) == 0 &&
		      prctl(PR_GET_NAME, name, 0, 0, 0) == 0 &&
		      strcmp(name, "a-name-longer-t") == 0,
	      "names are cut to 15 bytes");
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1, "PR_GET_DUMPABLE: 1");
	CHECK(prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == 0 &&
		      prctl(PR_GET_PDEATHSIG, (unsigned long)&name[20], 0, 0, 0) == 0,
	      "PR_SET_PDEATHSIG / PR_GET_PDEATHSIG");
	CHECK_EQ(*(int *)&name[20], SIGTERM, "the death signal reads back");
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0, "PR_GET_NO_NEW_PRIVS: 0");
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
		      prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1,
	      "PR_SET_NO_NEW_PRIVS sticks");
	CHECK_ERR(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL, "an unknown prctl: EINVAL");
}

/* rseq may be ENOSYS; if glibc registered an area it must be live. Called while pinned. */
static void restartable_sequences(void)
{
	static struct rseq mine __attribute__((aligned(32)));
	unsigned cpu = 99;
	struct rseq *rs;
	long r;

	syscall(SYS_getcpu, &cpu, NULL, NULL);
	if (__rseq_size > 0) {
		rs = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
		CHECK(rs->cpu_id == cpu, "rseq: glibc's area is live (or rseq is ENOSYS)");
		r = syscall(SYS_rseq, rs, __rseq_size < 32 ? 32 : __rseq_size, 0, RSEQ_SIG);
		CHECK(r < 0 && (errno == EBUSY || errno == EINVAL),
		      "rseq: a second registration is refused");
	} else {
		r = syscall(SYS_rseq, &mine, sizeof(mine), 0, RSEQ_SIG);
		CHECK(r < 0 && errno == ENOSYS, "rseq: glibc's area is live (or rseq is ENOSYS)");
		CHECK(r < 0 && errno == ENOSYS, "rseq: a second registration is refused");
	}
}

static void scheduling(void)
{
	cpu_set_t set, one;
	unsigned cpu = 99, node = 99;
	int first = -1, n;

	CHECK_EQ(sched_yield(), 0, "sched_yield");
	CHECK_EQ(sched_getaffinity(0, sizeof(set), &set), 0, "sched_getaffinity");
	n = CPU_COUNT(&set);
	CHECK(n >= 1 && n <= sysconf(_SC_NPROCESSORS_ONLN),
	      "at least one CPU, no more than are online");
	for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
		if (CPU_ISSET(i, &set))
			first = i;
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof(one), &one), 0, "pin ourselves to our first CPU");
	sched_yield();
	CHECK_EQ(sched_getcpu(), first, "sched_getcpu then says that CPU");
	CHECK(syscall(SYS_getcpu, &cpu, &node, NULL) == 0 && (int)cpu == first && node == 0,
	      "the getcpu system call agrees, node 0");
	restartable_sequences();
	CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0, "restore the affinity");
	CPU_ZERO(&one);
	CHECK_ERR(sched_setaffinity(0, sizeof(one), &one), EINVAL, "an empty CPU set: EINVAL");
	CHECK_EQ(sched_getscheduler(0), SCHED_OTHER, "sched_getscheduler: SCHED_OTHER");
}

static void usage_and_children(void)
{
	struct timespec w0, w, t;
	struct rusage ru, ru2;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &w0);
	do { /* 50 ms of CPU, or 5 s of wall time */
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		clock_gettime(CLOCK_MONOTONIC, &w);
	} while (t.tv_sec * 1000000000L + t.tv_nsec < 50000000L && w.tv_sec - w0.tv_sec < 5);
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0 &&
		      ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
				      ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec >
			      0,
	      "getrusage RUSAGE_SELF: some CPU time used");
	CHECK(ru.ru_maxrss > 0, "getrusage: ru_maxrss > 0");
	CHECK(getrusage(RUSAGE_THREAD, &ru2) == 0 && ru2.ru_utime.tv_sec <= ru.ru_utime.tv_sec + 1,
	      "getrusage RUSAGE_THREAD");
	CHECK(getrusage(RUSAGE_CHILDREN, &ru2) == 0 && ru2.ru_utime.tv_sec == 0 &&
		      ru2.ru_utime.tv_usec == 0 && ru2.ru_maxrss == 0,
	      "getrusage RUSAGE_CHILDREN: nothing");
	CHECK_ERR(getrusage(42, &ru), EINVAL, "getrusage of 42: EINVAL");
	CHECK_ERR(wait4(-1, &status, 0, NULL), ECHILD, "wait4 with no children: ECHILD");
	CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD, "waitpid WNOHANG: ECHILD");
	CHECK_ERR(wait4(12345, &status, 0, NULL), ECHILD, "wait4 for a stranger: ECHILD");
}

int main(void)
{
	check_start();
	ids();
	system_info();
	prctls();
	scheduling();
	usage_and_children();
	return check_done();
}
