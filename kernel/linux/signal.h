/* signal.h: signals: the per-thread and per-process state and the hooks the rest of the
 * kernel calls. (signal.c and sys_signal.c implement them.)
 *
 * Hooks:
 * - task_return_work (task.c) calls signal_deliver(tf) on every return to application code.
 * - The trap path calls signal_fault() for an exception raised by application code
 *   (SIGSEGV for an unresolved page fault or #GP, SIGFPE, SIGILL, SIGBUS, SIGTRAP).
 * - A sleeping system call that should be interruptible checks signal_pending() whenever it
 *   wakes up and returns -EINTR (or -ERESTARTSYS-style restart is up to signal.c). A
 *   signal sent to a sleeping task wakes it through task_wake_for_signal (task.c).
 */
#ifndef MOTE_LINUX_SIGNAL_H
#define MOTE_LINUX_SIGNAL_H

#include "lib/types.h"
#include "lib/spinlock.h"

struct trapframe;
struct task;

#define NSIG 64
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGSYS 31

#define SIG_BIT(s) (1UL << ((s)-1))

/* The kernel's sigaction (struct kernel_sigaction of rt_sigaction). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct k_siginfo {
	int32_t signo, errno_, code, pad;
	uint64_t fields[14]; /* si_addr, si_pid/si_uid, si_value... (128 bytes in all) */
};

struct task_signals {
	uint64_t blocked;
	uint64_t pending; /* directed at this thread (tgkill, synchronous faults) */
	struct k_siginfo info[NSIG];
	uint64_t ss_sp, ss_size;
	int ss_flags;
	uint64_t saved_mask; /* the mask a temporary one replaced (signal_wait_mask_begin) */
	bool restore_mask;   /* put saved_mask back after delivering the interrupting signal */
};

struct proc_signals {
	struct spinlock lock; /* everything here and every task's task_signals */
	struct k_sigaction action[NSIG];
	uint64_t pending; /* directed at the process (kill, timers) */
	struct k_siginfo info[NSIG];
};

/* Deliver one pending, unblocked signal to the current task by editing tf (a signal frame on
 * the application's stack) or run its default action. Returns true if tf changed. */
bool signal_deliver(struct trapframe *tf);
/* Application code raised an exception: queue signo (with code and fault address) for the
 * current task; it is delivered on the way back (or kills the process if blocked/ignored). */
void signal_fault(struct trapframe *tf, int signo, int code, uint64_t addr);
/* Send signo to task t (NULL: the process). Returns 0 or -errno. */
int signal_send(struct task *t, int signo, const struct k_siginfo *info);
/* True if the current task has a deliverable signal (sleeping calls return -EINTR). */
bool signal_pending(void);
/* Reset the actions for a new program (execve): handled signals go back to default. */
void signal_exec_reset(void);

/*
 * A temporary signal mask for the length of a wait (ppoll, pselect6, epoll_pwait[2]; the same
 * shape as rt_sigsuspend). signal_wait_mask_begin(mask) saves the blocked set and installs
 * mask (SIGKILL and SIGSTOP stay unblocked). signal_wait_mask_end(interrupted) puts the saved
 * set back at once, unless the wait ended with -EINTR and a signal is deliverable: then it sets
 * restore_mask, and signal_deliver must run the handler with the temporary mask in force, store
 * saved_mask (not blocked) as the frame's uc_sigmask, and clear restore_mask; if return-to-
 * application finds nothing to deliver after all, it sets blocked = saved_mask itself.
 */
void signal_wait_mask_begin(uint64_t mask);
void signal_wait_mask_end(bool interrupted);

#endif /* MOTE_LINUX_SIGNAL_H */
