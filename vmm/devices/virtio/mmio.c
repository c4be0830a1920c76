/* mmio.c: the virtio-mmio transport (see mmio.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "abi/virtio_mmio.h"
#include "devices/virtio/mmio.h"
#include "kvm/irq.h"
#include "log.h"

static uint64_t features_offered(const struct virtio_dev *d)
{
	return d->offered | VIRTIO_F_VERSION_1;
}

void virtio_interrupt(struct virtio_dev *d, unsigned bits)
{
	uint64_t one = 1;

	atomic_fetch_or(&d->isr, bits);
	d->interrupts++;
	if (write(d->irq_fd, &one, sizeof(one)) < 0)
		log_warn("virtio %s: interrupt eventfd: %s", d->name, strerror(errno));
}

void virtio_queue_done(struct virtio_dev *d, unsigned q)
{
	if (vq_need_interrupt(&d->queues[q]))
		virtio_interrupt(d, VIRTIO_INT_USED);
}

void virtio_broken(struct virtio_dev *d, const char *why)
{
	if (d->broken)
		return;
	log_warn("virtio %s: the driver broke the rules (%s): device stopped until reset", d->name,
		 why);
	d->broken = true;
	d->status |= VIRTIO_S_NEEDS_RESET;
	virtio_interrupt(d, VIRTIO_INT_CONFIG);
}

/* Status 0: back to the state before the driver found the device. */
static void reset(struct virtio_dev *d)
{
	if (d->active && d->ops->reset)
		d->ops->reset(d);
	d->active = false;
	d->broken = false;
	d->status = 0;
	d->features = 0;
	d->dev_features_sel = d->drv_features_sel = d->queue_sel = 0;
	atomic_store(&d->isr, 0);
	for (unsigned i = 0; i < d->nr_queues; i++)
		vq_reset(&d->queues[i]);
}

static void activate(struct virtio_dev *d)
{
	const char *why = NULL;

	for (unsigned i = 0; i < d->nr_queues; i++) {
		struct vq *q = &d->queues[i];

		q->event_idx = d->features & VIRTIO_F_EVENT_IDX;
		if (q->ready && vq_activate(q, d->env.mem, &why)) {
			virtio_broken(d, why);
			return;
		}
	}
	if (d->ops->activate && d->ops->activate(d)) {
		virtio_broken(d, "the device cannot start with these settings");
		return;
	}
	d->active = true;
	log_debug("virtio %s: driver ready, features %#llx", d->name,
		  (unsigned long long)d->features);
}

static void write_status(struct virtio_dev *d, uint32_t v)
{
	if (v == 0) {
		reset(d);
		return;
	}
	/* FEATURES_OK sticks only for features the device offered (3.1.1 step 5) */
	if ((v & VIRTIO_S_FEATURES_OK) && !(d->status & VIRTIO_S_FEATURES_OK) &&
	    (d->features & ~features_offered(d)))
		v &= ~(uint32_t)VIRTIO_S_FEATURES_OK;
	if ((v & VIRTIO_S_DRIVER_OK) && !(v & VIRTIO_S_FEATURES_OK))
		v &= ~(uint32_t)VIRTIO_S_DRIVER_OK;
	d->status = v | (d->status & VIRTIO_S_NEEDS_RESET);
	if ((v & VIRTIO_S_DRIVER_OK) && !d->active && !d->broken)
		activate(d);
}

static uint32_t read_reg(struct virtio_dev *d, uint64_t off)
{
	struct vq *q = d->queue_sel < d->nr_queues ? &d->queues[d->queue_sel] : NULL;

	switch (off) {
	case VIRTIO_MMIO_MAGIC:
		return VIRTIO_MMIO_MAGIC_VALUE;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return d->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return 0;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return d->dev_features_sel < 2
			       ? (uint32_t)(features_offered(d) >> (32 * d->dev_features_sel))
			       : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? VQ_SIZE_MAX : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return atomic_load(&d->isr);
	case VIRTIO_MMIO_STATUS:
		return d->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return d->generation;
	default:
		return 0;
	}
}

static void set_half(uint64_t *v, bool high, uint32_t x)
{
	*v = high ? (*v & 0xffffffffull) | (uint64_t)x << 32 : (*v & ~0xffffffffull) | x;
}

