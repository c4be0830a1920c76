/* mmio.c: the virtio-mmio transport and the table of virtio drivers (mmio.h). */
#include "drivers/virtio/mmio.h"
#include "abi/virtio_mmio.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/percpu.h"
#include "core/cmdline.h"
#include "core/mm/heap.h"
#include "core/mm/vm.h"
#include "core/time.h"
#include "drivers/virtio/blk.h"
#include "drivers/virtio/console.h"
#include "drivers/virtio/net.h"
#include "drivers/virtio/rng.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define POLL_NS (20 * NSEC_PER_USEC) /* between looks, without an interrupt */

struct virtio_driver {
	uint32_t id;
	const char *name;
	int (*probe)(struct virtio_dev *d);
};

/* The drivers, one line each. */
static const struct virtio_driver drivers[] = {
	{ VIRTIO_ID_NET, "net", virtio_net_probe },
	{ VIRTIO_ID_BLOCK, "blk", virtio_blk_probe },
	{ VIRTIO_ID_CONSOLE, "console", virtio_console_probe },
	{ VIRTIO_ID_RNG, "rng", virtio_rng_probe },
};

/* Register OFF (a byte offset of include/abi/virtio_mmio.h). */
static uint32_t rd(struct virtio_dev *d, unsigned off)
{
	return d->regs[off / 4];
}

static void wr(struct virtio_dev *d, unsigned off, uint32_t v)
{
	d->regs[off / 4] = v;
}

int virtio_negotiate(struct virtio_dev *d, uint64_t want)
{
	uint64_t have;

	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	have = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	have |= (uint64_t)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	if (!(have & VIRTIO_F_VERSION_1))
		return -ENODEV;
	d->features = have & (want | VIRTIO_F_VERSION_1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->features);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(d->features >> 32));
	wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
	return rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK ? 0 : -ENODEV;
}

int virtio_queue_setup(struct virtio_dev *d, uint32_t index, struct virtqueue *q,
		       uint16_t want_size)
{
	uint32_t max;
	int r;

	wr(d, VIRTIO_MMIO_QUEUE_SEL, index);
	max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max || rd(d, VIRTIO_MMIO_QUEUE_READY))
		return -ENODEV;
	r = vq_init(q, (uint16_t)MIN(MIN((uint32_t)want_size, max), (uint32_t)VQ_MAX_SIZE));
	if (r)
		return r;
	q->event_idx = (d->features & VIRTIO_F_EVENT_IDX) != 0;
	wr(d, VIRTIO_MMIO_QUEUE_NUM, q->size);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LO, (uint32_t)vq_desc_pa(q));
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HI, (uint32_t)(vq_desc_pa(q) >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LO, (uint32_t)vq_avail_pa(q));
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HI, (uint32_t)(vq_avail_pa(q) >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LO, (uint32_t)vq_used_pa(q));
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HI, (uint32_t)(vq_used_pa(q) >> 32));
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

uint8_t virtio_config8(struct virtio_dev *d, uint32_t off)
{
	return ((volatile uint8_t *)d->regs)[VIRTIO_MMIO_CONFIG + off];
}

/* One read of a field as the spec wants it (4.2.2.2): 16-bit fields in one aligned 16-bit
 * access, 32- and 64-bit ones in aligned 32-bit accesses, the rest byte by byte. Each access is
 * a VM exit on kvm_pvm: a 64-bit capacity takes 2, not 8. */
static void config_copy(struct virtio_dev *d, uint32_t off, uint8_t *buf, size_t len)
{
	volatile uint8_t *cfg = (volatile uint8_t *)d->regs + VIRTIO_MMIO_CONFIG + off;

	if ((len == 4 || len == 8) && off % 4 == 0) {
		for (size_t i = 0; i < len; i += 4) {
			uint32_t v = *(volatile uint32_t *)(cfg + i);

			memcpy(buf + i, &v, 4);
		}
	} else if (len == 2 && off % 2 == 0) {
		uint16_t v = *(volatile uint16_t *)cfg;

		memcpy(buf, &v, 2);
	} else {
		for (size_t i = 0; i < len; i++)
			buf[i] = cfg[i];
	}
}

void virtio_config_read(struct virtio_dev *d, uint32_t off, void *buf, size_t len)
{
	uint32_t gen;

	do {
		gen = rd(d, VIRTIO_MMIO_CONFIG_GENERATION);
		config_copy(d, off, buf, len);
	} while (rd(d, VIRTIO_MMIO_CONFIG_GENERATION) != gen);
}

