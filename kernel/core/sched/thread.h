/* thread.h: kernel threads: creation, exit, join, detach. */
#ifndef MOTE_CORE_SCHED_THREAD_H
#define MOTE_CORE_SCHED_THREAD_H

#include "lib/types.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "core/sched/wait.h"

enum thread_state {
	THREAD_RUNNABLE, /* running, or waiting on a run queue */
	THREAD_SLEEPING, /* on a wait queue (or about to switch away to sleep) */
	THREAD_DEAD,	 /* exited; freed by thread_join, or at once if detached */
};

struct task;

struct thread {
	uint64_t rsp;	     /* saved by arch_switch */
	void *kstack;	     /* lowest address of the kernel stack (KSTACK_SIZE) */
	volatile int state;  /* enum thread_state */
	volatile int on_cpu; /* a CPU runs it or is still switching away from it */
	bool on_rq;
	bool detached;
	int cpu;	  /* the run queue it is on, or the CPU it last ran on */
	uint64_t allowed; /* the CPUs it may run on (bit i: CPU i; never 0): sched_set_allowed */
	uint32_t id;
	int exit_code;
	struct list rq_node;
	struct spinlock lock; /* exit/join/detach */
	struct waitq joiners;
	void (*fn)(void *);
	void *arg;
	uint64_t runtime_tsc; /* TSC cycles spent running */
	uint64_t switches;    /* times it was switched in */
	char name[16];
	/* The Linux side (linux/task.h); NULL for kernel threads. */
	struct task *task;
	void *fpu;	 /* FPU/SSE/AVX save area of an application thread (appcpu.h), or NULL */
	uint64_t fsbase; /* its FS base */
	uint64_t cr3;	 /* its process's root (physical), or 0: any (kernel threads) */
	bool kernel_ds;	 /* uaccess accepts kernel buffers (kernel_read, core/uaccess.h) */
	/* Interruptible sleeps (wait.h: waitq_arm_interrupt, waitq_interrupt_thread). */
	struct spinlock intr_lock; /* intr_waiter, intr_kick */
	void *intr_waiter;	   /* the interruptible sleep in progress (wait.c), or NULL */
	bool intr_armed;	   /* the next sleep may be interrupted */
	bool intr_kick; /* interrupted while not in such a sleep: the next one ends at once */
};

#define THREAD_ANY_CPU (-1)
#define THREAD_ALL_CPUS (~0ULL) /* struct thread.allowed: anywhere */

/*
 * Create a thread running fn(arg) and make it runnable: on cpu (pinned there), or on the
 * least loaded CPU if cpu is THREAD_ANY_CPU. Returns the thread, or NULL when out of memory.
 * The caller must thread_join() it or thread_detach() it.
 */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg, int cpu);
/* End the calling thread with code (returning from fn is thread_exit(0)). */
void thread_exit(int code) __noreturn;
/* Wait for t to exit, free it; returns its exit code. */
int thread_join(struct thread *t);
/* t frees itself when it exits (or now, if it already has). */
void thread_detach(struct thread *t);
/* Threads alive now (created, not yet freed), the boot and idle threads included. */
uint32_t thread_count(void);

/* Internal (sched.c, switch.S): */
struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg, int cpu);
void thread_adopt_boot(struct thread *t, void *stack_lo, const char *name);
void thread_start(struct thread *t) __noreturn;
void thread_reap(struct thread *t);
/* Panic if t's kernel stack overflowed (its guard word at the bottom was overwritten). */
void thread_check_stack(const struct thread *t);

#endif /* MOTE_CORE_SCHED_THREAD_H */
