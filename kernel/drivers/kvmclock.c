/* kvmclock.c: KVM pvclock, one page per CPU (in its per-CPU block): ns = system_time +
 * scale(tsc - tsc_timestamp, mul, shift), read under the version counter (odd while the
 * host updates it). */
#include "drivers/kvmclock.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "lib/errno.h"

#define KVM_CPUID_SIG 0x40000000
#define KVM_CPUID_FEATURES 0x40000001
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

struct pvclock {
	volatile uint32_t version;
	uint32_t pad0;
	volatile uint64_t tsc_timestamp;
	volatile uint64_t system_time;
	volatile uint32_t mul;
	volatile int8_t shift;
	volatile uint8_t flags;
	uint8_t pad[2];
};

#define PVCLOCK_TSC_STABLE 0x01

_Static_assert(sizeof(struct pvclock) <= sizeof(((struct cpu *)0)->pvclock), "pvclock fits");

static volatile uint64_t last_ns; /* monotonic across CPUs when the host does not promise it */

static struct pvclock *my_clock(void)
{
	return (struct pvclock *)this_cpu()->pvclock;
}

void kvmclock_init_cpu(void)
{
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, V2P_ANY(my_clock()) | 1);
}

int kvmclock_init(void)
{
	uint32_t r[4];

	arch_cpuid(KVM_CPUID_SIG, 0, r);
	/* "KVMKVMKVM\0\0\0" */
	if (r[1] != 0x4b4d564b || r[2] != 0x564b4d56 || r[3] != 0x4d || r[0] < KVM_CPUID_FEATURES)
		return -ENODEV;
	arch_cpuid(KVM_CPUID_FEATURES, 0, r);
	if (!(r[0] & KVM_FEATURE_CLOCKSOURCE2))
		return -ENODEV;
	kvmclock_init_cpu();
	return my_clock()->mul ? 0 : -ENODEV;
}

/* Interrupts off: the CPU's own pvclock page goes with its own TSC. */
uint64_t kvmclock_ns(void)
{
	const struct pvclock *c = my_clock();
	uint32_t v;
	uint64_t ns, last;
	uint8_t flags;

	do {
		uint64_t delta;

		v = c->version;
		barrier();
		delta = rdtsc() - c->tsc_timestamp;
		if (c->shift < 0)
			delta >>= -c->shift;
		else
			delta <<= c->shift;
		ns = c->system_time + (uint64_t)(((unsigned __int128)delta * c->mul) >> 32);
		flags = c->flags;
		barrier();
	} while ((v & 1) || v != c->version);
	if (flags & PVCLOCK_TSC_STABLE)
		return ns;
	/* Per-CPU clocks may disagree a little: never let time go back across CPUs. */
	last = last_ns;
	do {
		if (ns <= last)
			return last;
	} while (!__atomic_compare_exchange_n(&last_ns, &last, ns, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return ns;
}

uint64_t kvmclock_tsc_khz(void)
{
	const struct pvclock *c = my_clock();
	uint64_t khz = (1000000ULL << 32) / c->mul;

	if (c->shift < 0)
		khz <<= -c->shift;
	else
		khz >>= c->shift;
	return khz;
}

#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00

/* The wall-clock time now (ns since 1970), from the host's boot time + the pvclock. */
uint64_t kvmclock_wall_ns(void)
{
	static volatile struct {
		uint32_t version, sec, nsec;
	} __aligned(16) wc;
	uint64_t f = arch_irq_save(), ns;

	wrmsr(MSR_KVM_WALL_CLOCK_NEW, V2P_ANY(&wc));
	ns = (uint64_t)wc.sec * 1000000000ULL + wc.nsec + kvmclock_ns();
	arch_irq_restore(f);
	return ns;
}
