/* queue.h: the device side of a split virtqueue (virtio 1.x, 2.7) in guest memory. Every ring
 * and buffer address the driver gives goes through the checked guest-memory accessor; what
 * the driver gets wrong (a ring outside RAM, a descriptor loop, a wild index) is an error the
 * caller turns into a broken device, never an access outside guest RAM. */
#ifndef MOTE_VMM_DEVICES_VIRTIO_QUEUE_H
#define MOTE_VMM_DEVICES_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "kvm/memory.h"

#define VQ_SIZE_MAX 256 /* what motevm offers (QueueNumMax) */
#define VQ_DESC_F_NEXT 1
#define VQ_DESC_F_WRITE 2
#define VQ_DESC_F_INDIRECT 4
#define VQ_AVAIL_F_NO_INTERRUPT 1

/* What the driver set up through the transport, and the device's position in it. */
struct vq {
	uint16_t size; /* 0: not set up */
	bool ready;    /* QueueReady */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx; /* VIRTIO_F_EVENT_IDX negotiated */

	/* Set by vq_activate. */
	const struct guest_mem *mem;
	uint8_t *desc, *avail, *used; /* host views of the three rings */
	uint16_t last_avail;	      /* the next avail entry the device takes */
	uint16_t used_idx;	      /* the next used entry the device fills */
	uint16_t signalled_used;      /* used_idx when the driver was last interrupted */
	bool signalled_valid;
};

/* One buffer chain: nr_out device-readable buffers, then nr_in device-writable ones. */
struct vq_chain {
	uint16_t head;
	unsigned nr_out, nr_in;
	uint64_t out_len, in_len; /* their total bytes */
	struct iovec iov[VQ_SIZE_MAX];
};

/* Back to the state after a device reset. */
void vq_reset(struct vq *q);
/* Checks the rings the driver set (size a power of 2 up to VQ_SIZE_MAX, aligned, whole in
 * RAM) and maps them. 0, or -EINVAL with WHY set. */
int vq_activate(struct vq *q, const struct guest_mem *mem, const char **why);
/*
 * The next chain the driver made available: 1 and C filled, 0 if there is none, -EIO with
 * WHY set if the driver broke the rules (index, loop, indirect, writable before readable,
 * a buffer outside RAM).
 */
int vq_pop(struct vq *q, struct vq_chain *c, const char **why);
/* Gives the last popped chain back (it will be popped again). */
void vq_unpop(struct vq *q);
/* Returns chain HEAD to the driver with LEN bytes written into it. */
void vq_push(struct vq *q, uint16_t head, uint32_t len);
/* After pushes: whether the driver wants an interrupt now (its flags or used_event). */
bool vq_need_interrupt(struct vq *q);
/*
 * The device has drained the queue: ask the driver to notify on its next buffer (with
 * EVENT_IDX, avail_event = last_avail). Returns true if buffers arrived meanwhile, so the
 * caller must go on popping.
 */
bool vq_enable_notify(struct vq *q);

/* vq_pop, and on an empty queue vq_enable_notify, popping again while buffers arrived
 * meanwhile: 1 with a chain, 0 (the driver asked to notify its next buffer), -EIO as vq_pop. */
int vq_next(struct vq *q, struct vq_chain *c, const char **why);
/* Copies LEN bytes of SRC into the writable part of C at byte OFFSET (e.g. a header field);
 * false if the buffers are too short. */
bool vq_chain_write(const struct vq_chain *c, uint64_t offset, const void *src, uint64_t len);

#endif /* MOTE_VMM_DEVICES_VIRTIO_QUEUE_H */
