/* timers.h: timers that send signals: the POSIX timers (timer_create...) and the interval
 * timers (setitimer, alarm). Each is a struct ptimer: a kernel timer (core/sched/timer.h) on
 * the monotonic clock plus a preallocated sigqueue (signal.h) that it queues when it fires; an
 * expiry while that sigqueue is still queued counts as an overrun instead (si_overrun).
 *
 * Every clock runs on time_ns(): CLOCK_REALTIME deadlines are converted when armed (Mote's wall
 * clock never jumps), and the CPU-time timers (ITIMER_VIRTUAL, ITIMER_PROF, timers on
 * CPU-time clocks) count wall time: an approximation that holds for a busy program.
 * The system calls are in sys_timer.c.
 */
#ifndef MOTE_LINUX_TIMERS_H
#define MOTE_LINUX_TIMERS_H

#include "lib/types.h"
#include "lib/list.h"
#include "lib/spinlock.h"
#include "core/sched/sync.h"
#include "core/sched/timer.h"
#include "linux/signal.h"

struct process;

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

struct ptimer {
	struct timer tm;
	struct spinlock lock; /* armed, deadline, interval: the timer function runs meanwhile */
	struct sigqueue q;    /* its signal (q.timer = this); q.info is set at creation */
	struct list node;     /* in the list of POSIX timers */
	int id;		      /* POSIX timer id; -1 for an interval timer */
	int clock;	      /* the clock of absolute times (linux/time.h) */
	bool signal;	      /* false for SIGEV_NONE */
	int tid;	      /* the thread the signal goes to (SIGEV_THREAD_ID); 0: the process */
	struct process *proc; /* whose timer it is */
	bool armed;
	uint64_t deadline, interval; /* time_ns(); interval 0: one-shot */
	int overrun; /* timer_getoverrun: the overrun of the last delivered signal */
};

/* A process's timers. */
struct ptimers {
	struct mutex lock;	 /* the list; every set/delete */
	struct list posix;	 /* struct ptimer.node, by id */
	struct ptimer itimer[3]; /* ITIMER_REAL, _VIRTUAL, _PROF */
};

/* What a timer is set to or was: time left and period, in ns (0, 0: disarmed). */
struct ptimer_value {
	uint64_t left, interval;
};

/* The calls below work on the calling process's timers. */
/* Create a POSIX timer on clock that sends signo with value (~0: its id) to thread tid (0: the
 * process), or nothing if !signal. Returns its id (>= 0), or -EAGAIN / -ENOMEM. */
int ptimer_create(int clock, bool signal, int signo, uint64_t value, int tid) __must_check;
/* Arm timer id (or an interval timer, below) to expire after value ns, or at value on its
 * clock if abs (a time already past expires at once), then every interval ns; value 0
 * disarms. *old (may be NULL) gets what it was. -EINVAL for a bad id. */
int ptimer_settime(int id, bool abs, uint64_t value, uint64_t interval, struct ptimer_value *old);
int ptimer_gettime(int id, struct ptimer_value *cur);
/* The overrun count of id's last delivered signal, or -EINVAL. */
int ptimer_getoverrun(int id);
int ptimer_delete(int id);
/* The interval timers as pseudo-ids for the calls above: ITIMER_ID(ITIMER_REAL)... */
#define ITIMER_ID(which) (-1 - (which))
/* Called (under the process's signal lock) when q of pt is dequeued with overrun expiries. */
void ptimer_delivered(struct ptimer *pt, int overrun);
/* execve: the POSIX timers are deleted; the interval timers carry on (as in Linux). */
void ptimer_exec(void);
/* A new process's (empty) timers. */
void ptimers_init(struct ptimers *ts);
/* The calling process ends: every timer of it is disarmed and freed. */
void ptimers_exit(void);

#endif /* MOTE_LINUX_TIMERS_H */
