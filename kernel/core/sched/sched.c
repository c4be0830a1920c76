/* sched.c: per-CPU FIFO run queues with time slices. A CPU takes its next thread from its own
 * queue; an idle CPU steals from the busiest one; a CPU whose queue is two threads longer
 * than another's pushes one over at the end of a slice. A thread only ever goes to a CPU its
 * mask allows (struct thread.allowed); one switched out or woken up on a CPU its mask no
 * longer allows is moved to one it does. The context switch itself is a plain
 * register switch (switch.S): no trap on kvm_pvm hosts. */
#include "core/sched/sched.h"
#include "core/sched/thread.h"
#include "core/sched/timer.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/traps.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/list.h"
#include "lib/spinlock.h"

struct runqueue {
	struct spinlock lock;
	struct list queue;
	volatile uint32_t nr_queued;
	uint64_t switch_tsc; /* when the running thread was switched in */
} __aligned(64);

static struct runqueue rqs[MAX_CPUS];
static struct thread boot_thread;
static uint64_t slice_tsc;
extern char boot_stack[];

void arch_switch(uint64_t *save_rsp, uint64_t new_rsp);

static bool is_idle(const struct cpu *c, const struct thread *t)
{
	return t == c->idle;
}

static bool allowed_on(const struct thread *t, uint32_t id)
{
	return (READ_ONCE(t->allowed) >> id) & 1;
}

uint32_t sched_load(uint32_t id)
{
	const struct cpu *c = cpus[id];

	return rqs[id].nr_queued + (c && c->current && !is_idle(c, c->current) ? 1 : 0);
}

uint64_t sched_idle_tsc(uint32_t id)
{
	const struct cpu *c = cpus[id];
	struct runqueue *rq = &rqs[id];
	uint64_t f, v;

	if (!c || !c->idle)
		return 0;
	f = arch_irq_save();
	spin_lock_raw(&rq->lock);
	v = c->idle->runtime_tsc;
	if (c->current == c->idle)
		v += rdtsc() - rq->switch_tsc;
	spin_unlock_raw(&rq->lock);
	arch_irq_restore(f);
	return v;
}

static void enqueue(struct runqueue *rq, struct thread *t)
{
	list_add_tail(&rq->queue, &t->rq_node);
	t->on_rq = true;
	rq->nr_queued++;
}

static void dequeue(struct runqueue *rq, struct thread *t)
{
	list_del(&t->rq_node);
	t->on_rq = false;
	rq->nr_queued--;
}

/* Ask CPU id to look at its queue: an idle CPU reschedules, a busy one arms its slice. */
static void kick(uint32_t id)
{
	if (id != this_cpu()->id)
		apic_send_ipi(cpus[id]->apic_id, VEC_IPI_RESCHED);
	else if (is_idle(this_cpu(), this_cpu()->current))
		this_cpu()->need_resched = 1;
	else
		timer_reprogram();
}

/* t was queued on CPU id, which runs something else: let an idle CPU come and take it. */
static void kick_idle_for(uint32_t id, const struct thread *t)
{
	if (sched_load(id) < 2)
		return;
	for (uint32_t i = 0; i < ncpus; i++) {
		const struct cpu *c = cpus[i];

		if (i != id && allowed_on(t, i) && c->online && c->in_idle && !rqs[i].nr_queued) {
			kick(i);
			return;
		}
	}
}

/* The least loaded online CPU of mask (this one if it is as good; the first of mask if none
 * is online yet). */
static uint32_t least_loaded(uint64_t mask)
{
	uint32_t me = this_cpu()->id;
	uint32_t best = (mask >> me) & 1 ? me : (uint32_t)__builtin_ctzll(mask);
	uint32_t load = sched_load(best);

	for (uint32_t i = 0; i < ncpus; i++)
		if (((mask >> i) & 1) && cpus[i]->online && sched_load(i) < load) {
			best = i;
			load = sched_load(i);
		}
	return best;
}

void sched_start(struct thread *t)
{
	uint32_t id = least_loaded(READ_ONCE(t->allowed));
	uint64_t f = spin_lock(&rqs[id].lock);

	t->cpu = id;
	enqueue(&rqs[id], t);
	spin_unlock(&rqs[id].lock, f);
	f = arch_irq_save();
	kick(id);
	arch_irq_restore(f);
}

