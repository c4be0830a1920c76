/* sched.h: the preemptive scheduler: per-CPU run queues, time slices, load balancing. */
#ifndef MOTE_CORE_SCHED_SCHED_H
#define MOTE_CORE_SCHED_SCHED_H

#include "lib/types.h"
#include "arch/x86_64/percpu.h"

struct thread;

#define SCHED_SLICE_NS (4 * 1000000ULL) /* a CPU-bound thread runs this long if others wait */

/* Boot CPU: run queues; the running boot context becomes the thread "main". */
void sched_init(void);
/* Create the idle thread of CPU id (its stack is the one the AP boots on). */
struct thread *sched_create_idle(uint32_t id);
/* An AP, on its idle thread's stack: become that thread and idle forever. */
void sched_ap_enter(void) __noreturn;

/* Pick the next runnable thread of this CPU and switch to it. The caller has set
 * current->state (SLEEPING to block, DEAD to exit; RUNNABLE to yield). */
void schedule(void);
/* Give the CPU to the next runnable thread, if any. */
void sched_yield(void);
/* Make a SLEEPING thread runnable (kicks its CPU if that one idles); returns true if it
 * was asleep. Callable with interrupts off and from interrupt handlers. */
bool sched_wake(struct thread *t);
/* Make a new thread runnable (thread_create). */
void sched_start(struct thread *t);
/* From the trap path after an interrupt: switch if this CPU was asked to. */
void sched_irq_exit(void);
/* From the timer interrupt: end the time slice of a thread others wait for; balance. */
void sched_tick(void);
/* The TSC deadline of this CPU's time slice if a thread waits for it, else 0. */
uint64_t sched_slice_deadline_tsc(void);
/* TSC cycles t has run, its current slice included if it is the calling thread. */
uint64_t sched_runtime_tsc(const struct thread *t);
/* Runnable threads (queued or running, idle excluded) on CPU id. */
uint32_t sched_load(uint32_t id);
/* TSC cycles CPU id has spent idle (its idle thread's time, the current stretch included). */
uint64_t sched_idle_tsc(uint32_t id);
/* Let t run only on the CPUs of mask (bit i: CPU i; at least one of them online). The calling
 * thread moves at once if its CPU is not among them; another thread moves the next time it
 * is switched out or woken up. */
void sched_set_allowed(struct thread *t, uint64_t mask);
/* Run the calling thread on the page-table root at physical address root from now on (its
 * process's new address space; the kernel's while its own goes away). */
void sched_set_root(uint64_t root);
/* Internal: run on the new thread right after a switch. */
void sched_finish_switch(void);

#endif /* MOTE_CORE_SCHED_SCHED_H */
