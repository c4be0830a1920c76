/* irq.h: device interrupts by GSI (what a virtio_mmio.device= word names): a handler and its
 * argument, routed through the IOAPIC to the boot CPU, edge-triggered. */
#ifndef MOTE_ARCH_X86_64_IRQ_H
#define MOTE_ARCH_X86_64_IRQ_H

#include "lib/types.h"

#define IRQ_MAX_GSI 24 /* the IOAPIC's pins (vectors VEC_IRQ_BASE...) */

typedef void (*irq_fn)(void *arg);

/* Call fn(arg) in interrupt context (interrupts off, on the kernel stack) for each interrupt
 * on gsi. 0, -EINVAL (no IOAPIC, or gsi not one of its pins), -EBUSY (taken). */
int irq_register(uint32_t gsi, irq_fn fn, void *arg) __must_check;

#endif /* MOTE_ARCH_X86_64_IRQ_H */
