/* mmio.h: the virtio-mmio transport (virtio 1.x, 4.2; version 2 only) and the driver model:
 * the devices the command line names (virtio_mmio.device=, as Firecracker and QEMU microvm
 * pass them) are probed at boot and handed to the driver for their device ID (mmio.c's table). */
#ifndef MOTE_DRIVERS_VIRTIO_MMIO_H
#define MOTE_DRIVERS_VIRTIO_MMIO_H

#include "core/sched/wait.h"
#include "drivers/virtio/virtqueue.h"
#include "lib/spinlock.h"
#include "lib/types.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4
#define VIRTIO_F_VERSION_1 (1ull << 32)

struct virtio_dev {
	volatile uint32_t *regs; /* the device's register window (uncached) */
	uint64_t base;		 /* its physical address */
	uint32_t irq;		 /* its interrupt (GSI) */
	uint32_t id;		 /* VIRTIO_ID_* */
	uint64_t features;	 /* negotiated */
	void *priv;		 /* the driver's */
};

/* Probe every virtio-mmio device of the command line and start its driver. Thread context,
 * interrupts on. A device that fails (bad registers, unknown ID, legacy) is reported, not
 * fatal. */
void virtio_init(void);

/* For drivers, from their probe: set the feature bits (the device's, masked by want, with
 * VIRTIO_F_VERSION_1 required) and FEATURES_OK. 0, or -ENODEV (refused). */
int virtio_negotiate(struct virtio_dev *d, uint64_t want) __must_check;
/* Set up queue index with q (vq_init'ed to at most the device's maximum). 0 or -errno. */
int virtio_queue_setup(struct virtio_dev *d, uint32_t index, struct virtqueue *q,
		       uint16_t want_size) __must_check;
/* Read byte off of the device-specific configuration space. */
uint8_t virtio_config8(struct virtio_dev *d, uint32_t off);
/* Read the field of len bytes at off into buf, consistently (again while the device's
 * configuration generation changes under the reads), in accesses of the field's width (a
 * 64-bit field in two 32-bit ones; byte arrays byte by byte), as the spec asks. */
void virtio_config_read(struct virtio_dev *d, uint32_t off, void *buf, size_t len);
/* Tell the device its driver is ready (DRIVER_OK). */
void virtio_ready(struct virtio_dev *d);
/* Notify the device of new buffers in queue index (counted: --stats). */
void virtio_notify(struct virtio_dev *d, uint32_t index);
/* Notify the device of the buffers added to q (queue index) if it asked to be told of them
 * (vq_notify_needed): once after a batch. */
void virtio_kick(struct virtio_dev *d, uint32_t index, struct virtqueue *q);
/* Reset the device: it stops using its queues and every buffer given to it (a driver giving
 * up on a device that stopped answering). Its driver must not use it again. */
void virtio_reset(struct virtio_dev *d);
/* Acknowledge the device's interrupt; returns the status bits it had (1: used buffers). */
uint32_t virtio_ack(struct virtio_dev *d);

/* Waiting for a device to give buffers back: on its interrupt where its GSI can be routed,
 * else by polling with short sleeps. One a device. */
struct virtio_wait {
	struct spinlock lock; /* the used rings against the interrupt */
	struct waitq wq;
	struct virtio_dev *dev;
	bool irq;	      /* the interrupt is routed */
	void (*on_irq)(void); /* also called on the interrupt (may be NULL), lock not held */
};

/* Set w up for d (its interrupt handler registered if it can be). */
void virtio_wait_init(struct virtio_wait *w, struct virtio_dev *d);
/* The next buffer d gave back on q (its descriptor index; *len the bytes it wrote), sleeping
 * until the deadline (time_ns) for it: -EAGAIN then, -EIO for a bad index. The device is
 * asked for an interrupt on q only while this sleeps (vq_interrupt_enable), not after. */
int virtio_wait_used(struct virtio_wait *w, struct virtqueue *q, uint32_t *len, uint64_t deadline);

#endif /* MOTE_DRIVERS_VIRTIO_MMIO_H */
