/* test_bench.c: measurements for bench/ (context switch, thread create+join) and the
 * deliberate failures the end-to-end tests check (crash, panic), plus console input. */
#include "core/selftest.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "core/panic.h"
#include "core/ready.h"
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "core/time.h"
#include "drivers/uart.h"
#include "lib/printf.h"

/* Each measure is taken in BATCHES batches and the median batch reported: a busy host may
 * deschedule a vCPU for milliseconds in the middle of one. */
#define BATCHES 9
#define PINGPONG 2000 /* round trips a batch */
#define CREATES 200   /* create+join a batch */
#define TRAPS 400     /* cpuid traps a batch: under 10 ms even at 24 us a trap */

struct pingpong {
	struct semaphore a, b;
	uint64_t ns[BATCHES]; /* timed by the pinger itself (the boot thread may be descheduled) */
};

static void ponger(void *arg)
{
	struct pingpong *p = arg;

	for (int i = 0; i < BATCHES * PINGPONG; i++) {
		sem_down(&p->b);
		sem_up(&p->a);
	}
}

static void pinger(void *arg)
{
	struct pingpong *p = arg;

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = time_ns();

		for (int i = 0; i < PINGPONG; i++) {
			sem_up(&p->b);
			sem_down(&p->a);
		}
		p->ns[b] = time_ns() - t0;
	}
}

static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && v[k - 1] > v[k]; k--) {
			uint64_t t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	return v[n / 2];
}

int test_bench_boot(struct st *st)
{
	printk(LOG_NOTICE, "bench ready_us %lu online_us %lu\n", ready_us, online_us);
	return st_ok(st,
		     "ready to exec %lu us, all %u CPUs online %lu us after the first instruction",
		     ready_us, ncpus, online_us);
}

int test_bench_switch(struct st *st)
{
	struct pingpong p;
	struct thread *a, *b;
	uint64_t ns;

	sem_init(&p.a, 0);
	sem_init(&p.b, 0);
	/* Both on the last CPU, so the boot thread (CPU 0) does not take turns with them. */
	a = thread_create("ping", pinger, &p, (int)ncpus - 1);
	b = thread_create("pong", ponger, &p, (int)ncpus - 1);
	if (!a || !b)
		return st_fail(st, "thread_create failed");
	thread_join(a);
	thread_join(b);
	/* Two switches per round trip. */
	ns = median(p.ns, BATCHES) / (2 * PINGPONG);
	printk(LOG_NOTICE, "bench switch_ns %lu\n", ns);
	return st_ok(st, "%lu ns per switch (median of %d x %d round trips)", ns, BATCHES,
		     PINGPONG);
}

static void nothing(void *arg)
{
}

int test_bench_thread(struct st *st)
{
	uint64_t ns[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = time_ns();

		for (int i = 0; i < CREATES; i++) {
			struct thread *t =
				thread_create("bench", nothing, NULL, (int)this_cpu()->id);

			if (!t)
				return st_fail(st, "thread_create failed");
			thread_join(t);
		}
		ns[b] = (time_ns() - t0) / CREATES;
	}
	printk(LOG_NOTICE, "bench thread_ns %lu\n", median(ns, BATCHES));
	return st_ok(st, "%lu ns per thread create+join (median of %d x %d)", median(ns, BATCHES),
		     BATCHES, CREATES);
}

/* The cost of one trap to the hypervisor: cpuid always exits (VMX, SVM and kvm_pvm alike;
 * arch_cpuid's PV hypercall is not used here). Under QEMU TCG it is emulated, no exit. */
int test_bench_trap(struct st *st)
{
	uint64_t ns[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = time_ns();

		for (int i = 0; i < TRAPS; i++) {
			uint32_t a = 0, bx, c = 0, d;

			__asm__ volatile("cpuid" : "+a"(a), "=b"(bx), "+c"(c), "=d"(d));
		}
		ns[b] = (time_ns() - t0) / TRAPS;
	}
	printk(LOG_NOTICE, "bench trap_ns %lu\n", median(ns, BATCHES));
	return st_ok(st, "%lu ns per trap (cpuid; median of %d x %d)", median(ns, BATCHES), BATCHES,
		     TRAPS);
}

int test_crash(struct st *st)
{
	printk(LOG_NOTICE, "selftest crash: writing to address 0x10\n");
	volatile uint64_t *p;

	/* Hide the constant from the compiler (it knows address 0x10 is not an object). */
	__asm__ volatile("mov $0x10, %0" : "=r"(p));
	*p = 1;
	return st_fail(st, "the write to address 0x10 did not fault");
}

int test_panic(struct st *st)
{
	panic("deliberate panic (selftest)");
}

/* The initrd survives the allocator stress (run it after "page"): its FNV-1a 64 hash,
 * compared by the e2e test with the host's file. */
int test_initrd(struct st *st)
{
	const uint8_t *p = P2V(bootinfo.initrd_pa);
	uint64_t h = 0xcbf29ce484222325UL;

	if (!bootinfo.initrd_size)
		return st_ok(st, "no initrd");
	for (uint64_t i = 0; i < bootinfo.initrd_size; i++)
		h = (h ^ p[i]) * 0x100000001b3UL;
	printk(LOG_NOTICE, "initrd: %lu bytes at %#lx, fnv1a64 %016lx\n", bootinfo.initrd_size,
	       bootinfo.initrd_pa, h);
	return st_ok(st, "%lu bytes, fnv1a64 %016lx", bootinfo.initrd_size, h);
}

int test_echo(struct st *st)
{
	char line[80];
	int n = 0, c;

	printk(LOG_NOTICE, "echo: type a line\n");
	while ((c = uart_getc()) != '\n' && c != '\r')
		if (n < (int)sizeof(line) - 1)
			line[n++] = (char)c;
	line[n] = 0;
	printk(LOG_NOTICE, "echo: %s\n", line);
	return st_ok(st, "%d characters", n);
}
