/* vdso.c: the vDSO's code: clock_gettime, gettimeofday, time, getcpu and clock_getres without
 * a system call. Built as a tiny position-independent shared object (vdso.lds) and linked
 * into the kernel image (vdso_image.S). It runs as application code, at CPL0 in the one
 * address space: it reads the clock the kernel reads (the TSC, or CPU 0's kvmclock page)
 * and the CPU number from the per-CPU block through %gs, which applications leave alone. */
#include "vdso_data.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define PVCLOCK_TSC_STABLE 1
#define NR_clock_gettime 228
#define NR_gettimeofday 96
#define NR_clock_getres 229

struct ts {
	long sec, nsec;
};

struct tv {
	long sec, usec;
};

extern const struct vdso_data vvar __attribute__((visibility("hidden")));

int __vdso_clock_gettime(int id, struct ts *ts);
int __vdso_gettimeofday(struct tv *tv, void *tz);
long __vdso_time(long *t);
int __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);
int __vdso_clock_getres(int id, struct ts *ts);

static inline unsigned long rdtsc(void)
{
	unsigned lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((unsigned long)hi << 32) | lo;
}

static long sys2(long nr, long a, long b)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "0"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return r;
}

/* Monotonic ns, or -1 when the kernel's clock cannot be read here (use the system call). */
static long mono_ns(void)
{
	const struct vdso_data *d = &vvar;

	if (d->mode == VDSO_CLOCK_TSC)
		return (long)(((unsigned __int128)(rdtsc() - d->base_tsc) * d->ns_mult) >> 32);
	if (d->mode == VDSO_CLOCK_PVCLOCK) {
		const volatile struct vdso_pvclock *c = d->pvclock;
		unsigned v;
		unsigned long ns, delta;
		unsigned char flags;

		do {
			v = c->version;
			__asm__ volatile("" ::: "memory");
			delta = rdtsc() - c->tsc_timestamp;
			if (c->shift < 0)
				delta >>= -c->shift;
			else
				delta <<= c->shift;
			ns = c->system_time +
			     (unsigned long)(((unsigned __int128)delta * c->mul) >> 32);
			flags = c->flags;
			__asm__ volatile("" ::: "memory");
		} while ((v & 1) || v != c->version);
		if (flags & PVCLOCK_TSC_STABLE)
			return (long)(ns - d->base_ns);
	}
	return -1;
}

static int gettime(int id, struct ts *ts)
{
	long ns;

	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		ns = mono_ns();
		if (ns < 0)
			break;
		if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)
			ns += (long)vvar.realtime_offset;
		ts->sec = ns / 1000000000L;
		ts->nsec = ns % 1000000000L;
		return 0;
	default:
		break;
	}
	return (int)sys2(NR_clock_gettime, id, (long)ts);
}

int __vdso_clock_gettime(int id, struct ts *ts)
{
	return gettime(id, ts);
}

int __vdso_gettimeofday(struct tv *tv, void *tz)
{
	long ns = mono_ns();

	if (ns < 0 || tz)
		return (int)sys2(NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		ns += (long)vvar.realtime_offset;
		tv->sec = ns / 1000000000L;
		tv->usec = ns % 1000000000L / 1000;
	}
	return 0;
}

long __vdso_time(long *t)
{
	struct ts ts;
	long s;

	gettime(CLOCK_REALTIME, &ts);
	s = ts.sec;
	if (t)
		*t = s;
	return s;
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	unsigned id;

	(void)cache;
	__asm__ volatile("movl %%gs:(%1), %0" : "=r"(id) : "r"((unsigned long)vvar.cpu_id_offset));
	if (cpu)
		*cpu = id;
	if (node)
		*node = 0;
	return 0;
}

int __vdso_clock_getres(int id, struct ts *ts)
{
	return (int)sys2(NR_clock_getres, id, (long)ts);
}

int clock_gettime(int, struct ts *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct tv *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(int, struct ts *) __attribute__((weak, alias("__vdso_clock_getres")));
