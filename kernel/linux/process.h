/* process.h: the process tree: the table of processes by pid, fork/vfork/clone of a new
 * process, the end of a process (zombie, SIGCHLD, orphans to pid 1), wait, process groups and
 * sessions, and the kill(2) targets.
 *
 * Locks: the table's spin lock (process_lock) guards the table, every process's parent,
 * children, pgid, sid and state; it is taken before any process's sig.lock. A process leaves
 * the table when its parent reaps it (or at once, when the parent ignores SIGCHLD) and is
 * freed with its last reference: another process is looked at under the table's lock, or
 * through a reference (process_get), which keeps the struct but not what the process holds.
 */
#ifndef MOTE_LINUX_PROCESS_H
#define MOTE_LINUX_PROCESS_H

#include "lib/types.h"

struct process;
struct k_siginfo;

/* The table's lock (interrupts off while held). */
uint64_t process_lock(void);
void process_unlock(uint64_t flags);
/* The live or zombie process with pid, or NULL. Table lock held. */
struct process *process_find(int pid);

/* The process after p in the table (p NULL: the first), or NULL after the last. Table lock
 * held. */
struct process *process_next(struct process *p);
/* The smallest pid >= from of a live or zombie process, or -1 (procfs lists /proc/<pid>). */
long process_next_pid(long from);
/* The pid of the live process that has a thread tid (its main thread's too), or -1. */
int process_pid_of_tid(int tid);
/* The live or zombie process with pid, with a reference; NULL if there is none. */
struct process *process_get(int pid);
/* Drop a reference: the last (the table's is dropped when the process is reaped) frees it. */
void process_put(struct process *p);

/* What ties a process to the others, read at one moment under the table's lock. */
struct process_ids {
	int ppid; /* 0 for pid 1 */
	int pgid, sid;
	int state; /* PROC_LIVE, PROC_ZOMBIE */
};

/* p's ids (p: a reference). 0, or -ESRCH once p has been reaped. */
int process_ids(struct process *p, struct process_ids *ids) __must_check;
/* p's address space with a reference (mm_put), or NULL once p has ended. */
struct mm *process_mm(struct process *p);

/* A new process with nothing in it yet (lists, locks and queues set up). NULL: no memory. */
struct process *process_alloc(void);
/* Enter p (its pid set) in the table, as a child of parent (NULL for pid 1). */
void process_add(struct process *p, struct process *parent);

/*
 * clone without CLONE_THREAD (fork, vfork, posix_spawn's CLONE_VM|CLONE_VFORK): a new process
 * whose first thread returns 0 from the call with the caller's registers (its stack at newsp
 * if set). Without CLONE_VM its address space is a copy-on-write copy; with it, shared (until
 * its execve). With CLONE_VFORK the caller sleeps until the child execs or ends. The child's
 * descriptors are a copy of the caller's. Returns the child's pid or -errno.
 */
long process_clone(uint64_t flags, uint64_t newsp, int *ptid, int *ctid, uint64_t tls);
/* execve's point of no return: a shared address space (a vfork child's) is left for a new
 * empty one, and the vfork parent released; a private one is emptied. 0 or -ENOMEM. */
int process_exec_mm(void) __must_check;
/* The last thread of p (not pid 1) is leaving: its files, address space and timers go, its
 * children go to pid 1, and it becomes a zombie its parent is told about (exit_signal and a
 * wake-up of wait), or is freed at once if the parent ignores SIGCHLD. */
void process_exit_last(struct process *p);

/* Tell p's parent of the stop or continue p->sig.cld_notify holds (linux/signal_stop.h):
 * SIGCHLD with CLD_STOPPED or CLD_CONTINUED unless the parent's action for it has
 * SA_NOCLDSTOP, and its wait woken. Takes the table's lock (not to be held). */
void process_job_notify(struct process *p);

/* wait4/waitid selection. */
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define WNOHANG 1
#define WUNTRACED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
#define WALL 0x40000000
#define WCLONE 0x80000000

/* What wait found: the child's pid (0 with WNOHANG and none ready), its wait status and the
 * waitid siginfo fields, its CPU time. */
struct wait_result {
	int pid;
	int wstatus;
	int code;   /* CLD_EXITED, CLD_KILLED, CLD_STOPPED, CLD_CONTINUED */
	int status; /* exit code, or the signal */
	uint64_t cpu_ns;
};

/* Wait for a child of the calling process selected by (idtype, id) to change state as
 * options ask: WEXITED (it ended), WUNTRACED (it stopped), WCONTINUED (it was continued);
 * WNOHANG, WNOWAIT. A stop or a continue is reported once (WNOWAIT: not used up). 0 with
 * *res filled, -ECHILD (no such child), -EINTR. A reaped child is freed unless WNOWAIT. */
int process_wait(int idtype, int id, int options, struct wait_result *res) __must_check;

/* kill(2)'s targets: pid > 0 one process, 0 the caller's group, -1 every process but pid 1
 * and the caller, < -1 the group -pid. 0, -ESRCH (none), -EINVAL, -EPERM. */
int process_kill(int pid, int sig, const struct k_siginfo *info) __must_check;
/* Out of memory in a fault of the calling process: as an OOM killer, end with SIGKILL the
 * newest live process other than pid 1 and the caller, saying so on the console. Returns 1
 * when one was sent SIGKILL, 0 when one is on its way out already (its memory is coming
 * back: wait), -ESRCH when there is nobody to take or the caller is itself ending. */
int process_oom_kill(void);
/* The same to one process group. */
int process_kill_pgrp(int pgid, int sig, const struct k_siginfo *info) __must_check;
/* tgkill/tkill: thread tid of process tgid (-1: any process). */
int process_kill_tid(int tgid, int tid, int sig, struct k_siginfo *info) __must_check;

/* Whether process group pgid of session sid is orphaned: no live member has its parent in
 * another group of the session, so nobody there could continue it (Linux's
 * will_become_orphaned_pgrp, without its exception for children of init: Mote's pid 1 is a
 * program, not an init). Table lock held. */
bool process_pgrp_orphaned(int pgid, int sid);

/* The calls of process groups and sessions (Linux's rules, errno included). */
int process_setpgid(int pid, int pgid) __must_check;
int process_getpgid(int pid) __must_check;
int process_setsid(void) __must_check;
int process_getsid(int pid) __must_check;
int process_getppid(void);

#endif /* MOTE_LINUX_PROCESS_H */
