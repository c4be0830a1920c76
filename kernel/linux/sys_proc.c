/* sys_proc.c: the process: exit, ids, execve, limits, usage, uname, sysinfo, arch_prctl,
 * getrandom. Process creation and wait are sys_process.c's. */
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/time.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/random.h"
#include "lib/string.h"
#include "linux/exec.h"
#include "linux/groups.h"
#include "linux/mm.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/time.h"
#include "core/uaccess.h"
#include "fs/path.h"
#include "linux/uts.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_XCOMP_SUPP 0x1021
#define ARCH_GET_XCOMP_PERM 0x1022
#define ARCH_REQ_XCOMP_PERM 0x1023
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012

SYSCALL_DEFINE1(exit, int, code)
{
	task_exit(code & 0xff);
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	task_exit_group((code & 0xff) << 8);
}

SYSCALL_DEFINE0(getpid)
{
	return current_process()->pid;
}

SYSCALL_DEFINE0(gettid)
{
	return current_task()->tid;
}

SYSCALL_DEFINE0(getuid)
{
	return 0;
}

SYSCALL_DEFINE0(geteuid)
{
	return 0;
}

SYSCALL_DEFINE0(getgid)
{
	return 0;
}

SYSCALL_DEFINE0(getegid)
{
	return 0;
}

/* Root may take any id, but there is only one user: 0 is accepted, others refused. */
static long set_id(uint64_t id)
{
	return id == 0 || id == (uint64_t)-1 || id == 0xffffffffu ? 0 : -EPERM;
}

SYSCALL_DEFINE1(setuid, uint32_t, id)
{
	return set_id(id);
}

SYSCALL_DEFINE1(setgid, uint32_t, id)
{
	return set_id(id);
}

SYSCALL_DEFINE2(setreuid, uint32_t, r, uint32_t, e)
{
	return set_id(r) ? -EPERM : set_id(e);
}

SYSCALL_DEFINE2(setregid, uint32_t, r, uint32_t, e)
{
	return set_id(r) ? -EPERM : set_id(e);
}

SYSCALL_DEFINE3(setresuid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	return set_id(r) || set_id(e) ? -EPERM : set_id(s);
}

SYSCALL_DEFINE3(setresgid, uint32_t, r, uint32_t, e, uint32_t, s)
{
	return set_id(r) || set_id(e) ? -EPERM : set_id(s);
}

