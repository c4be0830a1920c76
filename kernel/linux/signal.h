/* signal.h: signals: the per-thread and per-process state and the hooks the rest of the
 * kernel calls. signal.c keeps the state (sending, queueing, choosing a thread, waking it),
 * signal_deliver.c runs on the way back to the application (handlers, default actions,
 * restarting system calls), signal_frame.c builds and restores Linux's signal frame, and
 * sys_signal.c holds the system calls.
 *
 * Hooks:
 * - task_return_work (task.c) calls signal_deliver(tf) on every return to application code:
 *   the end of every system call and every interrupt or exception that interrupted it. The
 *   fast path is two memory reads (the thread's and the process's pending sets).
 * - The trap path calls signal_fault() for an exception raised by application code
 *   (SIGSEGV for an unresolved page fault or #GP, SIGFPE, SIGILL, SIGBUS, SIGTRAP).
 * - A blocking call checks signal_pending() under the lock of the queue it sleeps on and
 *   returns -EINTR when it is true. signal_pending() also arms the sleep that follows, so
 *   a signal sent to the thread ends that sleep (waitq_interrupt_thread, core/sched/wait.h).
 *   -EINTR becomes a restart on the way out when Linux would restart the call: SA_RESTART
 *   for read/write/futex/wait4/locks..., always when no handler ran (signal_deliver.c).
 * - A thread running application code on another CPU gets an IPI (VEC_IPI_SIGNAL); the
 *   interrupt's return path delivers.
 */
#ifndef MOTE_LINUX_SIGNAL_H
#define MOTE_LINUX_SIGNAL_H

#include "lib/types.h"
#include "lib/list.h"
#include "lib/spinlock.h"

struct trapframe;
struct task;
struct process;
struct ptimer;

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
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32

#define SIG_BIT(s) (1UL << ((s)-1))
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
/* The signals whose default action stops the process (job control: linux/signal_stop.h). */
#define SIG_STOPS (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))

#define SIG_DFL 0
#define SIG_IGN 1

/* sa_flags */
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER 0x04000000

/* si_code values of siginfo */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define NSIGPOLL 6 /* I/O readiness's codes are 1..NSIGPOLL (POLL_IN..POLL_HUP) */
#define SI_TIMER (-2)
#define SI_SIGIO (-5) /* I/O readiness for a signal with codes of its own */
#define SI_TKILL (-6)
/* si_code of SIGCHLD (and of waitid's siginfo) */
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/* sigaltstack */
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048

/* The kernel's sigaction (struct kernel_sigaction of rt_sigaction). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* siginfo_t as the kernel writes it: 128 bytes. The union starts at byte 16. */
struct k_siginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct { /* kill, tgkill, sigqueue */
			int32_t pid;
			uint32_t uid;
			uint64_t value;
		} kill;
		struct { /* POSIX timers */
			int32_t tid;
			int32_t overrun;
			uint64_t value;
		} timer;
		struct { /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint64_t addr;
		} fault;
		uint64_t fields[14];
	};
};

/* One pending signal: its siginfo, in a thread's or the process's queue. */
struct sigqueue {
	struct list node;
	struct k_siginfo info;
	struct ptimer *timer; /* owned by this POSIX timer (never freed here), or NULL */
	int overrun;	      /* expiries while it was queued (a timer's) */
	bool queued;
};

struct task_signals {
	uint64_t blocked;
	uint64_t pending;  /* signals in queue: directed at this thread (tgkill, faults) */
	struct list queue; /* struct sigqueue, in the order sent */
	uint64_t ss_sp, ss_size;
	int ss_flags;	       /* SS_AUTODISARM as given to sigaltstack */
	uint64_t real_blocked; /* in rt_sigtimedwait: the mask it replaced (its set unblocked) */
	uint64_t saved_mask;   /* the mask a temporary one replaced (sigsuspend, ppoll...) */
	bool restore_mask;     /* put saved_mask back after delivering the interrupting signal */
	/* The last exception (for the sigcontext of the frame, as Linux's thread.trap_nr...). */
	uint64_t trapno, error, cr2;
	/* Job control (linux/signal_stop.c): a group stop under way wants this thread to stop
	 * (Linux's JOBCTL_STOP_PENDING); it is stopped, asleep until SIGCONT or SIGKILL; it took
	 * a stop signal and no SIGCONT came since (JOBCTL_STOP_DEQUEUED). */
	bool stop_pending, stopped, stop_dequeued;
};

struct proc_signals {
	struct spinlock lock; /* everything here, every task's task_signals, the task list */
	struct k_sigaction action[NSIG];
	uint64_t pending;  /* signals in queue: directed at the process (kill, timers) */
	struct list queue; /* struct sigqueue, in the order sent */
	int nqueued;	   /* sigqueues allocated (RLIMIT_SIGPENDING) */
	/* Job control (linux/signal_stop.c), as Linux's signal_struct flags: */
	int stop_count;	  /* threads with stop_pending (a group stop under way) */
	int stop_sig;	  /* the signal of the last stop (WSTOPSIG) */
	bool stopped;	  /* the group stop is complete (SIGNAL_STOP_STOPPED) */
	bool stop_report; /* ... and wait(WUNTRACED) has not reported it yet */
	bool cont_report; /* continued, wait(WCONTINUED) has not reported it (STOP_CONTINUED) */
	int cld_notify;	  /* CLD_STOPPED or CLD_CONTINUED the parent is yet to be told (0: none) */
	/* A thread of the process has read or polled a signalfd (linux/signalfd.c): from then
	 * on queueing a signal wakes signalfd readers and pollers (set once, under lock). */
	bool signalfd_used;
};

