/* appcpu.c: application CPU state: FPU/SSE/AVX save areas, the FS base, and the per-CPU
 * control bits the application relies on. The kernel itself is built -mno-sse and never
 * touches the FPU, so an application thread's FPU registers stay live across its system
 * calls and interrupts and are saved only at a context switch (sched.c). */
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/xstate.h"
#include "core/mm/heap.h"
#include "core/sched/thread.h"
#include "core/panic.h"
#include "lib/printf.h"
#include "lib/string.h"

#define CR0_MP 0x2
#define CR0_EM 0x4
#define CR0_TS 0x8
#define CR0_NE 0x20
#define CR0_WP 0x10000
#define CR4_OSFXSR 0x200
#define CR4_OSXMMEXCPT 0x400
#define CR4_FSGSBASE 0x10000
#define CR4_OSXSAVE 0x40000
#define EFER_SCE 0x1
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
/* Cleared on syscall entry: TF, DF, NT, AC, IOPL. IF stays set: every interrupt arrives on
 * an IST stack, and syscall.S's two-instruction stack switch is restartable (traps.c). */
#define SYSCALL_FMASK 0x47500
#define CR4_SMEP 0x100000    /* both would stop the kernel at CPL0 from running/reading the */
#define CR4_SMAP 0x200000    /* application's pages, which carry the U bit */
#define XSTATE_LIMIT 0x10000 /* no managed component ends past 64 KiB */
/* After each FPU area: a guard that an xsave writing past the area would overwrite. */
#define FPU_GUARD_BYTES 64
#define FPU_GUARD_WORD 0x6775617264667075ull

uint32_t appcpu_fpu_size = 512;
bool appcpu_fsgsbase;
static bool use_xsave;
static uint64_t xcr0_want; /* written to XCR0 on every CPU: CPUID's supported & managed */
static uint64_t xcr0_live; /* what the boot CPU's XCR0 really held afterwards */
static struct xstate_plan xs = { .mask = 0x3, .size = 512 }; /* fxsave until planned */
static uint8_t *initial_state; /* the state a new program starts with */

extern char syscall_entry[];

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t xgetbv(uint32_t reg)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(reg));
	return ((uint64_t)hi << 32) | lo;
}

