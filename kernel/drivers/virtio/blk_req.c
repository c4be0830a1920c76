/* blk_req.c: virtio-blk requests (blk_req.h). Each request has a slot, which holds its header
 * and status byte (the data is the caller's buffer, a descriptor per page or part of one).
 * One spin lock, which the interrupt handler takes too, guards the queue and the slots.
 *
 * VM exits are what a request costs most, so the queue tells the device of new requests and
 * asks it for an interrupt only when no caller is left to do either later. The callers
 * "running" are those in the driver and not asleep, counting those woken and not yet back.
 * While one runs, the device is not asked to interrupt (a running caller looks at the used
 * ring when it takes the lock), and a request offered waits for the last caller to stop:
 * whoever drops the count to 0, going to sleep or leaving, notifies the device once for every
 * request offered since (if its avail_event asks for them: EVENT_IDX), asks for an interrupt
 * and looks at the used ring once more, so that a request given back meanwhile is not lost.
 * Whoever looks at the used ring (a caller, or the interrupt handler) marks every request
 * given back done and wakes its owner alone. */
#include "drivers/virtio/blk_req.h"
#include "drivers/virtio/blk.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/layout.h"
#include "core/mm/heap.h"
#include "core/mm/vm.h"
#include "core/sched/wait.h"
#include "core/time.h"
#include "drivers/virtio/mmio.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define Q_REQ 0
#define PIPELINE 4 /* requests of one blk_req_rw call in flight */
#define POLL_NS (20 * NSEC_PER_USEC)
#define S_OK 0 /* status bytes (5.2.6) */
#define S_UNSUPP 2
#define NO_SLOT 0xff
#define HDR_BYTES 16
#define ROOM_KEY 0 /* the sleep of a caller with nothing in flight, waiting for room */

/* A caller of blk_req_rw or blk_req_one, on its stack: its sleeps are keyed by its address. */
struct caller {
	bool asleep; /* not counted in running: a wake counts it again */
};

/* What the driver owns of a request: the header the device reads, the status it writes. */
struct slot {
	uint32_t type; /* struct virtio_blk_req's header (little-endian, as x86 is) */
	uint32_t reserved;
	uint64_t sector;
	uint8_t status;	      /* written by the device */
	bool done;	      /* given back */
	uint32_t written;     /* the bytes the device says it wrote */
	uint64_t deadline;    /* time_ns: given back by then, or the device is reset */
	struct caller *owner; /* woken when it is given back */
};

struct blk_queue {
	struct virtio_dev *dev;
	struct virtqueue vq;
	struct spinlock lock;	      /* guards vq and what follows */
	struct waitq wq;	      /* the callers asleep */
	struct slot *slots;	      /* BLK_REQ_SLOTS of them */
	uint64_t free;		      /* a bit a free slot */
	uint8_t slot_of[VQ_MAX_SIZE]; /* the slot of the request each head descriptor starts */
	int inflight;
	int inflight_max;   /* the most at once so far */
	int running;	    /* callers in the driver not asleep (see the top) */
	int room_waiters;   /* callers asleep for room */
	uint32_t max_segs;  /* data descriptors a request at most */
	uint32_t seg_bytes; /* bytes a data descriptor at most */
	bool irq;	    /* the device's interrupt is routed: else callers poll */
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
	waitq_wake_all(&q->wq); /* each counts itself running again (sleep) */
}

/* Under the lock: wake caller c if it sleeps, and count it running from now on. */
static void wake(struct blk_queue *q, struct caller *c)
{
	if (!c->asleep)
		return;
	c->asleep = false;
	q->running++;
	(void)waitq_wake_key(&q->wq, (uint64_t)(uintptr_t)c, 1);
}

/* Under the lock: mark every request the device gave back done, and wake its owner. */
static void reap(struct blk_queue *q)
{
	uint32_t len;
	int d;

	while (!q->broken && (d = vq_get(&q->vq, &len)) != -EAGAIN) {
		struct slot *sl;

		if (d < 0 || q->slot_of[d] == NO_SLOT) {
			fail(q, "the device gave back a request it did not have");
			return;
		}
		sl = &q->slots[q->slot_of[d]];
		sl->done = true;
		sl->written = len;
		q->slot_of[d] = NO_SLOT;
		q->inflight--;
		wake(q, sl->owner);
	}
}

/*
 * Under the lock, by a running caller about to sleep or leave: if it is the last one running,
 * notify the device of the requests offered (if it asked for them) and, with requests in
 * flight, ask it to interrupt at the next one it gives back. Returns true if one came back
 * before the device could see that wish: reap then, rather than sleep.
 */
static bool last_out(struct blk_queue *q)
{
	if (q->running > 1 || q->broken)
		return false;
	virtio_kick(q->dev, Q_REQ, &q->vq);
	return q->inflight && vq_interrupt_enable(&q->vq);
}

/* Under the lock: caller c comes in, running; the first one running looks at the used ring
 * itself (its first reap), so the device need not interrupt meanwhile. */
static void enter(struct blk_queue *q, struct caller *c)
{
	c->asleep = false;
	if (!q->running++)
		vq_interrupt_disable(&q->vq);
}