/* Set up the process's signal state (task_init_process), a new thread's (task_alloc). */
void signal_init_process(struct proc_signals *ps);
void signal_init_task(struct task_signals *ts);
/* Free what a thread still has queued (its exit; caller holds the process's sig.lock). */
void signal_exit_task_locked(struct task *t);

/*
 * Deliver the pending, unblocked signals of the current task by editing tf (signal frames
 * on the application's stack) or run their default action; also turn a system call's -EINTR
 * into a restart when Linux would. Returns with interrupts as they were (it enables them
 * while it writes a frame). Returns true if tf changed.
 */
bool signal_deliver(struct trapframe *tf);
/* Application code raised an exception: queue signo (with code and fault address) for the
 * current task; it is delivered on the way back (or kills the process if blocked/ignored). */
void signal_fault(struct trapframe *tf, int signo, int code, uint64_t addr);
/* Send signo to process p's thread t (NULL: to the process). info NULL: SI_USER from the
 * calling process (what the kernel's own signals such as SIGPIPE carry). Returns 0 or -errno
 * (-EAGAIN when a real-time signal cannot be queued). A zombie takes nothing. Callable from
 * interrupt handlers. */
int signal_send_process(struct process *p, struct task *t, int signo, const struct k_siginfo *info);
/* The same to task t (NULL: the calling process). */
int signal_send(struct task *t, int signo, const struct k_siginfo *info);
/* The same to p's thread tid (-ESRCH if there is none). */
int signal_send_tid(struct process *p, int tid, int signo, const struct k_siginfo *info);
/* Queue a POSIX timer's preallocated sigqueue for p's thread tid (0: the process); if it is
 * still queued, count an overrun instead. Returns 0, or -ESRCH if tid is gone. */
int signal_send_timer(struct process *p, struct sigqueue *q, int tid, int overruns);
/* Take a queued timer sigqueue of p back (timer_delete). */
void signal_cancel_timer(struct process *p, struct sigqueue *q);
/* Make t leave (its process is ending): SIGKILL pending, its sleep ended. Caller holds its
 * process's sig.lock. */
void signal_kill_task_locked(struct task *t);
/* fork: the child's signal state: the parent's actions, nothing pending. */
void signal_fork(struct process *child, const struct process *parent);
/* A process is reaped: free the signals still queued for it. */
void signal_exit_process(struct process *p);
/* True if the current task has a deliverable signal (sleeping calls return -EINTR). When
 * false, it arms the calling thread's next sleep to be interrupted by a signal. */
bool signal_pending(void);
/* Sleep until a signal is sent to the calling thread or until time_ns() >= deadline (0: no
 * deadline). Returns 0 if it may have been a signal, -ETIMEDOUT if the deadline passed; the
 * caller checks signal_pending() (spurious wake-ups happen). */
int signal_sleep(uint64_t deadline);
/* True if sig's default action in process p is to do nothing: SIGCHLD, SIGURG, SIGWINCH,
 * SIGCONT; and in pid 1 the stop signals (Linux's init ignores the signals it has no handler
 * for; Mote keeps only that part: its fatal signals still end it, and the VM). */
bool signal_default_ignored(const struct process *p, int sig);
/* Make t look at its signals: end its interruptible sleep, or interrupt the CPU that runs it
 * (the interrupt's return path delivers). Caller holds t's process's sig.lock. */
void signal_kick(struct task *t);
/* Reset the actions for a new program (execve): handled signals go back to default. */
void signal_exec_reset(void);

/* The current task's blocked set, changed as rt_sigprocmask does (SIGKILL/SIGSTOP never). */
void signal_set_blocked(uint64_t blocked);
/* Dequeue a pending signal of set for the current task (either queue) into *info; returns
 * its number, or 0. */
int signal_dequeue_set(uint64_t set, struct k_siginfo *info);
/* Dequeue the next signal of t not in mask (thread queue first, a synchronous signal first,
 * then the lowest number); 0 if none. Caller holds the process's sig.lock. */
int signal_dequeue_locked(struct task *t, uint64_t mask, struct k_siginfo *info);
/* End the calling process as signal sig's default action does (pid 1: the VM, status 128 + sig). */
void signal_die(int sig) __noreturn;
/* Change the action of sig (rt_sigaction): discards pending signals it makes ignored. */
void signal_set_action(int sig, const struct k_sigaction *act, struct k_sigaction *old);

/*
 * A temporary signal mask for the length of a wait (ppoll, pselect6, epoll_pwait[2]; the same
 * shape as rt_sigsuspend). signal_wait_mask_begin(mask) saves the blocked set and installs
 * mask (SIGKILL and SIGSTOP stay unblocked). signal_wait_mask_end(interrupted) puts the saved
 * set back at once, unless the wait ended with -EINTR and a signal is deliverable: then it sets
 * restore_mask, and signal_deliver runs the handler with the temporary mask in force, stores
 * saved_mask (not blocked) as the frame's uc_sigmask, and clears restore_mask; if return-to-
 * application finds nothing to deliver after all, it sets blocked = saved_mask itself.
 */
void signal_wait_mask_begin(uint64_t mask);
void signal_wait_mask_end(bool interrupted);

#endif /* MOTE_LINUX_SIGNAL_H */