void fpu_save(void *area)
{
	if (use_xsave)
		__asm__ volatile("xsave64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)xs.mask), "d"((uint32_t)(xs.mask >> 32))
				 : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(void *area)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)"
				 :
				 : "r"(area), "a"((uint32_t)xs.mask), "d"((uint32_t)(xs.mask >> 32))
				 : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

static uint64_t *guard(void *area)
{
	return (uint64_t *)((uint8_t *)area + appcpu_fpu_size);
}

bool fpu_guard_ok(const void *area)
{
	const uint64_t *g = guard((void *)area);

	for (unsigned int i = 0; i < FPU_GUARD_BYTES / 8; i++)
		if (g[i] != FPU_GUARD_WORD)
			return false;
	return true;
}

static void *area_alloc(void)
{
	/* power-of-2 classes up to 1 KiB, whole pages above: always 64-byte aligned; xsave
	 * leaves the header's rest alone: it must be zero for xrstor */
	void *a = kzalloc(appcpu_fpu_size + FPU_GUARD_BYTES);

	if (a)
		for (unsigned int i = 0; i < FPU_GUARD_BYTES / 8; i++)
			guard(a)[i] = FPU_GUARD_WORD;
	return a;
}

void *fpu_alloc(bool from_live)
{
	void *a = area_alloc();

	if (!a)
		return NULL;
	if (from_live)
		fpu_save(a);
	else
		memcpy(a, initial_state, appcpu_fpu_size);
	return a;
}

void fpu_reset(void *area)
{
	uint64_t f = arch_irq_save(); /* a context switch in between would save over the copy */

	memcpy(area, initial_state, appcpu_fpu_size);
	fpu_restore(area);
	arch_irq_restore(f);
}

void fpu_load(void *area, const void *image)
{
	uint64_t f = arch_irq_save();

	memcpy(area, image, appcpu_fpu_size);
	fpu_restore(area);
	arch_irq_restore(f);
}

bool appcpu_xsave(uint64_t *features, uint32_t *size)
{
	*features = xs.mask;
	*size = xs.size;
	return use_xsave;
}

uint32_t appcpu_mxcsr_mask(void)
{
	uint32_t m;

	memcpy(&m, initial_state + 28, sizeof(m)); /* fxsave's MXCSR_MASK field */
	return m ? m : 0xffbf;
}

void fpu_free(void *area)
{
	if (area && !fpu_guard_ok(area))
		panic("fpu: a save area at %p was overrun (%u bytes, XCR0 %#lx, saved %#lx)", area,
		      appcpu_fpu_size, xcr0_live, xs.mask);
	kfree(area);
}

uint64_t appcpu_xfeatures(void)
{
	return xs.mask;
}

void appcpu_set_fs(uint64_t base)
{
	if (appcpu_fsgsbase)
		__asm__ volatile("wrfsbase %0" : : "r"(base) : "memory");
	else
		wrmsr(MSR_FS_BASE, base);
}

uint64_t appcpu_get_fs(void)
{
	uint64_t v;

	if (!appcpu_fsgsbase)
		return rdmsr(MSR_FS_BASE);
	__asm__ volatile("rdfsbase %0" : "=r"(v));
	return v;
}

void arch_switch_app(struct thread *prev, struct thread *next)
{
	if (prev->fpu)
		fpu_save(prev->fpu);
	if (next->fpu) {
		fpu_restore(next->fpu);
		appcpu_set_fs(next->fsbase);
	}
}

/* XCR0: write only bits CPUID calls supported (on kvm_pvm a write of others faults), and
 * only when it differs (on kvm_pvm the write traps, and may not stick). An AP must run with
 * the boot CPU's XCR0: the save areas are laid out for it. */
static void init_xcr0(void)
{
	uint64_t live = xgetbv(0);

	if (live != xcr0_want) {
		xsetbv(0, xcr0_want);
		live = xgetbv(0);
	}
	if (xcr0_live && live != xcr0_live)
		panic("cpu %u: XCR0 %#lx differs from the boot CPU's %#lx", this_cpu()->id, live,
		      xcr0_live);
	xcr0_live = live;
}

void appcpu_init_cpu(void)
{
	uint64_t cr4 = arch_read_cr4(), cr0 = read_cr0();
	uint64_t want4 = (cr4 | CR4_OSFXSR | CR4_OSXMMEXCPT) & ~(CR4_SMEP | CR4_SMAP);

	if (use_xsave)
		want4 |= CR4_OSXSAVE;
	if (appcpu_fsgsbase)
		want4 |= CR4_FSGSBASE;
	if (want4 != cr4)
		arch_write_cr4(want4);
	if ((cr0 & (CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP)) != (CR0_MP | CR0_NE | CR0_WP))
		__asm__ volatile("mov %0, %%cr0"
				 :
				 : "r"((cr0 & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE | CR0_WP));
	if (use_xsave)
		init_xcr0();
	__asm__ volatile("fninit");
	if (!(rdmsr(MSR_EFER) & EFER_SCE))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (uint64_t)SEL_KCODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, SYSCALL_FMASK);
}

/* Lay the save image out for the XCR0 the CPU runs with (xstate.h), and say what is not
 * saved: on kvm_pvm hosts XCR0 stays the host's, AMX or components CPUID does not size
 * included. */
static void plan_xsave(void)
{
	struct xstate_comp comp[XSTATE_MAX] = { { 0, 0 } };
	uint32_t r[4];

	for (unsigned int i = XFEATURE_AVX; i < XSTATE_MAX; i++) {
		if (!(xcr0_live & (1ull << i)))
			continue;
		arch_cpuid(0xd, i, r);
		comp[i] = (struct xstate_comp){ .size = r[0], .offset = r[1] };
	}
	xstate_plan(xcr0_live, comp, XSTATE_LIMIT, &xs);
	for (unsigned int i = 0; i < XSTATE_MAX; i++) {
		if (!(xs.unsaved & (1ull << i)))
			continue;
		if (XSTATE_AMX & (1ull << i))
			printk(LOG_INFO,
			       "cpu: XCR0 enables %s (bit %u): not offered to programs "
			       "(arch_prctl(ARCH_REQ_XCOMP_PERM) refuses it) and not saved\n",
			       xstate_name(i), i);
		else
			printk(LOG_WARN,
			       "cpu: XCR0 enables %s (bit %u) but CPUID leaf 0xD %s: "
			       "not saved across context switches\n",
			       xstate_name(i), i,
			       XSTATE_MANAGED & (1ull << i) ? "does not size it"
							    : "is not managed");
	}
}

void appcpu_init_boot(void)
{
	uint32_t r[4];
	uint32_t mxcsr = 0x1f80;

	arch_cpuid(7, 0, r);
	appcpu_fsgsbase = r[1] & 1;
	arch_cpuid(1, 0, r);
	if (r[2] & (1u << 26)) { /* XSAVE */
		arch_cpuid(0xd, 0, r);
		xcr0_want = (((uint64_t)r[3] << 32) | r[0]) & XSTATE_MANAGED;
		use_xsave = (xcr0_want & 0x3) == 0x3;
	}
	appcpu_init_cpu();
	if (use_xsave)
		plan_xsave();
	appcpu_fpu_size = ALIGN_UP(xs.size, 64);
	initial_state = area_alloc();
	BUG_ON(!initial_state);
	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	fpu_save(initial_state);
	printk(LOG_INFO,
	       "mote: application FPU state %s (%u bytes, saves %#lx, XCR0 %#lx), FS base by %s\n",
	       use_xsave ? "xsave" : "fxsave", appcpu_fpu_size, xs.mask, xcr0_live,
	       appcpu_fsgsbase ? "wrfsbase" : "MSR");
}
