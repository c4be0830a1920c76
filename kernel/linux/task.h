/* task.h: the Linux view of threads and processes.
 *
 * The first program is pid 1 (init_process); fork, vfork and clone make more (process.h). Each
 * thread of a process is a kernel thread (core/sched/thread.h) whose `task` points to a struct
 * task: the Linux-level state of that thread. Kernel threads have task == NULL. The thread's
 * FPU save area, FS base and page-table root live in struct thread (the scheduler switches
 * them); everything else Linux-specific is here. The calling thread's process is
 * current_process(), never a global.
 *
 * Return to the application: every path back into application code (the end of a system
 * call, an interrupt or exception that interrupted application code) calls
 * task_return_work(tf) with the frame it will return with. It delivers pending signals
 * (signal.h) by editing tf; it returns true if it did, so the caller restores the whole frame.
 */
#ifndef MOTE_LINUX_TASK_H
#define MOTE_LINUX_TASK_H

#include "lib/types.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "arch/x86_64/percpu.h"
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "linux/signal.h"
#include "linux/timers.h"

struct trapframe;
struct fdtable;
struct dentry;
struct mm;
struct vfork_wait;
struct groups;
struct ldisc;

#define PID_INIT 1
#define NR_RLIMITS 16

struct rlimit64 {
	uint64_t cur, max;
};

/* One Linux thread. */
struct task {
	struct thread *thread;
	struct process *proc;
	struct trapframe *tf; /* the frame of the system call running now (NULL outside one) */
	int64_t syscall_nr;   /* its number (-1 after rt_sigreturn: nothing to restart) */
	int tid;
	uint32_t *
		clear_child_tid; /* set_tid_address, CLONE_CHILD_CLEARTID: 0 + futex wake at exit */
	int *set_child_tid;	 /* CLONE_CHILD_SETTID of a new process: written as it starts */
	uint64_t robust_list, robust_len;
	bool full_restore; /* a handler changed the frame beyond rax: return with every register */
	bool pagefault_disabled; /* a fault on application memory fails (-EFAULT) at once */
	struct task_signals sig; /* mask, pending, alternate stack (signal.h) */
	uint32_t *rseq; /* registered rseq area: cpu_id_start, cpu_id (updated on return) */
	uint32_t rseq_sig;
	int rseq_cpu;	  /* the CPU last written there */
	struct list node; /* in proc->tasks */
	/* Inherited by the threads and processes it makes (task_create_thread): */
	struct groups *groups; /* supplementary groups (groups.h): a reference; NULL: none */
	int nice;	       /* -20..19 (sys_sched.c: recorded; the scheduler treats all alike) */
	int sched_policy;      /* SCHED_OTHER, _FIFO, _RR, _BATCH, _IDLE */
	int sched_priority;    /* 1..99 under SCHED_FIFO and SCHED_RR, else 0 */
	bool sched_reset_on_fork; /* SCHED_RESET_ON_FORK: the new ones start as SCHED_OTHER */
};

/* The process: what its threads share. Another process (procfs) reaches it through a
 * reference (process_get) and its threads, files, cwd, mm and exe under its lock: fdt, cwd
 * and mm are NULL once it has ended. */
