/* test_sched.c: self-tests of SMP bring-up, scheduling fairness and thread churn. */
#include "core/selftest.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/platform.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/sched/sched.h"
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "core/sched/wait.h"
#include "core/time.h"

static void report_cpu(void *arg)
{
	*(volatile uint32_t *)arg = this_cpu()->id + 1;
}

int test_smp(struct st *st)
{
	volatile uint32_t seen[MAX_CPUS] = { 0 };
	uint32_t expect = platform.ncpus ? platform.ncpus : 1;

	if (ncpus != expect)
		return st_fail(st, "%u CPUs online, the firmware lists %u", ncpus, expect);
	for (uint32_t i = 0; i < ncpus; i++) {
		struct thread *t = thread_create("cpu", report_cpu, (void *)&seen[i], (int)i);

		if (!t)
			return st_fail(st, "thread_create failed");
		thread_join(t);
		if (seen[i] != i + 1)
			return st_fail(st, "thread pinned to CPU %u ran on CPU %d", i,
				       (int)seen[i] - 1);
	}
	return st_ok(st, "%u CPUs from %s", ncpus, platform.source);
}

#define FAIR_THREADS_PER_CPU 2
#define FAIR_NS (400 * NSEC_PER_MSEC)

struct spinner {
	volatile bool *stop;
	uint64_t loops;
	uint32_t cpus_seen;
};

static void spin(void *arg)
{
	struct spinner *s = arg;

	while (!*s->stop) {
		s->cpus_seen |= 1u << this_cpu()->id;
		for (int i = 0; i < 1000; i++)
			__asm__ volatile("" ::: "memory");
		s->loops++;
	}
}

/*
 * One fairness run: n spinners for FAIR_NS; fills the least and most CPU time a thread got
 * and the mask of CPUs they ran on. 0, or -1 if a thread could not be created.
 */
static int fairness_run(uint32_t n, uint64_t *lo, uint64_t *hi, uint32_t *cpus_used)
{
	struct spinner sp[MAX_CPUS * FAIR_THREADS_PER_CPU] = { 0 };
	struct thread *t[MAX_CPUS * FAIR_THREADS_PER_CPU];
	volatile bool stop = false;
	uint32_t made = 0;

	*lo = UINT64_MAX;
	*hi = 0;
	*cpus_used = 0;
	for (; made < n; made++) {
		sp[made].stop = &stop;
		t[made] = thread_create("spin", spin, &sp[made], THREAD_ANY_CPU);
		if (!t[made])
			break;
	}
	if (made == n)
		sleep_ns(FAIR_NS);
	stop = true;
	for (uint32_t i = 0; i < made; i++) {
		uint64_t rt = t[i]->runtime_tsc;

		thread_join(t[i]);
		*cpus_used |= sp[i].cpus_seen;
		*lo = MIN(*lo, rt);
		*hi = MAX(*hi, rt);
	}
	return made == n ? 0 : -1;
}

#define FAIR_TRIES 3

int test_sched(struct st *st)
{
	uint32_t n = ncpus * FAIR_THREADS_PER_CPU, cpus_used = 0;
	uint64_t lo = 0, hi = 0;

	/*
	 * A thread's CPU time is TSC time on its vCPU, so time the host takes that vCPU away
	 * (another process on a busy host) is charged to whichever thread was running. Like the
	 * timer checks, take the best of a few runs: a scheduler that is unfair fails them all.
	 */
	for (int try = 0; try < FAIR_TRIES; try++) {
		if (fairness_run(n, &lo, &hi, &cpus_used) < 0)
			return st_fail(st, "thread_create failed");
		if (cpus_used != (1u << ncpus) - 1)
			return st_fail(st, "threads ran on CPU mask %#x of %u CPUs", cpus_used,
				       ncpus);
		/* Each thread should get 1/FAIR_THREADS_PER_CPU of a CPU; allow 25% either way. */
		if (hi <= lo * 3 / 2)
			return st_ok(st, "%u threads on %u CPUs, CPU time %lu..%lu ms (run %d)", n,
				     ncpus, lo / time_tsc_khz(), hi / time_tsc_khz(), try + 1);
	}
	return st_fail(st, "unfair in %d runs: CPU time per thread from %lu to %lu ms in the last",
		       FAIR_TRIES, lo / time_tsc_khz(), hi / time_tsc_khz());
}

#define CHURN_ROUNDS 40
#define CHURN_BATCH 16

static void churn_fn(void *arg)
{
	__atomic_fetch_add((uint32_t *)arg, 1, __ATOMIC_RELAXED);
	if (*(uint32_t *)arg % 3 == 0)
		sched_yield();
}

/* Wait (up to 1 s) until n threads are alive: detached ones free themselves after exit. */
static int wait_threads(uint32_t n)
{
	for (int i = 0; i < 1000 && thread_count() != n; i++)
		sleep_ns(NSEC_PER_MSEC);
	return thread_count() == n ? 0 : -1;
}

int test_churn(struct st *st)
{
	uint32_t count = 0, threads0 = thread_count(), detached = 0;
	uint64_t free0 = 0;
	struct thread *t[CHURN_BATCH];

	/* Round 0 warms the heap's slabs up; the page count is taken after it. */
	for (int r = 0; r <= CHURN_ROUNDS; r++) {
		if (r == 1) {
			if (wait_threads(threads0))
				return st_fail(st, "detached threads of round 0 did not end");
			free0 = page_free_count();
		}
		for (int i = 0; i < CHURN_BATCH; i++) {
			t[i] = thread_create("churn", churn_fn, &count, THREAD_ANY_CPU);
			if (!t[i])
				return st_fail(st, "thread_create failed in round %d", r);
		}
		for (int i = 0; i < CHURN_BATCH; i++) {
			if (i % 4 == 3) {
				thread_detach(t[i]);
				detached++;
			} else {
				thread_join(t[i]);
			}
		}
	}
	if (wait_threads(threads0))
		return st_fail(st, "%u threads alive 1 s after the last exit, %u before",
			       thread_count(), threads0);
	if (count != (CHURN_ROUNDS + 1) * CHURN_BATCH)
		return st_fail(st, "%u of %u threads ran", count, (CHURN_ROUNDS + 1) * CHURN_BATCH);
	if (page_free_count() != free0)
		return st_fail(st, "%lu pages free, %lu before: leak", page_free_count(), free0);
	return st_ok(st, "%u threads created, %u detached, no leak", count, detached);
}
