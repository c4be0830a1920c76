/* signal_stop.h: job control: the default action of SIGSTOP, SIGTSTP, SIGTTIN and SIGTTOU
 * stops every thread of the process until SIGCONT (or SIGKILL); the parent learns of it
 * through SIGCHLD (CLD_STOPPED, CLD_CONTINUED, unless its action has SA_NOCLDSTOP) and wait
 * (WUNTRACED, WCONTINUED), as on Linux.
 *
 * A group stop (Linux's do_signal_stop): the thread that takes a stop signal with the default
 * action marks every thread of its process stop_pending and kicks it; each one, on its way
 * back to the program (signal_deliver), stops, and the last one completes the stop (the
 * process is stopped) and tells the parent. A stopped thread sleeps until SIGCONT or SIGKILL;
 * signals sent meanwhile stay pending (a fatal one not blocked still ends it at once, as on
 * Linux). SIGCONT continues the process when it is sent, whether blocked, ignored or handled
 * (signal.c's send path); the first thread to wake tells the parent. A stop signal discards a
 * pending SIGCONT and SIGCONT the pending stop signals (signal.c). pid 1 ignores the stop
 * signals unless it handles them (signal_default_ignored).
 *
 * In an orphaned process group (process_pgrp_orphaned) SIGTSTP, SIGTTIN and SIGTTOU do
 * nothing, as on Linux: nobody could continue it; SIGSTOP still stops (signal_deliver).
 * Not done: ptrace stops. A SIGCONT that comes before a group stop is complete calls it off
 * without a report.
 *
 * Locks: everything here is under the process's sig.lock; telling the parent
 * (process_job_notify) takes the process table's lock, so it runs after sig.lock is dropped.
 */
#ifndef MOTE_LINUX_SIGNAL_STOP_H
#define MOTE_LINUX_SIGNAL_STOP_H

#include "lib/types.h"

struct task;
struct process;

/* Thread t took stop signal sig with the default action (sig.lock held): its process's
 * group stop begins, or t joins the one under way. t stops at its next signal_stop. */
void signal_stop_begin_locked(struct task *t, int sig);
/* Whether t is to stop now: a group stop waits for it, or its process is stopped (a thread
 * that came after). False once the process is ending. Reads without the lock. */
bool signal_stop_wanted(const struct task *t);
/* The calling thread t stops (signal_deliver): called with its process's sig.lock held
 * (flags f), which it drops; returns once t is continued or is to die (SIGKILL pending). */
void signal_stop(struct task *t, uint64_t f);
/* SIGCONT was sent to p (sig.lock held): any group stop ends and its threads wake; if p was
 * stopped, wait(WCONTINUED) has a report and the parent is to be told. */
void signal_stop_continue_locked(struct process *p);
/* p is ending (sig.lock held): any stop is called off; its stopped threads wake to leave. */
void signal_stop_cancel_locked(struct process *p);
/* Thread t leaves its process (sig.lock held, t already off the list): if a group stop
 * waited for it alone, the stop is now complete: true when the parent is to be told
 * (process_job_notify, once the lock is dropped). */
bool signal_stop_exit_task_locked(struct task *t);
/* What wait may report of live process p (table lock held): CLD_STOPPED with the stop signal
 * in *sig when stops (WUNTRACED) and p stopped since the last report, CLD_CONTINUED with
 * SIGCONT when conts (WCONTINUED) and p was continued since the last; else 0. The report is
 * used up unless !take (WNOWAIT). */
int signal_stop_report(struct process *p, bool stops, bool conts, bool take, int *sig);

#endif /* MOTE_LINUX_SIGNAL_STOP_H */
