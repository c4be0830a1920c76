/* signal_deliver.c: on the way back to the application: take the pending, unblocked signals
 * one by one, run a handler (a frame on the application's stack, signal_frame.c) or the
 * default action, and decide whether an interrupted system call returns -EINTR or restarts. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "linux/signal.h"
#include "linux/signal_frame.h"
#include "linux/task.h"

#define TF_SYSCALL ((uint64_t)-1) /* the vector syscall.S puts in its frames */
#define SYSCALL_INSN_LEN 2

enum restart { NO_RESTART, RESTART_SA, RESTART_NOHAND };

/*
 * What Linux does with a system call a signal interrupted (its -ERESTARTSYS and
 * -ERESTARTNOHAND/-ERESTART_RESTARTBLOCK calls): RESTART_SA calls restart if the handler has
 * SA_RESTART or no handler ran; RESTART_NOHAND calls only if no handler ran (poll, select,
 * sleeps, sigsuspend: they return -EINTR after a handler, whatever its flags). The others
 * (rt_sigtimedwait...) always return -EINTR.
 */
static enum restart restart_kind(uint64_t nr)
{
	switch (nr) {
	case 0:	  /* read */
	case 1:	  /* write */
	case 2:	  /* open */
	case 16:  /* ioctl */
	case 17:  /* pread64 */
	case 18:  /* pwrite64 */
	case 19:  /* readv */
	case 20:  /* writev */
	case 40:  /* sendfile */
	case 42:  /* connect */
	case 43:  /* accept */
	case 44:  /* sendto */
	case 45:  /* recvfrom */
	case 46:  /* sendmsg */
	case 47:  /* recvmsg */
	case 61:  /* wait4 */
	case 72:  /* fcntl (F_SETLKW) */
	case 73:  /* flock */
	case 202: /* futex */
	case 247: /* waitid */
	case 257: /* openat */
	case 275: /* splice */
	case 276: /* tee */
	case 288: /* accept4 */
	case 295: /* preadv */
	case 296: /* pwritev */
	case 299: /* recvmmsg */
	case 307: /* sendmmsg */
	case 326: /* copy_file_range */
	case 327: /* preadv2 */
	case 328: /* pwritev2 */
	case 437: /* openat2 */
		return RESTART_SA;
	case 7:	  /* poll */
	case 23:  /* select */
	case 34:  /* pause */
	case 35:  /* nanosleep */
	case 130: /* rt_sigsuspend */
	case 230: /* clock_nanosleep */
	case 232: /* epoll_wait */
	case 270: /* pselect6 */
	case 271: /* ppoll */
	case 281: /* epoll_pwait */
	case 441: /* epoll_pwait2 */
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

static bool interrupted_call(const struct trapframe *tf)
{
	return tf->vector == TF_SYSCALL && (int64_t)tf->rax == -EINTR;
}

bool signal_deliver(struct trapframe *tf)
{
	struct task *t = current_task();
	struct proc_signals *ps = &init_process->sig;
	bool in_call = interrupted_call(tf), changed = false;
	uint64_t f, irq;

	if (!((READ_ONCE(t->sig.pending) | READ_ONCE(ps->pending)) & ~t->sig.blocked) &&
	    !t->sig.restore_mask && !in_call)
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
		sig = signal_dequeue_locked(t, t->sig.blocked, &info);
		if (!sig) {
			spin_unlock(&ps->lock, f);
			break;
		}
		act = ps->action[sig - 1];
		if (act.handler == SIG_DFL || act.handler == SIG_IGN) {
			spin_unlock(&ps->lock, f);
			if (act.handler == SIG_DFL && !signal_default_ignored(sig))
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
			if (restart_kind(t->syscall_nr) == RESTART_SA && (act.flags & SA_RESTART))
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
	if (in_call && restart_kind(t->syscall_nr) != NO_RESTART) {
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
