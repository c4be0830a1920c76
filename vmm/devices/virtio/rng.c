/* rng.c: the entropy device (see rng.h). */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "devices/virtio/rng.h"
#include "log.h"

/* Fills the writable buffers of C; the bytes written. */
static uint32_t fill(struct virtio_rng *r, const struct vq_chain *c)
{
	uint64_t done = 0;

	for (unsigned i = c->nr_out; i < c->nr_out + c->nr_in; i++) {
		uint8_t *p = c->iov[i].iov_base;
		size_t left = c->iov[i].iov_len;

		while (left) {
			ssize_t n = getrandom(p, left, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				r->stats.fails++;
				return (uint32_t)done;
			}
			p += n;
			left -= (size_t)n;
			done += (uint64_t)n;
		}
	}
	return (uint32_t)done;
}

static void notify(struct virtio_dev *d, unsigned qi)
{
	struct virtio_rng *r = d->priv;
	struct vq *q = &d->queues[qi];
	struct vq_chain *c = &d->chain;
	const char *why;
	bool pushed = false;
	int n;

	do {
		while ((n = vq_pop(q, c, &why)) > 0) {
			uint32_t len = fill(r, c);

			vq_push(q, c->head, len);
			r->stats.bytes += len;
			r->stats.requests++;
			pushed = true;
		}
		if (n < 0) {
			virtio_broken(d, why);
			return;
		}
	} while (vq_enable_notify(q));
	if (pushed)
		virtio_queue_done(d, qi);
}

static const struct virtio_dev_ops rng_ops = { .notify = notify };

struct virtio_rng *virtio_rng_create(const struct virtio_env *env, unsigned slot)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));

	if (!r) {
		log_err("virtio rng: out of memory");
		return NULL;
	}
	r->dev = (struct virtio_dev){ .name = "rng",
				      .device_id = VIRTIO_ID_RNG,
				      .nr_queues = 1,
				      .offered = VIRTIO_F_EVENT_IDX,
				      .ops = &rng_ops,
				      .priv = r };
	if (virtio_dev_create(&r->dev, env, slot)) {
		virtio_rng_destroy(r);
		return NULL;
	}
	return r;
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	if (!r)
		return;
	virtio_dev_destroy(&r->dev);
	free(r);
}

struct virtio_rng_stats virtio_rng_stats(struct virtio_rng *r)
{
	struct virtio_rng_stats s;

	pthread_mutex_lock(&r->dev.lock);
	s = r->stats;
	pthread_mutex_unlock(&r->dev.lock);
	return s;
}
