/* irq.c: device interrupts by GSI (irq.h). */
#include "arch/x86_64/irq.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/traps.h"
#include "lib/errno.h"

static struct {
	irq_fn fn;
	void *arg;
} handlers[IRQ_MAX_GSI];

static void dispatch(struct trapframe *tf)
{
	uint64_t gsi = tf->vector - VEC_IRQ_BASE;

	if (gsi < IRQ_MAX_GSI && handlers[gsi].fn)
		handlers[gsi].fn(handlers[gsi].arg);
}

int irq_register(uint32_t gsi, irq_fn fn, void *arg)
{
	if (!platform.ioapic_pa || gsi < platform.ioapic_gsi_base ||
	    gsi - platform.ioapic_gsi_base >= IRQ_MAX_GSI)
		return -EINVAL;
	if (handlers[gsi].fn)
		return -EBUSY;
	handlers[gsi].arg = arg;
	handlers[gsi].fn = fn;
	trap_set_handler(VEC_IRQ_BASE + (int)gsi, dispatch);
	ioapic_route((int)gsi, VEC_IRQ_BASE + (int)gsi);
	return 0;
}
