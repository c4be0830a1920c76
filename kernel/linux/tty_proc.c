/* tty_proc.c: the terminals' view of processes (tty_proc.h, fs/tty_hooks.h). */
#include "linux/tty_proc.h"
#include "fs/ldisc_ioctl.h"
#include "fs/tty.h"
#include "fs/tty_hooks.h"
#include "lib/errno.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/task.h"

/* Signals from a terminal come from the kernel, as Linux's kill_pgrp(pgrp, sig, 1). */
static const struct k_siginfo from_tty = { .code = SI_KERNEL };

static void signal_pgrp(int pgrp, int sig)
{
	struct k_siginfo info = from_tty;
	int r;

	info.signo = sig;
	r = process_kill_pgrp(pgrp, sig, &info);
	(void)r; /* (-ESRCH: the group is gone, nobody to tell) */
}

static void ids(int *pgrp, int *sid, bool *leader)
{
	struct process *me = current_process();
	uint64_t f = process_lock();

	*pgrp = me->pgid;
	*sid = me->sid;
	*leader = me->sid == me->pid;
	process_unlock(f);
}

static int pgrp_session(int pgrp)
{
	uint64_t f = process_lock();
	int sid = -ESRCH;

	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		if (p->pgid == pgrp) {
			sid = p->sid;
			break;
		}
	}
	process_unlock(f);
	return sid;
}

static struct ldisc *get_ctty(void)
{
	uint64_t f = process_lock();
	struct ldisc *ld = current_process()->ctty;

	process_unlock(f);
	return ld;
}

/* Every process of session sid (all: 0) whose controlling terminal is ld (any: NULL) loses
 * it. Table lock held. */
static void forget(struct ldisc *ld, int sid)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p))
		if ((!ld || p->ctty == ld) && (!sid || p->sid == sid))
			p->ctty = NULL;
}

static void set_ctty(struct ldisc *ld)
{
	struct process *me = current_process();
	uint64_t f = process_lock();

	if (ld)
		me->ctty = ld;
	else if (me->sid == me->pid)
		forget(NULL, me->sid); /* a leader gives it up for its session */
	else
		me->ctty = NULL;
	process_unlock(f);
}

static void hangup(struct ldisc *ld, int sid)
{
	uint64_t f = process_lock();
	struct process *leader = sid ? process_find(sid) : NULL;

	forget(ld, 0);
	if (leader && leader->sid == sid && leader->state == PROC_LIVE) {
		struct k_siginfo info = from_tty;

		info.signo = SIGHUP;
		(void)signal_send_process(leader, NULL, SIGHUP, &info);
		info.signo = SIGCONT;
		(void)signal_send_process(leader, NULL, SIGCONT, &info);
	}
	process_unlock(f);
}

static int background(int sig)
{
	struct process *me = current_process();
	struct task *t = current_task();
	uint64_t f = spin_lock(&me->sig.lock);
	uint64_t h = me->sig.action[sig - 1].handler;
	/* (a stop signal pid 1 ignores by default counts as ignored: it could not stop it) */
	bool ignored = (t->sig.blocked & SIG_BIT(sig)) || h == SIG_IGN ||
		       (h == SIG_DFL && signal_default_ignored(me, sig));
	int pgrp;
	bool orphan;

	spin_unlock(&me->sig.lock, f);
	if (ignored)
		return sig == SIGTTIN ? -EIO : 0;
	f = process_lock();
	pgrp = me->pgid;
	orphan = process_pgrp_orphaned(pgrp, me->sid);
	process_unlock(f);
	if (orphan)
		return -EIO;
	signal_pgrp(pgrp, sig);
	return -EINTR;
}

static const struct tty_hooks proc_hooks = {
	.signal_pgrp = signal_pgrp,
	.ids = ids,
	.pgrp_session = pgrp_session,
	.get_ctty = get_ctty,
	.set_ctty = set_ctty,
	.hangup = hangup,
	.background = background,
};

void tty_proc_init(void)
{
	struct ldisc *console = tty_console_start(init_process->sid);
	uint64_t f = process_lock();

	init_process->ctty = console;
	process_unlock(f);
	tty_hooks_install(&proc_hooks);
}

void tty_proc_exit(struct process *p)
{
	uint64_t f;
	int fg = 0;

	if (p->pid != p->sid)
		return;
	f = process_lock();
	if (p->ctty) {
		fg = ldisc_leave_session(p->ctty, p->sid);
		forget(NULL, p->sid);
	}
	process_unlock(f);
	if (fg > 0)
		signal_pgrp(fg, SIGHUP);
}
