/* signalfd.c: signal file descriptors. A signalfd is only a mask (kept in f->priv): what it
 * reads is the reading thread's own pending signals, from its queue and its process's, so one
 * shared across fork reads the child's signals in the child. Readers and pollers all wait on
 * one queue, woken when a signal is queued for a process that ever read or polled a signalfd
 * (sig.signalfd_used): the queue must outlive any process, since an epoll watching a signalfd
 * may be passed on to another, and a spurious wake-up only makes a waiter look again. */
#include "linux/signalfd.h"
#include "core/sched/wait.h"
#include "core/uaccess.h"
#include "fs/file.h"
#include "fs/pollq.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/signal.h"
#include "linux/syscall.h"
#include "linux/task.h"

#define SFD_CLOEXEC O_CLOEXEC
#define SFD_NONBLOCK O_NONBLOCK

/* struct signalfd_siginfo, as read(2) returns it: 128 bytes. */
struct sfd_siginfo {
	uint32_t signo;
	int32_t errno_;
	int32_t code;
	uint32_t pid;
	uint32_t uid;
	int32_t fd;
	uint32_t tid;
	uint32_t band;
	uint32_t overrun;
	uint32_t trapno;
	int32_t status;
	int32_t int_;
	uint64_t ptr;
	uint64_t utime;
	uint64_t stime;
	uint64_t addr;
	uint16_t addr_lsb;
	uint16_t pad2;
	int32_t syscall;
	uint64_t call_addr;
	uint32_t arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct sfd_siginfo) == 128, "struct signalfd_siginfo is 128 bytes");

static struct pollq waiters = { .lock = SPINLOCK_INIT, .entries = LIST_INIT(waiters.entries) };

void signalfd_wake(void)
{
	pollq_wake(&waiters, POLLIN);
}

static uint64_t mask_of(const struct file *f)
{
	return (uint64_t)(uintptr_t)READ_ONCE(f->priv);
}

/* From now on, signals queued for the calling process wake the waiters. Under the lock, so
 * that a sender that misses the flag queued before our next look at the pending sets. */
static void use(void)
{
	struct proc_signals *ps = &current_process()->sig;
	uint64_t fl;

	if (READ_ONCE(ps->signalfd_used))
		return;
	fl = spin_lock(&ps->lock);
	ps->signalfd_used = true;
	spin_unlock(&ps->lock, fl);
}

static uint32_t signalfd_poll(struct file *f, struct pollq **pq)
{
	struct task *t = current_task();

	if (!t)
		return 0;
	if (pq) {
		use();
		*pq = &waiters;
	}
	if ((READ_ONCE(t->sig.pending) | READ_ONCE(t->proc->sig.pending)) & mask_of(f))
		return POLLIN;
	return 0;
}

/* The siginfo fields that the signal's kind has (Linux's siginfo layouts). */
static void fill(struct sfd_siginfo *o, const struct k_siginfo *in)
{
	int sig = in->signo, code = in->code;

	memset(o, 0, sizeof(*o));
	o->signo = (uint32_t)sig;
	o->errno_ = in->errno_;
	o->code = code;
	if (code > SI_USER && code < SI_KERNEL && sig == SIGCHLD) {
		o->pid = (uint32_t)in->fields[0];
		o->uid = (uint32_t)(in->fields[0] >> 32);
		o->status = (int32_t)in->fields[1];
		o->utime = in->fields[2];
		o->stime = in->fields[3];
	} else if (code > SI_USER && code < SI_KERNEL &&
		   (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		    sig == SIGTRAP)) {
		o->addr = in->fault.addr;
	} else if ((code > SI_USER && code < SI_KERNEL && (sig == SIGIO || code <= NSIGPOLL)) ||
		   code == SI_SIGIO) {
		/* I/O readiness: SIGIO's own codes, a POLL_* code of a signal without codes of
		 * its own (an F_SETSIG signal), or SI_SIGIO (Linux's siginfo_layout) */
		o->band = (uint32_t)in->fields[0];
		o->fd = (int32_t)in->fields[1];
	} else if (code == SI_TIMER) {
		o->tid = (uint32_t)in->timer.tid;
		o->overrun = (uint32_t)in->timer.overrun;
		o->ptr = in->timer.value;
		o->int_ = (int32_t)in->timer.value;
	} else {
		/* SI_USER, SI_KERNEL; and with a value, the negative codes (SI_QUEUE, SI_TKILL) */
		o->pid = (uint32_t)in->kill.pid;
		o->uid = in->kill.uid;
		if (code < 0) {
			o->ptr = in->kill.value;
			o->int_ = (int32_t)in->kill.value;
		}
	}
}

