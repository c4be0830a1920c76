/* apic.h: local APIC (xAPIC MMIO): timer, IPIs, EOI; and the IOAPIC for device IRQs. */
#ifndef MOTE_ARCH_X86_64_APIC_H
#define MOTE_ARCH_X86_64_APIC_H

#include "lib/types.h"

/* Boot CPU: map the LAPIC and IOAPIC, mask the 8259 PICs, set up this CPU's LAPIC and pick
 * the timer mode (TSC-deadline if the CPU has it, else one-shot, calibrated). */
void apic_init(void);
/* An AP: set up its LAPIC. */
void apic_init_cpu(void);
uint32_t apic_id(void);
void apic_eoi(void);
void apic_send_ipi(uint32_t apic_id, int vector);
/* One IPI to every other CPU (ICR shorthand "all excluding self"). */
void apic_send_ipi_others(int vector);
/* INIT (init=true) or STARTUP at physical page addr (below 1 MiB) to apic_id. */
void apic_send_startup(uint32_t apic_id, bool init, uint32_t addr);
/* Fire VEC_TIMER on this CPU when time_ns() reaches deadline_ns (0: cancel). */
void apic_timer_arm(uint64_t deadline_ns);
/* "tsc-deadline" or "one-shot". */
const char *apic_timer_mode(void);
/* Route ISA IRQ irq (through the MADT overrides) to vector on the boot CPU. */
void ioapic_route(int irq, int vector);

#endif /* MOTE_ARCH_X86_64_APIC_H */
