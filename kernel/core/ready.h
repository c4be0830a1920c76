/* ready.h: the "ready to exec" point of the boot: where the program will be started. */
#ifndef MOTE_CORE_READY_H
#define MOTE_CORE_READY_H

#include "lib/types.h"

/* Record the boot time (TSC at the first instruction -> now), tell motevm's boot timer,
 * and with --verbose print the kernel's own measure and the machine it found. */
void ready_mark(void);
/* Microseconds from the first kernel instruction to ready_mark(). */
extern uint64_t ready_us;

#endif /* MOTE_CORE_READY_H */
