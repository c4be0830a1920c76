/* sys_process.c: the system calls of the process tree: fork, vfork, wait4, waitid, getppid,
 * process groups and sessions. clone is sys_thread.c's (a new process goes to process.c). */
#include "core/uaccess.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/task.h"

#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000

SYSCALL_DEFINE0(fork)
{
	return process_clone(SIGCHLD, 0, NULL, NULL, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return process_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, NULL, NULL, 0);
}

/* struct rusage: user and system time, then 14 counters (left 0). */
struct k_rusage {
	int64_t utime_s, utime_us, stime_s, stime_us;
	int64_t counters[14];
};

static int put_rusage(void *ru, uint64_t cpu_ns)
{
	struct k_rusage r;

	memset(&r, 0, sizeof(r));
	r.utime_s = (int64_t)(cpu_ns / 1000000000);
	r.utime_us = (int64_t)(cpu_ns % 1000000000 / 1000);
	return ru && copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}

SYSCALL_DEFINE4(wait4, int, pid, int *, status, int, options, void *, ru)
{
	struct wait_result res;
	int idtype = P_PID, id = pid, r;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | 0x20000000))
		return -EINVAL;
	if (pid == -1) {
		idtype = P_ALL;
	} else if (pid == 0) {
		idtype = P_PGID;
		id = process_getpgid(0);
	} else if (pid < -1) {
		idtype = P_PGID;
		id = -pid;
	}
	r = process_wait(idtype, id, options | WEXITED, &res);
	if (r)
		return r;
	if (res.pid && ((status && put_user(res.wstatus, status)) || put_rusage(ru, res.cpu_ns)))
		return -EFAULT;
	return res.pid;
}

/* siginfo of waitid: si_signo, si_errno, si_code, then si_pid, si_uid, si_status. */
SYSCALL_DEFINE5(waitid, int, which, int, id, void *, info, int, options, void *, ru)
{
	struct wait_result res;
	struct k_siginfo si;
	int r;

	if (which < P_ALL || which > P_PGID || (which != P_ALL && id <= 0 && which == P_PID))
		return -EINVAL;
	if (!(options & (WEXITED | WUNTRACED | WCONTINUED)) ||
	    (options &
	     ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WALL | WCLONE | 0x20000000)))
		return -EINVAL;
	if (which == P_PGID && id == 0)
		id = process_getpgid(0);
	r = process_wait(which, id, options, &res);
	if (r)
		return r;
	memset(&si, 0, sizeof(si));
	if (res.pid) {
		si.signo = SIGCHLD;
		si.code = res.code;
		si.fields[0] = (uint32_t)res.pid;
		si.fields[1] = (uint32_t)res.status;
	}
	if ((info && copy_to_user(info, &si, sizeof(si))) || put_rusage(ru, res.cpu_ns))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE0(getppid)
{
	return process_getppid();
}

SYSCALL_DEFINE0(getpgrp)
{
	return process_getpgid(0);
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	return pid < 0 ? -ESRCH : process_getpgid(pid);
}

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	return pid < 0 ? -ESRCH : process_setpgid(pid, pgid);
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	return pid < 0 ? -ESRCH : process_getsid(pid);
}

SYSCALL_DEFINE0(setsid)
{
	return process_setsid();
}
