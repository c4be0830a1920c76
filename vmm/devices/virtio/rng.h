/* rng.h: virtio-rng (virtio 1.x, 5.4), Firecracker's "entropy" device: every buffer the
 * driver offers comes back filled from the host's getrandom(). */
#ifndef MOTE_VMM_DEVICES_VIRTIO_RNG_H
#define MOTE_VMM_DEVICES_VIRTIO_RNG_H

#include <stdint.h>

#include "devices/virtio/mmio.h"

/* Firecracker's entropy metrics (totals). */
struct virtio_rng_stats {
	uint64_t bytes, requests, fails;
};

struct virtio_rng {
	struct virtio_dev dev;
	struct virtio_rng_stats stats;
};

/* Creates the device in SLOT. NULL after logging. */
struct virtio_rng *virtio_rng_create(const struct virtio_env *env, unsigned slot);
void virtio_rng_destroy(struct virtio_rng *r);
/* Its counters (totals). Any thread. */
struct virtio_rng_stats virtio_rng_stats(struct virtio_rng *r);

#endif /* MOTE_VMM_DEVICES_VIRTIO_RNG_H */
