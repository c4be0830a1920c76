/* time.c: the kernel's clock. With kvmclock, time_ns() is the pvclock minus its boot value;
 * without, it scales the TSC by a frequency measured against the PIT (QEMU TCG). The wall
 * clock is kvmclock's (or the CMOS clock's) at first use plus the monotonic clock since. */
#include "core/time.h"
#include "arch/x86_64/cpu.h"
#include "drivers/kvmclock.h"
#include "drivers/rtc.h"
#include "lib/printf.h"

#define PIT_HZ 1193182
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define CALIBRATE_TICKS 5966 /* 5 ms of PIT */

static bool use_kvmclock;
static uint64_t base_ns, base_tsc, tsc_khz;
static uint64_t ns_mult; /* ns = (tsc delta * ns_mult) >> 32 */
static uint64_t realtime_offset;
static bool realtime_offset_set;

static uint16_t pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x00); /* latch channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

/* TSC frequency from the PIT: channel 0 counts down from 0xffff in mode 0; returns 0 if
 * there is no PIT (the count never moves). */
static uint64_t pit_calibrate(void)
{
	uint16_t c0, c;
	uint64_t t0, t1, spins = 0;

	outb(PIT_CMD, 0x30);
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
	c0 = pit_read();
	t0 = rdtsc();
	do {
		c = pit_read();
		if (++spins > 10000000 || (c == c0 && spins > 100000))
			return 0;
	} while ((uint16_t)(c0 - c) < CALIBRATE_TICKS);
	t1 = rdtsc();
	return (t1 - t0) * PIT_HZ / ((uint64_t)(uint16_t)(c0 - c) * 1000);
}

static uint64_t cpuid_khz(void)
{
	uint32_t r[4];

	arch_cpuid(0, 0, r);
	if (r[0] >= 0x16) {
		arch_cpuid(0x16, 0, r);
		if (r[0])
			return (uint64_t)r[0] * 1000;
	}
	return 0;
}

void time_init(void)
{
	if (!kvmclock_init()) {
		use_kvmclock = true;
		uint64_t f = arch_irq_save();

		tsc_khz = kvmclock_tsc_khz();
		base_ns = kvmclock_ns();
		arch_irq_restore(f);
	} else {
		uint32_t r[4];

		arch_cpuid(0x80000000, 0, r);
		if (r[0] >= 0x80000007)
			arch_cpuid(0x80000007, 0, r);
		if (r[0] < 0x80000007 || !(r[3] & (1u << 8)))
			printk(LOG_INFO, "time: no kvmclock, no invariant TSC: assuming the TSC "
					 "runs at a constant rate\n");
		tsc_khz = pit_calibrate();
		if (!tsc_khz)
			tsc_khz = cpuid_khz();
		if (!tsc_khz) {
			tsc_khz = 1000000;
			printk(LOG_WARN,
			       "time: no PIT, no CPUID frequency: assuming a 1 GHz TSC\n");
		}
	}
	ns_mult = (1000000ULL << 32) / tsc_khz;
	base_tsc = rdtsc();
	printk(LOG_INFO, "time: %s, TSC %lu kHz\n", time_source(), tsc_khz);
}

void time_init_cpu(void)
{
	if (use_kvmclock)
		kvmclock_init_cpu();
}

uint64_t time_ns(void)
{
	if (use_kvmclock) {
		uint64_t f = arch_irq_save(), ns = kvmclock_ns();

		arch_irq_restore(f);
		return ns - base_ns;
	}
	return (uint64_t)(((unsigned __int128)(rdtsc() - base_tsc) * ns_mult) >> 32);
}

uint64_t time_tsc_khz(void)
{
	return tsc_khz;
}

uint64_t time_ns_to_tsc(uint64_t ns)
{
	uint64_t now = time_ns(), tsc = rdtsc();

	if (ns <= now)
		return tsc;
	/* Clamped to an hour so that the product fits 64 bits. */
	return tsc + MIN(ns - now, 3600 * NSEC_PER_SEC) * tsc_khz / 1000000;
}

uint64_t time_tsc_to_us(uint64_t tsc_from, uint64_t tsc_to)
{
	return (tsc_to - tsc_from) * 1000 / tsc_khz;
}

uint64_t time_realtime_offset(void)
{
	if (!READ_ONCE(realtime_offset_set)) {
		uint64_t wall;

		if (use_kvmclock)
			wall = kvmclock_wall_ns();
		else
			wall = (uint64_t)rtc_read_epoch() * NSEC_PER_SEC;
		realtime_offset = wall - time_ns();
		__atomic_store_n(&realtime_offset_set, true, __ATOMIC_RELEASE);
	}
	return realtime_offset;
}

void time_set_realtime(uint64_t wall_ns)
{
	(void)time_realtime_offset(); /* (read once: the flag must not undo what follows) */
	__atomic_store_n(&realtime_offset, wall_ns - time_ns(), __ATOMIC_RELEASE);
}

uint64_t time_realtime_ns(void)
{
	return time_ns() + time_realtime_offset();
}

const char *time_source(void)
{
	return use_kvmclock ? "kvmclock" : "tsc";
}

void time_delay(uint64_t ns)
{
	uint64_t end = time_ns() + ns;

	while (time_ns() < end)
		cpu_relax();
}

void time_vdso_params(bool *pvclock, uint64_t *ns0, uint64_t *tsc0, uint64_t *mult)
{
	*pvclock = use_kvmclock;
	*ns0 = base_ns;
	*tsc0 = base_tsc;
	*mult = ns_mult;
}
