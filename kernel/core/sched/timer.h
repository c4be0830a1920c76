/* timer.h: one-shot kernel timers on per-CPU sorted lists, driving the LAPIC timer tickless. */
#ifndef MOTE_CORE_SCHED_TIMER_H
#define MOTE_CORE_SCHED_TIMER_H

#include "lib/types.h"
#include "lib/list.h"

struct timer {
	struct list node;
	uint64_t deadline; /* time_ns() */
	void (*fn)(struct timer *t);
	int cpu;
	volatile bool pending;
};

/* Boot CPU: install the timer interrupt handler. */
void timer_init(void);
/* Run t->fn(t) from the timer interrupt of this CPU once time_ns() >= deadline. */
void timer_start(struct timer *t, uint64_t deadline, void (*fn)(struct timer *t));
/* Stop t; if its function is running on some CPU, wait until it has returned. Returns true
 * if t was still pending. Must not be called with a lock its function takes. */
bool timer_cancel(struct timer *t);
/* Program this CPU's LAPIC timer for the earliest of its timers and its time slice, if that
 * is earlier than what is programmed (a LAPIC write traps: it is skipped when it can be). */
void timer_reprogram(void);

#endif /* MOTE_CORE_SCHED_TIMER_H */
