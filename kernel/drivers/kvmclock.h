/* kvmclock.h: the KVM paravirtual clock (pvclock), when the host offers it. */
#ifndef MOTE_DRIVERS_KVMCLOCK_H
#define MOTE_DRIVERS_KVMCLOCK_H

#include "lib/types.h"

/* Register the boot CPU's pvclock page; returns 0, or -ENODEV if the host has no kvmclock. */
int kvmclock_init(void) __must_check;
/* Register this CPU's pvclock (APs, once the boot CPU found kvmclock). */
void kvmclock_init_cpu(void);
/* Nanoseconds since the host's reference point, from this CPU's page; interrupts off. */
uint64_t kvmclock_ns(void);
/* The wall-clock time (ns since the epoch): the host's boot time + this CPU's clock. */
uint64_t kvmclock_wall_ns(void);
/* TSC frequency the host publishes, in kHz. */
uint64_t kvmclock_tsc_khz(void);

#endif /* MOTE_DRIVERS_KVMCLOCK_H */
