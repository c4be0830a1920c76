/* blk_uring.c: the io_uring engine (see blk_uring.h), on Debian's liburing. A request's slot
 * holds its operation (the iovecs io_uring reads at submission) and where its status byte is
 * until the completion comes back. */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "devices/virtio/blk_uring.h"
#include "log.h"

struct slot {
	bool busy;
	uint16_t head;
	uint8_t *status; /* the request's status byte, in guest RAM */
	struct blk_op op;
};

struct blk_uring {
	struct virtio_blk *b;
	struct io_uring ring;
	struct event_handler ev; /* the ring's eventfd: completions */
	unsigned inflight;
	struct slot slots[BLK_URING_SLOTS];
};

bool blk_uring_available(void)
{
	struct io_uring ring;

	if (io_uring_queue_init(2, &ring, 0) < 0)
		return false;
	io_uring_queue_exit(&ring);
	return true;
}

/* The last writable byte of chain C (it has one: checked before). */
static uint8_t *status_byte(const struct vq_chain *c)
{
	for (unsigned i = c->nr_out + c->nr_in; i-- > c->nr_out;)
		if (c->iov[i].iov_len)
			return (uint8_t *)c->iov[i].iov_base + c->iov[i].iov_len - 1;
	return NULL;
}

static void answer(struct virtio_blk *b, struct slot *s, uint8_t status)
{
	*s->status = status;
	vq_push(&b->dev.queues[0], s->head, (uint32_t)(status == BLK_S_OK ? s->op.written + 1 : 1));
}

/* OP's submission entry. False if the ring has no room even after a submit. */
static bool submit(struct blk_uring *u, struct slot *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	int fd = u->b->fd;

	if (!sqe) {
		io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
		if (!sqe)
			return false;
	}
	switch (s->op.kind) {
	case BLK_OP_READ:
		io_uring_prep_readv(sqe, fd, s->op.iov, (unsigned)s->op.niov, s->op.off);
		break;
	case BLK_OP_WRITE:
		io_uring_prep_writev(sqe, fd, s->op.iov, (unsigned)s->op.niov, s->op.off);
		break;
	case BLK_OP_FLUSH:
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
		break;
	default:
		io_uring_prep_fallocate(sqe, fd, s->op.mode, s->op.off, s->op.len);
	}
	io_uring_sqe_set_data(sqe, s);
	return true;
}

/* Takes requests from queue QI while slots are free. */
static void take(struct blk_uring *u, unsigned qi)
{
	struct virtio_dev *d = &u->b->dev;
	struct vq *q = &d->queues[qi];
	struct vq_chain *c = &d->chain;
	unsigned answered = 0, k = 0;

	while (u->inflight < BLK_URING_SLOTS && blk_next(d, q, c) > 0) {
		struct slot *s;

		while (u->slots[k].busy)
			k = (k + 1) % BLK_URING_SLOTS;
		s = &u->slots[k];
		s->head = c->head;
		s->status = status_byte(c);
		blk_prepare(u->b, c, &s->op);
		if (s->op.kind == BLK_OP_DONE) {
			answer(u->b, s, s->op.status);
			answered++;
		} else if (!submit(u, s)) {
			answer(u->b, s, BLK_S_IOERR);
			answered++;
		} else {
			s->busy = true;
			u->inflight++;
		}
	}
	io_uring_submit(&u->ring);
	if (answered)
		virtio_queue_done(d, qi);
}

void blk_uring_notify(struct blk_uring *u, unsigned qi)
{
	take(u, qi);
}

/* Completions: each request answered, one interrupt at the end; then more requests if the
 * slots were full. */
static void on_completion(struct event_handler *h, uint32_t events)
{
	struct blk_uring *u = h->opaque;
	struct virtio_dev *d = &u->b->dev;
	struct io_uring_cqe *cqe;
	unsigned n = 0;
	uint64_t v;

	if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&d->lock);
	while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		struct slot *s = io_uring_cqe_get_data(cqe);

		if (s && s->busy) {
			answer(u->b, s, blk_complete(u->b, &s->op, cqe->res));
			s->busy = false;
			u->inflight--;
			n++;
		}
		io_uring_cqe_seen(&u->ring, cqe);
	}
	if (n && d->active && !d->broken) {
		virtio_queue_done(d, 0);
		take(u, 0);
	}
	pthread_mutex_unlock(&d->lock);
}