static long get_res(uint32_t *a, uint32_t *b, uint32_t *c)
{
	return put_user(0u, a) || put_user(0u, b) || put_user(0u, c) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(getresuid, uint32_t *, r, uint32_t *, e, uint32_t *, s)
{
	return get_res(r, e, s);
}

SYSCALL_DEFINE3(getresgid, uint32_t *, r, uint32_t *, e, uint32_t *, s)
{
	return get_res(r, e, s);
}

SYSCALL_DEFINE1(setfsuid, uint32_t, id)
{
	return 0;
}

SYSCALL_DEFINE1(setfsgid, uint32_t, id)
{
	return 0;
}

/* The calling thread's list (only it changes its own: no lock). */
SYSCALL_DEFINE2(getgroups, int, n, uint32_t *, list)
{
	const struct groups *g = current_task()->groups;
	int count = g ? g->n : 0;

	if (n < 0)
		return -EINVAL;
	if (n == 0)
		return count;
	if (n < count)
		return -EINVAL;
	return count && copy_to_user(list, g->gid, (size_t)count * sizeof(g->gid[0])) ? -EFAULT
										      : count;
}

/* The calling thread's list (glibc has every thread of the process make the call). Root's
 * right: never EPERM. */
SYSCALL_DEFINE2(setgroups, int, n, const uint32_t *, list)
{
	struct task *t = current_task();
	struct groups *g;
	int err;

	if (n < 0 || n > NGROUPS_MAX)
		return -EINVAL;
	g = groups_from_user(list, n, &err);
	if (err)
		return err;
	groups_put(t->groups);
	t->groups = g;
	return 0;
}

SYSCALL_DEFINE3(execve, const char *, upath, char *const *, uargv, char *const *, uenvp)
{
	struct trapframe *tf = current_task()->tf;
	struct exec_args args;
	char *path, *s = NULL;
	long r = user_path_dup(upath, &path);

	if (r < 0)
		return r;
	if (current_process()->ntasks > 1) {
		printk(LOG_INFO, "mote: execve from a program with threads is not supported\n");
		kfree(path);
		return -EAGAIN;
	}
	r = exec_args_init(&args);
	s = kmalloc(PATH_MAX * 4);
	if (r || !s) {
		r = -ENOMEM;
		goto out;
	}
	for (int env = 0; env < 2; env++) {
		char *const *v = env ? uenvp : uargv;

		for (int i = 0; v; i++) {
			char *u;

			r = -EFAULT;
			if (get_user(u, v + i))
				goto out;
			if (!u)
				break;
			r = strncpy_from_user(s, u, PATH_MAX * 4);
			if (r < 0)
				goto out;
			r = exec_args_push(&args, env, s);
			if (r)
				goto out;
		}
	}
	r = exec_program(path, &args, tf, NULL, 0);
	if (r == EXEC_FATAL)
		task_exit_group(SIGSEGV);
	if (!r) {
		fd_close_on_exec();
		signal_exec_reset();
		current_task()->full_restore = true;
		fpu_reset(current_thread()->fpu);
		current_thread()->fsbase = 0;
		appcpu_set_fs(0);
	}
out:
	exec_args_free(&args);
	kfree(s);
	kfree(path);
	return r;
}

SYSCALL_DEFINE2(arch_prctl, int, code, uint64_t, addr)
{
	struct thread *t = current_thread();

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_TOP)
			return -EPERM;
		t->fsbase = addr;
		appcpu_set_fs(addr);
		return 0;
	case ARCH_GET_FS:
		return put_user(t->fsbase, (uint64_t *)addr);
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EPERM; /* GS belongs to the kernel here */
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;
	case ARCH_GET_XCOMP_SUPP:
	case ARCH_GET_XCOMP_PERM: /* every saved component is permitted from the start */
		return put_user(appcpu_xfeatures(), (uint64_t *)addr);
	case ARCH_REQ_XCOMP_PERM: /* AMX tile data, say: refused when it is not saved */
		return addr < 64 && (appcpu_xfeatures() & (1ull << addr)) ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

struct utsname_k {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domain[65];
};

char uts_hostname[65] = "mote";
char uts_domainname[65] = "(none)";

SYSCALL_DEFINE1(uname, struct utsname_k *, u)
{
	struct utsname_k n;

	memset(&n, 0, sizeof(n));
	memcpy(n.sysname, "Linux", 6);
	memcpy(n.nodename, uts_hostname, sizeof(n.nodename));
	memcpy(n.release, MOTE_UTS_RELEASE, sizeof(MOTE_UTS_RELEASE));
	memcpy(n.version, MOTE_UTS_VERSION, sizeof(MOTE_UTS_VERSION));
	memcpy(n.machine, "x86_64", 7);
	memcpy(n.domain, uts_domainname, sizeof(n.domain));
	return copy_to_user(u, &n, sizeof(n));
}

SYSCALL_DEFINE2(sethostname, const char *, name, int, len)
{
	if (len < 0 || len > 64)
		return -EINVAL;
	if (copy_from_user(uts_hostname, name, (size_t)len))
		return -EFAULT;
	uts_hostname[len] = 0;
	return 0;
}

struct sysinfo_k {
	int64_t uptime;
	uint64_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char f[4];
};

SYSCALL_DEFINE1(sysinfo, struct sysinfo_k *, u)
{
	struct sysinfo_k s;

	memset(&s, 0, sizeof(s));
	s.uptime = (int64_t)(time_ns() / NSEC_PER_SEC);
	s.totalram = page_total_count() * PAGE_SIZE;
	s.freeram = page_free_count() * PAGE_SIZE;
	s.procs = 1;
	s.mem_unit = 1;
	return copy_to_user(u, &s, sizeof(s));
}

SYSCALL_DEFINE4(prlimit64, int, pid, uint32_t, res, const struct rlimit64 *, unew,
		struct rlimit64 *, uold)
{
	struct process *p = current_process();
	struct rlimit64 n;

	if (pid && pid != p->pid)
		return -ESRCH;
	if (res >= NR_RLIMITS)
		return -EINVAL;
	if (unew) {
		if (copy_from_user(&n, unew, sizeof(n)))
			return -EFAULT;
		if (n.cur > n.max)
			return -EINVAL;
		if (res == 7 && n.max > FD_MAX) /* RLIMIT_NOFILE: the table's size */
			return -EPERM;
	}
	if (uold && copy_to_user(uold, &p->rlim[res], sizeof(n)))
		return -EFAULT;
	if (unew)
		p->rlim[res] = n;
	return 0;
}

SYSCALL_DEFINE2(getrlimit, uint32_t, res, struct rlimit64 *, u)
{
	uint64_t a[4] = { 0, res, 0, (uint64_t)u };

	return sys_prlimit64(a);
}

SYSCALL_DEFINE2(setrlimit, uint32_t, res, const struct rlimit64 *, u)
{
	uint64_t a[4] = { 0, res, (uint64_t)u, 0 };

	return sys_prlimit64(a);
}

struct rusage_k {
	struct timeval_k utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
		msgrcv, nsignals, nvcsw, nivcsw;
};

SYSCALL_DEFINE2(getrusage, int, who, struct rusage_k *, u)
{
	struct rusage_k r;
	uint64_t ns;

	if (who != 0 && who != -1 && who != 1) /* SELF, CHILDREN, THREAD */
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (who == -1) {
		ns = READ_ONCE(current_process()->child_cpu_ns); /* the children waited for */
	} else {
		ns = who == 1 ? clock_thread_cpu_ns() : clock_process_cpu_ns();
		r.maxrss = (int64_t)(mm_resident_pages(mm_current()) * 4);
		r.nvcsw = (int64_t)current_thread()->switches;
	}
	r.utime.tv_sec = (int64_t)(ns / NSEC_PER_SEC);
	r.utime.tv_usec = (int64_t)(ns % NSEC_PER_SEC / 1000);
	return copy_to_user(u, &r, sizeof(r));
}

SYSCALL_DEFINE1(times, uint64_t *, u)
{
	/* utime, stime, cutime, cstime in clock ticks (100 Hz): all time counts as user time */
	uint64_t t[4] = { clock_process_cpu_ns() / 10000000, 0,
			  READ_ONCE(current_process()->child_cpu_ns) / 10000000, 0 };

	if (u && copy_to_user(u, t, sizeof(t)))
		return -EFAULT;
	return (long)(time_ns() / 10000000);
}

SYSCALL_DEFINE1(umask, uint32_t, mask)
{
	uint32_t old = current_process()->umask;

	current_process()->umask = mask & 0777;
	return old;
}

SYSCALL_DEFINE3(getrandom, void *, buf, size_t, n, uint32_t, flags)
{
	uint8_t tmp[256];
	size_t done = 0;

	if ((flags & ~7u) || (flags & 6) == 6) /* GRND_INSECURE with GRND_RANDOM */
		return -EINVAL;
	n = MIN(n, 33554431UL);
	while (done < n) {
		size_t k = MIN(n - done, sizeof(tmp));

		random_fill(tmp, k);
		if (copy_to_user((char *)buf + done, tmp, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return (long)n;
}

SYSCALL_DEFINE1(personality, uint32_t, p)
{
	return 0;
}

SYSCALL_DEFINE3(getcpu, uint32_t *, cpu, uint32_t *, node, void *, cache)
{
	uint32_t id = this_cpu()->id;

	if ((cpu && put_user(id, cpu)) || (node && put_user(0u, node)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(capget, void *, hdr, void *, data)
{
	uint32_t caps[6] = { ~0u, ~0u, 0, ~0u, ~0u, 0 };

	return data ? copy_to_user(data, caps, sizeof(caps)) : 0;
}

SYSCALL_DEFINE2(capset, const void *, hdr, const void *, data)
{
	return 0;
}
