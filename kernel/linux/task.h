/* task.h: the Linux view of threads and of the one process.
 *
 * Mote runs one process (pid 1). Each of its threads is a kernel thread (core/sched/thread.h)
 * whose `task` points to a struct task: the Linux-level state of that thread. Kernel threads
 * have task == NULL. The thread's FPU save area and FS base live in struct thread (the
 * scheduler switches them); everything else Linux-specific is here.
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

struct trapframe;
struct fdtable;
struct dentry;
struct mm;

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
	uint64_t robust_list, robust_len;
	bool full_restore; /* a handler changed the frame beyond rax: return with every register */
	bool pagefault_disabled; /* a fault on application memory fails (-EFAULT) at once */
	struct task_signals sig; /* mask, pending, alternate stack (signal.h) */
	uint32_t *rseq; /* registered rseq area: cpu_id_start, cpu_id (updated on return) */
	uint32_t rseq_sig;
	int rseq_cpu;	  /* the CPU last written there */
	struct list node; /* in proc->tasks */
};

/* The process: what its threads share. */
struct process {
	int pid;
	struct mutex lock; /* tasks, cwd, exe; not held across sleeps */
	struct list tasks; /* struct task.node */
	int ntasks;
	struct fdtable *fdt;
	struct dentry *cwd; /* a reference */
	uint32_t umask;
	struct mm *mm;
	char *exe; /* absolute path of the running executable (kmalloc'd) */
	uint64_t arg_start, arg_end, env_start, env_end; /* on the initial stack (procfs) */
	uint64_t auxv[64]; /* a copy of the auxiliary vector (procfs), AT_NULL-terminated */
	struct rlimit64 rlim[NR_RLIMITS];
	struct proc_signals sig; /* actions, process-directed pending signals (signal.h) */
	uint64_t start_ns;	 /* time_ns() at exec */
	uint64_t dead_cpu_ns;	 /* CPU time of the threads that have exited */
	int pdeathsig;		 /* prctl(PR_SET_PDEATHSIG): kept, never sent (no parent) */
	bool no_new_privs;
};

extern struct process *init_process;

static inline struct task *current_task(void)
{
	return current_thread()->task;
}

/* Create the process and its first task on the calling kernel thread (the program's). */
int task_init_process(void) __must_check;
/*
 * A new thread of the process (clone): a kernel thread that will enter the application with
 * tf (a copy is taken). fpu: the new thread's FPU area (ownership passes). Returns the task
 * (not running yet: task_start) or NULL with *err set.
 */
struct task *task_create_thread(const struct trapframe *tf, uint64_t fsbase, void *fpu, int *err);
void task_start(struct task *t);
/* End the calling application thread (exit): clear_child_tid, robust futexes, free. The last
 * one ends the VM with the process's status. */
void task_exit(int code) __noreturn;
/* End the whole process with a status: the VM's exit status (exit_group, fatal signals),
 * once the network has sent what it holds (net_drain, a second at most). */
void task_exit_group(int status) __noreturn;
/* Write the current CPU into t's rseq area; 0 or -EFAULT. */
int rseq_update(struct task *t);
/* Return-to-application work (see the top of this file). */
bool task_return_work(struct trapframe *tf);
/* The task with tid, or NULL (caller holds init_process->lock). */
struct task *task_find(int tid);

#endif /* MOTE_LINUX_TASK_H */
