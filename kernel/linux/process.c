/* process.c: the process tree (process.h): the table, fork/vfork, a process's end, wait,
 * process groups and sessions, kill's targets. */
#include "linux/process.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "core/mm/vm.h"
#include "core/sched/sched.h"
#include "core/time.h"
#include "core/uaccess.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "linux/mm.h"
#include "linux/pidfd.h"
#include "linux/signal_stop.h"
#include "linux/task.h"
#include "linux/tty_proc.h"

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PIDFD 0x00001000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_NAMESPACES 0x7e020000 /* CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, ... */
#define CSIGNAL 0xff

static struct spinlock table_lock = SPINLOCK_INIT;
static struct list table = LIST_INIT(table);

/* A vfork parent's wait, on its own stack: the child may be gone by the time it wakes. */
struct vfork_wait {
	struct waitq wq;
	bool done;
};

uint64_t process_lock(void)
{
	return spin_lock(&table_lock);
}

void process_unlock(uint64_t flags)
{
	spin_unlock(&table_lock, flags);
}

struct process *process_find(int pid)
{
	struct list *pos;

	list_for_each (pos, &table) {
		struct process *p = list_entry(pos, struct process, all);

		if (p->pid == pid)
			return p;
	}
	return NULL;
}

struct process *process_next(struct process *p)
{
	struct list *next = p ? p->all.next : table.next;

	return next == &table ? NULL : list_entry(next, struct process, all);
}

long process_next_pid(long from)
{
	uint64_t f = process_lock();
	struct list *pos;
	long best = -1;

	list_for_each (pos, &table) {
		long pid = list_entry(pos, struct process, all)->pid;

		if (pid >= from && (best < 0 || pid < best))
			best = pid;
	}
	process_unlock(f);
	return best;
}

struct process *process_get(int pid)
{
	uint64_t f = process_lock();
	struct process *p = process_find(pid);

	if (p)
		__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
	process_unlock(f);
	return p;
}

int process_ids(struct process *p, struct process_ids *ids)
{
	uint64_t f = process_lock();
	int r = p->state == PROC_REAPED ? -ESRCH : 0;

	if (!r) {
		ids->ppid = p->parent ? p->parent->pid : 0;
		ids->pgid = p->pgid;
		ids->sid = p->sid;
		ids->state = p->state;
	}
	process_unlock(f);
	return r;
}

struct mm *process_mm(struct process *p)
{
	struct mm *mm;

	mutex_lock(&p->lock);
	mm = p->mm;
	if (mm)
		mm_get(mm);
	mutex_unlock(&p->lock);
	return mm;
}

struct process *process_alloc(void)
{
	struct process *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->refs = 1;
	mutex_init(&p->lock);
	list_init(&p->tasks);
	list_init(&p->children);
	list_init(&p->sibling);
	list_init(&p->all);
	signal_init_process(&p->sig);
	ptimers_init(&p->timers);
	spin_init(&p->child_lock);
	waitq_init(&p->child_wq);
	p->exit_signal = SIGCHLD;
	p->state = PROC_LIVE;
	return p;
}

void process_add(struct process *p, struct process *parent)
{
	uint64_t f = process_lock();

	list_add_tail(&table, &p->all);
	p->parent = parent;
	if (parent)
		list_add_tail(&parent->children, &p->sibling);
	process_unlock(f);
}

/* Free a process out of the table (reaped, or never entered) with its last reference. */
static void process_free(struct process *p)
{
	signal_exit_process(p);
	kfree(p->exe);
	kfree(p);
}

