/* blk_uring.h: virtio-blk's io_uring engine (Firecracker's io_engine "Async"): requests go to
 * the kernel as they come, up to BLK_URING_SLOTS at once, and their completions come back on
 * the event loop through the ring's eventfd; each batch of completions ends with one
 * interrupt where the driver wants it. */
#ifndef MOTE_VMM_DEVICES_VIRTIO_BLK_URING_H
#define MOTE_VMM_DEVICES_VIRTIO_BLK_URING_H

#include <stdbool.h>

#define BLK_URING_SLOTS 64

struct virtio_blk;
struct blk_uring;

/* Whether this host's kernel gives io_uring (it may be too old, or turned off by sysctl). */
bool blk_uring_available(void);
/* The engine for B (on B's event loop). NULL after logging. */
struct blk_uring *blk_uring_create(struct virtio_blk *b);
/* Waits for what is in flight, then frees it. */
void blk_uring_destroy(struct blk_uring *u);
/* Queue QI has new requests: submit them (under the device's lock). */
void blk_uring_notify(struct blk_uring *u, unsigned qi);
/* The driver reset the device: wait for what is in flight and answer none of it (under the
 * device's lock). */
void blk_uring_drain(struct blk_uring *u);

#endif /* MOTE_VMM_DEVICES_VIRTIO_BLK_URING_H */
