/* rng.h: the virtio entropy device's driver (virtio 1.x, 5.4): it seeds the kernel's random
 * numbers (getrandom, /dev/random) at boot and serves reads. */
#ifndef MOTE_DRIVERS_VIRTIO_RNG_H
#define MOTE_DRIVERS_VIRTIO_RNG_H

#include "lib/types.h"

struct virtio_dev;

/* The driver's probe (mmio.c's table): one request queue, then seeds lib/random.c. */
int virtio_rng_probe(struct virtio_dev *d) __must_check;

/* Read up to n bytes (at most a page) of the device's entropy into buf: the count, or
 * -ENODEV (no device, or it stopped answering), -EIO. Thread context. */
long virtio_rng_read(void *buf, size_t n);

#endif /* MOTE_DRIVERS_VIRTIO_RNG_H */
