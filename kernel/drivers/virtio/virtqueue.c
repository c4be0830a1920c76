/* virtqueue.c: split virtqueues (virtqueue.h). */
#include "drivers/virtio/virtqueue.h"
#include "arch/x86_64/layout.h"
#include "core/mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"

#define AVAIL_FLAGS 0 /* 16-bit word indices in the avail ring */
#define AVAIL_IDX 1
#define AVAIL_RING 2
#define AVAIL_F_NO_INTERRUPT 1
#define USED_FLAGS 0 /* byte offsets in the used ring */
#define USED_IDX 2
#define USED_RING 4
#define USED_F_NO_NOTIFY 1

/* used_event: the driver's wish, after the avail ring's entries */
static volatile uint16_t *used_event(struct virtqueue *q)
{
	return q->avail + AVAIL_RING + q->size;
}

/* avail_event: the device's wish, after the used ring's entries */
static uint16_t avail_event(const struct virtqueue *q)
{
	return *(const volatile uint16_t *)(q->used + USED_RING + 8 * q->size);
}

/* Whether index x is one of those from old up to (not including) new, modulo 2^16: an event
 * index is reached when the index it names has been crossed. */
static bool crossed(uint16_t x, uint16_t old, uint16_t new)
{
	return (uint16_t)(x - old) < (uint16_t)(new - old);
}

int vq_init(struct virtqueue *q, uint16_t size)
{
	void *d = page_alloc_zeroed(0), *a = page_alloc_zeroed(0), *u = page_alloc_zeroed(0);

	if (!d || !a || !u) {
		if (d)
			page_free(d, 0);
		if (a)
			page_free(a, 0);
		if (u)
			page_free(u, 0);
		return -ENOMEM;
	}
	while (size & (size - 1))
		size &= size - 1;
	memset(q, 0, sizeof(*q));
	q->size = MIN(size, (uint16_t)VQ_MAX_SIZE);
	q->desc = d;
	q->avail = a;
	q->used = u;
	for (uint16_t i = 0; i < q->size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->nfree = q->size;
	return 0;
}

void vq_free(struct virtqueue *q)
{
	page_free(q->desc, 0);
	page_free((void *)q->avail, 0);
	page_free((void *)q->used, 0);
	memset(q, 0, sizeof(*q));
}

uint64_t vq_desc_pa(const struct virtqueue *q)
{
	return V2P(q->desc);
}

uint64_t vq_avail_pa(const struct virtqueue *q)
{
	return V2P((void *)q->avail);
}

uint64_t vq_used_pa(const struct virtqueue *q)
{
	return V2P((void *)q->used);
}

int vq_add(struct virtqueue *q, uint64_t pa, uint32_t len, bool device_writes)
{
	const struct vq_buf b = { .pa = pa, .len = len, .device_writes = device_writes };

	return vq_add_chain(q, &b, 1);
}

int vq_add_chain(struct virtqueue *q, const struct vq_buf *b, int n)
{
	uint16_t head = q->free_head, i = head, idx;

	if (n < 1)
		return -EINVAL;
	if (n > q->nfree)
		return -ENOSPC;
	/* the free list is already chained by next: the chain takes its first n entries */
	for (int k = 0; k < n; k++) {
		q->desc[i].addr = b[k].pa;
		q->desc[i].len = b[k].len;
		q->desc[i].flags = (uint16_t)((b[k].device_writes ? VQ_DESC_F_WRITE : 0) |
					      (k + 1 < n ? VQ_DESC_F_NEXT : 0));
		if (k + 1 < n)
			i = q->desc[i].next;
	}
	q->free_head = q->desc[i].next;
	q->nfree = (uint16_t)(q->nfree - n);
	idx = q->avail[AVAIL_IDX];
	q->avail[AVAIL_RING + (idx & (q->size - 1))] = head;
	/* the entry before the index that publishes it (the device may run on another CPU) */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail[AVAIL_IDX] = (uint16_t)(idx + 1);
	return head;
}

bool vq_notify_needed(struct virtqueue *q)
{
	uint16_t old = q->notified, new = q->avail[AVAIL_IDX];

	/* the index stored before the device's wish is read: it may be writing it right now,
	 * and then it looks at the index again afterwards */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (old == new)
		return false;
	q->notified = new;
	if (q->event_idx)
		return crossed(avail_event(q), old, new);
	return !(*(const volatile uint16_t *)(q->used + USED_FLAGS) & USED_F_NO_NOTIFY);
}

static uint16_t used_idx(const struct virtqueue *q)
{
	return __atomic_load_n((const volatile uint16_t *)(q->used + USED_IDX), __ATOMIC_ACQUIRE);
}

int vq_get(struct virtqueue *q, uint32_t *len)
{
	uint16_t idx = used_idx(q);
	const volatile uint32_t *e;
	uint32_t id;
	uint16_t last, n;

	if (idx == q->last_used)
		return -EAGAIN;
	e = (const volatile uint32_t *)(q->used + USED_RING) + 2 * (q->last_used & (q->size - 1));
	id = e[0];
	*len = e[1];
	q->last_used++;
	if (id >= q->size) /* a device's bad index: not ours to free */
		return -EIO;
	last = (uint16_t)id;
	for (n = 1; (q->desc[last].flags & VQ_DESC_F_NEXT) && n < q->size; n++)
		last = q->desc[last].next;
	q->desc[last].next = q->free_head;
	q->free_head = (uint16_t)id;
	q->nfree = (uint16_t)(q->nfree + n);
	return (int)id;
}

bool vq_interrupt_enable(struct virtqueue *q)
{
	if (q->event_idx)
		*used_event(q) = q->last_used; /* the next entry the device writes */
	else
		q->avail[AVAIL_FLAGS] = 0;
	/* the wish stored before the used index is read: a buffer given back before the device
	 * saw it came without an interrupt, and is caught here */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return used_idx(q) != q->last_used;
}

void vq_interrupt_disable(struct virtqueue *q)
{
	if (q->event_idx) /* an entry already written: not reached again for 65535 entries */
		*used_event(q) = (uint16_t)(q->last_used - 1);
	else
		q->avail[AVAIL_FLAGS] = AVAIL_F_NO_INTERRUPT;
}