void process_put(struct process *p)
{
	if (!__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		process_free(p);
}

/* Let a vfork parent go on (the child execs or ends). */
static void release_vfork(struct process *p)
{
	uint64_t f = process_lock();
	struct vfork_wait *vw = p->vfork;

	if (vw) {
		p->vfork = NULL;
		vw->done = true;
		waitq_wake_all(&vw->wq);
	}
	process_unlock(f);
}

/* The child's copy of what the parent's threads share (all but threads, memory, files). */
static void copy_state(struct process *p, struct process *parent)
{
	p->umask = parent->umask;
	memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
	p->no_new_privs = parent->no_new_privs;
	p->arg_start = parent->arg_start;
	p->arg_end = parent->arg_end;
	p->env_start = parent->env_start;
	p->env_end = parent->env_end;
	memcpy(p->auxv, parent->auxv, sizeof(p->auxv));
	p->start_ns = time_ns();
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	mutex_lock(&parent->lock);
	p->cwd = parent->cwd;
	vfs_dentry_get(p->cwd);
	if (parent->exe) {
		size_t n = strlen(parent->exe) + 1;

		p->exe = kmalloc(n);
		if (p->exe)
			memcpy(p->exe, parent->exe, n);
	}
	mutex_unlock(&parent->lock);
	signal_fork(p, parent);
}

/* Undo a child that never ran. */
static void discard(struct process *p)
{
	if (p->fdt)
		fdtable_free(p->fdt);
	if (p->mm)
		mm_put(p->mm);
	vfs_dentry_put(p->cwd);
	process_free(p);
}

long process_clone(uint64_t flags, uint64_t newsp, int *ptid, int *ctid, uint64_t tls)
{
	struct process *parent = current_process(), *p;
	struct task *me = current_task(), *t;
	struct trapframe tf = *me->tf;
	struct vfork_wait vw;
	uint64_t f;
	void *fpu;
	int err, pid;

	if (flags & (CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | CLONE_NAMESPACES)) {
		printk(LOG_INFO,
		       "mote: clone(%#lx): shared files or namespaces for a new process "
		       "are not supported (EINVAL)\n",
		       flags);
		return -EINVAL;
	}
	if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
		return -EPERM;
	p = process_alloc();
	if (!p)
		return -EAGAIN;
	copy_state(p, parent);
	p->exit_signal = (int)(flags & CSIGNAL);
	if (flags & CLONE_VM) {
		mm_get(parent->mm);
		p->mm = parent->mm;
	} else {
		p->mm = mm_fork(parent->mm);
	}
	p->fdt = fdtable_copy(parent->fdt);
	fpu = p->mm && p->fdt ? fpu_alloc(true) : NULL;
	if (!fpu) {
		discard(p);
		return -ENOMEM;
	}
	tf.rax = 0;
	if (newsp)
		tf.rsp = newsp;
	pid = task_new_tid();
	p->pid = pid;
	t = task_create_thread(p, &tf, flags & CLONE_SETTLS ? tls : current_thread()->fsbase, fpu,
			       pid, &err);
	if (!t) {
		fpu_free(fpu);
		discard(p);
		return err;
	}
	t->sig.blocked = me->sig.blocked;
	t->sig.ss_sp = me->sig.ss_sp;
	t->sig.ss_size = me->sig.ss_size;
	t->sig.ss_flags = me->sig.ss_flags;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = (uint32_t *)ctid;
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = ctid;
	memcpy(t->thread->name, current_thread()->name, sizeof(t->thread->name));
	if ((flags & CLONE_PARENT_SETTID) && put_user(pid, ptid))
		printk(LOG_INFO, "mote: clone: bad parent tid pointer\n");
	if (flags & CLONE_VFORK) {
		waitq_init(&vw.wq);
		vw.done = false;
		p->vfork = &vw;
	}
	process_add(p, (flags & CLONE_PARENT) && parent->parent ? parent->parent : parent);
	f = process_lock(); /* (under the lock: a hang-up forgets every copy of the pointer) */
	p->ctty = parent->ctty;
	process_unlock(f);
	task_start(t);
	if (flags & CLONE_VFORK) {
		f = process_lock();
		while (!vw.done)
			(void)waitq_sleep(&vw.wq, &table_lock, 0);
		process_unlock(f);
	}
	return pid;
}

int process_exec_mm(void)
{
	struct process *p = current_process();
	struct mm *old = p->mm, *n;

	if (__atomic_load_n(&old->users, __ATOMIC_ACQUIRE) == 1) {
		mm_clear();
	} else {
		n = mm_create(false);
		if (!n)
			return -ENOMEM;
		mutex_lock(&p->lock);
		p->mm = n;
		mutex_unlock(&p->lock);
		sched_set_root(V2P(n->pgd));
		mm_put(old);
	}
	p->did_exec = true;
	release_vfork(p);
	return 0;
}

/* Does the process ignore its children's ends (SIGCHLD ignored, or SA_NOCLDWAIT)? Then a
 * child is freed at once rather than left a zombie. */
static bool reaps_itself(struct process *parent)
{
	const struct k_sigaction *a = &parent->sig.action[SIGCHLD - 1];

	return a->handler == SIG_IGN || (a->flags & SA_NOCLDWAIT);
}

/* Tell p's parent it ended (table lock held): exit_signal with its status, as Linux fills
 * SIGCHLD's siginfo. */
static void tell_parent(struct process *p)
{
	struct k_siginfo info = { .signo = p->exit_signal };
	bool killed = p->wstatus & 0x7f;
	uint64_t cpu_ticks = p->dead_cpu_ns / 10000000; /* clock ticks of 10 ms */

	info.code = killed ? CLD_KILLED : CLD_EXITED;
	info.fields[0] = (uint32_t)p->pid; /* si_pid, si_uid 0 */
	info.fields[1] = (uint32_t)(killed ? p->wstatus & 0x7f : (p->wstatus >> 8) & 0xff);
	info.fields[2] = cpu_ticks; /* si_utime */
	if (p->exit_signal)
		(void)signal_send_process(p->parent, NULL, p->exit_signal, &info);
}

/* Under the table's lock: a child of p changed state; wake p's waits. */
static void child_changed(struct process *p)
{
	spin_lock_raw(&p->child_lock);
	p->child_events++;
	waitq_wake_all(&p->child_wq);
	spin_unlock_raw(&p->child_lock);
}

void process_job_notify(struct process *p)
{
	uint64_t f = process_lock();
	struct process *parent = p->parent;
	int why, sig;
	bool quiet;

	spin_lock_raw(&p->sig.lock);
	why = p->sig.cld_notify;
	sig = why == CLD_STOPPED ? p->sig.stop_sig : SIGCONT;
	p->sig.cld_notify = 0;
	spin_unlock_raw(&p->sig.lock);
	if (why && parent && p->state == PROC_LIVE) {
		struct k_siginfo info = { .signo = SIGCHLD, .code = why };

		info.fields[0] = (uint32_t)p->pid; /* si_pid, si_uid 0 */
		info.fields[1] = (uint32_t)sig;	   /* si_status */
		spin_lock_raw(&parent->sig.lock);
		quiet = parent->sig.action[SIGCHLD - 1].flags & SA_NOCLDSTOP;
		spin_unlock_raw(&parent->sig.lock);
		if (!quiet)
			(void)signal_send_process(parent, NULL, SIGCHLD, &info);
		child_changed(parent);
	}
	process_unlock(f);
}

void process_exit_last(struct process *p)
{
	struct process *init = init_process;
	struct list *pos, *tmp;
	bool reap = false, orphaned_zombie = false;
	struct fdtable *fdt;
	struct dentry *cwd;
	struct mm *mm;
	uint64_t f;

	ptimers_exit();
	/* Out of the process under its lock (procfs looks at them under it), then let go. */
	mutex_lock(&p->lock);
	fdt = p->fdt;
	p->fdt = NULL;
	cwd = p->cwd;
	p->cwd = NULL;
	mutex_unlock(&p->lock);
	fdtable_free(fdt); /* pipes closed: readers see the end */
	vfs_dentry_put(cwd);
	tty_proc_exit(p);	   /* a session leader's terminal leaves the session */
	sched_set_root(vm_root()); /* off the address space before it goes */
	mutex_lock(&p->lock);
	mm = p->mm;
	p->mm = NULL;
	mutex_unlock(&p->lock);
	mm_put(mm);
	release_vfork(p);
	f = process_lock();
	list_for_each_safe (pos, tmp, &p->children) {
		struct process *c = list_entry(pos, struct process, sibling);

		list_del(&c->sibling);
		c->parent = init;
		list_add_tail(&init->children, &c->sibling);
		orphaned_zombie |= c->state == PROC_ZOMBIE;
		if (c->pdeathsig && c->state == PROC_LIVE)
			(void)signal_send_process(c, NULL, c->pdeathsig, NULL);
	}
	if (orphaned_zombie)
		child_changed(init);
	p->state = PROC_ZOMBIE;
	if (p->exit_signal == SIGCHLD && reaps_itself(p->parent)) {
		list_del(&p->sibling);
		list_del(&p->all);
		p->state = PROC_REAPED;
		reap = true;
	} else {
		tell_parent(p);
	}
	child_changed(p->parent);
	process_unlock(f);
	pidfd_exited();
	if (reap)
		process_put(p); /* the table's reference */
}

/* Is child c one that wait(idtype, id, options) of its parent asks about? */
static bool selected(const struct process *c, int idtype, int id, int options)
{
	bool clone_child = c->exit_signal != SIGCHLD;

	if (!(options & WALL) && clone_child != !!(options & WCLONE))
		return false;
	switch (idtype) {
	case P_PID:
		return c->pid == id;
	case P_PGID:
		return c->pgid == id;
	default:
		return true;
	}
}

/* Called with the table's lock (flags f), which it drops: sleep until a child of me changes
 * state after that look at the table, or a signal comes (-EINTR). */
static int sleep_for_child(struct process *me, uint64_t f)
{
	uint64_t seen = me->child_events;
	int r = 0;

	spin_lock_raw(&me->child_lock);
	spin_unlock_raw(&table_lock);
	if (signal_pending())
		r = -EINTR;
	else if (me->child_events == seen)
		r = waitq_sleep(&me->child_wq, &me->child_lock, 0) == -EINTR ? -EINTR : 0;
	spin_unlock(&me->child_lock, f);
	return r;
}

int process_wait(int idtype, int id, int options, struct wait_result *res)
{
	struct process *me = current_process(), *found = NULL;
	struct list *pos;
	uint64_t f = process_lock();
	int job = 0, jobsig = 0;

	for (;;) {
		bool any = false;

		list_for_each (pos, &me->children) {
			struct process *c = list_entry(pos, struct process, sibling);

			if (!selected(c, idtype, id, options))
				continue;
			any = true;
			if (c->state == PROC_ZOMBIE) {
				if (!(options & WEXITED))
					continue;
				found = c;
				break;
			}
			if (options & (WUNTRACED | WCONTINUED))
				job = signal_stop_report(c, options & WUNTRACED,
							 options & WCONTINUED, !(options & WNOWAIT),
							 &jobsig);
			if (job) {
				found = c;
				break;
			}
		}
		if (found)
			break;
		if (!any) {
			process_unlock(f);
			return -ECHILD;
		}
		if (options & WNOHANG) {
			process_unlock(f);
			memset(res, 0, sizeof(*res));
			return 0;
		}
		if (sleep_for_child(me, f))
			return -EINTR;
		f = process_lock();
	}
	res->pid = found->pid;
	if (job) { /* stopped or continued: it stays a child */
		res->wstatus = job == CLD_STOPPED ? jobsig << 8 | 0x7f : 0xffff;
		res->code = job;
		res->status = jobsig;
		res->cpu_ns = 0;
		process_unlock(f);
		return 0;
	}
	res->wstatus = found->wstatus;
	res->code = (found->wstatus & 0x7f) ? CLD_KILLED : CLD_EXITED;
	res->status =
		res->code == CLD_KILLED ? found->wstatus & 0x7f : (found->wstatus >> 8) & 0xff;
	res->cpu_ns = found->dead_cpu_ns + found->child_cpu_ns;
	if (options & WNOWAIT) {
		process_unlock(f);
		return 0;
	}
	list_del(&found->sibling);
	list_del(&found->all);
	found->state = PROC_REAPED;
	me->child_cpu_ns += res->cpu_ns;
	process_unlock(f);
	process_put(found); /* the table's reference */
	return 0;
}

int process_kill_pgrp(int pgid, int sig, const struct k_siginfo *info)
{
	struct list *pos;
	uint64_t f = process_lock();
	int r = -ESRCH;

	list_for_each (pos, &table) {
		struct process *p = list_entry(pos, struct process, all);

		if (p->pgid == pgid) {
			int e = signal_send_process(p, NULL, sig, info);

			r = r == -ESRCH || !e ? e : r;
		}
	}
	process_unlock(f);
	return r;
}

int process_oom_kill(void)
{
	struct process *me = current_process(), *victim = NULL;
	struct list *pos;
	bool dying = false;
	uint64_t f;

	if (READ_ONCE(me->exiting)) /* on its way out: its own memory comes back */
		return -ESRCH;
	f = process_lock();
	list_for_each (pos, &table) { /* in creation order: the last one taken is the newest */
		struct process *p = list_entry(pos, struct process, all);

		if (p == me || p == init_process || p->state != PROC_LIVE)
			continue;
		if (READ_ONCE(p->exiting))
			dying = true;
		else
			victim = p;
	}
	if (dying)
		victim = NULL;
	if (victim) {
		printk(LOG_ERR, "mote: out of memory: process %d killed for process %d\n",
		       victim->pid, me->pid);
		(void)signal_send_process(victim, NULL, SIGKILL, NULL);
	}
	process_unlock(f);
	return victim ? 1 : dying ? 0 : -ESRCH;
}

int process_kill(int pid, int sig, const struct k_siginfo *info)
{
	struct process *me = current_process();
	struct list *pos;
	uint64_t f;
	int r = -ESRCH;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid == 0)
		return process_kill_pgrp(me->pgid, sig, info);
	if (pid < -1)
		return process_kill_pgrp(-pid, sig, info);
	f = process_lock();
	if (pid > 0) {
		struct process *p = process_find(pid);

		r = p ? signal_send_process(p, NULL, sig, info) : -ESRCH;
	} else {
		list_for_each (pos, &table) {
			struct process *p = list_entry(pos, struct process, all);

			if (p != me && p != init_process) {
				int e = signal_send_process(p, NULL, sig, info);

				r = r == -ESRCH || !e ? e : r;
			}
		}
		/* (Linux's kill(-1) reaches the caller too, but not pid 1) */
		if (me != init_process) {
			int e = signal_send_process(me, NULL, sig, info);

			r = r == -ESRCH || !e ? e : r;
		}
	}
	process_unlock(f);
	return r;
}

