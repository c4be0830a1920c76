/* sys_signal.c: signal system calls: actions, masks, the alternate stack, sigreturn, waiting
 * for signals (sigsuspend, pause, sigtimedwait), pending sets, and sending to ourselves (kill,
 * tgkill, tkill, rt_sigqueueinfo, rt_tgsigqueueinfo); their targets are process.c's. */
#include "arch/x86_64/traps.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/signal_frame.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/time.h"
#include "core/uaccess.h"

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

static bool valid(int sig)
{
	return sig >= 1 && sig <= NSIG;
}

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct k_sigaction *, uact, struct k_sigaction *,
		uold, size_t, size)
{
	struct k_sigaction n, old;

	if (size != 8 || !valid(sig))
		return -EINVAL;
	if (uact && copy_from_user(&n, uact, sizeof(n)))
		return -EFAULT;
	if (uact && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	signal_set_action(sig, uact ? &n : NULL, &old);
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
		switch (how) {
		case SIG_BLOCK:
			signal_set_blocked(old | set);
			break;
		case SIG_UNBLOCK:
			signal_set_blocked(old & ~set);
			break;
		case SIG_SETMASK:
			signal_set_blocked(set);
			break;
		default:
			return -EINVAL;
		}
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct task *t = current_task();

	if (signal_frame_restore(t->tf)) {
		printk(LOG_INFO, "mote: bad signal frame at %#lx\n", t->tf->rsp);
		signal_die(SIGSEGV);
	}
	t->full_restore = true; /* every register, rax included, comes from the frame */
	t->syscall_nr = -1;	/* what it returns to is no system call to restart */
	return 0;
}

SYSCALL_DEFINE2(sigaltstack, const struct stack_k *, uss, struct stack_k *, uold)
{
	struct stack_k n, old;
	int r;

	if (uss && copy_from_user(&n, uss, sizeof(n)))
		return -EFAULT;
	r = signal_altstack(uss ? &n : NULL, &old, current_task()->tf->rsp);
	if (r)
		return r;
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uint64_t *, uset, size_t, size)
{
	struct task *t = current_task();
	uint64_t set = (t->sig.pending | t->proc->sig.pending) & t->sig.blocked;

	if (size != 8)
		return -EINVAL;
	return copy_to_user(uset, &set, sizeof(set));
}

/* Sleep until a signal arrives (any deliverable one). */
static long wait_for_signal(void)
{
	while (!signal_pending())
		(void)signal_sleep(0);
	return -EINTR;
}

SYSCALL_DEFINE2(rt_sigsuspend, const uint64_t *, umask, size_t, size)
{
	uint64_t mask;

	if (size != 8)
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	signal_wait_mask_begin(mask);
	(void)wait_for_signal();
	/* The handler runs with mask in force; its frame restores the old one. */
	signal_wait_mask_end(true);
	return -EINTR;
}

SYSCALL_DEFINE0(pause)
{
	return wait_for_signal();
}

SYSCALL_DEFINE4(rt_sigtimedwait, const uint64_t *, uset, struct k_siginfo *, uinfo,
		const struct timespec_k *, utimeout, size_t, size)
{
	struct task *t = current_task();
	struct timespec_k ts;
	struct k_siginfo info;
	uint64_t set, deadline = 0;
	int sig = 0;
	long r = 0;

	if (size != 8)
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	if (utimeout) {
		if (copy_from_user(&ts, utimeout, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
			return -EINVAL;
		deadline = time_ns() + timespec_to_ns(&ts);
	}
	set &= ~SIG_UNBLOCKABLE;
	/* The set is unblocked for the wait, so a signal of it wakes (and is routed to) us;
	 * real_blocked keeps a blocked one from killing the process meanwhile. */
	t->sig.real_blocked = t->sig.blocked;
	signal_set_blocked(t->sig.blocked & ~set);
	for (;;) {
		sig = signal_dequeue_set(set, &info);
		if (sig)
			break;
		if (signal_pending()) {
			sig = signal_dequeue_set(set, &info);
			r = sig ? 0 : -EINTR;
			break;
		}
		if (utimeout && time_ns() >= deadline) {
			r = -EAGAIN;
			break;
		}
		(void)signal_sleep(utimeout ? deadline : 0);
	}
	signal_set_blocked(t->sig.real_blocked);
	t->sig.real_blocked = 0;
	if (!sig)
		return r;
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return sig;
}

static struct k_siginfo user_info(int code)
{
	struct k_siginfo info = { .code = code };

	info.kill.pid = current_process()->pid;
	info.kill.uid = 0;
	return info;
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct k_siginfo info = user_info(SI_USER);

	return process_kill(pid, sig, &info);
}

static long tgkill(int tgid, int tid, int sig, struct k_siginfo *info)
{
	return process_kill_tid(tgid, tid, sig, info);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	struct k_siginfo info = user_info(SI_TKILL);

	if (tgid <= 0)
		return -EINVAL;
	return tgkill(tgid, tid, sig, &info);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	struct k_siginfo info = user_info(SI_TKILL);

	return tgkill(-1, tid, sig, &info);
}

SYSCALL_DEFINE3(rt_sigqueueinfo, int, pid, int, sig, const struct k_siginfo *, uinfo)
{
	struct k_siginfo info;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (!valid(sig))
		return -EINVAL;
	info.signo = sig;
	return pid > 0 ? process_kill(pid, sig, &info) : -ESRCH;
}

SYSCALL_DEFINE4(rt_tgsigqueueinfo, int, tgid, int, tid, int, sig, const struct k_siginfo *, uinfo)
{
	struct k_siginfo info;

	if (copy_from_user(&info, uinfo, sizeof(info)))
		return -EFAULT;
	if (!valid(sig) || tgid <= 0)
		return -EINVAL;
	info.signo = sig;
	return tgkill(tgid, tid, sig, &info);
}