/* Under the lock: caller c, with nothing in flight, goes. */
static void leave(struct blk_queue *q)
{
	while (last_out(q))
		reap(q);
	q->running--;
}

/* Under the lock: whether a request of n descriptors can be offered now. */
static bool room(const struct blk_queue *q, int n)
{
	return q->free && q->vq.nfree >= n;
}

/* Under the lock, with room: offer caller c's request of type at sector whose data buffers
 * are b[1..nb] (b[0] and b[nb + 1] become its header and status). Returns its slot. */
static int submit(struct blk_queue *q, struct caller *c, uint32_t type, uint64_t sector,
		  struct vq_buf *b, int nb)
{
	int s = __builtin_ctzll(q->free), head;
	struct slot *sl = &q->slots[s];

	q->free &= ~(1ull << s);
	*sl = (struct slot){ .type = type,
			     .sector = sector,
			     .status = 0xff,
			     .deadline = time_ns() + BLK_REQ_WAIT_NS,
			     .owner = c };
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
	if (q->room_waiters) /* they count themselves running again (sleep) */
		(void)waitq_wake_key(&q->wq, ROOM_KEY, q->room_waiters);
	return r;
}

/* Under the lock: give up if the request in slot s is overdue. */
static void check_overdue(struct blk_queue *q, int s)
{
	if (!q->slots[s].done && time_ns() >= q->slots[s].deadline)
		fail(q, "a request went unanswered for 30 s");
}

/* Under the lock: caller c sleeps until one of its requests is given back (for_room: it has
 * none in flight and waits for a slot or descriptors to come free), or the deadline, or a
 * poll interval where the interrupt is not routed. At once if requests came back meanwhile. */
static void wait_done(struct blk_queue *q, struct caller *c, bool for_room, uint64_t deadline)
{
	if (last_out(q))
		return;
	if (!q->irq)
		deadline = MIN(deadline, time_ns() + POLL_NS);
	else if (deadline == UINT64_MAX)
		deadline = 0; /* none: the request's owner watches its deadline */
	c->asleep = true;
	q->running--;
	q->room_waiters += for_room;
	(void)waitq_sleep_key(&q->wq, &q->lock, for_room ? ROOM_KEY : (uint64_t)(uintptr_t)c,
			      deadline);
	q->room_waiters -= for_room;
	if (c->asleep) { /* not woken by wake(): by a deadline, room, or a reset */
		c->asleep = false;
		q->running++;
	}
}

int blk_req_rw(struct blk_queue *q, bool write, uint64_t sector, void *buf, size_t n, uint32_t unit)
{
	struct vq_buf b[BLK_REQ_SEGS + 2];
	int pend[PIPELINE] = { 0 }, head = 0, np = 0, nb = 0, err = 0;
	size_t off = 0;
	long next = 0; /* bytes of the next request, mapped into b but not offered yet */
	struct caller c;
	uint64_t f = spin_lock(&q->lock);

	enter(q, &c);
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
					submit(q, &c, write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
					       sector + off / BLK_SECTOR_SIZE, b, nb);
				off += (size_t)next;
				next = 0;
				continue;
			}
		}
		if (!np && (err || off >= n))
			break;
		wait_done(q, &c, !np, np ? q->slots[pend[head]].deadline : UINT64_MAX);
	}
	leave(q);
	spin_unlock(&q->lock, f);
	return err;
}

int blk_req_one(struct blk_queue *q, uint32_t type, uint64_t sector, void *buf, size_t n,
		bool device_writes, uint32_t *written)
{
	struct vq_buf b[BLK_REQ_SEGS + 2];
	int nb = 0, s = -1, err = 0;
	long m = n ? map_data(q, buf, n, 1, device_writes, b + 1, &nb) : 0;
	struct caller c;
	uint64_t f;

	if (m < 0)
		return (int)m;
	if ((size_t)m != n)
		return -EINVAL;
	f = spin_lock(&q->lock);
	enter(q, &c);
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
			s = submit(q, &c, type, sector, b, nb);
			continue;
		}
		wait_done(q, &c, s < 0, s >= 0 ? q->slots[s].deadline : UINT64_MAX);
	}
	leave(q);
	spin_unlock(&q->lock, f);
	return err;
}

int blk_req_inflight_max(const struct blk_queue *q)
{
	return READ_ONCE(q->inflight_max);
}

/* The device's interrupt: every request it gave back reaped, their owners woken. While one
 * of them (or another caller) runs, the device need not interrupt again. */
static void on_irq(void *arg)
{
	struct blk_queue *q = arg;
	uint64_t f = spin_lock(&q->lock);

	(void)virtio_ack(q->dev); /* first: a request given back after this raises it again */
	reap(q);
	if (q->running)
		vq_interrupt_disable(&q->vq);
	spin_unlock(&q->lock, f);
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
	spin_init(&q->lock);
	waitq_init(&q->wq);
	vq_interrupt_disable(&q->vq); /* until a caller sleeps */
	q->irq = !irq_register(d->irq, on_irq, q);
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