void blk_uring_drain(struct blk_uring *u)
{
	struct io_uring_cqe *cqe;

	while (u->inflight && io_uring_wait_cqe(&u->ring, &cqe) == 0) {
		struct slot *s = io_uring_cqe_get_data(cqe);

		if (s && s->busy) {
			s->busy = false;
			u->inflight--;
		}
		io_uring_cqe_seen(&u->ring, cqe);
	}
}

/* io_uring_register(2) itself: Debian's shared liburing 2.3 lacks the restriction calls. */
static int ring_register(struct blk_uring *u, unsigned op, void *arg, unsigned n)
{
	return syscall(__NR_io_uring_register, u->ring.ring_fd, op, arg, n) < 0 ? -errno : 0;
}

/*
 * The ring starts disabled, takes its eventfd, then a list of the only operations it will
 * run (readv, writev, fsync, fallocate, no SQE flags, no further registration) and is
 * enabled: io_uring_enter is on the seccomp lists, and operations on a ring are not system
 * calls seccomp sees, so without the list a guest that took over motevm could open files or
 * sockets through it. Kernels before 5.10 (no disabled rings) get the ring without it.
 */
static int setup_ring(struct blk_uring *u)
{
	static const uint8_t ops[] = { IORING_OP_READV, IORING_OP_WRITEV, IORING_OP_FSYNC,
				       IORING_OP_FALLOCATE };
	struct io_uring_restriction res[sizeof(ops) + 1];
	bool restricted = true;
	int r;

	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < sizeof(ops); i++) {
		res[i].opcode = IORING_RESTRICTION_SQE_OP;
		res[i].sqe_op = ops[i];
	}
	res[sizeof(ops)].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED; /* none */
	r = io_uring_queue_init(2 * BLK_URING_SLOTS, &u->ring, IORING_SETUP_R_DISABLED);
	if (r == -EINVAL) {
		restricted = false;
		r = io_uring_queue_init(2 * BLK_URING_SLOTS, &u->ring, 0);
	}
	if (r < 0)
		return r;
	u->ev.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->ev.fd < 0)
		r = -errno;
	else if ((r = io_uring_register_eventfd(&u->ring, u->ev.fd)) == 0 && restricted &&
		 (r = ring_register(u, IORING_REGISTER_RESTRICTIONS, res, sizeof(ops) + 1)) == 0)
		r = ring_register(u, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	if (r < 0) {
		if (u->ev.fd >= 0)
			close(u->ev.fd);
		io_uring_queue_exit(&u->ring);
		return r;
	}
	if (!restricted)
		log_debug("virtio %s: io_uring without restrictions (kernel before 5.10)",
			  u->b->dev.name);
	return 0;
}

struct blk_uring *blk_uring_create(struct virtio_blk *b)
{
	struct blk_uring *u = calloc(1, sizeof(*u));
	int r;

	if (!u) {
		log_err("virtio %s: out of memory", b->dev.name);
		return NULL;
	}
	u->b = b;
	u->ev = (struct event_handler){ .fd = -1, .fn = on_completion, .opaque = u };
	r = setup_ring(u);
	if (r < 0) {
		log_err("virtio %s: io_uring: %s", b->dev.name, strerror(-r));
		free(u);
		return NULL;
	}
	if (event_add(b->dev.env.loop, &u->ev, EPOLLIN)) {
		log_err("virtio %s: io_uring's eventfd: %s", b->dev.name, strerror(errno));
		close(u->ev.fd);
		io_uring_queue_exit(&u->ring);
		free(u);
		return NULL;
	}
	return u;
}

void blk_uring_destroy(struct blk_uring *u)
{
	if (!u)
		return;
	blk_uring_drain(u);
	event_del(u->b->dev.env.loop, &u->ev);
	close(u->ev.fd);
	io_uring_queue_exit(&u->ring);
	free(u);
}