struct process {
	int pid;
	int refs;	   /* the table's (until reaped), process_get's */
	struct mutex lock; /* tasks, fdt, cwd, mm, exe, comm; not held across sleeps */
	struct list tasks; /* struct task.node */
	int ntasks;
	struct fdtable *fdt;
	struct dentry *cwd; /* a reference */
	uint32_t umask;
	struct mm *mm;
	char *exe;     /* absolute path of the running executable (kmalloc'd) */
	char comm[16]; /* its main thread's name once that thread has ended (procfs) */
	uint64_t arg_start, arg_end, env_start, env_end; /* on the initial stack (procfs) */
	uint64_t auxv[64]; /* a copy of the auxiliary vector (procfs), AT_NULL-terminated */
	struct rlimit64 rlim[NR_RLIMITS];
	struct proc_signals sig; /* actions, process-directed pending signals (signal.h) */
	struct ptimers timers;	 /* POSIX and interval timers (timers.h) */
	uint64_t start_ns;	 /* time_ns() at exec */
	uint64_t dead_cpu_ns;	 /* CPU time of the threads that have exited */
	uint64_t child_cpu_ns;	 /* CPU time of the children it has waited for */
	int pdeathsig;		 /* prctl(PR_SET_PDEATHSIG): sent when the parent ends */
	bool no_new_privs;
	/* The process tree (process.c), under its table's lock: */
	struct process *parent; /* NULL for pid 1 */
	struct list children;	/* struct process.sibling */
	struct list sibling;
	struct list all; /* in the process table */
	int pgid, sid;
	int exit_signal; /* sent to the parent when it ends (SIGCHLD; clone's low byte) */
	int state;	 /* PROC_LIVE, PROC_ZOMBIE, PROC_REAPED (out of the table) */
	int wstatus;	 /* how it ended, as wait reports it (code << 8, or the signal) */
	bool exiting;	 /* a group exit is under way: its threads leave (sig.lock) */
	bool did_exec;	 /* it ran execve (setpgid then refuses its parent: EACCES) */
	/* The controlling terminal (linux/tty_proc.h), or NULL; under the table's lock. */
	struct ldisc *ctty;
	/* wait4/waitid sleep on child_wq under child_lock, not the process table's lock, which
	 * signal senders hold (an interrupted sleep takes its lock). child_events counts the
	 * changes of state of its children (under both locks), so none is missed between a
	 * look at the table and the sleep. Lock order: the table's, then child_lock. */
	struct spinlock child_lock;
	struct waitq child_wq;
	uint64_t child_events;
	struct vfork_wait *vfork; /* its vfork parent's wait, until it execs or ends */
};

#define PROC_LIVE 0
#define PROC_ZOMBIE 1
#define PROC_REAPED 2

/* pid 1: the first program. Its end is the VM's end. */
extern struct process *init_process;

static inline struct task *current_task(void)
{
	return current_thread()->task;
}

/* The calling thread's process (an application thread's: never called on a kernel thread). */
static inline struct process *current_process(void)
{
	return current_task()->proc;
}

/* Create pid 1 and its first task on the calling kernel thread (the program's). */
int task_init_process(void) __must_check;
/* A new tid (pids are the tids of first threads, as in Linux). */
int task_new_tid(void);
/*
 * A new thread of process p (clone; fork's child for a new process): a kernel thread that
 * will enter the application with tf (a copy is taken). fpu: the new thread's FPU area
 * (ownership passes). tid: its id, or 0 for a fresh one. Returns the task (not running yet:
 * task_start) or NULL with *err set.
 */
struct task *task_create_thread(struct process *p, const struct trapframe *tf, uint64_t fsbase,
				void *fpu, int tid, int *err);
void task_start(struct task *t);
/* End the calling application thread (exit): clear_child_tid, robust futexes, free. The last
 * one ends the process: with `code` as its exit status, unless a group exit set one. */
void task_exit(int code) __noreturn;
/* End the calling thread's whole process (exit_group, fatal signals) with wstatus as wait
 * reports it (code << 8, or the signal number). For pid 1 this ends the VM, with status
 * code or 128 + signal, once the network has sent what it holds (net_drain, a second at
 * most); another process's other threads leave and it becomes a zombie for its parent. */
void task_exit_group(int wstatus) __noreturn;
/* pid 1 ended (wstatus as above): the VM ends with its status. Any context. */
void task_end_vm(int wstatus) __noreturn;
/* Write the current CPU into t's rseq area; 0 or -EFAULT. */
int rseq_update(struct task *t);
/* Return-to-application work (see the top of this file). */
bool task_return_work(struct trapframe *tf);
/* The task with tid in p, or NULL (caller holds p->lock or p->sig.lock). */
struct task *task_find(struct process *p, int tid);

#endif /* MOTE_LINUX_TASK_H */
