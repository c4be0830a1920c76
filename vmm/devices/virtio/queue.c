/* queue.c: split virtqueues, device side (see queue.h). Guest memory is shared with vCPUs that
 * run the driver at the same time, so every field the driver writes is read once, with the
 * ordering the spec asks for (2.7.13: index before entries; entries before index on the way
 * back), and checked after it is read. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "devices/virtio/queue.h"

#define DESC_SIZE 16
#define AVAIL_IDX 2
#define AVAIL_RING 4
#define USED_IDX 2
#define USED_RING 4
#define USED_ELEM 8

static uint16_t load16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static uint16_t load16_acquire(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

static void store16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

void vq_reset(struct vq *q)
{
	memset(q, 0, sizeof(*q));
}

static uint8_t *map_ring(const struct guest_mem *mem, uint64_t gpa, uint64_t len, uint64_t align)
{
	return gpa % align ? NULL : mem_ptr(mem, gpa, len);
}

int vq_activate(struct vq *q, const struct guest_mem *mem, const char **why)
{
	uint64_t n = q->size;

	if (!n || n > VQ_SIZE_MAX || (n & (n - 1))) {
		*why = "queue size is not a power of 2 up to 256";
		return -EINVAL;
	}
	q->desc = map_ring(mem, q->desc_gpa, DESC_SIZE * n, 16);
	q->avail = map_ring(mem, q->avail_gpa, AVAIL_RING + 2 * n + 2, 2);
	q->used = map_ring(mem, q->used_gpa, USED_RING + USED_ELEM * n + 2, 4);
	if (!q->desc || !q->avail || !q->used) {
		*why = "a ring is misaligned or not in guest RAM";
		return -EINVAL;
	}
	q->mem = mem;
	/* The device starts where the rings are: a driver resets before it reuses a queue. */
	q->last_avail = load16_acquire(q->avail + AVAIL_IDX);
	q->used_idx = load16(q->used + USED_IDX);
	q->signalled_valid = false;
	return 0;
}

int vq_pop(struct vq *q, struct vq_chain *c, const char **why)
{
	uint16_t avail = load16_acquire(q->avail + AVAIL_IDX);
	uint16_t i;

	if (avail == q->last_avail)
		return 0;
	if ((uint16_t)(avail - q->last_avail) > q->size) {
		*why = "the available index ran more than a ring ahead";
		return -EIO;
	}
	i = load16(q->avail + AVAIL_RING + 2 * (q->last_avail % q->size));
	memset(c, 0, offsetof(struct vq_chain, iov));
	c->head = i;
	for (unsigned n = 0;; n++) {
		uint8_t *d;
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;
		void *p = NULL;

		if (i >= q->size) {
			*why = "a descriptor index is out of range";
			return -EIO;
		}
		if (n == q->size) {
			*why = "the descriptor chain loops";
			return -EIO;
		}
		d = q->desc + DESC_SIZE * (uint64_t)i;
		memcpy(&addr, d, 8);
		memcpy(&len, d + 8, 4);
		flags = load16(d + 12);
		next = load16(d + 14);
		if (flags & VQ_DESC_F_INDIRECT) {
			*why = "an indirect descriptor (not offered)";
			return -EIO;
		}
		if (len && !(p = mem_ptr(q->mem, addr, len))) {
			*why = "a buffer is not in guest RAM";
			return -EIO;
		}
		if (flags & VQ_DESC_F_WRITE) {
			c->nr_in++;
			c->in_len += len;
		} else if (c->nr_in) {
			*why = "a readable descriptor follows a writable one";
			return -EIO;
		} else {
			c->nr_out++;
			c->out_len += len;
		}
		c->iov[n] = (struct iovec){ .iov_base = p, .iov_len = len };
		if (!(flags & VQ_DESC_F_NEXT))
			break;
		i = next;
	}
	q->last_avail++;
	return 1;
}

void vq_unpop(struct vq *q)
{
	q->last_avail--;
}

void vq_push(struct vq *q, uint16_t head, uint32_t len)
{
	uint8_t *e = q->used + USED_RING + USED_ELEM * (uint64_t)(q->used_idx % q->size);
	uint32_t id = head;

	memcpy(e, &id, 4);
	memcpy(e + 4, &len, 4);
	q->used_idx++;
	/* the element before the index that publishes it */
	__atomic_store_n((uint16_t *)(q->used + USED_IDX), q->used_idx, __ATOMIC_RELEASE);
}

/* virtio 1.x 2.7.10: interrupt if the used index moved past used_event since old. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool vq_need_interrupt(struct vq *q)
{
	uint16_t old = q->signalled_used;
	bool valid = q->signalled_valid;

	/* the used index is visible before the driver's suppression is read */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(load16(q->avail) & VQ_AVAIL_F_NO_INTERRUPT);
	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	return !valid ||
	       need_event(load16(q->avail + AVAIL_RING + 2 * (uint64_t)q->size), q->used_idx, old);
}

bool vq_enable_notify(struct vq *q)
{
	if (q->event_idx)
		store16(q->used + USED_RING + USED_ELEM * (uint64_t)q->size, q->last_avail);
	/* avail_event is visible before the available index is read again */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16_acquire(q->avail + AVAIL_IDX) != q->last_avail;
}

int vq_next(struct vq *q, struct vq_chain *c, const char **why)
{
	int r;

	do
		r = vq_pop(q, c, why);
	while (r == 0 && vq_enable_notify(q));
	return r;
}

bool vq_chain_write(const struct vq_chain *c, uint64_t offset, const void *src, uint64_t len)
{
	const uint8_t *s = src;

	for (unsigned i = c->nr_out; i < c->nr_out + c->nr_in && len; i++) {
		const struct iovec *v = &c->iov[i];
		uint64_t n;

		if (offset >= v->iov_len) {
			offset -= v->iov_len;
			continue;
		}
		n = v->iov_len - offset < len ? v->iov_len - offset : len;
		memcpy((uint8_t *)v->iov_base + offset, s, n);
		s += n;
		len -= n;
		offset = 0;
	}
	return len == 0;
}
