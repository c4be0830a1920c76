/* blk_req.c: virtio-blk requests (blk_req.h). Each request has a slot, which holds its header
 * and status byte (the data is the caller's buffer, a descriptor per page or part of one).
 * One spin lock (the device's virtio_wait lock, which its interrupt handler takes too) guards
 * the queue and the slots. Whichever caller looks at the used ring marks every request given
 * back done and wakes all the sleepers; each then finds out whether its own are done. The
 * device is asked for an interrupt only while a caller sleeps (EVENT_IDX: a one-shot). */
#include "drivers/virtio/blk_req.h"
#include "drivers/virtio/blk.h"
#include "arch/x86_64/layout.h"
#include "core/mm/heap.h"
#include "core/mm/vm.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "drivers/virtio/mmio.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define Q_REQ 0
#define PIPELINE 4 /* requests of one blk_req_rw call in flight */
#define POLL_NS (20 * NSEC_PER_USEC)
#define S_OK 0 /* status bytes (5.2.6) */
#define S_UNSUPP 2
#define NO_SLOT 0xff
#define HDR_BYTES 16

/* What the driver owns of a request: the header the device reads, the status it writes. */
struct slot {
	uint32_t type; /* struct virtio_blk_req's header (little-endian, as x86 is) */
	uint32_t reserved;
	uint64_t sector;
	uint8_t status;	   /* written by the device */
	bool done;	   /* given back */
	uint32_t written;  /* the bytes the device says it wrote */
	uint64_t deadline; /* time_ns: given back by then, or the device is reset */
};

struct blk_queue {
	struct virtio_dev *dev;
	struct virtqueue vq;
	struct virtio_wait w; /* w.lock guards vq and what follows; w.wq: the callers asleep */
	struct slot *slots;   /* BLK_REQ_SLOTS of them */
	uint64_t free;	      /* a bit a free slot */
	uint8_t slot_of[VQ_MAX_SIZE]; /* the slot of the request each head descriptor starts */
	int inflight;
	int inflight_max;   /* the most at once so far */
	uint32_t max_segs;  /* data descriptors a request at most */
	uint32_t seg_bytes; /* bytes a data descriptor at most */
	bool broken;	    /* reset after a fault: every request is -EIO */
};

_Static_assert(BLK_REQ_SLOTS == 64, "one bit a slot in a uint64_t");
_Static_assert(offsetof(struct slot, status) == HDR_BYTES, "the header, then the status");

/* The data descriptors for [p, p + n) into b: one a page or part of a page (at most
 * seg_bytes), max_segs at most, cut down to whole units from the end. The bytes they cover
 * (0: not one unit fits), or -EFAULT (a page not mapped). */
static long map_data(const struct blk_queue *q, uint8_t *p, size_t n, size_t unit,
		     bool device_writes, struct vq_buf *b, int *nb)
{
	size_t total = 0, cut;
	int k = 0;

	while (total < n && k < (int)q->max_segs) {
		uint64_t va = (uint64_t)(p + total), pa = vm_translate(va);
		size_t len = MIN(n - total, PAGE_SIZE - (va & (PAGE_SIZE - 1)));

		if (pa == (uint64_t)-1)
			return -EFAULT;
		len = MIN(len, (size_t)q->seg_bytes);
		b[k++] = (struct vq_buf){ .pa = pa,
					  .len = (uint32_t)len,
					  .device_writes = device_writes };
		total += len;
	}
	cut = total % unit;
	total -= cut;
	while (cut) {
		size_t c = MIN(cut, (size_t)b[k - 1].len);

		b[k - 1].len -= (uint32_t)c;
		cut -= c;
		if (!b[k - 1].len)
			k--;
	}
	*nb = k;
	return (long)total;
}

/* Under the lock: give up on the device (reset: it lets go of every buffer) and tell all. */
static void fail(struct blk_queue *q, const char *why)
{
	if (q->broken)
		return;
	printk(LOG_ERR, "virtio-blk: %s: device reset, its I/O fails from now on\n", why);
	virtio_reset(q->dev);
	q->broken = true;
	waitq_wake_all(&q->w.wq);
}

