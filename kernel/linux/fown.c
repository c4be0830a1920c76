/* fown.c: an open file's owner for signal-driven I/O, and the signal sent to it (fown.h). */
#include "linux/fown.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/spinlock.h"
#include "linux/process.h"
#include "linux/signal.h"
#include "linux/task.h"

#define POLLMSG 0x400
#define POLLRDBAND 0x080
#define POLLWRBAND 0x200

/* f->owner's fields change together under this (an owner is set rarely: one lock will do) */
static struct spinlock owner_lock = SPINLOCK_INIT;

/* si_band for each reason (POLL_IN first), as Linux's band_table */
static const uint32_t bands[] = {
	POLLIN | POLLRDNORM,		   /* POLL_IN */
	POLLOUT | POLLWRNORM | POLLWRBAND, /* POLL_OUT */
	POLLIN | POLLRDNORM | POLLMSG,	   /* POLL_MSG */
	POLLERR,			   /* POLL_ERR */
	POLLPRI | POLLRDBAND,		   /* POLL_PRI */
	POLLHUP | POLLERR,		   /* POLL_HUP */
};

/* Thread tid of any process (table lock held). */
static bool thread_exists(int tid)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		uint64_t f = spin_lock(&p->sig.lock);
		bool found = task_find(p, tid) != NULL;

		spin_unlock(&p->sig.lock, f);
		if (found)
			return true;
	}
	return false;
}

/* Whether id is a pid Linux would find (find_vpid): a process's, a thread's, a group's or a
 * session's. Pids are never reused here, so that is all there is to it. Table lock held. */
static bool id_in_use(int id)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p))
		if (p->pid == id || p->pgid == id || p->sid == id)
			return true;
	return thread_exists(id);
}

/* Whether the owner is still there to be signalled (Linux's pid_task on its pid type). */
static bool owner_alive(int type, int id)
{
	uint64_t f = process_lock();
	bool alive = false;

	if (type == F_OWNER_PID) {
		alive = process_find(id) != NULL;
	} else if (type == F_OWNER_PGRP) {
		for (struct process *p = process_next(NULL); p && !alive; p = process_next(p))
			alive = p->pgid == id;
	} else {
		alive = thread_exists(id);
	}
	process_unlock(f);
	return alive;
}

int fown_set(struct file *f, int type, int id)
{
	uint64_t fl;

	if (type != F_OWNER_TID && type != F_OWNER_PID && type != F_OWNER_PGRP)
		return -EINVAL;
	if (id) {
		bool found;

		fl = process_lock();
		found = id > 0 && id_in_use(id);
		process_unlock(fl);
		if (!found)
			return -ESRCH;
	}
	fl = spin_lock(&owner_lock);
	f->owner.type = type;
	f->owner.id = id;
	spin_unlock(&owner_lock, fl);
	return 0;
}

void fown_claim(struct file *f)
{
	uint64_t fl = spin_lock(&owner_lock);

	if (!f->owner.id) {
		f->owner.type = F_OWNER_PID;
		f->owner.id = current_process()->pid;
	}
	spin_unlock(&owner_lock, fl);
}

void fown_get_ex(struct file *f, int *type, int *id)
{
	uint64_t fl = spin_lock(&owner_lock);

	*type = f->owner.type;
	*id = f->owner.id;
	spin_unlock(&owner_lock, fl);
	if (*id && !owner_alive(*type, *id))
		*id = 0;
}

int fown_get(struct file *f)
{
	int type, id;

	fown_get_ex(f, &type, &id);
	return type == F_OWNER_PGRP ? -id : id;
}

int fown_set_sig(struct file *f, long sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	__atomic_store_n(&f->owner.sig, (int)sig, __ATOMIC_RELAXED);
	return 0;
}

int fown_get_sig(struct file *f)
{
	return __atomic_load_n(&f->owner.sig, __ATOMIC_RELAXED);
}

/* Send sig with info to the owner (type, id). */
static int send_to(int type, int id, int sig, struct k_siginfo *info)
{
	struct process *p;
	uint64_t fl;
	int r;

	if (type == F_OWNER_PGRP)
		return process_kill_pgrp(id, sig, info);
	if (type == F_OWNER_TID)
		return process_kill_tid(-1, id, sig, info);
	fl = process_lock();
	p = process_find(id);
	r = p ? signal_send_process(p, NULL, sig, info) : -ESRCH;
	process_unlock(fl);
	return r;
}

/* The signals whose si_code values mean something of their own (Linux's
 * sig_specific_sicodes): a POLL_* code would be ambiguous there. */
static bool own_codes(int sig)
{
	return sig == SIGILL || sig == SIGFPE || sig == SIGSEGV || sig == SIGBUS ||
	       sig == SIGTRAP || sig == SIGCHLD || sig == SIGIO || sig == SIGSYS;
}

void fown_send(struct file *f, int fd, int reason)
{
	struct k_siginfo info = { 0 };
	int type, id, sig = fown_get_sig(f);
	uint64_t fl = spin_lock(&owner_lock);

	type = f->owner.type;
	id = f->owner.id;
	spin_unlock(&owner_lock, fl);
	if (id <= 0)
		return;
	if (sig) {
		info.signo = sig;
		info.code = sig != SIGIO && own_codes(sig) ? SI_SIGIO : reason;
		info.fields[0] = bands[reason - POLL_IN];
		info.fields[1] = (uint32_t)fd; /* si_fd: the int after the long si_band */
		if (send_to(type, id, sig, &info) != -EAGAIN)
			return;
	}
	/* no signal chosen, or a real-time one that could not be queued: plain SIGIO */
	info = (struct k_siginfo){ .signo = SIGIO, .code = SI_KERNEL };
	(void)send_to(type, id, SIGIO, &info);
}
