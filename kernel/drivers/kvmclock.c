/* kvmclock.c: KVM pvclock: ns = system_time + scale(tsc - tsc_timestamp, mul, shift), read
 * under the version counter (odd while the host updates it). */
#include "drivers/kvmclock.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
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

static struct pvclock clock __aligned(64);

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
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, KV2P(&clock) | 1);
	return clock.mul ? 0 : -ENODEV;
}

uint64_t kvmclock_ns(void)
{
	uint32_t v;
	uint64_t ns;

	do {
		uint64_t delta;

		v = clock.version;
		barrier();
		delta = rdtsc() - clock.tsc_timestamp;
		if (clock.shift < 0)
			delta >>= -clock.shift;
		else
			delta <<= clock.shift;
		ns = clock.system_time + (uint64_t)(((unsigned __int128)delta * clock.mul) >> 32);
		barrier();
	} while ((v & 1) || v != clock.version);
	return ns;
}

uint64_t kvmclock_tsc_khz(void)
{
	uint64_t khz = (1000000ULL << 32) / clock.mul;

	if (clock.shift < 0)
		khz <<= -clock.shift;
	else
		khz >>= clock.shift;
	return khz;
}
