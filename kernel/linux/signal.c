/* signal.c: signal state: sending and queueing, the choice of the thread that takes a
 * process-directed signal, waking it, masks, actions, dequeueing. Delivery on the way back to
 * the application is in signal_deliver.c, the frame in signal_frame.c. */
#include "linux/signal.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "linux/signal_stop.h"
#include "linux/signalfd.h"
#include "linux/task.h"
#include "linux/timers.h"

#define RLIMIT_SIGPENDING 11

/* Signals whose default action is to do nothing (the stop signals' stops: signal_stop.c). */
#define DEFAULT_IGNORED (SIG_BIT(SIGCHLD) | SIG_BIT(SIGCONT) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH))
/* Taken before the others (Linux's SYNCHRONOUS_MASK): the fault is what the thread did. */
#define SYNCHRONOUS                                                                \
	(SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | \
	 SIG_BIT(SIGFPE) | SIG_BIT(SIGSYS))

void signal_init_process(struct proc_signals *ps)
{
	spin_init(&ps->lock);
	list_init(&ps->queue);
	ps->signalfd_used = false;
}

void signal_init_task(struct task_signals *ts)
{
	list_init(&ts->queue);
	ts->ss_flags = SS_DISABLE;
}

bool signal_default_ignored(const struct process *p, int sig)
{
	uint64_t set = DEFAULT_IGNORED | (p == init_process ? SIG_STOPS : 0);

	return sig <= NSIG && (set & SIG_BIT(sig));
}

/* Would sig be dropped at once by p (ignored, and not blocked where it could wait)? */
static bool ignored(struct process *p, int sig, const struct task *t)
{
	uint64_t h = p->sig.action[sig - 1].handler;

	if (t && ((t->sig.blocked | t->sig.real_blocked) & SIG_BIT(sig)))
		return false;
	return h == SIG_IGN || (h == SIG_DFL && signal_default_ignored(p, sig));
}

static bool fatal_default(struct process *p, int sig)
{
	return p->sig.action[sig - 1].handler == SIG_DFL && !signal_default_ignored(p, sig) &&
	       !(SIG_STOPS & SIG_BIT(sig));
}

/* A stopped thread takes nothing but SIGKILL (sent apart) until continued: a fatal signal
 * does not end a stopped process at once either (Linux's wants_signal). */
static bool wants(const struct task *t, int sig)
{
	return !(t->sig.blocked & SIG_BIT(sig)) && !t->sig.stopped;
}

/* The main thread of p (the first one left), as Linux's group leader; NULL if none. */
static struct task *leader(struct process *p)
{
	if (list_empty(&p->tasks))
		return NULL;
	return list_first_entry(&p->tasks, struct task, node);
}

/* (The calling thread looks on its own way out.) */
void signal_kick(struct task *t)
{
	struct thread *th = t->thread;
	int cpu;

	if (waitq_interrupt_thread(th) || th == current_thread())
		return;
	cpu = READ_ONCE(th->cpu);
	if (READ_ONCE(th->on_cpu) && cpus[cpu] && READ_ONCE(cpus[cpu]->current) == th)
		apic_send_ipi(cpus[cpu]->apic_id, VEC_IPI_SIGNAL);
}

/* The thread that takes a process-directed sig: the main thread if it does not block it (as
 * Linux picks the group leader), else the caller, else any; NULL if all block it. */
static struct task *choose(struct process *p, int sig)
{
	struct task *cur = current_task(), *main = leader(p);
	struct list *pos;

	if (main && wants(main, sig))
		return main;
	if (cur && cur->proc == p && wants(cur, sig))
		return cur;
	list_for_each (pos, &p->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		if (wants(t, sig))
			return t;
	}
	return NULL;
}

/* The default action of a fatal signal: the calling process ends, killed by sig. */
void signal_die(int sig)
{
	arch_irq_enable(); /* from a trap's or a delivery's path: exit sleeps, shoots TLBs down */
	if (current_process() == init_process)
		printk(LOG_INFO, "mote: program killed by signal %d\n", sig);
	task_exit_group(sig);
}

