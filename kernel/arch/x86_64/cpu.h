/* cpu.h: x86-64 instructions as inline functions, and the arch hooks the portable kernel calls. */
#ifndef MOTE_ARCH_X86_64_CPU_H
#define MOTE_ARCH_X86_64_CPU_H

#include "lib/types.h"
#include "arch/x86_64/pvm.h"

#define RFLAGS_IF 0x200

#define MSR_EFER 0xc0000080
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_APIC_BASE 0x1b

/*
 * Port I/O is ordered with memory ("memory" clobbers): a device may read or write guest memory
 * when it is poked (motevm's console port reads a request the kernel just wrote).
 */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/*
 * Arch hooks. Each picks the PV implementation (pvm.c) on kvm_pvm hosts and the plain
 * instruction elsewhere; pvm_active is set once at boot, before any of them is called.
 */
static inline uint64_t arch_irq_save(void)
{
	uint64_t f;

	if (pvm_active)
		return pvm_irq_save();
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f) : : "memory");
	return f & RFLAGS_IF;
}

static inline void arch_irq_restore(uint64_t flags)
{
	if (pvm_active) {
		pvm_irq_restore(flags);
		return;
	}
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_enable(void)
{
	arch_irq_restore(RFLAGS_IF);
}

static inline void arch_irq_disable(void)
{
	(void)arch_irq_save();
}

static inline bool arch_irq_enabled(void)
{
	if (pvm_active)
		return pvm_irq_save_peek();
	return read_rflags() & RFLAGS_IF;
}

/* Halt until an interrupt with interrupts enabled; called with interrupts disabled. */
void arch_idle_halt(void);
/* Stop this CPU for good (interrupts off). */
void arch_halt_forever(void) __noreturn;
void arch_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]);
void arch_set_cr3(uint64_t pa);
uint64_t arch_read_cr4(void);
void arch_write_cr4(uint64_t v);
void arch_flush_tlb_all(void);
void arch_flush_tlb_one(uint64_t va);
uint64_t arch_read_cr2(void);
/* Extra bits every page-table entry gets (on kvm_pvm: U, and Accessed and Dirty preset). */
uint64_t arch_pte_extra(void);

#endif /* MOTE_ARCH_X86_64_CPU_H */
