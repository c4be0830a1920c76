/* sys_thread.c: threads: clone (a new process goes to process.c), set_tid_address, robust
 * lists, prctl, rseq. Scheduling calls are sys_sched.c's. */
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "linux/process.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "core/uaccess.h"
#include "linux/uts.h"

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_VFORK 0x00004000
#define CLONE_THREAD 0x00010000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000

SYSCALL_DEFINE5(clone, uint64_t, flags, uint64_t, newsp, int *, ptid, int *, ctid, uint64_t, tls)
{
	struct trapframe tf = *current_task()->tf;
	struct task *t;
	void *fpu;
	int err;

	if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
		return -EINVAL;
	if (!(flags & CLONE_THREAD))
		return process_clone(flags, newsp, ptid, ctid, tls);
	if (!(flags & CLONE_VM) || (flags & CLONE_VFORK))
		return -EINVAL;
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	fpu = fpu_alloc(true);
	if (!fpu)
		return -ENOMEM;
	tf.rax = 0;
	if (newsp)
		tf.rsp = newsp;
	t = task_create_thread(current_process(), &tf,
			       flags & CLONE_SETTLS ? tls : current_thread()->fsbase, fpu, 0, &err);
	if (!t) {
		fpu_free(fpu);
		return err;
	}
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = (uint32_t *)ctid;
	t->sig.blocked = current_task()->sig.blocked;
	if (((flags & CLONE_PARENT_SETTID) && put_user(t->tid, ptid)) ||
	    ((flags & CLONE_CHILD_SETTID) && put_user(t->tid, ctid)))
		printk(LOG_INFO, "mote: clone: bad tid pointer\n");
	task_start(t);
	return t->tid;
}

SYSCALL_DEFINE2(clone3, void *, args, size_t, size)
{
	return -ENOSYS; /* glibc falls back to clone */
}

SYSCALL_DEFINE1(set_tid_address, uint32_t *, tidptr)
{
	current_task()->clear_child_tid = tidptr;
	return current_task()->tid;
}

SYSCALL_DEFINE2(set_robust_list, uint64_t, head, size_t, len)
{
	if (len != 24)
		return -EINVAL;
	current_task()->robust_list = head;
	current_task()->robust_len = len;
	return 0;
}

SYSCALL_DEFINE3(get_robust_list, int, tid, uint64_t *, head, size_t *, len)
{
	struct task *t = current_task();

	if (tid && tid != t->tid)
		return -ESRCH;
	if (put_user(t->robust_list, head) || put_user((size_t)24, len))
		return -EFAULT;
	return 0;
}

#define RSEQ_FLAG_UNREGISTER 1

/* rseq: the area's cpu_id fields are kept current (task_return_work); critical sections
 * (rseq_cs) are not aborted on preemption yet. */
SYSCALL_DEFINE4(rseq, uint32_t *, area, uint32_t, len, int, flags, uint32_t, sig)
{
	struct task *t = current_task();

	if (flags & RSEQ_FLAG_UNREGISTER) {
		if (area != t->rseq || sig != t->rseq_sig)
			return area != t->rseq ? -EINVAL : -EPERM;
		t->rseq = NULL;
		return 0;
	}
	if (flags || len < 32 || ((uint64_t)area & 31))
		return -EINVAL;
	if (t->rseq)
		return t->rseq == area && sig == t->rseq_sig ? -EBUSY : -EINVAL;
	t->rseq = area;
	t->rseq_sig = sig;
	t->rseq_cpu = -1;
	return rseq_update(t);
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_SECCOMP 21
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_SET_VMA 0x53564d41

SYSCALL_DEFINE5(prctl, int, op, uint64_t, a2, uint64_t, a3, uint64_t, a4, uint64_t, a5)
{
	struct thread *th = current_thread();
	char name[16];

	switch (op) {
	case PR_SET_NAME:
		if (strncpy_from_user(name, (const char *)a2, sizeof(name)) < 0) {
			if (copy_from_user(name, (const char *)a2, sizeof(name) - 1))
				return -EFAULT;
			name[sizeof(name) - 1] = 0;
		}
		mutex_lock(&current_process()->lock); /* procfs reads names under it */
		memcpy(th->name, name, sizeof(th->name));
		mutex_unlock(&current_process()->lock);
		return 0;
	case PR_GET_NAME:
		return copy_to_user((void *)a2, th->name, sizeof(th->name));
	case PR_SET_PDEATHSIG:
		if (a2 > 64)
			return -EINVAL;
		current_process()->pdeathsig = (int)a2;
		return 0;
	case PR_GET_PDEATHSIG:
		return put_user(current_process()->pdeathsig, (int *)a2);
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1 || a3 || a4 || a5)
			return -EINVAL;
		current_process()->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return current_process()->no_new_privs;
	case PR_SET_DUMPABLE:
		return a2 > 1 ? -EINVAL : 0;
	case PR_SET_VMA:
		return 0;
	case PR_GET_DUMPABLE:
		return 1;
	case PR_GET_SECCOMP:
		return 0;
	default:
		return -EINVAL;
	}
}