/* p is to end, killed by sig (p->sig.lock held): every thread of it leaves (it takes the
 * SIGKILL on its way back to the program, or ends its sleep to do so). pid 1's end is the
 * VM's: at once. */
static void kill_locked(struct process *p, int sig)
{
	struct list *pos;

	if (p == init_process) {
		printk(LOG_INFO, "mote: program killed by signal %d\n", sig);
		task_end_vm(sig);
	}
	if (!p->exiting) {
		p->exiting = true;
		p->wstatus = sig;
	}
	signal_stop_cancel_locked(p);
	list_for_each (pos, &p->tasks) {
		signal_kill_task_locked(list_entry(pos, struct task, node));
	}
}

void signal_kill_task_locked(struct task *t)
{
	t->sig.pending |= SIG_BIT(SIGKILL);
	signal_kick(t);
}

/* After sig was queued for p (p->sig.lock held): wake the thread that will take it, or end
 * the process now if its default action does (as Linux does at send time). */
static void notify(struct process *p, struct task *t, int sig)
{
	if (!t)
		t = choose(p, sig);
	else if (!wants(t, sig))
		return;
	if (!t)
		return;
	if (fatal_default(p, sig) && !(t->sig.real_blocked & SIG_BIT(sig))) {
		kill_locked(p, sig);
		return;
	}
	signal_kick(t);
}

static void enqueue(struct process *p, struct task *t, struct sigqueue *q, int sig)
{
	struct proc_signals *ps = &p->sig;

	q->queued = true;
	if (t) {
		list_add_tail(&t->sig.queue, &q->node);
		t->sig.pending |= SIG_BIT(sig);
	} else {
		list_add_tail(&ps->queue, &q->node);
		ps->pending |= SIG_BIT(sig);
	}
	/* A signalfd reader or poller may be waiting for it: the signal is blocked, so
	 * notify's kick would not reach it. */
	if (ps->signalfd_used)
		signalfd_wake();
}

static void release(struct proc_signals *ps, struct sigqueue *q)
{
	if (q->timer)
		return;
	ps->nqueued--;
	kfree(q);
}

/* Remove every queued sig from one queue of ps (it became ignored). */
static void flush(struct proc_signals *ps, struct list *queue, uint64_t *pending, int sig)
{
	struct list *pos, *tmp;

	list_for_each_safe (pos, tmp, queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, node);

		if (q->info.signo == sig) {
			list_del(&q->node);
			q->queued = false;
			release(ps, q);
		}
	}
	*pending &= ~SIG_BIT(sig);
}

/* Remove every queued signal of set from all of p's queues. */
static void flush_all(struct process *p, uint64_t set)
{
	struct list *pos;

	for (int sig = 1; sig <= NSIG; sig++) {
		if (!(set & SIG_BIT(sig)))
			continue;
		flush(&p->sig, &p->sig.queue, &p->sig.pending, sig);
		list_for_each (pos, &p->tasks) {
			struct task *t = list_entry(pos, struct task, node);

			flush(&p->sig, &t->sig.queue, &t->sig.pending, sig);
		}
	}
}

/* What a stop signal or SIGCONT does as it is sent, blocked, ignored or handled (Linux's
 * prepare_signal): a stop discards a pending SIGCONT; SIGCONT discards the pending stops and
 * continues a stopped process. p->sig.lock held. */
static void prepare(struct process *p, int sig)
{
	if (SIG_STOPS & SIG_BIT(sig)) {
		flush_all(p, SIG_BIT(SIGCONT));
	} else if (sig == SIGCONT) {
		flush_all(p, SIG_STOPS);
		signal_stop_continue_locked(p);
	}
}