int process_pid_of_tid(int tid)
{
	struct list *pos;
	int pid = -1;
	uint64_t f = process_lock();

	list_for_each (pos, &table) {
		struct process *p = list_entry(pos, struct process, all);

		/* (signal 0: only whether p has the thread) */
		if (p->state == PROC_LIVE && !signal_send_tid(p, tid, 0, NULL)) {
			pid = p->pid;
			break;
		}
	}
	process_unlock(f);
	return pid;
}

int process_kill_tid(int tgid, int tid, int sig, struct k_siginfo *info)
{
	struct list *pos;
	uint64_t f;
	int r = -ESRCH;

	if (sig < 0 || sig > NSIG || tid <= 0)
		return -EINVAL;
	f = process_lock();
	list_for_each (pos, &table) {
		struct process *p = list_entry(pos, struct process, all);

		if ((tgid == -1 || p->pid == tgid) && p->state == PROC_LIVE) {
			r = signal_send_tid(p, tid, sig, info);
			if (r != -ESRCH)
				break;
		}
	}
	process_unlock(f);
	return r;
}

bool process_pgrp_orphaned(int pgid, int sid)
{
	struct list *pos;

	list_for_each (pos, &table) {
		struct process *p = list_entry(pos, struct process, all), *parent = p->parent;

		if (p->pgid == pgid && p->state == PROC_LIVE && parent && parent->pgid != pgid &&
		    parent->sid == sid)
			return false;
	}
	return true;
}

