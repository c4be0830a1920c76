/* rng.c: the virtio entropy device (rng.h). Requests are synchronous, one buffer at a time:
 * the caller sleeps until the device's interrupt, or polls the used ring with short sleeps
 * where the interrupt cannot be routed. */
#include "drivers/virtio/rng.h"
#include "arch/x86_64/layout.h"
#include "core/mm/page.h"
#include "core/sched/sync.h"
#include "core/time.h"
#include "drivers/virtio/mmio.h"
#include "lib/errno.h"
#include "lib/random.h"
#include "lib/string.h"

#define RNG_WAIT_NS (200 * NSEC_PER_MSEC)

static struct virtio_dev *rng; /* NULL: none, or it stopped answering */
static struct virtqueue rq;
static uint8_t *bounce; /* a page the device writes into */
static struct mutex rng_lock = MUTEX_INIT(rng_lock);
static struct virtio_wait used;

long virtio_rng_read(void *buf, size_t n)
{
	uint64_t deadline = time_ns() + RNG_WAIT_NS;
	uint32_t len = 0;
	long r;

	mutex_lock(&rng_lock);
	if (!rng) {
		r = -ENODEV;
		goto out;
	}
	n = MIN(n, (size_t)PAGE_SIZE);
	r = vq_add(&rq, V2P(bounce), (uint32_t)n, true);
	if (r < 0)
		goto out;
	virtio_notify(rng, 0);
	r = virtio_wait_used(&used, &rq, &len, deadline);
	if (r == -EAGAIN) { /* the buffer is still the device's: never reuse it */
		rng = NULL;
		r = -ENODEV;
		goto out;
	}
	if (r < 0 || len > n) {
		r = -EIO;
		goto out;
	}
	memcpy(buf, bounce, len);
	r = (long)len;
out:
	mutex_unlock(&rng_lock);
	return r;
}

int virtio_rng_probe(struct virtio_dev *d)
{
	uint8_t seed[32];
	int r = virtio_negotiate(d, 0);

	if (r)
		return r;
	bounce = page_alloc(0);
	if (!bounce)
		return -ENOMEM;
	r = virtio_queue_setup(d, 0, &rq, 8);
	if (r)
		return r;
	virtio_wait_init(&used, d);
	virtio_ready(d);
	rng = d;
	if (virtio_rng_read(seed, sizeof(seed)) == (long)sizeof(seed))
		random_add_entropy(seed, sizeof(seed));
	return 0;
}