/* Queue sig for p's thread t (NULL: the process); p->sig.lock held. */
static int send_locked(struct process *p, struct task *t, int sig, const struct k_siginfo *info)
{
	struct proc_signals *ps = &p->sig;
	struct sigqueue *q;

	if (p->state != PROC_LIVE)
		return 0;
	if (sig == SIGKILL) {
		kill_locked(p, sig);
		return 0;
	}
	prepare(p, sig);
	if (ignored(p, sig, t ? t : leader(p)))
		return 0;
	if (sig < SIGRTMIN && ((t ? t->sig.pending : ps->pending) & SIG_BIT(sig)))
		return 0; /* a standard signal is pending once */
	if (sig >= SIGRTMIN && (uint64_t)ps->nqueued >= p->rlim[RLIMIT_SIGPENDING].cur)
		return -EAGAIN;
	q = kzalloc(sizeof(*q));
	if (!q)
		return -EAGAIN;
	ps->nqueued++;
	if (info) {
		q->info = *info;
	} else {
		q->info.code = SI_USER;
		q->info.kill.pid = current_task() ? current_process()->pid : 0;
	}
	q->info.signo = sig;
	enqueue(p, t, q, sig);
	notify(p, t, sig);
	return 0;
}

int signal_send_process(struct process *p, struct task *t, int signo, const struct k_siginfo *info)
{
	uint64_t f;
	int r;

	if (signo == 0)
		return 0;
	if (signo < 0 || signo > NSIG)
		return -EINVAL;
	f = spin_lock(&p->sig.lock);
	r = send_locked(p, t, signo, info);
	spin_unlock(&p->sig.lock, f);
	return r;
}

int signal_send(struct task *t, int signo, const struct k_siginfo *info)
{
	return signal_send_process(t ? t->proc : current_process(), t, signo, info);
}

int signal_send_tid(struct process *p, int tid, int signo, const struct k_siginfo *info)
{
	struct task *t;
	uint64_t f;
	int r = -ESRCH;

	if (signo < 0 || signo > NSIG)
		return -EINVAL;
	f = spin_lock(&p->sig.lock);
	t = task_find(p, tid);
	if (t)
		r = signo ? send_locked(p, t, signo, info) : 0;
	spin_unlock(&p->sig.lock, f);
	return r;
}

int signal_send_timer(struct process *p, struct sigqueue *q, int tid, int overruns)
{
	struct proc_signals *ps = &p->sig;
	int sig = q->info.signo;
	struct task *t = NULL;
	uint64_t f = spin_lock(&ps->lock);
	int r = 0;

	if (tid && !(t = task_find(p, tid))) {
		r = -ESRCH;
	} else if (q->queued) {
		q->overrun += overruns + 1; /* still waiting: one more expiry it stands for */
	} else if (sig == SIGKILL) {
		kill_locked(p, sig);
	} else if (prepare(p, sig), !ignored(p, sig, t ? t : leader(p))) {
		q->overrun = overruns;
		enqueue(p, t, q, sig);
		notify(p, t, sig);
	}
	spin_unlock(&ps->lock, f);
	return r;
}

static void unqueue(struct sigqueue *q, struct list *queue, uint64_t *pending)
{
	struct list *pos;
	int sig = q->info.signo;

	list_del(&q->node);
	q->queued = false;
	list_for_each (pos, queue)
		if (list_entry(pos, struct sigqueue, node)->info.signo == sig)
			return;
	*pending &= ~SIG_BIT(sig);
}

void signal_cancel_timer(struct process *p, struct sigqueue *q)
{
	struct proc_signals *ps = &p->sig;
	uint64_t f = spin_lock(&ps->lock);

	if (q->queued) {
		struct list *pos;

		/* On the process's queue or some thread's: find which. */
		list_for_each (pos, &ps->queue)
			if (list_entry(pos, struct sigqueue, node) == q)
				break;
		if (pos != &ps->queue) {
			unqueue(q, &ps->queue, &ps->pending);
		} else {
			list_for_each (pos, &p->tasks) {
				struct task *t = list_entry(pos, struct task, node);
				struct list *p2;

				list_for_each (p2, &t->sig.queue)
					if (list_entry(p2, struct sigqueue, node) == q)
						break;
				if (p2 != &t->sig.queue) {
					unqueue(q, &t->sig.queue, &t->sig.pending);
					break;
				}
			}
		}
	}
	spin_unlock(&ps->lock, f);
}

