/* percpu.h: the per-CPU block, reached through the GS base (never changed after boot). */
#ifndef MOTE_ARCH_X86_64_PERCPU_H
#define MOTE_ARCH_X86_64_PERCPU_H

#include "lib/types.h"
#include "arch/x86_64/layout.h"

struct thread;

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* What this CPU has counted (summed and printed by core/stats.c; --stats). */
struct cpu_stats {
	uint64_t syscalls;	  /* system calls dispatched, either way */
	uint64_t syscalls_fast;	  /* of them, through a rewritten site (no trap) */
	uint64_t sites_rewritten; /* syscall instructions rewritten into jumps */
	uint64_t page_faults;	  /* page faults, the application's and the kernel's */
	uint64_t exceptions;	  /* other CPU exceptions */
	uint64_t timer_irqs;	  /* LAPIC timer interrupts */
	uint64_t ipis_in;	  /* IPIs received */
	uint64_t ipis_out;	  /* IPIs sent */
	uint64_t dev_irqs;	  /* device interrupts (IOAPIC) */
	uint64_t switches;	  /* context switches */
	uint64_t halts;		  /* idle halts */
	uint64_t virtio_notifies; /* virtio notifications (an MMIO write each) */
	uint64_t net_tx;	  /* frames handed to the network device */
	uint64_t net_rx;	  /* frames taken from it */
};

/*
 * A per-CPU block is two pages: page 0 is the CPU's VIF page (kvm_pvm; its first bytes are
 * read with single %gs-relative instructions so that a migration cannot split them), page 1
 * holds struct cpu. GS base = the block. The first fields are read by isr.S (layout.h).
 */
struct cpu {
	struct cpu *self;   /* CPU_SELF */
	uint64_t kstack_lo; /* CPU_KSTACK_LO: the running thread's kernel stack */
	uint64_t kstack_hi; /* CPU_KSTACK_HI */
	uint64_t ist_lo;    /* CPU_IST_LO: this CPU's IST stacks */
	uint64_t ist_hi;    /* CPU_IST_HI */
	uint64_t scratch;   /* CPU_SCRATCH: the application's %rsp at a syscall (syscall.S) */
	struct thread *current;
	struct thread *idle;
	struct thread *switch_prev; /* set across a context switch */
	uint64_t cr3;		    /* the root loaded (a process's, kept while idle) */
	uint32_t id;
	uint32_t apic_id;
	volatile uint32_t online;
	volatile uint32_t need_resched;
	volatile uint32_t in_idle;
	uint32_t icr_dest; /* ICR destination last written (apic.c) */
	uint64_t irqs;
	struct cpu_stats stats;
	uint64_t pvclock[4] __aligned(32); /* this CPU's kvmclock page (kvmclock.c) */
	uint64_t gdt[10] __aligned(16);
	struct tss tss __aligned(16);
};

#define PERCPU_CPU_OFFSET PAGE_SIZE

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(c) : "i"(PERCPU_CPU_OFFSET + CPU_SELF));
	return c;
}

/* Count one event on this CPU: a single %gs-relative instruction, so that a migration cannot
 * split it. */
#define CPU_STAT_INC(field)                                                                     \
	__asm__ volatile("incq %%gs:%c0"                                                        \
			 :                                                                      \
			 : "i"(PERCPU_CPU_OFFSET + __builtin_offsetof(struct cpu, stats.field)) \
			 : "memory")

static inline struct thread *current_thread(void)
{
	return this_cpu()->current;
}

extern struct cpu *cpus[MAX_CPUS];
extern uint32_t ncpus; /* CPUs online */

/* Set up the boot CPU's block (cpu0_block in entry.S, GS base already set). */
void percpu_init_boot(void);
/* Allocate and initialise the block of CPU id; returns its base (the GS base) or NULL. */
void *percpu_alloc(uint32_t id, uint32_t apic_id);

#endif /* MOTE_ARCH_X86_64_PERCPU_H */