void virtio_ready(struct virtio_dev *d)
{
	wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

void virtio_notify(struct virtio_dev *d, uint32_t index)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the rings before the doorbell */
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, index);
	CPU_STAT_INC(virtio_notifies);
}

void virtio_kick(struct virtio_dev *d, uint32_t index, struct virtqueue *q)
{
	if (vq_notify_needed(q))
		virtio_notify(d, index);
}

void virtio_reset(struct virtio_dev *d)
{
	wr(d, VIRTIO_MMIO_STATUS, 0);
	/* the reset is done when the status reads 0 (4.2.2.2); bounded: a device gone mad */
	for (int i = 0; i < 1000000 && rd(d, VIRTIO_MMIO_STATUS); i++)
		cpu_relax();
}

uint32_t virtio_ack(struct virtio_dev *d)
{
	uint32_t s = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (s)
		wr(d, VIRTIO_MMIO_INTERRUPT_ACK, s);
	return s;
}

static void wait_irq(void *arg)
{
	struct virtio_wait *w = arg;
	uint64_t f = spin_lock(&w->lock);

	(void)virtio_ack(w->dev); /* first: a buffer given back after this raises it again */
	waitq_wake_all(&w->wq);
	spin_unlock(&w->lock, f);
	if (w->on_irq) /* outside the lock: it may wake pollers, who take it in their poll */
		w->on_irq();
}

void virtio_wait_init(struct virtio_wait *w, struct virtio_dev *d)
{
	spin_init(&w->lock);
	waitq_init(&w->wq);
	w->dev = d;
	w->on_irq = NULL;
	w->irq = !irq_register(d->irq, wait_irq, w);
}

int virtio_wait_used(struct virtio_wait *w, struct virtqueue *q, uint32_t *len, uint64_t deadline)
{
	uint64_t f = spin_lock(&w->lock);
	bool asked = false;
	int r;

	while ((r = vq_get(q, len)) == -EAGAIN && time_ns() < deadline) {
		asked = true;
		if (vq_interrupt_enable(q)) /* given back meanwhile, without an interrupt */
			continue;
		(void)waitq_sleep(&w->wq, &w->lock,
				  w->irq ? deadline : MIN(deadline, time_ns() + POLL_NS));
	}
	if (asked)
		vq_interrupt_disable(q);
	spin_unlock(&w->lock, f);
	return r;
}

static const struct virtio_driver *driver_for(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (drivers[i].id == id)
			return &drivers[i];
	return NULL;
}

/* Reset the device at c, check it, and start its driver. */
static void probe(const struct cmdline_virtio *c)
{
	struct virtio_dev *d = kzalloc(sizeof(*d));
	const struct virtio_driver *drv;
	uint32_t version;
	int r;

	if (!d)
		return;
	d->base = c->base;
	d->irq = c->irq;
	d->regs = vm_map_mmio(c->base, c->size);
	if (!d->regs || rd(d, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE) {
		printk(LOG_WARN, "virtio: no virtio-mmio device at %#lx\n", c->base);
		goto err;
	}
	version = rd(d, VIRTIO_MMIO_VERSION);
	d->id = rd(d, VIRTIO_MMIO_DEVICE_ID);
	if (!d->id) /* a placeholder slot */
		goto err;
	if (version != 2) {
		printk(LOG_WARN,
		       "virtio: device %u at %#lx speaks legacy virtio-mmio (version %u): not "
		       "supported (QEMU: -global virtio-mmio.force-legacy=false)\n",
		       d->id, c->base, version);
		goto err;
	}
	drv = driver_for(d->id);
	if (!drv) {
		printk(LOG_INFO, "virtio: device %u at %#lx: no driver\n", d->id, c->base);
		goto err;
	}
	wr(d, VIRTIO_MMIO_STATUS, 0); /* reset */
	wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	r = drv->probe(d);
	if (r) {
		wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FAILED);
		printk(LOG_WARN, "virtio: %s at %#lx: %d\n", drv->name, c->base, r);
		goto err;
	}
	printk(LOG_INFO, "virtio: %s at %#lx, irq %u\n", drv->name, c->base, c->irq);
	return;
err:
	kfree(d);
}

void virtio_init(void)
{
	for (int i = 0; i < cmdline.nvirtio; i++)
		probe(&cmdline.virtio[i]);
}