/* A reader asleep until a signal is queued (its entry on waiters) or one interrupts it. */
struct waiter {
	struct spinlock lock;
	struct waitq wq;
	bool woken;
	struct pollq_entry pe;
};

static void waiter_wake(struct pollq_entry *pe, uint32_t events)
{
	struct waiter *w = pe->priv;

	spin_lock_raw(&w->lock);
	w->woken = true;
	waitq_wake_all(&w->wq);
	spin_unlock_raw(&w->lock);
}

/* Dequeue a signal of f's mask for the calling thread into *info, waiting for one unless
 * nonblock: its number, -EAGAIN, or -EINTR when a signal to deliver interrupts the wait. A
 * signal of the mask is taken even when it is not blocked, before it could interrupt. */
static int dequeue(struct file *f, struct k_siginfo *info, bool nonblock)
{
	struct waiter w = { .lock = SPINLOCK_INIT, .pe = { .wake = waiter_wake, .priv = &w } };
	bool hooked = false;
	uint64_t fl;
	int r = 0;

	waitq_init(&w.wq);
	for (;;) {
		/* (the mask again each time: signalfd4 may change it meanwhile) */
		int sig = signal_dequeue_set(mask_of(f), info);

		if (sig || nonblock) {
			r = sig ? sig : -EAGAIN;
			break;
		}
		if (!hooked) { /* hook on, then look once more before sleeping */
			use();
			pollq_add(&waiters, &w.pe);
			hooked = true;
			continue;
		}
		fl = spin_lock(&w.lock);
		if (!w.woken) {
			if (signal_pending()) /* (it arms the sleep) */
				r = -EINTR;
			else
				(void)waitq_sleep(&w.wq, &w.lock, 0);
		}
		w.woken = false;
		spin_unlock(&w.lock, fl);
		if (r)
			break;
	}
	if (hooked)
		pollq_del(&w.pe);
	return r;
}

/* As many pending signals of the mask as fit in n, the first one waited for; a signal taken
 * whose record cannot be written is lost, as on Linux. */
static ssize_t signalfd_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct sfd_siginfo *out = ubuf;
	struct sfd_siginfo rec;
	struct k_siginfo info;
	size_t count = n / sizeof(rec), done = 0;
	int r = 0;

	(void)pos;
	if (!count)
		return -EINVAL;
	while (done < count) {
		r = dequeue(f, &info, done || (f->flags & O_NONBLOCK));
		if (r < 0)
			break;
		fill(&rec, &info);
		if (copy_to_user(&out[done], &rec, sizeof(rec))) {
			r = -EFAULT;
			break;
		}
		done++;
	}
	return done ? (ssize_t)(done * sizeof(rec)) : r;
}

static const struct file_ops signalfd_fops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.anon_name = "[signalfd]",
};

/* fd -1: a new signalfd; a signalfd's fd: its mask replaced (flags are for a new one only). */
SYSCALL_DEFINE4(signalfd4, int, fd, const uint64_t *, umask, size_t, size, int, flags)
{
	uint64_t mask;
	struct file *f;
	int r;

	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~SIG_UNBLOCKABLE;
	if (fd != -1) {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		r = f->ops == &signalfd_fops ? fd : -EINVAL;
		if (r >= 0) {
			WRITE_ONCE(f->priv, (void *)(uintptr_t)mask);
			signalfd_wake(); /* (pollers look again: it may be readable now) */
		}
		file_put(f);
		return r;
	}
	f = file_anon(0600, &signalfd_fops, O_RDWR | (flags & SFD_NONBLOCK));
	if (!f)
		return -ENOMEM;
	f->priv = (void *)(uintptr_t)mask;
	r = fd_install(f, 0, flags & SFD_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE3(signalfd, int, fd, const uint64_t *, umask, size_t, size)
{
	uint64_t a[4] = { (uint64_t)fd, (uint64_t)umask, size, 0 };

	return sys_signalfd4(a);
}
