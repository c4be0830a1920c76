/* signal_stop.c: job control's stops and continues (signal_stop.h). */
#include "linux/signal_stop.h"
#include "core/sched/wait.h"
#include "lib/spinlock.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/task.h"

static bool killed(const struct task *t)
{
	return t->proc->exiting || (READ_ONCE(t->sig.pending) & SIG_BIT(SIGKILL));
}

/* One thread of p stopped or left: the group stop is complete when it was the last one the
 * stop waited for. Returns true if so (the parent is to be told). */
static bool stop_one(struct process *p)
{
	struct proc_signals *ps = &p->sig;

	if (ps->stop_count > 0)
		ps->stop_count--;
	if (ps->stop_count || ps->stopped || p->exiting)
		return false;
	ps->stopped = true;
	ps->stop_report = true;
	ps->cont_report = false;
	ps->cld_notify = CLD_STOPPED;
	return true;
}

void signal_stop_begin_locked(struct task *t, int sig)
{
	struct process *p = t->proc;
	struct proc_signals *ps = &p->sig;
	struct list *pos;

	if (p->exiting)
		return;
	if (!ps->stopped)
		ps->stop_sig = sig; /* (a late thread joining a stopped process keeps the first) */
	list_for_each (pos, &p->tasks) {
		struct task *u = list_entry(pos, struct task, node);

		if (u->sig.stop_pending || u->sig.stopped)
			continue;
		u->sig.stop_pending = true;
		ps->stop_count++;
		if (u != t)
			signal_kick(u);
	}
}

bool signal_stop_wanted(const struct task *t)
{
	if (killed(t))
		return false;
	return READ_ONCE(t->sig.stop_pending) ||
	       (READ_ONCE(t->proc->sig.stopped) && !READ_ONCE(t->sig.stopped));
}

/* Sleep while t stays stopped. The sleep is interruptible: SIGCONT and SIGKILL end it with
 * signal_kick (so does any signal sent meanwhile: t looks again and sleeps on). */
static void stop_sleep(struct task *t)
{
	struct proc_signals *ps = &t->proc->sig;
	struct spinlock lock = SPINLOCK_INIT;
	struct waitq wq;
	uint64_t f;

	waitq_init(&wq);
	for (;;) {
		bool stay;

		/* armed before the look: a kick after it makes the sleep end at once */
		waitq_arm_interrupt();
		f = spin_lock(&ps->lock);
		stay = t->sig.stopped && !killed(t);
		if (!stay)
			t->sig.stopped = false;
		spin_unlock(&ps->lock, f);
		if (!stay)
			break;
		f = spin_lock(&lock);
		(void)waitq_sleep(&wq, &lock, 0);
		spin_unlock(&lock, f);
	}
	waitq_disarm_interrupt();
}

void signal_stop(struct task *t, uint64_t f)
{
	struct process *p = t->proc;
	bool notify = false;

	if (killed(t)) {
		t->sig.stop_pending = false;
		spin_unlock(&p->sig.lock, f);
		return;
	}
	if (t->sig.stop_pending) {
		t->sig.stop_pending = false;
		notify = stop_one(p);
	}
	t->sig.stopped = true;
	spin_unlock(&p->sig.lock, f);
	if (notify)
		process_job_notify(p);
	stop_sleep(t);
	process_job_notify(p); /* a continue, if this thread is the first to wake */
}

void signal_stop_continue_locked(struct process *p)
{
	struct proc_signals *ps = &p->sig;
	struct list *pos;

	list_for_each (pos, &p->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		t->sig.stop_pending = false;
		t->sig.stop_dequeued = false;
		if (t->sig.stopped) {
			t->sig.stopped = false;
			signal_kick(t);
		}
	}
	ps->stop_count = 0;
	if (ps->stopped) {
		ps->stopped = false;
		ps->stop_report = false;
		ps->cont_report = true;
		ps->cld_notify = CLD_CONTINUED;
	}
}

void signal_stop_cancel_locked(struct process *p)
{
	struct proc_signals *ps = &p->sig;
	struct list *pos;

	list_for_each (pos, &p->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		t->sig.stop_pending = false;
	}
	ps->stop_count = 0;
	ps->stopped = false;
	ps->cld_notify = 0;
}

bool signal_stop_exit_task_locked(struct task *t)
{
	if (!t->sig.stop_pending)
		return false;
	t->sig.stop_pending = false;
	return stop_one(t->proc);
}

int signal_stop_report(struct process *p, bool stops, bool conts, bool take, int *sig)
{
	struct proc_signals *ps = &p->sig;
	uint64_t f = spin_lock(&ps->lock);
	int code = 0;

	if (stops && ps->stopped && ps->stop_report) {
		code = CLD_STOPPED;
		*sig = ps->stop_sig;
		if (take)
			ps->stop_report = false;
	} else if (conts && ps->cont_report) {
		code = CLD_CONTINUED;
		*sig = SIGCONT;
		if (take)
			ps->cont_report = false;
	}
	spin_unlock(&ps->lock, f);
	return code;
}
