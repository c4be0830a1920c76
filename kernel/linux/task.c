/* task.c: threads of processes: pid 1's creation, a thread's creation (clone) and exit, a
 * process's group exit, and the return-to-application work. The process tree (fork, wait)
 * is process.c's. */
#include "linux/task.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "core/panic.h"
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/time.h"
#include "fs/file.h"
#include "fs/mounts.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "linux/futex.h"
#include "linux/groups.h"
#include "linux/mm.h"
#include "linux/process.h"
#include "linux/signal_stop.h"
#include "core/mm/vm.h"
#include "core/uaccess.h"
#include "net/netif.h"

void arch_user_return(const struct trapframe *tf) __noreturn;

struct process *init_process;
static int next_tid = PID_INIT;

static const struct rlimit64 default_rlimits[NR_RLIMITS] = {
	[0] = { ~0UL, ~0UL },		/* CPU */
	[1] = { ~0UL, ~0UL },		/* FSIZE */
	[2] = { ~0UL, ~0UL },		/* DATA */
	[3] = { MM_STACK_SIZE, ~0UL },	/* STACK */
	[4] = { 0, ~0UL },		/* CORE */
	[5] = { ~0UL, ~0UL },		/* RSS */
	[6] = { 4096, 4096 },		/* NPROC */
	[7] = { 1024, FD_MAX },		/* NOFILE: raise to FD_MAX with setrlimit */
	[8] = { 8UL << 20, 8UL << 20 }, /* MEMLOCK */
	[9] = { ~0UL, ~0UL },		/* AS */
	[10] = { ~0UL, ~0UL },		/* LOCKS */
	[11] = { 4096, 4096 },		/* SIGPENDING */
	[12] = { 819200, 819200 },	/* MSGQUEUE */
	[13] = { 0, 0 },		/* NICE */
	[14] = { 0, 0 },		/* RTPRIO */
	[15] = { ~0UL, ~0UL },		/* RTTIME */
};

int task_new_tid(void)
{
	return __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
}

static struct task *task_alloc(struct thread *th, struct process *p)
{
	struct task *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->thread = th;
	t->proc = p;
	list_init(&t->node);
	signal_init_task(&t->sig);
	return t;
}

/* What a new thread or process takes from the task that makes it (sched(7) for
 * SCHED_RESET_ON_FORK: no real-time policy, no negative nice). */
static void inherit(struct task *t, const struct task *from)
{
	if (!from)
		return;
	t->groups = groups_get(from->groups);
	t->thread->allowed = from->thread->allowed;
	t->nice = from->nice;
	t->sched_policy = from->sched_policy;
	t->sched_priority = from->sched_priority;
	if (from->sched_reset_on_fork) {
		if (t->sched_priority) {
			t->sched_policy = 0; /* SCHED_OTHER */
			t->sched_priority = 0;
		}
		t->nice = MAX(t->nice, 0);
	}
}

int task_init_process(void)
{
	struct thread *th = current_thread();
	struct process *p = process_alloc();
	struct task *t;

	if (!p)
		return -ENOMEM;
	init_process = p;
	memcpy(p->rlim, default_rlimits, sizeof(p->rlim));
	p->umask = 022;
	p->cwd = vfs_root;
	vfs_dentry_get(vfs_root);
	p->fdt = fdtable_alloc();
	p->mm = mm_create(true);
	if (!p->mm || !p->fdt)
		return -ENOMEM;
	t = task_alloc(th, p);
	if (!t)
		return -ENOMEM;
	th->fpu = fpu_alloc(false);
	if (!th->fpu) {
		kfree(t);
		return -ENOMEM;
	}
	t->tid = task_new_tid();
	p->pid = p->pgid = p->sid = t->tid;
	list_add_tail(&p->tasks, &t->node);
	p->ntasks = 1;
	th->cr3 = V2P(p->mm->pgd);
	th->task = t;
	process_add(p, NULL);
	return 0;
}

static void thread_entry(void *arg)
{
	struct trapframe *stf = arg, tf = *stf;
	struct task *t = current_task();

	kfree(stf);
	/* A new process's CLONE_CHILD_SETTID: written in its own address space. */
	if (t->set_child_tid && put_user(t->tid, t->set_child_tid))
		printk(LOG_INFO, "mote: clone: bad child tid pointer\n");
	t->set_child_tid = NULL;
	arch_user_return(&tf);
}

struct task *task_create_thread(struct process *p, const struct trapframe *tf, uint64_t fsbase,
				void *fpu, int tid, int *err)
{
	struct trapframe *stf = kmalloc(sizeof(*stf));
	struct thread *th;
	struct task *t;
	uint64_t f;

	*err = -ENOMEM;
	if (!stf)
		return NULL;
	*stf = *tf;
	th = thread_alloc("app", thread_entry, stf, THREAD_ANY_CPU);
	if (!th) {
		kfree(stf);
		return NULL;
	}
	t = task_alloc(th, p);
	if (!t) {
		kfree(stf);
		th->detached = true;
		th->state = THREAD_DEAD;
		thread_reap(th);
		return NULL;
	}
	th->detached = true;
	th->task = t;
	inherit(t, current_task());
	th->fpu = fpu;
	th->fsbase = fsbase;
	th->cr3 = V2P(p->mm->pgd);
	mutex_lock(&p->lock);
	t->tid = tid ? tid : task_new_tid();
	f = spin_lock(&p->sig.lock); /* signal.c walks the list under it */
	list_add_tail(&p->tasks, &t->node);
	spin_unlock(&p->sig.lock, f);
	p->ntasks++;
	mutex_unlock(&p->lock);
	*err = 0;
	return t;
}

