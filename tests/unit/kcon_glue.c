/* kcon_glue.c: the kernel's virtio-mmio transport, wait queues, mutexes and clock for a host
 * test of its virtio console driver (kcon_glue.h). */
#include "kcon_glue.h"
#include "abi/virtio_mmio.h"
#include "core/sched/sync.h"
#include "core/time.h"
#include "drivers/virtio/console.h"
#include "drivers/virtio/mmio.h"
#include "fs/tty.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "virtio_driver.h"

static struct virtio_dev dev;
static struct virtio_wait *waiter; /* the driver's, for its interrupt hook */
static unsigned long poll_wakes;

/* The kernel's "interrupt": the device raised it while the loop ran. */
static void run(int ms)
{
	if (kcon_run(ms) && waiter && waiter->on_irq)
		waiter->on_irq();
}

int virtio_negotiate(struct virtio_dev *d, uint64_t want)
{
	uint64_t have;

	vdrv_reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	have = vdrv_reg_read(VIRTIO_MMIO_DEVICE_FEATURES);
	vdrv_reg_write(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	have |= (uint64_t)vdrv_reg_read(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	if (!(have & VIRTIO_F_VERSION_1))
		return -ENODEV;
	d->features = have & (want | VIRTIO_F_VERSION_1);
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->features);
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_reg_write(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(d->features >> 32));
	vdrv_reg_write(VIRTIO_MMIO_STATUS,
		       vdrv_reg_read(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
	return vdrv_reg_read(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK ? 0 : -ENODEV;
}

static void set_addr(unsigned lo, uint64_t v)
{
	vdrv_reg_write(lo, (uint32_t)v);
	vdrv_reg_write(lo + 4, (uint32_t)(v >> 32));
}

int virtio_queue_setup(struct virtio_dev *d, uint32_t index, struct virtqueue *q,
		       uint16_t want_size)
{
	uint32_t max;
	int r;

	vdrv_reg_write(VIRTIO_MMIO_QUEUE_SEL, index);
	max = vdrv_reg_read(VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!max || vdrv_reg_read(VIRTIO_MMIO_QUEUE_READY))
		return -ENODEV;
	r = vq_init(q, (uint16_t)MIN((uint32_t)want_size, max));
	if (r)
		return r;
	q->event_idx = (d->features & VIRTIO_F_EVENT_IDX) != 0;
	vdrv_reg_write(VIRTIO_MMIO_QUEUE_NUM, q->size);
	set_addr(VIRTIO_MMIO_QUEUE_DESC_LO, vq_desc_pa(q));
	set_addr(VIRTIO_MMIO_QUEUE_DRIVER_LO, vq_avail_pa(q));
	set_addr(VIRTIO_MMIO_QUEUE_DEVICE_LO, vq_used_pa(q));
	vdrv_reg_write(VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

uint8_t virtio_config8(struct virtio_dev *d, uint32_t off)
{
	(void)d;
	return kcon_cfg8(off);
}

void virtio_config_read(struct virtio_dev *d, uint32_t off, void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = virtio_config8(d, off + (uint32_t)i);
}

void virtio_ready(struct virtio_dev *d)
{
	(void)d;
	vdrv_reg_write(VIRTIO_MMIO_STATUS,
		       vdrv_reg_read(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

void virtio_notify(struct virtio_dev *d, uint32_t index)
{
	(void)d;
	vdrv_reg_write(VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

void virtio_kick(struct virtio_dev *d, uint32_t index, struct virtqueue *q)
{
	if (vq_notify_needed(q))
		virtio_notify(d, index);
}

void virtio_wait_init(struct virtio_wait *w, struct virtio_dev *d)
{
	spin_init(&w->lock);
	waitq_init(&w->wq);
	w->dev = d;
	w->irq = true;
	w->on_irq = NULL;
	waiter = w;
}

int virtio_wait_used(struct virtio_wait *w, struct virtqueue *q, uint32_t *len, uint64_t deadline)
{
	int r;

	(void)w;
	while ((r = vq_get(q, len)) == -EAGAIN && time_ns() < deadline)
		run(10);
	return r;
}

int waitq_sleep(struct waitq *wq, struct spinlock *lock, uint64_t deadline)
{
	(void)wq;
	(void)lock;
	(void)deadline;
	run(10);
	return 0;
}

int waitq_wake_all(struct waitq *wq)
{
	(void)wq;
	return 0;
}

void mutex_lock(struct mutex *m)
{
	m->lock.locked = 1;
}

bool mutex_trylock(struct mutex *m)
{
	if (m->lock.locked)
		return false;
	m->lock.locked = 1;
	return true;
}

void mutex_unlock(struct mutex *m)
{
	m->lock.locked = 0;
}

uint64_t time_ns(void)
{
	return kcon_now_ns();
}

void printk(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

void tty_rx_notify(void)
{
	poll_wakes++;
}

unsigned long kcon_poll_wakes(void)
{
	return poll_wakes;
}

int kcon_probe(void)
{
	dev.id = VIRTIO_ID_CONSOLE;
	vdrv_reg_write(VIRTIO_MMIO_STATUS, 0);
	vdrv_reg_write(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	return virtio_console_probe(&dev);
}

long kcon_write(int to_stderr, const void *buf, unsigned long n)
{
	return virtio_console_write(to_stderr != 0, buf, n);
}

long kcon_read(void *buf, unsigned long n, int nonblock)
{
	return virtio_console_read(buf, n, nonblock != 0, NULL);
}

int kcon_has_input(void)
{
	return virtio_console_has_input();
}

int kcon_rx_pending(void)
{
	return virtio_console_rx_pending();
}

int kcon_winsize(unsigned short *rows, unsigned short *cols)
{
	return virtio_console_winsize(rows, cols);
}