bool sched_wake(struct thread *t)
{
	uint64_t f = arch_irq_save();
	struct runqueue *rq;
	uint32_t id;

	for (;;) {
		id = READ_ONCE(t->cpu);
		rq = &rqs[id];
		spin_lock_raw(&rq->lock);
		if (READ_ONCE(t->cpu) == (int)id)
			break;
		spin_unlock_raw(&rq->lock);
	}
	if (t->state != THREAD_SLEEPING) {
		spin_unlock_raw(&rq->lock);
		arch_irq_restore(f);
		return false;
	}
	t->state = THREAD_RUNNABLE;
	/* If t is still switching away on its CPU, that CPU picks it up again from its queue;
	 * nobody else takes it before it is off that CPU (on_cpu), and that CPU moves it on if
	 * its mask changed (sched_finish_switch). Off every CPU, it goes where it may run. */
	if (!t->on_rq && !t->on_cpu && !allowed_on(t, id)) {
		uint32_t to = least_loaded(READ_ONCE(t->allowed));

		WRITE_ONCE(t->cpu, (int)to);
		spin_unlock_raw(&rq->lock);
		id = to;
		rq = &rqs[id];
		spin_lock_raw(&rq->lock);
	}
	if (!t->on_rq)
		enqueue(rq, t);
	spin_unlock_raw(&rq->lock);
	if (cpus[id]->current != t)
		kick(id);
	kick_idle_for(id, t);
	arch_irq_restore(f);
	return true;
}

void sched_set_root(uint64_t root)
{
	uint64_t f = arch_irq_save();
	struct cpu *c = this_cpu();

	c->current->cr3 = root;
	if (c->cr3 != root) {
		c->cr3 = root;
		arch_set_cr3(root);
	}
	arch_irq_restore(f);
}

/* t, just switched out of CPU from, which its mask no longer allows: off to one it allows if
 * it waits in from's queue (asleep, sched_wake places it when it wakes). Interrupts off. */
static void move_away(struct thread *t, uint32_t from)
{
	uint32_t to = least_loaded(READ_ONCE(t->allowed)), a = MIN(from, to), b = MAX(from, to);
	bool moved = false;

	if (to == from)
		return;
	spin_lock_raw(&rqs[a].lock);
	spin_lock_raw(&rqs[b].lock);
	if (t->on_rq && t->cpu == (int)from && !t->on_cpu) {
		dequeue(&rqs[from], t);
		t->cpu = (int)to;
		enqueue(&rqs[to], t);
		moved = true;
	}
	spin_unlock_raw(&rqs[b].lock);
	spin_unlock_raw(&rqs[a].lock);
	if (moved)
		kick(to);
}

void sched_set_allowed(struct thread *t, uint64_t mask)
{
	WRITE_ONCE(t->allowed, mask);
	if (t == current_thread() && !allowed_on(t, this_cpu()->id))
		schedule(); /* (switched out here, moved on by sched_finish_switch) */
}

void sched_finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->switch_prev;

	c->switch_prev = NULL;
	if (!prev)
		return;
	if (prev->state == THREAD_DEAD) {
		thread_reap(prev);
		return;
	}
	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	if (!allowed_on(prev, c->id))
		move_away(prev, c->id);
}

void schedule(void)
{
	uint64_t f = arch_irq_save(), now;
	struct cpu *c = this_cpu();
	struct runqueue *rq = &rqs[c->id];
	struct thread *prev = c->current, *next;

	thread_check_stack(prev);
	spin_lock_raw(&rq->lock);
	c->need_resched = 0;
	if (prev->state == THREAD_RUNNABLE && !prev->on_rq && !is_idle(c, prev))
		enqueue(rq, prev);
	next = list_empty(&rq->queue) ? c->idle
				      : list_first_entry(&rq->queue, struct thread, rq_node);
	/* (a thread leaving this CPU for good is not taken back: it is moved once off it) */
	if (next == prev && !allowed_on(prev, c->id))
		next = prev->rq_node.next == &rq->queue
			       ? c->idle
			       : list_entry(prev->rq_node.next, struct thread, rq_node);
	if (next != c->idle)
		dequeue(rq, next);
	if (next == prev) {
		spin_unlock_raw(&rq->lock);
		arch_irq_restore(f);
		return;
	}
	now = rdtsc();
	prev->runtime_tsc += now - rq->switch_tsc;
	rq->switch_tsc = now;
	next->on_cpu = 1;
	next->cpu = (int)c->id;
	next->switches++;
	c->stats.switches++; /* interrupts are off */
	c->current = next;
	c->kstack_lo = (uint64_t)next->kstack;
	c->kstack_hi = (uint64_t)next->kstack + KSTACK_SIZE;
	c->switch_prev = prev;
	spin_unlock_raw(&rq->lock);
	if (rq->nr_queued)
		timer_reprogram();
	if (prev->fpu || next->fpu)
		arch_switch_app(prev, next);
	/* A process's root; kernel threads (cr3 0) run on whichever is loaded. */
	if (next->cr3 && next->cr3 != c->cr3) {
		c->cr3 = next->cr3;
		arch_set_cr3(next->cr3);
	}
	arch_switch(&prev->rsp, next->rsp);
	sched_finish_switch();
	arch_irq_restore(f);
}

