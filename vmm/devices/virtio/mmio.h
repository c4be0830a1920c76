/* mmio.h: the virtio-mmio transport (virtio 1.x, 4.2, version 2) that every motevm virtio
 * device sits behind. The guest finds each device from the kernel command line, as
 * Firecracker passes it: "virtio_mmio.device=4K@0xd0000000:5". Register accesses arrive on
 * vCPU threads; queue work runs on the event loop, woken by an eventfd per queue (a KVM
 * ioeventfd, so a notification never reaches motevm's vCPU thread), and interrupts go out by
 * an eventfd KVM injects itself (irqfd). */
#ifndef MOTE_VMM_DEVICES_VIRTIO_MMIO_H
#define MOTE_VMM_DEVICES_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/virtio_mmio.h"
#include "devices/bus.h"
#include "devices/virtio/queue.h"
#include "event.h"
#include "kvm/memory.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4
#define VIRTIO_F_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_QUEUES_MAX 6 /* the console: two ports and its control pair */
#define VIRTIO_MMIO_BASE 0xd0000000ull
#define VIRTIO_MMIO_SIZE 0x1000ull
#define VIRTIO_MMIO_GSI 5   /* slot n: GSI 5 + n, as Firecracker numbers them */
#define VIRTIO_SLOTS_MAX 19 /* GSIs 5..23 */
#define VIRTIO_INT_USED 1   /* InterruptStatus bits */
#define VIRTIO_INT_CONFIG 2
#define VIRTIO_S_DRIVER_OK 4 /* device status bits */
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_NEEDS_RESET 0x40

/* What a virtio device may use of its VM, and nothing else. */
struct virtio_env {
	const struct guest_mem *mem;
	struct event_loop *loop;
	struct bus *mmio;
	int vm_fd; /* -1 without KVM (host tests): the eventfds are then the test's to drive */
};

struct virtio_dev;

/* A device type's side. All run with the device's lock held. */
struct virtio_dev_ops {
	/* The device-specific configuration space (may be NULL: reads as zeros). */
	void (*config_read)(struct virtio_dev *d, uint64_t off, uint8_t *data, unsigned len);
	/* DRIVER_OK: the features and queues are final and mapped. 0, or -errno (broken). May be
	 * NULL: nothing to start. */
	int (*activate)(struct virtio_dev *d);
	/* Queue Q has new buffers (event-loop thread, device active and not broken). */
	void (*notify)(struct virtio_dev *d, unsigned q);
	/* The driver reset the device (may be NULL): forget what activate started. */
	void (*reset)(struct virtio_dev *d);
};

/* One device behind one transport. The device type fills the first block, then calls
 * virtio_dev_create. */
struct virtio_dev {
	const char *name; /* "net eth0", for log lines */
	uint32_t device_id;
	unsigned nr_queues;
	uint64_t offered; /* feature bits; VIRTIO_F_VERSION_1 is added */
	const struct virtio_dev_ops *ops;
	void *priv;

	struct virtio_env env;
	uint64_t base;
	unsigned gsi;
	pthread_mutex_t lock;
	uint64_t features; /* the driver's */
	uint32_t status, dev_features_sel, drv_features_sel, queue_sel, generation;
	atomic_uint isr;
	bool active, broken;
	struct vq queues[VIRTIO_QUEUES_MAX];
	struct event_handler notify_ev[VIRTIO_QUEUES_MAX];
	int irq_fd;
	uint64_t interrupts;   /* raised (for metrics and tests) */
	struct vq_chain chain; /* scratch for ops->notify (under the lock) */
};

/*
 * Puts D in transport slot SLOT (MMIO base, GSI), registers it on the bus and wires its
 * eventfds (to KVM when ENV has a VM). 0, or -errno after logging; then virtio_dev_destroy.
 */
int virtio_dev_create(struct virtio_dev *d, const struct virtio_env *env, unsigned slot);
void virtio_dev_destroy(struct virtio_dev *d);
/* Raises the device's interrupt for BITS (VIRTIO_INT_*). Any thread. */
void virtio_interrupt(struct virtio_dev *d, unsigned bits);
/* After pushing used buffers on queue Q: interrupts if the driver wants one. */
void virtio_queue_done(struct virtio_dev *d, unsigned q);
/* The driver broke the rules (WHY): the device stops and asks for a reset, once. */
void virtio_broken(struct virtio_dev *d, const char *why);
/* For a device's metrics: its N counters NOW (a struct of uint64_t only) since LAST, into
 * DELTA and added to SUM; LAST becomes NOW. Under the device's lock (any thread). */
void virtio_counters_since(struct virtio_dev *d, uint64_t *now, uint64_t *last, uint64_t *delta,
			   uint64_t *sum, size_t n);
/* Appends " virtio_mmio.device=4K@0x...:GSI" for D to the command line in BUF. */
int virtio_cmdline(const struct virtio_dev *d, char *buf, size_t size);
/* The transport's registers, for the bus (and host tests). */
extern const struct bus_ops virtio_mmio_ops;

#endif /* MOTE_VMM_DEVICES_VIRTIO_MMIO_H */
