/* kvmclock.h: the KVM paravirtual clock (pvclock), when the host offers it. */
#ifndef MOTE_DRIVERS_KVMCLOCK_H
#define MOTE_DRIVERS_KVMCLOCK_H

#include "lib/types.h"

/* Register the boot CPU's pvclock page; returns 0, or -ENODEV if the host has no kvmclock. */
int kvmclock_init(void) __must_check;
/* Nanoseconds since the host's reference point (monotonic, from the boot CPU's page). */
uint64_t kvmclock_ns(void);
/* TSC frequency the host publishes, in kHz. */
uint64_t kvmclock_tsc_khz(void);

#endif /* MOTE_DRIVERS_KVMCLOCK_H */
