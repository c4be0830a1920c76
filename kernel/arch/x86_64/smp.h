/* smp.h: bringing up the other vCPUs, IPIs to all of them, TLB shootdown. */
#ifndef MOTE_ARCH_X86_64_SMP_H
#define MOTE_ARCH_X86_64_SMP_H

#include "lib/types.h"

/* Start bringing up the other CPUs the firmware tables list (INIT-SIPI through the
 * trampoline): the first AP boots while the boot CPU goes on. Boot CPU, after apic_init. */
void smp_start(void);
/* Let the APs finish (they wait for the scheduler) and start the rest, one at a time, in
 * the background (thread "smpboot"): the boot CPU does not wait for them. After sched_init,
 * interrupts on. */
void smp_continue(void);
/* Wait until every CPU is online or has been given up on (reported). Thread context. */
void smp_wait_all(void);
/* Microseconds from the first instruction to the last CPU online (0 until then). */
extern uint64_t online_us;
/* Entered by each AP from ap_entry64 with its per-CPU block. */
void smp_ap_main(void *block) __noreturn;
/* Invalidate [va, va+len) in every CPU's TLB (this one included) and wait until done.
 * Thread context with interrupts enabled (it waits for the other CPUs' handlers). */
void smp_tlb_shootdown(uint64_t va, uint64_t len);
/* Every CPU (this one too) that still runs on the page-table root at physical address root
 * (an idle CPU keeps the last process's) switches to the kernel's, so that it can be freed.
 * Same context as smp_tlb_shootdown. */
void smp_drop_root(uint64_t root);
/* Make every other CPU stop (panic). */
void smp_stop_others(void);

#endif /* MOTE_ARCH_X86_64_SMP_H */
