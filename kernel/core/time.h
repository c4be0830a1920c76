/* time.h: monotonic time (kvmclock when present, else the TSC calibrated against the PIT). */
#ifndef MOTE_CORE_TIME_H
#define MOTE_CORE_TIME_H

#include "lib/types.h"

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

/* Pick and set up the clock. Boot CPU, before apic_init. */
void time_init(void);
/* An AP: register its own clock page if the clock has one. */
void time_init_cpu(void);
/* Nanoseconds since time_init (monotonic, all CPUs). */
uint64_t time_ns(void);
/* ns to add to time_ns() to get the wall clock (kvmclock's, else the CMOS clock's, read once
 * at first use). */
uint64_t time_realtime_offset(void);
/* Set the wall clock to wall_ns (clock_settime): the monotonic clock does not move. */
void time_set_realtime(uint64_t wall_ns);
/* The wall clock (CLOCK_REALTIME) in ns since the epoch. */
uint64_t time_realtime_ns(void);
/* TSC frequency in kHz. */
uint64_t time_tsc_khz(void);
/* The TSC value at which time_ns() reaches ns (for the TSC-deadline timer). */
uint64_t time_ns_to_tsc(uint64_t ns);
/* Microseconds from a TSC value to another. */
uint64_t time_tsc_to_us(uint64_t tsc_from, uint64_t tsc_to);
/* "kvmclock" or "tsc". */
const char *time_source(void);
/* How time_ns() is computed, for the vDSO: kvmclock minus ns0 (pvclock), else
 * (rdtsc - tsc0) * mult >> 32. */
void time_vdso_params(bool *pvclock, uint64_t *ns0, uint64_t *tsc0, uint64_t *mult);
/* Busy-wait ns nanoseconds. */
void time_delay(uint64_t ns);

#endif /* MOTE_CORE_TIME_H */
