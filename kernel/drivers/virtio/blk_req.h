/* blk_req.h: virtio-blk requests (virtio 1.x, 5.2.6) on a device's one queue, for blk.c: a
 * request is a chain of a header (type, sector), the data buffers and a status byte; up to
 * BLK_REQ_SLOTS are in flight, from any number of threads, each caller sleeping until its own
 * are done (on the device's interrupt where it is routed, else polling). */
#ifndef MOTE_DRIVERS_VIRTIO_BLK_REQ_H
#define MOTE_DRIVERS_VIRTIO_BLK_REQ_H

#include "lib/types.h"

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_ID_BYTES 20

#define BLK_REQ_SLOTS 64 /* requests in flight on a device at most */
#define BLK_REQ_SEGS 64	 /* data descriptors a request at most (then the device's limit) */
#define BLK_REQ_WAIT_NS (30 * NSEC_PER_SEC) /* a request unanswered this long: device reset */

struct virtio_dev;
struct blk_queue;

/*
 * Set up queue 0 of d (before virtio_ready) for requests of at most max_segs data descriptors
 * of at most seg_bytes each (the device's SEG_MAX and SIZE_MAX, or 0: no limit of its own).
 * *out the queue, or NULL with -ENOMEM, -ENODEV.
 */
int blk_req_init(struct virtio_dev *d, uint32_t max_segs, uint32_t seg_bytes,
		 struct blk_queue **out) __must_check;

/*
 * Transfer n bytes between buf and the device from sector on (write: to the device), in
 * requests of whole units (bytes: the logical block size), up to 4 of them in flight. The
 * caller has checked the range. 0, -EFAULT (buf not mapped), -EIO, or -EOPNOTSUPP (the
 * device does not know the request).
 */
int blk_req_rw(struct blk_queue *q, bool write, uint64_t sector, void *buf, size_t n,
	       uint32_t unit) __must_check;

/*
 * One request of type with n bytes of data at buf (none if n is 0; device_writes: the device
 * fills it), waited for. *written (if not NULL): the bytes the device says it wrote, status
 * byte included. 0, -EFAULT, -EINVAL (more data than one request can carry), -EIO,
 * -EOPNOTSUPP.
 */
int blk_req_one(struct blk_queue *q, uint32_t type, uint64_t sector, void *buf, size_t n,
		bool device_writes, uint32_t *written) __must_check;

/* The most requests q has had in flight at once. */
int blk_req_inflight_max(const struct blk_queue *q);

#endif /* MOTE_DRIVERS_VIRTIO_BLK_REQ_H */
