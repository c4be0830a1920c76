/* test_time.c: self-tests of the clock and of sleeping (timer accuracy). */
#include "core/selftest.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pvm.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "lib/string.h"

#define NSLEEPERS 12

struct sleeper {
	uint64_t deadline, woke;
};

static void sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	sleep_until(s->deadline);
	s->woke = time_ns();
}

/* Emulated CPUs (QEMU TCG) run timers late by whole host scheduling slices. */
static uint64_t slack_ns(void)
{
	return strcmp(time_source(), "kvmclock") ? 20 * NSEC_PER_MSEC : 2 * NSEC_PER_MSEC;
}

int test_timer(struct st *st)
{
	static const uint64_t us[] = { 100, 1000, 3000, 10000 };
	struct sleeper sl[NSLEEPERS];
	struct thread *t[NSLEEPERS];
	uint64_t worst = 0, sum = 0, a, b, t0, irqs;

	/* The clock moves forward, at the TSC's rate. */
	a = time_ns();
	time_delay(NSEC_PER_MSEC);
	b = time_ns();
	if (b - a < NSEC_PER_MSEC || b - a > NSEC_PER_MSEC + slack_ns())
		return st_fail(st, "1 ms busy wait measured %lu us", (b - a) / 1000);
	for (unsigned i = 0; i < ARRAY_SIZE(us); i++) {
		uint64_t late;

		t0 = time_ns();
		sleep_ns(us[i] * NSEC_PER_USEC);
		late = time_ns() - t0;
		if (late < us[i] * NSEC_PER_USEC)
			return st_fail(st, "sleep of %lu us woke after %lu us", us[i], late / 1000);
		late -= us[i] * NSEC_PER_USEC;
		if (late > slack_ns())
			return st_fail(st, "sleep of %lu us was %lu us late", us[i], late / 1000);
		worst = MAX(worst, late);
		sum += late;
	}
	/* Many sleepers on all CPUs, deadlines interleaved. */
	t0 = time_ns();
	for (int i = 0; i < NSLEEPERS; i++) {
		sl[i].deadline = t0 + (uint64_t)(2 + (i * 7) % NSLEEPERS) * NSEC_PER_MSEC;
		sl[i].woke = 0;
		t[i] = thread_create("sleeper", sleeper_fn, &sl[i], (int)(i % ncpus));
		if (!t[i])
			return st_fail(st, "thread_create failed");
	}
	for (int i = 0; i < NSLEEPERS; i++)
		thread_join(t[i]);
	for (int i = 0; i < NSLEEPERS; i++) {
		if (sl[i].woke < sl[i].deadline)
			return st_fail(st, "sleeper %d woke %lu us early", i,
				       (sl[i].deadline - sl[i].woke) / 1000);
		if (sl[i].woke - sl[i].deadline > slack_ns())
			return st_fail(st, "sleeper %d woke %lu us late", i,
				       (sl[i].woke - sl[i].deadline) / 1000);
	}
	/* Tickless: 100 ms with nothing to do take one timer interrupt (the sleep's own). */
	irqs = 0;
	for (uint32_t i = 0; i < ncpus; i++)
		irqs -= READ_ONCE(cpus[i]->irqs);
	sleep_ns(100 * NSEC_PER_MSEC);
	for (uint32_t i = 0; i < ncpus; i++)
		irqs += READ_ONCE(cpus[i]->irqs);
	if (irqs > 3)
		return st_fail(st, "%lu interrupts on %u idle CPUs in 100 ms: not tickless", irqs,
			       ncpus);
	return st_ok(st,
		     "%s, sleeps late by %lu us on average, %lu us at worst, %lu interrupts in "
		     "100 ms idle",
		     time_source(), sum / ARRAY_SIZE(us) / 1000, worst / 1000, irqs);
}