int process_getppid(void)
{
	struct process *me = current_process();
	uint64_t f = process_lock();
	int ppid = me->parent ? me->parent->pid : 0;

	process_unlock(f);
	return ppid;
}

/* The calling process (pid 0) or the process pid; NULL if none. Table lock held. */
static struct process *target(int pid)
{
	return pid ? process_find(pid) : current_process();
}

int process_getpgid(int pid)
{
	uint64_t f = process_lock();
	struct process *p = target(pid);
	int r = p ? p->pgid : -ESRCH;

	process_unlock(f);
	return r;
}

int process_getsid(int pid)
{
	uint64_t f = process_lock();
	struct process *p = target(pid);
	int r = p ? p->sid : -ESRCH;

	process_unlock(f);
	return r;
}

/* Is there a process in group pgid of session sid? Table lock held. */
static bool group_in_session(int pgid, int sid)
{
	struct list *pos;

	list_for_each (pos, &table) {
		struct process *p = list_entry(pos, struct process, all);

		if (p->pgid == pgid && p->sid == sid)
			return true;
	}
	return false;
}

int process_setpgid(int pid, int pgid)
{
	struct process *me = current_process(), *p;
	uint64_t f;
	int r = 0;

	if (pgid < 0)
		return -EINVAL;
	f = process_lock();
	p = target(pid);
	if (!p || (p != me && p->parent != me)) {
		r = -ESRCH;
	} else if (p->sid == p->pid || p->sid != me->sid) {
		r = -EPERM; /* a session leader, or a child in another session */
	} else if (p != me && p->did_exec) {
		r = -EACCES;
	} else {
		if (!pgid)
			pgid = p->pid;
		if (pgid != p->pid && !group_in_session(pgid, me->sid))
			r = -EPERM;
		else
			p->pgid = pgid;
	}
	process_unlock(f);
	return r;
}

int process_setsid(void)
{
	struct process *me = current_process();
	struct list *pos;
	uint64_t f = process_lock();
	int r = me->pid;

	list_for_each (pos, &table) {
		if (list_entry(pos, struct process, all)->pgid == me->pid) {
			r = -EPERM; /* already leads a group */
			break;
		}
	}
	if (r > 0) {
		me->sid = me->pid;
		me->pgid = me->pid;
		me->ctty = NULL;
	}
	process_unlock(f);
	return r;
}
