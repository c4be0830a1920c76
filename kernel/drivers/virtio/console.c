/* console.c: the virtio console: the program's output through port 0's transmit queue
 * (console.h). */
#include "drivers/virtio/console.h"
#include "arch/x86_64/layout.h"
#include "core/time.h"
#include "drivers/virtio/mmio.h"
#include "lib/errno.h"

#define Q_RX 0 /* port 0's queues */
#define Q_TX 1
#define TX_WAIT_NS (5000 * NSEC_PER_MSEC) /* a host that takes no output for 5 s: give up */

static struct virtio_dev *con; /* NULL: none, or it stopped taking output */
static struct virtqueue rxq, txq;
static struct virtio_wait used;

bool virtio_console_active(void)
{
	return con != NULL;
}

long virtio_console_write(const void *buf, size_t n)
{
	uint32_t len;
	int r;

	if (!con)
		return -ENODEV;
	if (!n)
		return 0;
	if (vq_add(&txq, V2P_ANY(buf), (uint32_t)n, false) < 0)
		return -ENODEV;
	virtio_notify(con, Q_TX);
	r = virtio_wait_used(&used, &txq, &len, time_ns() + TX_WAIT_NS);
	if (r < 0) { /* the buffer may still be the device's: stop using it */
		con = NULL;
		return -ENODEV;
	}
	return (long)n;
}

int virtio_console_probe(struct virtio_dev *d)
{
	int r = virtio_negotiate(d, 0); /* no size, no multiport: port 0 only */

	if (r)
		return r;
	/* the receive queue must exist for the device; no input is taken from it yet */
	r = virtio_queue_setup(d, Q_RX, &rxq, 2);
	if (!r)
		r = virtio_queue_setup(d, Q_TX, &txq, 2);
	if (r)
		return r;
	virtio_wait_init(&used, d);
	virtio_ready(d);
	con = d;
	return 0;
}