/* Queue registers count only while the driver sets the queue up (before DRIVER_OK). */
static void write_queue_reg(struct virtio_dev *d, uint64_t off, uint32_t v)
{
	struct vq *q;

	if (d->queue_sel >= d->nr_queues || (d->status & VIRTIO_S_DRIVER_OK))
		return;
	q = &d->queues[d->queue_sel];
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->size = (uint16_t)(v <= VQ_SIZE_MAX ? v : 0);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		q->ready = v & 1;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LO:
	case VIRTIO_MMIO_QUEUE_DESC_HI:
		set_half(&q->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HI, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LO:
	case VIRTIO_MMIO_QUEUE_DRIVER_HI:
		set_half(&q->avail_gpa, off == VIRTIO_MMIO_QUEUE_DRIVER_HI, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LO:
	case VIRTIO_MMIO_QUEUE_DEVICE_HI:
		set_half(&q->used_gpa, off == VIRTIO_MMIO_QUEUE_DEVICE_HI, v);
		break;
	}
}

static void kick(struct virtio_dev *d, uint32_t q)
{
	uint64_t one = 1;

	if (q < d->nr_queues && write(d->notify_ev[q].fd, &one, sizeof(one)) < 0)
		log_warn("virtio %s: notify eventfd: %s", d->name, strerror(errno));
}

static void write_reg(struct virtio_dev *d, uint64_t off, uint32_t v)
{
	bool setting_features =
		(d->status & VIRTIO_STATUS_DRIVER) && !(d->status & VIRTIO_S_FEATURES_OK);

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		d->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (setting_features && d->drv_features_sel < 2)
			set_half(&d->features, d->drv_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		d->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		d->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY: /* without an ioeventfd (no KVM, or KVM refused it) */
		kick(d, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		atomic_fetch_and(&d->isr, ~v);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(d, v);
		break;
	default:
		write_queue_reg(d, off, v);
	}
}

static void mmio_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct virtio_dev *d = dev;

	memset(data, 0, len);
	pthread_mutex_lock(&d->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (d->ops->config_read &&
		    off - VIRTIO_MMIO_CONFIG + len <= VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG)
			d->ops->config_read(d, off - VIRTIO_MMIO_CONFIG, data, len);
	} else if (len == 4 && off % 4 == 0) {
		uint32_t v = read_reg(d, off);

		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&d->lock);
}

static void mmio_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct virtio_dev *d = dev;
	uint32_t v;

	if (off >= VIRTIO_MMIO_CONFIG || len != 4 || off % 4) /* no writable configuration fields */
		return;
	memcpy(&v, data, 4);
	pthread_mutex_lock(&d->lock);
	write_reg(d, off, v);
	pthread_mutex_unlock(&d->lock);
}

const struct bus_ops virtio_mmio_ops = { .read = mmio_read, .write = mmio_write };

static void on_notify(struct event_handler *h, uint32_t events)
{
	struct virtio_dev *d = h->opaque;
	unsigned q = (unsigned)(h - d->notify_ev);
	uint64_t v;

	if (read(h->fd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&d->lock);
	if (d->active && !d->broken && d->queues[q].ready)
		d->ops->notify(d, q);
	pthread_mutex_unlock(&d->lock);
}

static int wire_eventfds(struct virtio_dev *d)
{
	d->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->irq_fd < 0)
		return -errno;
	if (d->env.vm_fd >= 0 && irq_fd_assign(d->env.vm_fd, d->gsi, d->irq_fd))
		return -errno;
	for (unsigned i = 0; i < d->nr_queues; i++) {
		struct event_handler *h = &d->notify_ev[i];
		int r;

		h->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (h->fd < 0)
			return -errno;
		h->fn = on_notify;
		h->opaque = d;
		r = event_add(d->env.loop, h, EPOLLIN);
		if (r)
			return r;
		/* Without it each notification still works, through the vCPU thread. */
		if (d->env.vm_fd >= 0 &&
		    irq_ioeventfd_assign(d->env.vm_fd, d->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, i,
					 h->fd))
			log_debug("virtio %s: no ioeventfd for queue %u: %s", d->name, i,
				  strerror(errno));
	}
	return 0;
}

int virtio_dev_create(struct virtio_dev *d, const struct virtio_env *env, unsigned slot)
{
	int r;

	d->env = *env;
	d->base = VIRTIO_MMIO_BASE + slot * VIRTIO_MMIO_SIZE;
	d->gsi = VIRTIO_MMIO_GSI + slot;
	d->irq_fd = -1;
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++)
		d->notify_ev[i].fd = -1;
	pthread_mutex_init(&d->lock, NULL);
	reset(d);
	if (slot >= VIRTIO_SLOTS_MAX || d->nr_queues > VIRTIO_QUEUES_MAX) {
		log_err("virtio %s: more than %d virtio devices", d->name, VIRTIO_SLOTS_MAX);
		return -ENOSPC;
	}
	r = wire_eventfds(d);
	if (r) {
		log_err("virtio %s: cannot wire its eventfds: %s", d->name, strerror(-r));
		return r;
	}
	return bus_register(env->mmio, d->base, VIRTIO_MMIO_SIZE, d->name, &virtio_mmio_ops, d);
}

void virtio_dev_destroy(struct virtio_dev *d)
{
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++) {
		if (d->notify_ev[i].fd < 0)
			continue;
		event_del(d->env.loop, &d->notify_ev[i]);
		close(d->notify_ev[i].fd);
		d->notify_ev[i].fd = -1;
	}
	if (d->irq_fd >= 0)
		close(d->irq_fd);
	d->irq_fd = -1;
	pthread_mutex_destroy(&d->lock);
}

void virtio_counters_since(struct virtio_dev *d, uint64_t *now, uint64_t *last, uint64_t *delta,
			   uint64_t *sum, size_t n)
{
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < n; i++) {
		delta[i] = now[i] - last[i];
		sum[i] += delta[i];
		last[i] = now[i];
	}
	pthread_mutex_unlock(&d->lock);
}

int virtio_cmdline(const struct virtio_dev *d, char *buf, size_t size)
{
	size_t len = strlen(buf);
	int n = snprintf(buf + len, size - len, " virtio_mmio.device=4K@%#llx:%u",
			 (unsigned long long)d->base, d->gsi);

	return n < 0 || (size_t)n >= size - len ? -ENOSPC : 0;
}
