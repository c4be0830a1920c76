/* pvm.h: the PV interface of kvm_pvm hosts (../shared/reference/kvm-pvm-host.md); see pvm.c. */
#ifndef MOTE_ARCH_X86_64_PVM_H
#define MOTE_ARCH_X86_64_PVM_H

#include "lib/types.h"

#define PVM_MSR_VIF 0x4b564d10
#define PVM_MSR_DETECT 0x4b564d11
#define PVM_MSR_TSC_KHZ 0x4b564d13
#define PVM_DETECT_MAGIC 0x4d5650 /* "PVM" */
#define PVM_VIF_ENABLE 0x400

/* The per-vCPU page the host reads and writes (only its first 16 bytes are used). */
struct pvm_vif {
	volatile uint8_t irq_on;
	volatile uint8_t pending;
	uint8_t pad[6];
	volatile uint64_t cr2;
};

/* Non-zero once the boot CPU found a kvm_pvm host (set before C code runs, see entry.S). */
extern uint32_t pvm_active;

/*
 * Decide whether this is a kvm_pvm host and, if so, register the boot CPU's VIF page.
 * Runs emulated (before registration), so it does a handful of instructions only.
 * Called from entry.S with the Mote CPUID result; returns nothing, sets pvm_active.
 */
void pvm_early_init(void);
/* Register the calling CPU's VIF page (APs: done by the trampoline, see smp.c). */
uint64_t pvm_vif_msr_value(uint64_t vif_pa);

/* Features the Mote CPUID leaf reported (MOTE_FEAT_*), 0 if not on motevm. */
extern uint32_t mote_features;
extern uint32_t mote_present;

/* The interrupt flag lives in the VIF byte (%gs:0); enabling rings the doorbell if the host
 * queued an interrupt meanwhile. Single %gs-relative instructions: no migration window. */
static inline uint64_t pvm_irq_save(void)
{
	uint8_t old;

	__asm__ volatile("movb %%gs:0, %0\n\tmovb $0, %%gs:0" : "=q"(old) : : "memory");
	return old ? 0x200 : 0;
}

static inline void pvm_irq_restore(uint64_t flags)
{
	if (!(flags & 0x200))
		return;
	__asm__ volatile("movb $1, %%gs:0\n\t"
			 "cmpb $0, %%gs:1\n\t"
			 "je 1f\n\t"
			 "outb %%al, $0x80\n"
			 "1:"
			 :
			 :
			 : "rax", "memory");
}

static inline bool pvm_irq_save_peek(void)
{
	uint8_t v;

	__asm__ volatile("movb %%gs:0, %0" : "=q"(v));
	return v != 0;
}

/* Called by the trap path with the interrupted RIP (skips an interrupted idle halt). */
void pvm_trap_fixup(uint64_t *rip);
#endif /* MOTE_ARCH_X86_64_PVM_H */
