/* timers.c: timers that send signals (POSIX timers, interval timers): arming, expiry,
 * overruns, the id table. See timers.h. */
#include "linux/timers.h"
#include "core/mm/heap.h"
#include "core/sched/sync.h"
#include "core/time.h"
#include "lib/errno.h"
#include "linux/task.h"
#include "linux/time.h"

#define TIMER_MAX 1024 /* POSIX timers per process (Linux bounds them by RLIMIT_SIGPENDING) */

static const int itimer_signal[3] = { SIGALRM, SIGVTALRM, SIGPROF };

static struct ptimers *mine(void)
{
	return &current_process()->timers;
}

void ptimers_init(struct ptimers *ts)
{
	mutex_init(&ts->lock);
	list_init(&ts->posix);
}

static void fire(struct timer *tm)
{
	struct ptimer *pt = container_of(tm, struct ptimer, tm);
	uint64_t now = time_ns();
	int missed = 0;

	spin_lock_raw(&pt->lock);
	if (!pt->armed) {
		spin_unlock_raw(&pt->lock);
		return;
	}
	if (pt->interval) {
		/* Expiries this interrupt came too late for are overruns too. */
		if (now >= pt->deadline + pt->interval)
			missed =
				(int)MIN((now - pt->deadline) / pt->interval, (uint64_t)0x3fffffff);
		pt->deadline += ((uint64_t)missed + 1) * pt->interval;
		timer_start(&pt->tm, pt->deadline, fire);
	} else {
		pt->armed = false;
	}
	if (pt->signal)
		(void)signal_send_timer(pt->proc, &pt->q, pt->tid, missed);
	spin_unlock_raw(&pt->lock);
}

static void value_locked(struct ptimer *pt, struct ptimer_value *v)
{
	uint64_t now = time_ns();

	v->left = 0;
	v->interval = 0;
	if (!pt->armed)
		return;
	/* An expiry due but not yet run still shows time left, as Linux does (1 ns). */
	v->left = pt->deadline > now ? pt->deadline - now : 1;
	v->interval = pt->interval;
}

static void set(struct ptimer *pt, uint64_t deadline, uint64_t interval, struct ptimer_value *old)
{
	uint64_t f = spin_lock(&pt->lock);

	if (old)
		value_locked(pt, old);
	pt->armed = false; /* the timer function no longer re-arms it */
	spin_unlock(&pt->lock, f);
	(void)timer_cancel(&pt->tm);
	if (!deadline)
		return;
	f = spin_lock(&pt->lock);
	pt->deadline = deadline;
	pt->interval = interval;
	pt->armed = true;
	timer_start(&pt->tm, deadline, fire);
	spin_unlock(&pt->lock, f);
}

/* The calling process's timer with id (an interval timer for a negative one); NULL if none.
 * Caller holds its timers' lock. */
static struct ptimer *find(int id)
{
	struct ptimers *ts = mine();
	struct list *pos;

	if (id < 0) {
		int which = -1 - id;
		struct ptimer *pt;

		if (which > ITIMER_PROF)
			return NULL;
		pt = &ts->itimer[which];
		if (!pt->q.timer) { /* first use */
			spin_init(&pt->lock);
			pt->proc = current_process();
			pt->id = -1;
			pt->signal = true;
			pt->q.timer = pt;
			pt->q.info.signo = itimer_signal[which];
			pt->q.info.code = SI_KERNEL;
		}
		return pt;
	}
	list_for_each (pos, &ts->posix) {
		struct ptimer *pt = list_entry(pos, struct ptimer, node);

		if (pt->id == id)
			return pt;
	}
	return NULL;
}

int ptimer_create(int clock, bool signal, int signo, uint64_t value, int tid)
{
	struct ptimer *pt = kzalloc(sizeof(*pt));
	struct ptimers *ts = mine();
	struct list *pos;
	int id = 0;

	if (!pt)
		return -ENOMEM;
	mutex_lock(&ts->lock);
	/* The lowest free id, as Linux hands them out; the list stays sorted by id. */
	list_for_each (pos, &ts->posix) {
		if (list_entry(pos, struct ptimer, node)->id != id)
			break;
		id++;
	}
	if (id >= TIMER_MAX) {
		mutex_unlock(&ts->lock);
		kfree(pt);
		return -EAGAIN;
	}
	spin_init(&pt->lock);
	pt->id = id;
	pt->signal = signal;
	pt->tid = tid;
	pt->proc = current_process();
	pt->q.timer = pt;
	pt->q.info.signo = signo;
	pt->q.info.code = SI_TIMER;
	pt->q.info.timer.tid = id;
	pt->q.info.timer.value = value == ~0ULL ? (uint64_t)id : value;
	pt->clock = clock;
	list_insert(pos->prev, pos, &pt->node);
	mutex_unlock(&ts->lock);
	return id;
}

int ptimer_settime(int id, bool abs, uint64_t value, uint64_t interval, struct ptimer_value *old)
{
	struct ptimer *pt;

	mutex_lock(&mine()->lock);
	pt = find(id);
	if (pt) {
		uint64_t deadline = 0;

		if (value && abs) {
			struct timespec_k ts = ns_to_timespec(value);

			deadline = clock_abs_to_mono(pt->clock, &ts);
			if (!deadline)
				deadline = time_ns();
		} else if (value) {
			deadline = time_ns() + value;
		}
		set(pt, deadline, interval, old);
	}
	mutex_unlock(&mine()->lock);
	return pt ? 0 : -EINVAL;
}

int ptimer_gettime(int id, struct ptimer_value *cur)
{
	struct ptimer *pt;

	mutex_lock(&mine()->lock);
	pt = find(id);
	if (pt) {
		uint64_t f = spin_lock(&pt->lock);

		value_locked(pt, cur);
		spin_unlock(&pt->lock, f);
	}
	mutex_unlock(&mine()->lock);
	return pt ? 0 : -EINVAL;
}

int ptimer_getoverrun(int id)
{
	struct ptimer *pt;
	int r = -EINVAL;

	mutex_lock(&mine()->lock);
	pt = find(id);
	if (pt && id >= 0)
		r = READ_ONCE(pt->overrun);
	mutex_unlock(&mine()->lock);
	return r;
}

static void destroy(struct ptimer *pt)
{
	set(pt, 0, 0, NULL);
	signal_cancel_timer(pt->proc, &pt->q);
	list_del(&pt->node);
	kfree(pt);
}

int ptimer_delete(int id)
{
	struct ptimer *pt;

	mutex_lock(&mine()->lock);
	pt = id >= 0 ? find(id) : NULL;
	if (pt)
		destroy(pt);
	mutex_unlock(&mine()->lock);
	return pt ? 0 : -EINVAL;
}

void ptimer_delivered(struct ptimer *pt, int overrun)
{
	WRITE_ONCE(pt->overrun, overrun);
}

void ptimer_exec(void)
{
	struct ptimers *ts = mine();

	mutex_lock(&ts->lock);
	while (!list_empty(&ts->posix))
		destroy(list_first_entry(&ts->posix, struct ptimer, node));
	mutex_unlock(&ts->lock);
}

void ptimers_exit(void)
{
	struct ptimers *ts = mine();

	ptimer_exec();
	mutex_lock(&ts->lock);
	for (int i = 0; i < 3; i++)
		if (ts->itimer[i].q.timer)
			set(&ts->itimer[i], 0, 0, NULL);
	mutex_unlock(&ts->lock);
}
