/* sys_signal.c: signal system calls. (Minimal for now: actions, masks and the alternate
 * stack are recorded; delivery to handlers comes with the signals work.) */
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/uaccess.h"

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct k_sigaction *, uact, struct k_sigaction *,
		uold, size_t, size)
{
	struct proc_signals *ps = &init_process->sig;
	struct k_sigaction n, old;
	uint64_t f;

	if (size != 8 || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (uact && copy_from_user(&n, uact, sizeof(n)))
		return -EFAULT;
	if (uact && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	f = spin_lock(&ps->lock);
	old = ps->action[sig - 1];
	if (uact) {
		n.mask &= ~UNBLOCKABLE;
		ps->action[sig - 1] = n;
	}
	spin_unlock(&ps->lock, f);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const uint64_t *, uset, uint64_t *, uold, size_t, size)
{
	struct task *t = current_task();
	uint64_t set, old = t->sig.blocked;

	if (size != 8)
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		set &= ~UNBLOCKABLE;
		switch (how) {
		case SIG_BLOCK:
			t->sig.blocked |= set;
			break;
		case SIG_UNBLOCK:
			t->sig.blocked &= ~set;
			break;
		case SIG_SETMASK:
			t->sig.blocked = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

struct stack_k {
	uint64_t sp;
	int flags;
	uint64_t size;
};

SYSCALL_DEFINE2(sigaltstack, const struct stack_k *, uss, struct stack_k *, uold)
{
	struct task *t = current_task();
	struct stack_k n, old = { t->sig.ss_sp, t->sig.ss_flags, t->sig.ss_size };

	if (!old.sp)
		old.flags = 2; /* SS_DISABLE */
	if (uss) {
		if (copy_from_user(&n, uss, sizeof(n)))
			return -EFAULT;
		if (n.flags & 2) {
			n.sp = 0;
			n.size = 0;
		} else if (n.size < 2048) {
			return -ENOMEM;
		}
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	if (uss) {
		t->sig.ss_sp = n.sp;
		t->sig.ss_size = n.size;
		t->sig.ss_flags = n.flags;
	}
	return 0;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	if (pid != init_process->pid && pid != 0 && pid != -1)
		return -ESRCH;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	return signal_send(NULL, sig, NULL);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	struct task *t;

	if (tgid != init_process->pid)
		return -ESRCH;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	mutex_lock(&init_process->lock);
	t = task_find(tid);
	mutex_unlock(&init_process->lock);
	if (!t)
		return -ESRCH;
	return signal_send(t, sig, NULL);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	uint64_t a[3] = { (uint64_t)init_process->pid, (uint64_t)tid, (uint64_t)sig };

	return sys_tgkill(a);
}
