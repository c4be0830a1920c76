/* thread.c: kernel threads: allocation of the struct and stack, the first switch-in frame,
 * exit, join and detach. The scheduling itself is in sched.c. */
#include "core/sched/thread.h"
#include "core/sched/sched.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/layout.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/panic.h"
#include "lib/string.h"

#define STACK_CANARY 0x57ac4ca9a7d0f00dUL

extern char arch_thread_start[];
static uint32_t next_id = 1, alive;

static void set_name(struct thread *t, const char *name)
{
	size_t n = strnlen(name, sizeof(t->name) - 1);

	memcpy(t->name, name, n);
	t->name[n] = 0;
}

struct thread *thread_alloc(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	struct thread *t = kzalloc(sizeof(*t));
	uint64_t *sp;

	if (!t)
		goto err_thread;
	t->kstack = page_alloc(KSTACK_ORDER);
	if (!t->kstack)
		goto err_stack;
	*(uint64_t *)t->kstack = STACK_CANARY;
	set_name(t, name);
	t->fn = fn;
	t->arg = arg;
	t->allowed = cpu >= 0 ? 1ULL << cpu : THREAD_ALL_CPUS;
	t->cpu = cpu >= 0 ? cpu : 0;
	t->state = THREAD_RUNNABLE;
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	list_init(&t->rq_node);
	list_init(&t->joiners.waiters);
	/* arch_switch pops r15 r14 r13 r12 rbx rbp and returns to arch_thread_start, which
	 * must find %rsp 16-byte aligned + 8 after its call: start 16 below the top. */
	sp = (uint64_t *)((char *)t->kstack + KSTACK_SIZE - 16);
	*--sp = (uint64_t)arch_thread_start;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	sp[3] = (uint64_t)t; /* r12 */
	t->rsp = (uint64_t)sp;
	__atomic_fetch_add(&alive, 1, __ATOMIC_RELAXED);
	return t;
err_stack:
	kfree(t);
err_thread:
	return NULL;
}

void thread_adopt_boot(struct thread *t, void *stack_lo, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->kstack = stack_lo;
	*(uint64_t *)stack_lo = STACK_CANARY;
	set_name(t, name);
	t->allowed = THREAD_ALL_CPUS;
	t->on_cpu = 1;
	t->detached = true;
	list_init(&t->rq_node);
	list_init(&t->joiners.waiters);
	__atomic_fetch_add(&alive, 1, __ATOMIC_RELAXED);
}

void thread_check_stack(const struct thread *t)
{
	if (*(const uint64_t *)t->kstack != STACK_CANARY)
		panic("kernel stack overflow in thread %u (%s)", t->id, t->name);
}

struct thread *thread_create(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	struct thread *t = thread_alloc(name, fn, arg, cpu);

	if (t)
		sched_start(t);
	return t;
}

void thread_start(struct thread *t)
{
	sched_finish_switch();
	arch_irq_enable();
	t->fn(t->arg);
	thread_exit(0);
}

void thread_exit(int code)
{
	struct thread *t = current_thread();

	arch_irq_disable();
	spin_lock_raw(&t->lock);
	t->exit_code = code;
	t->state = THREAD_DEAD;
	spin_unlock_raw(&t->lock);
	schedule();
	panic("thread_exit: a dead thread was scheduled");
}

static void thread_free(struct thread *t)
{
	page_free(t->kstack, KSTACK_ORDER);
	fpu_free(t->fpu);
	kfree(t);
	__atomic_fetch_sub(&alive, 1, __ATOMIC_RELAXED);
}

/* Called by sched.c on the next thread once t (dead) is off its CPU for good. */
void thread_reap(struct thread *t)
{
	bool detached;

	spin_lock_raw(&t->lock);
	__atomic_store_n(&t->on_cpu, 0, __ATOMIC_RELEASE);
	detached = t->detached;
	waitq_wake_all(&t->joiners);
	spin_unlock_raw(&t->lock);
	if (detached)
		thread_free(t);
}

int thread_join(struct thread *t)
{
	uint64_t f = spin_lock(&t->lock);
	int code;

	waitq_disarm_interrupt();
	while (t->state != THREAD_DEAD || t->on_cpu)
		(void)waitq_sleep(&t->joiners, &t->lock, 0);
	code = t->exit_code;
	spin_unlock(&t->lock, f);
	thread_free(t);
	return code;
}

void thread_detach(struct thread *t)
{
	uint64_t f = spin_lock(&t->lock);
	bool gone = t->state == THREAD_DEAD && !t->on_cpu;

	t->detached = true;
	spin_unlock(&t->lock, f);
	if (gone)
		thread_free(t);
}

uint32_t thread_count(void)
{
	return READ_ONCE(alive);
}
