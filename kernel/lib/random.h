/* random.h: the kernel's random numbers: RDRAND when the CPU has it, mixed with the TSC into
 * a xoshiro256** generator (fast, not a vetted cryptographic generator). */
#ifndef MOTE_LIB_RANDOM_H
#define MOTE_LIB_RANDOM_H

#include "lib/types.h"

uint64_t random_u64(void);
/* Mix n bytes from an entropy source (a virtio-rng device) into the state. */
void random_add_entropy(const void *buf, size_t n);
/* Fill buf with n random bytes. */
void random_fill(void *buf, size_t n);

#endif /* MOTE_LIB_RANDOM_H */