/* Under the lock: mark the requests the device gave back done, and wake their callers. */
static void reap(struct blk_queue *q)
{
	uint32_t len;
	bool any = false;
	int d;

	while (!q->broken && (d = vq_get(&q->vq, &len)) != -EAGAIN) {
		if (d < 0 || q->slot_of[d] == NO_SLOT) {
			fail(q, "the device gave back a request it did not have");
			return;
		}
		q->slots[q->slot_of[d]].done = true;
		q->slots[q->slot_of[d]].written = len;
		q->slot_of[d] = NO_SLOT;
		q->inflight--;
		any = true;
	}
	if (any)
		waitq_wake_all(&q->w.wq);
	if (!q->inflight)
		vq_interrupt_disable(&q->vq);
}

/* Under the lock: whether a request of n descriptors can be offered now. */
static bool room(const struct blk_queue *q, int n)
{
	return q->free && q->vq.nfree >= n;
}

/* Under the lock, with room: offer a request of type at sector whose data buffers are
 * b[1..nb] (b[0] and b[nb + 1] become its header and status). Returns its slot. */
static int submit(struct blk_queue *q, uint32_t type, uint64_t sector, struct vq_buf *b, int nb)
{
	int s = __builtin_ctzll(q->free), head;
	struct slot *sl = &q->slots[s];

	q->free &= ~(1ull << s);
	*sl = (struct slot){ .type = type,
			     .sector = sector,
			     .status = 0xff,
			     .deadline = time_ns() + BLK_REQ_WAIT_NS };
	b[0] = (struct vq_buf){ .pa = V2P(sl), .len = HDR_BYTES, .device_writes = false };
	b[nb + 1] = (struct vq_buf){ .pa = V2P(&sl->status), .len = 1, .device_writes = true };
	head = vq_add_chain(&q->vq, b, nb + 2); /* room() said it fits */
	q->slot_of[head] = (uint8_t)s;
	q->inflight++;
	q->inflight_max = MAX(q->inflight_max, q->inflight);
	return s;
}

/* Under the lock: the result of the done request in slot s; the slot is free again. */
static int finish(struct blk_queue *q, int s, uint32_t *written)
{
	const struct slot *sl = &q->slots[s];
	int r = sl->status == S_OK ? 0 : sl->status == S_UNSUPP ? -EOPNOTSUPP : -EIO;

	if (written)
		*written = sl->written;
	q->free |= 1ull << s;
	waitq_wake_all(&q->w.wq); /* a caller waiting for a slot */
	return r;
}

/* Under the lock: give up if the request in slot s is overdue. */
static void check_overdue(struct blk_queue *q, int s)
{
	if (!q->slots[s].done && time_ns() >= q->slots[s].deadline)
		fail(q, "a request went unanswered for 30 s");
}

/* Under the lock: let the device see the requests offered, and sleep until it gives one back
 * (or the deadline, or a poll interval where its interrupt is not routed). */
static void wait_change(struct blk_queue *q, uint64_t deadline)
{
	virtio_kick(q->dev, Q_REQ, &q->vq);
	if (vq_interrupt_enable(&q->vq)) /* given back meanwhile */
		return;
	if (!q->w.irq)
		deadline = MIN(deadline, time_ns() + POLL_NS);
	else if (deadline == UINT64_MAX)
		deadline = 0; /* none: the request's owner watches its deadline */
	(void)waitq_sleep(&q->w.wq, &q->w.lock, deadline);
}