void signal_exit_task_locked(struct task *t)
{
	for (int sig = 1; sig <= NSIG; sig++)
		if (t->sig.pending & SIG_BIT(sig))
			flush(&t->proc->sig, &t->sig.queue, &t->sig.pending, sig);
}

void signal_exit_process(struct process *p)
{
	uint64_t f = spin_lock(&p->sig.lock);

	for (int sig = 1; sig <= NSIG; sig++)
		if (p->sig.pending & SIG_BIT(sig))
			flush(&p->sig, &p->sig.queue, &p->sig.pending, sig);
	spin_unlock(&p->sig.lock, f);
}

void signal_fork(struct process *child, const struct process *parent)
{
	signal_init_process(&child->sig);
	memcpy(child->sig.action, parent->sig.action, sizeof(child->sig.action));
}

/* The next signal of pending & ~mask to take: a synchronous one first, then the lowest. */
static int next_signal(uint64_t pending, uint64_t mask)
{
	uint64_t x = pending & ~mask;

	if (!x)
		return 0;
	if (x & SYNCHRONOUS)
		x &= SYNCHRONOUS;
	return __builtin_ctzll(x) + 1;
}

static void take(struct proc_signals *ps, struct list *queue, uint64_t *pending, int sig,
		 struct k_siginfo *info)
{
	struct list *pos;

	list_for_each (pos, queue) {
		struct sigqueue *q = list_entry(pos, struct sigqueue, node);

		if (q->info.signo != sig)
			continue;
		unqueue(q, queue, pending);
		if (q->timer) {
			q->info.timer.overrun = q->overrun;
			ptimer_delivered(q->timer, q->overrun);
			q->overrun = 0;
		}
		*info = q->info;
		release(ps, q);
		return;
	}
	*pending &= ~SIG_BIT(sig); /* (cannot happen: a bit always has an entry) */
	memset(info, 0, sizeof(*info));
	info->signo = sig;
}

int signal_dequeue_locked(struct task *t, uint64_t mask, struct k_siginfo *info)
{
	struct proc_signals *ps = &t->proc->sig;
	int sig = next_signal(t->sig.pending, mask);

	if (sig) {
		take(ps, &t->sig.queue, &t->sig.pending, sig, info);
		return sig;
	}
	sig = next_signal(ps->pending, mask);
	if (sig)
		take(ps, &ps->queue, &ps->pending, sig, info);
	return sig;
}

int signal_dequeue_set(uint64_t set, struct k_siginfo *info)
{
	struct proc_signals *ps = &current_process()->sig;
	uint64_t f = spin_lock(&ps->lock);
	int sig = signal_dequeue_locked(current_task(), ~set, info);

	spin_unlock(&ps->lock, f);
	return sig;
}

bool signal_pending(void)
{
	struct thread *th = current_thread();
	struct task *t = th->task;

	if (!t)
		return false;
	if ((READ_ONCE(t->sig.pending) | READ_ONCE(t->proc->sig.pending)) &
		    ~READ_ONCE(t->sig.blocked) ||
	    READ_ONCE(t->sig.stop_pending))
		return true;
	waitq_arm_interrupt();
	return false;
}

int signal_sleep(uint64_t deadline)
{
	struct spinlock lock = SPINLOCK_INIT;
	struct waitq wq;
	uint64_t f;
	int r = 0;

	waitq_init(&wq);
	f = spin_lock(&lock);
	if (!signal_pending()) /* (it arms the sleep) */
		r = waitq_sleep(&wq, &lock, deadline);
	spin_unlock(&lock, f);
	return r == -ETIMEDOUT ? r : 0;
}

void signal_set_blocked(uint64_t blocked)
{
	struct process *p = current_process();
	struct proc_signals *ps = &p->sig;
	struct task *t = current_task();
	uint64_t f = spin_lock(&ps->lock), added;

	blocked &= ~SIG_UNBLOCKABLE;
	added = blocked & ~t->sig.blocked & ps->pending;
	t->sig.blocked = blocked;
	/* Process-directed signals this thread now blocks: another thread may take them. */
	for (int sig = 1; added; sig++) {
		if (added & SIG_BIT(sig)) {
			added &= ~SIG_BIT(sig);
			notify(p, NULL, sig);
		}
	}
	spin_unlock(&ps->lock, f);
}

