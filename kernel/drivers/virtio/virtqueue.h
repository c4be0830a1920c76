/* virtqueue.h: a split virtqueue (virtio 1.x, 2.7) in guest memory: the descriptor table, the
 * driver (avail) ring and the device (used) ring, one page each. Notifications both ways are
 * suppressed where the device allows it: by the rings' flags, or with VIRTIO_F_EVENT_IDX by
 * the event indexes at the rings' ends (2.7.7, 2.7.10). The caller serialises. */
#ifndef MOTE_DRIVERS_VIRTIO_VIRTQUEUE_H
#define MOTE_DRIVERS_VIRTIO_VIRTQUEUE_H

#include "lib/types.h"

#define VQ_MAX_SIZE 256 /* descriptors: a page of them */
#define VQ_DESC_F_NEXT 1
#define VQ_DESC_F_WRITE 2		/* the device writes this buffer */
#define VIRTIO_F_EVENT_IDX (1ull << 29) /* used_event and avail_event (2.7.7, 2.7.10) */

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* One buffer of a chain (vq_add_chain). */
struct vq_buf {
	uint64_t pa;	    /* guest-physical address */
	uint32_t len;	    /* bytes */
	bool device_writes; /* the device fills it */
};

struct virtqueue {
	uint16_t size;	    /* a power of 2, at most VQ_MAX_SIZE */
	uint16_t free_head; /* the free descriptors, chained by next */
	uint16_t nfree;
	uint16_t last_used;	  /* the used-ring index seen so far */
	uint16_t notified;	  /* the avail index the device was last told about */
	bool event_idx;		  /* VIRTIO_F_EVENT_IDX negotiated: set before use */
	struct vq_desc *desc;	  /* direct-map addresses of the three pages */
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint8_t *used;	  /* flags, idx, {id, len}[size], avail_event */
};

/* Allocate the rings for size entries (rounded down to a power of 2). 0 or -ENOMEM. */
int vq_init(struct virtqueue *q, uint16_t size) __must_check;
void vq_free(struct virtqueue *q);
/* Guest-physical addresses of the three parts, for the transport to hand to the device. */
uint64_t vq_desc_pa(const struct virtqueue *q);
uint64_t vq_avail_pa(const struct virtqueue *q);
uint64_t vq_used_pa(const struct virtqueue *q);
/* Offer one buffer (physical address pa, len bytes; device_writes: the device fills it).
 * Returns its descriptor index, or -ENOSPC. The device sees it after the caller notifies. */
int vq_add(struct virtqueue *q, uint64_t pa, uint32_t len, bool device_writes);
/* Offer one request of n buffers chained in order (the device-readable ones first, 2.7.4.2).
 * Returns the index of its first descriptor, by which vq_get gives it back, or -ENOSPC
 * (fewer than n descriptors free), -EINVAL (n < 1). */
int vq_add_chain(struct virtqueue *q, const struct vq_buf *b, int n);
/* Whether the device asked to be notified of the buffers added since the last call (with
 * EVENT_IDX: avail_event is the index of one of them; else the used ring's NO_NOTIFY flag is
 * clear). Call after adding a batch; notify the device if it returns true. */
bool vq_notify_needed(struct virtqueue *q);
/* A buffer (or chain) the device is done with: its first descriptor's index (the chain freed)
 * and *len the bytes it wrote; -EAGAIN if none yet, -EIO for a bad index from the device. */
int vq_get(struct virtqueue *q, uint32_t *len);
/* Ask the device to interrupt when it next gives a buffer back (with EVENT_IDX: used_event
 * is the next used index, a one-shot request; else the avail ring's NO_INTERRUPT flag is
 * cleared). Returns true if a buffer is already back: do not sleep for it then. */
bool vq_interrupt_enable(struct virtqueue *q);
/* Ask the device not to interrupt for this queue (a hint: one already on its way may come). */
void vq_interrupt_disable(struct virtqueue *q);

#endif /* MOTE_DRIVERS_VIRTIO_VIRTQUEUE_H */
