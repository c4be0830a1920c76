/* signal_deliver.c: on the way back to the application: take the pending, unblocked signals
 * one by one, run a handler (a frame on the application's stack, signal_frame.c) or the
 * default action, and decide whether an interrupted system call returns -EINTR or restarts. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "linux/futex.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/signal_frame.h"
#include "linux/signal_stop.h"
#include "linux/syscall.h"
#include "linux/task.h"

#define TF_SYSCALL ((uint64_t)-1) /* the vector syscall.S puts in its frames */
#define SYSCALL_INSN_LEN 2

enum restart { NO_RESTART, RESTART_SA, RESTART_NOHAND };

/*
 * What Linux does with a system call a signal interrupted (its -ERESTARTSYS and
 * -ERESTARTNOHAND/-ERESTART_RESTARTBLOCK calls): RESTART_SA calls restart if the handler has
 * SA_RESTART or no handler ran; RESTART_NOHAND calls only if no handler ran (poll, select,
 * sleeps, sigsuspend, a futex wait with a timeout: they return -EINTR after a handler,
 * whatever its flags). The others
 * (rt_sigtimedwait...) always return -EINTR.
 */
static enum restart restart_kind(const struct trapframe *tf, uint64_t nr)
{
	/* futex(uaddr, op, val, timeout): a timed wait as poll (arguments in rsi and r10) */
	if (nr == NR_futex && futex_is_timed_wait(tf->rsi, tf->r10))
		return RESTART_NOHAND;
	switch (nr) {
	case NR_read:
	case NR_write:
	case NR_open:
	case NR_ioctl:
	case NR_pread64:
	case NR_pwrite64:
	case NR_readv:
	case NR_writev:
	case NR_sendfile:
	case NR_connect:
	case NR_accept:
	case NR_sendto:
	case NR_recvfrom:
	case NR_sendmsg:
	case NR_recvmsg:
	case NR_wait4:
	case NR_fcntl:
	case NR_flock:
	case NR_futex:
	case NR_waitid:
	case NR_openat:
	case NR_splice:
	case NR_tee:
	case NR_accept4:
	case NR_preadv:
	case NR_pwritev:
	case NR_recvmmsg:
	case NR_sendmmsg:
	case NR_copy_file_range:
	case NR_preadv2:
	case NR_pwritev2:
	case NR_openat2:
		return RESTART_SA;
	case NR_poll:
	case NR_select:
	case NR_pause:
	case NR_nanosleep:
	case NR_rt_sigsuspend:
	case NR_clock_nanosleep:
	case NR_epoll_wait:
	case NR_pselect6:
	case NR_ppoll:
	case NR_epoll_pwait:
	case NR_epoll_pwait2:
		return RESTART_NOHAND;
	default:
		return NO_RESTART;
	}
}

/* Back to the syscall instruction (2 bytes) with the call's number: it runs again. */
static void restart(struct trapframe *tf, uint64_t nr)
{
	tf->rax = nr;
	tf->rip -= SYSCALL_INSN_LEN;
}

static bool own_group_orphaned(struct process *p)
{
	uint64_t f = process_lock();
	bool r = process_pgrp_orphaned(p->pgid, p->sid);

	process_unlock(f);
	return r;
}

static bool interrupted_call(const struct trapframe *tf)
{
	return tf->vector == TF_SYSCALL && (int64_t)tf->rax == -EINTR;
}

bool signal_deliver(struct trapframe *tf)
{
	struct task *t = current_task();
	struct proc_signals *ps = &t->proc->sig;
	bool in_call = interrupted_call(tf), changed = false;
	uint64_t f, irq;

	if (!((READ_ONCE(t->sig.pending) | READ_ONCE(ps->pending)) & ~t->sig.blocked) &&
	    !t->sig.restore_mask && !in_call && !signal_stop_wanted(t))
		return false;
	/* Frames are written with interrupts on: a page fault on the stack is resolved. */
	irq = arch_irq_save();
	arch_irq_enable();
	for (int n = 0; n < 2 * NSIG; n++) {
		struct k_siginfo info;
		struct k_sigaction act;
		uint64_t oldmask;
		int sig;

		f = spin_lock(&ps->lock);
		if (signal_stop_wanted(t)) {
			signal_stop(t, f); /* (drops the lock) until continued or killed */
			continue;
		}
		sig = signal_dequeue_locked(t, t->sig.blocked, &info);
		if (!sig) {
			spin_unlock(&ps->lock, f);
			break;
		}
		act = ps->action[sig - 1];
		if (act.handler == SIG_DFL && (SIG_STOPS & SIG_BIT(sig)) &&
		    !signal_default_ignored(t->proc, sig)) {
			t->sig.stop_dequeued = true;
			/* Linux's get_signal: the job-control stops do nothing in an orphaned
			 * group; the look takes the table's lock, so a SIGCONT may come meanwhile
			 * (it clears stop_dequeued: no stop then). */
			if (sig != SIGSTOP) {
				spin_unlock(&ps->lock, f);
				if (own_group_orphaned(t->proc))
					continue;
				f = spin_lock(&ps->lock);
			}
			if (t->sig.stop_dequeued)
				signal_stop_begin_locked(t, sig); /* t stops at the next turn */
			spin_unlock(&ps->lock, f);
			continue;
		}
		if (act.handler == SIG_DFL || act.handler == SIG_IGN) {
			spin_unlock(&ps->lock, f);
			if (act.handler == SIG_DFL && !signal_default_ignored(t->proc, sig))
				signal_die(sig);
			continue;
		}
		if (act.flags & SA_RESETHAND)
			ps->action[sig - 1].handler = SIG_DFL;
		oldmask = t->sig.restore_mask ? t->sig.saved_mask : t->sig.blocked;
		t->sig.restore_mask = false;
		spin_unlock(&ps->lock, f);

		/* The first handler decides for an interrupted call (the frame saves its state). */
		if (in_call) {
			if (restart_kind(tf, t->syscall_nr) == RESTART_SA &&
			    (act.flags & SA_RESTART))
				restart(tf, t->syscall_nr);
			in_call = false;
		}
		if (signal_frame_setup(tf, sig, &info, &act, oldmask)) {
			printk(LOG_INFO, "mote: no room for the frame of signal %d (rsp %#lx)\n",
			       sig, tf->rsp);
			signal_die(SIGSEGV);
		}
		f = spin_lock(&ps->lock);
		t->sig.blocked |= act.mask;
		if (!(act.flags & SA_NODEFER))
			t->sig.blocked |= SIG_BIT(sig);
		t->sig.blocked &= ~SIG_UNBLOCKABLE;
		spin_unlock(&ps->lock, f);
		changed = true;
	}
	/* No handler ran: an interrupted call restarts (Linux's -ERESTART* codes), and a
	 * temporary mask goes back. */
	if (in_call && restart_kind(tf, t->syscall_nr) != NO_RESTART) {
		restart(tf, t->syscall_nr);
		changed = true;
	}
	if (t->sig.restore_mask) {
		t->sig.restore_mask = false;
		signal_set_blocked(t->sig.saved_mask);
	}
	arch_irq_restore(irq);
	return changed;
}