void task_start(struct task *t)
{
	sched_start(t->thread);
}

struct task *task_find(struct process *p, int tid)
{
	struct list *pos;

	list_for_each (pos, &p->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		if (t->tid == tid)
			return t;
	}
	return NULL;
}

#define EXIT_DRAIN_NS (1000 * NSEC_PER_MSEC) /* the longest the network holds up an exit */
#define FUTEX_OWNER_DIED 0x40000000
#define FUTEX_TID_MASK 0x3fffffff
#define ROBUST_LIST_LIMIT 2048

/* Mark the robust futexes the thread still holds as owner-died and wake a waiter of each. */
static void robust_release(struct task *t)
{
	uint64_t head = t->robust_list, entry, next;
	int64_t off;
	uint64_t pending;

	if (!head || copy_from_user(&entry, (void *)head, 8) ||
	    copy_from_user(&off, (void *)(head + 8), 8) ||
	    copy_from_user(&pending, (void *)(head + 16), 8))
		return;
	for (int n = 0; entry != head && n < ROBUST_LIST_LIMIT; n++) {
		uint32_t *word = (uint32_t *)(entry + (uint64_t)off), val;

		if (copy_from_user(&next, (void *)entry, 8))
			return;
		if (entry != pending && !get_user(val, word) &&
		    (val & FUTEX_TID_MASK) == (uint32_t)t->tid) {
			uint32_t old = val;

			if (!arch_cmpxchg_user32(word, &old,
						 (val & ~FUTEX_TID_MASK) | FUTEX_OWNER_DIED) &&
			    old == val)
				(void)ufutex_wake(word, 1);
		}
		entry = next;
	}
}

void task_exit(int code)
{
	struct task *t = current_task();
	struct thread *th = current_thread();
	struct process *p = t->proc;
	uint64_t f;
	bool last, stop_done;

	robust_release(t);
	if (t->clear_child_tid) {
		if (!put_user(0u, t->clear_child_tid))
			(void)ufutex_wake(t->clear_child_tid, 1);
	}
	if (p == init_process && p->ntasks == 1)
		task_end_vm((code & 0xff) << 8); /* (its state stays for the last words) */
	mutex_lock(&p->lock);
	p->dead_cpu_ns += sched_runtime_tsc(th) * 1000000ULL / time_tsc_khz();
	if (t->tid == p->pid) /* the process keeps its name (procfs) */
		memcpy(p->comm, th->name, sizeof(p->comm));
	f = spin_lock(&p->sig.lock);
	list_del(&t->node);
	signal_exit_task_locked(t);
	last = --p->ntasks == 0;
	if (last && !p->exiting) {
		p->exiting = true;
		p->wstatus = (code & 0xff) << 8;
	}
	stop_done = signal_stop_exit_task_locked(t); /* the group stop waited for it */
	spin_unlock(&p->sig.lock, f);
	mutex_unlock(&p->lock);
	if (stop_done)
		process_job_notify(p);
	if (last)
		process_exit_last(p); /* (the thread runs on the kernel's page table from here) */
	th->task = NULL;
	groups_put(t->groups);
	kfree(t);
	thread_exit(code);
}

void task_exit_group(int wstatus)
{
	struct process *p = current_process();
	struct list *pos;
	uint64_t f;

	if (p == init_process)
		task_end_vm(wstatus);
	f = spin_lock(&p->sig.lock);
	if (!p->exiting) {
		p->exiting = true;
		p->wstatus = wstatus;
	}
	list_for_each (pos, &p->tasks) {
		struct task *t = list_entry(pos, struct task, node);

		if (t != current_task())
			(void)signal_kill_task_locked(t);
	}
	spin_unlock(&p->sig.lock, f);
	task_exit(0);
}

void task_end_vm(int wstatus)
{
	int status = (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;

	net_drain(time_ns() + EXIT_DRAIN_NS); /* the connections' last bytes and FINs */
	(void)mounts_sync(true);	      /* the disks left clean for the host */
	kernel_exit(status);
}

int rseq_update(struct task *t)
{
	uint32_t cpu[2] = { this_cpu()->id, this_cpu()->id };

	if (copy_to_user(t->rseq, cpu, sizeof(cpu)))
		return -EFAULT;
	t->rseq_cpu = (int)cpu[0];
	return 0;
}

bool task_return_work(struct trapframe *tf)
{
	struct task *t = current_task();

	if (t->rseq && t->rseq_cpu != (int)this_cpu()->id)
		(void)rseq_update(t);
	return signal_deliver(tf);
}
