/* timer.c: per-CPU timer lists (sorted by deadline) and the LAPIC timer: armed only for the
 * next timer or the end of a time slice somebody waits for, never periodically. */
#include "core/sched/timer.h"
#include "core/sched/sched.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "core/time.h"
#include "lib/spinlock.h"

struct timer_base {
	struct spinlock lock;
	struct list timers;
	struct timer *running;
	uint64_t armed; /* deadline the LAPIC is programmed for, 0: none */
} __aligned(64);

static struct timer_base bases[MAX_CPUS];

void timer_start(struct timer *t, uint64_t deadline, void (*fn)(struct timer *t))
{
	uint64_t f = arch_irq_save();
	struct timer_base *b = &bases[this_cpu()->id];
	struct list *pos;

	spin_lock_raw(&b->lock);
	t->deadline = deadline;
	t->fn = fn;
	t->cpu = (int)this_cpu()->id;
	t->pending = true;
	list_for_each (pos, &b->timers)
		if (list_entry(pos, struct timer, node)->deadline > deadline)
			break;
	list_insert(pos->prev, pos, &t->node);
	spin_unlock_raw(&b->lock);
	timer_reprogram();
	arch_irq_restore(f);
}

bool timer_cancel(struct timer *t)
{
	struct timer_base *b = &bases[t->cpu];
	uint64_t f = spin_lock(&b->lock);
	bool was = t->pending;

	if (was) {
		list_del(&t->node);
		t->pending = false;
	}
	while (b->running == t) {
		spin_unlock(&b->lock, f);
		cpu_relax();
		f = spin_lock(&b->lock);
	}
	spin_unlock(&b->lock, f);
	return was;
}

void timer_reprogram(void)
{
	uint64_t f = arch_irq_save();
	struct timer_base *b = &bases[this_cpu()->id];
	uint64_t want = 0, slice = sched_slice_deadline_tsc();

	spin_lock_raw(&b->lock);
	if (!list_empty(&b->timers))
		want = list_first_entry(&b->timers, struct timer, node)->deadline;
	spin_unlock_raw(&b->lock);
	if (slice) {
		uint64_t tsc = rdtsc(), s = time_ns();

		s += slice > tsc ? (slice - tsc) * 1000000 / time_tsc_khz() : 0;
		if (!want || s < want)
			want = s;
	}
	if (want && (!b->armed || want < b->armed)) {
		b->armed = want;
		apic_timer_arm(want);
	}
	arch_irq_restore(f);
}

static void timer_irq(struct trapframe *tf)
{
	struct timer_base *b = &bases[this_cpu()->id];
	uint64_t now = time_ns();

	b->armed = 0;
	spin_lock_raw(&b->lock);
	while (!list_empty(&b->timers)) {
		struct timer *t = list_first_entry(&b->timers, struct timer, node);

		if (t->deadline > now)
			break;
		list_del(&t->node);
		t->pending = false;
		b->running = t;
		spin_unlock_raw(&b->lock);
		t->fn(t);
		spin_lock_raw(&b->lock);
		b->running = NULL;
	}
	spin_unlock_raw(&b->lock);
	sched_tick();
	timer_reprogram();
}

void timer_init(void)
{
	for (int i = 0; i < MAX_CPUS; i++)
		list_init(&bases[i].timers);
	trap_set_handler(VEC_TIMER, timer_irq);
}