int blk_req_rw(struct blk_queue *q, bool write, uint64_t sector, void *buf, size_t n, uint32_t unit)
{
	struct vq_buf b[BLK_REQ_SEGS + 2];
	int pend[PIPELINE] = { 0 }, head = 0, np = 0, nb = 0, err = 0;
	size_t off = 0;
	long next = 0; /* bytes of the next request, mapped into b but not offered yet */
	uint64_t f = spin_lock(&q->w.lock);

	for (;;) {
		reap(q);
		if (np)
			check_overdue(q, pend[head]);
		if (q->broken) {
			err = -EIO;
			break;
		}
		if (np && q->slots[pend[head]].done) {
			int r = finish(q, pend[head], NULL);

			err = err ? err : r;
			head = (head + 1) % PIPELINE;
			np--;
			continue;
		}
		if (!err && off < n && np < PIPELINE) {
			if (!next)
				next = map_data(q, (uint8_t *)buf + off, n - off, unit, !write,
						b + 1, &nb);
			if (next <= 0) {
				err = next ? (int)next : -EINVAL;
				continue;
			}
			if (room(q, nb + 2)) {
				pend[(head + np++) % PIPELINE] =
					submit(q, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
					       sector + off / BLK_SECTOR_SIZE, b, nb);
				off += (size_t)next;
				next = 0;
				continue;
			}
		}
		if (!np && (err || off >= n))
			break;
		wait_change(q, np ? q->slots[pend[head]].deadline : UINT64_MAX);
	}
	spin_unlock(&q->w.lock, f);
	return err;
}

int blk_req_one(struct blk_queue *q, uint32_t type, uint64_t sector, void *buf, size_t n,
		bool device_writes, uint32_t *written)
{
	struct vq_buf b[BLK_REQ_SEGS + 2];
	int nb = 0, s = -1, err = 0;
	long m = n ? map_data(q, buf, n, 1, device_writes, b + 1, &nb) : 0;
	uint64_t f;

	if (m < 0)
		return (int)m;
	if ((size_t)m != n)
		return -EINVAL;
	f = spin_lock(&q->w.lock);
	for (;;) {
		reap(q);
		if (s >= 0)
			check_overdue(q, s);
		if (q->broken) {
			err = -EIO;
			break;
		}
		if (s >= 0 && q->slots[s].done) {
			err = finish(q, s, written);
			break;
		}
		if (s < 0 && room(q, nb + 2)) {
			s = submit(q, type, sector, b, nb);
			continue;
		}
		wait_change(q, s >= 0 ? q->slots[s].deadline : UINT64_MAX);
	}
	spin_unlock(&q->w.lock, f);
	return err;
}

int blk_req_inflight_max(const struct blk_queue *q)
{
	return READ_ONCE(q->inflight_max);
}

int blk_req_init(struct virtio_dev *d, uint32_t max_segs, uint32_t seg_bytes,
		 struct blk_queue **out)
{
	struct blk_queue *q = kzalloc(sizeof(*q));
	int r = -ENOMEM;

	*out = NULL;
	if (!q)
		return -ENOMEM;
	q->slots = kzalloc(BLK_REQ_SLOTS * sizeof(*q->slots));
	if (!q->slots)
		goto err_slots;
	r = virtio_queue_setup(d, Q_REQ, &q->vq, VQ_MAX_SIZE);
	if (r)
		goto err_queue;
	if (q->vq.size < 4) { /* a header, data and a status at least */
		r = -ENODEV;
		goto err_size;
	}
	q->dev = d;
	q->free = ~0ull;
	memset(q->slot_of, NO_SLOT, sizeof(q->slot_of));
	q->max_segs = MIN((uint32_t)BLK_REQ_SEGS, (uint32_t)q->vq.size - 2);
	if (max_segs)
		q->max_segs = MIN(q->max_segs, max_segs);
	q->seg_bytes = seg_bytes ? MIN(seg_bytes, (uint32_t)PAGE_SIZE) : PAGE_SIZE;
	virtio_wait_init(&q->w, d);
	vq_interrupt_disable(&q->vq); /* until a caller sleeps */
	*out = q;
	return 0;
err_size:
	virtio_reset(d); /* it lets go of the rings first */
	vq_free(&q->vq);
err_queue:
	kfree(q->slots);
err_slots:
	kfree(q);
	return r;
}