void signal_set_action(int sig, const struct k_sigaction *act, struct k_sigaction *old)
{
	struct process *p = current_process();
	struct proc_signals *ps = &p->sig;
	uint64_t f = spin_lock(&ps->lock);
	struct list *pos;

	if (old)
		*old = ps->action[sig - 1];
	if (act) {
		ps->action[sig - 1] = *act;
		ps->action[sig - 1].mask &= ~SIG_UNBLOCKABLE;
		/* Pending signals that are now ignored go (POSIX), blocked or not. */
		if (act->handler == SIG_IGN ||
		    (act->handler == SIG_DFL && signal_default_ignored(p, sig))) {
			flush(ps, &ps->queue, &ps->pending, sig);
			list_for_each (pos, &p->tasks) {
				struct task *t = list_entry(pos, struct task, node);

				flush(ps, &t->sig.queue, &t->sig.pending, sig);
			}
		}
	}
	spin_unlock(&ps->lock, f);
}

void signal_fault(struct trapframe *tf, int signo, int code, uint64_t addr)
{
	struct proc_signals *ps = &current_process()->sig;
	struct task *t = current_task();
	struct k_siginfo info = { .signo = signo, .code = code };
	uint64_t f;

	info.fault.addr = addr;
	t->sig.trapno = tf->vector;
	t->sig.error = tf->error;
	if (tf->vector == 14) {
		t->sig.error |= 4; /* Linux reports the user bit: the fault was the program's */
		t->sig.cr2 = addr;
	}
	f = spin_lock(&ps->lock);
	/* Blocked or ignored, a fault cannot be left pending: the default action runs. */
	if ((t->sig.blocked & SIG_BIT(signo)) || ps->action[signo - 1].handler == SIG_IGN) {
		t->sig.blocked &= ~SIG_BIT(signo);
		ps->action[signo - 1].handler = SIG_DFL;
	}
	if (ps->action[signo - 1].handler == SIG_DFL) {
		spin_unlock(&ps->lock, f);
		printk(LOG_INFO, "mote: %s killed by signal %d (rip %#lx, address %#lx)\n",
		       current_process() == init_process ? "program" : "process", signo, tf->rip,
		       addr);
		task_exit_group(signo);
	}
	if (send_locked(t->proc, t, signo, &info))
		signal_die(signo); /* could not queue it: out of memory */
	spin_unlock(&ps->lock, f);
}

void signal_exec_reset(void)
{
	struct proc_signals *ps = &current_process()->sig;
	struct task *t = current_task();
	uint64_t f = spin_lock(&ps->lock);

	/* Handlers do not survive the old program; ignored signals stay ignored. The mask and
	 * the pending signals are kept. */
	for (int i = 0; i < NSIG; i++) {
		if (ps->action[i].handler > SIG_IGN)
			ps->action[i].handler = SIG_DFL;
		ps->action[i].flags = 0;
		ps->action[i].mask = 0;
		ps->action[i].restorer = 0;
	}
	t->sig.ss_sp = 0;
	t->sig.ss_size = 0;
	t->sig.ss_flags = SS_DISABLE;
	spin_unlock(&ps->lock, f);
	ptimer_exec();
}

/* Temporary wait masks (ppoll, pselect6, epoll_pwait, sigsuspend): see signal.h. */
void signal_wait_mask_begin(uint64_t mask)
{
	struct task *t = current_task();

	t->sig.saved_mask = t->sig.blocked;
	signal_set_blocked(mask);
}

void signal_wait_mask_end(bool interrupted)
{
	struct task *t = current_task();

	if (interrupted && signal_pending())
		t->sig.restore_mask = true;
	else
		signal_set_blocked(t->sig.saved_mask);
}