void sched_yield(void)
{
	schedule();
}

void sched_irq_exit(void)
{
	if (this_cpu()->need_resched)
		schedule();
}

uint64_t sched_runtime_tsc(const struct thread *t)
{
	uint64_t f = arch_irq_save(), v = t->runtime_tsc;

	if (t == this_cpu()->current)
		v += rdtsc() - rqs[this_cpu()->id].switch_tsc;
	arch_irq_restore(f);
	return v;
}

uint64_t sched_slice_deadline_tsc(void)
{
	const struct cpu *c = this_cpu();
	const struct runqueue *rq = &rqs[c->id];

	if (!rq->nr_queued || is_idle(c, c->current))
		return 0;
	return rq->switch_tsc + slice_tsc;
}

/* Move one switched-out thread that may run on 'to' from queue 'from' to queue 'to' (both locked). */
static bool migrate_one(uint32_t from, uint32_t to)
{
	struct list *pos;

	list_for_each (pos, &rqs[from].queue) {
		struct thread *t = list_entry(pos, struct thread, rq_node);

		if (allowed_on(t, to) && !t->on_cpu) {
			dequeue(&rqs[from], t);
			t->cpu = (int)to;
			enqueue(&rqs[to], t);
			return true;
		}
	}
	return false;
}

static bool lock_pair_and_migrate(uint32_t from, uint32_t to)
{
	uint32_t a = MIN(from, to), b = MAX(from, to);
	bool moved;

	spin_lock_raw(&rqs[a].lock);
	spin_lock_raw(&rqs[b].lock);
	moved = migrate_one(from, to);
	spin_unlock_raw(&rqs[b].lock);
	spin_unlock_raw(&rqs[a].lock);
	return moved;
}

/* Idle CPU: take a waiting thread from the CPU with the longest queue. */
static bool steal(void)
{
	uint32_t me = this_cpu()->id, victim = me, most = 0;

	for (uint32_t i = 0; i < ncpus; i++)
		if (i != me && rqs[i].nr_queued > most) {
			most = rqs[i].nr_queued;
			victim = i;
		}
	return victim != me && lock_pair_and_migrate(victim, me);
}

void sched_tick(void)
{
	struct cpu *c = this_cpu();
	struct runqueue *rq = &rqs[c->id];
	uint32_t me = c->id, load = sched_load(me);

	if (rq->nr_queued && rdtsc() >= rq->switch_tsc + slice_tsc)
		c->need_resched = 1;
	/* Push work to a CPU with at least two threads less. */
	for (uint32_t i = 0; i < ncpus && load >= 2; i++) {
		if (i == me || !cpus[i]->online || sched_load(i) + 2 > load)
			continue;
		if (lock_pair_and_migrate(me, i))
			kick(i);
		break;
	}
}

static void idle_loop(void *unused)
{
	struct cpu *c = this_cpu();

	for (;;) {
		arch_irq_disable();
		if (!rqs[c->id].nr_queued)
			steal();
		if (rqs[c->id].nr_queued || c->need_resched) {
			schedule();
			continue;
		}
		c->in_idle = 1;
		timer_reprogram();
		c->stats.halts++;
		arch_idle_halt();
		c->in_idle = 0;
	}
}

static void ipi_resched(struct trapframe *tf)
{
	struct cpu *c = this_cpu();

	if (is_idle(c, c->current))
		c->need_resched = 1;
	else
		timer_reprogram();
}

struct thread *sched_create_idle(uint32_t id)
{
	struct thread *t = thread_alloc("idle", idle_loop, NULL, (int)id);

	if (t) {
		t->detached = true;
		cpus[id]->idle = t;
	}
	return t;
}

void sched_ap_enter(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle = c->idle;

	idle->on_cpu = 1;
	c->current = idle;
	c->kstack_lo = (uint64_t)idle->kstack;
	c->kstack_hi = (uint64_t)idle->kstack + KSTACK_SIZE;
	rqs[c->id].switch_tsc = rdtsc();
	idle_loop(NULL);
	__builtin_unreachable();
}

void sched_init(void)
{
	struct cpu *c = this_cpu();

	for (int i = 0; i < MAX_CPUS; i++)
		list_init(&rqs[i].queue);
	slice_tsc = SCHED_SLICE_NS * time_tsc_khz() / 1000000;
	thread_adopt_boot(&boot_thread, boot_stack, "main");
	c->current = &boot_thread;
	if (!sched_create_idle(0))
		panic("sched: out of memory for the idle thread");
	rqs[0].switch_tsc = rdtsc();
	trap_set_handler(VEC_IPI_RESCHED, ipi_resched);
}
