/* net.c: the virtio network device (net.h). Receive buffers are 2 KiB each, posted at start
 * and given back to the device as soon as their frame is copied out; sends wait for the
 * device to take the frame. */
#include "drivers/virtio/net.h"
#include "arch/x86_64/layout.h"
#include "core/mm/page.h"
#include "core/sched/sync.h"
#include "core/time.h"
#include "drivers/virtio/mmio.h"
#include "lib/errno.h"
#include "lib/string.h"

#define Q_RX 0
#define Q_TX 1
#define NET_F_MAC (1ull << 5)
#define HDR_LEN 12 /* struct virtio_net_hdr with num_buffers (VIRTIO_F_VERSION_1) */
#define BUF_LEN 2048
#define RX_BUFS 16 /* two pages of 2 KiB buffers x 8 */
#define TX_WAIT_NS (1000 * NSEC_PER_MSEC)

static struct virtio_dev *net;
static struct virtqueue rxq, txq;
static struct virtio_wait used; /* one device interrupt for both queues */
static uint8_t *rx_buf[RX_BUFS];
static uint8_t *tx_buf;
static uint8_t mac[6];
static struct mutex tx_lock = MUTEX_INIT(tx_lock), rx_lock = MUTEX_INIT(rx_lock);

bool virtio_net_mac(uint8_t out[6])
{
	if (!net)
		return false;
	memcpy(out, mac, sizeof(mac));
	return true;
}

/* Offer receive buffer i (its descriptor is i: they are posted in order at start). */
static int post_rx(int i)
{
	return vq_add(&rxq, V2P(rx_buf[i]), BUF_LEN, true);
}

int virtio_net_send(const void *frame, size_t len)
{
	uint32_t done;
	int r;

	if (!net)
		return -ENODEV;
	if (!len || len > NET_FRAME_MAX)
		return -EINVAL;
	mutex_lock(&tx_lock);
	memset(tx_buf, 0, HDR_LEN); /* no checksum offload, no GSO */
	memcpy(tx_buf + HDR_LEN, frame, len);
	r = vq_add(&txq, V2P(tx_buf), (uint32_t)(HDR_LEN + len), false);
	if (r >= 0) {
		virtio_notify(net, Q_TX);
		r = virtio_wait_used(&used, &txq, &done, time_ns() + TX_WAIT_NS);
	}
	mutex_unlock(&tx_lock);
	return r < 0 ? -EIO : 0;
}

long virtio_net_recv(void *buf, size_t cap, uint64_t deadline)
{
	uint32_t len;
	long r;
	int id;

	if (!net)
		return -ENODEV;
	mutex_lock(&rx_lock);
	id = virtio_wait_used(&used, &rxq, &len, deadline);
	if (id < 0) {
		r = id == -EAGAIN ? -EAGAIN : -EIO;
		goto out;
	}
	if (len < HDR_LEN || len > BUF_LEN) {
		r = -EIO;
	} else {
		r = (long)MIN((size_t)(len - HDR_LEN), cap);
		memcpy(buf, rx_buf[id] + HDR_LEN, (size_t)r);
	}
	(void)post_rx(id); /* the descriptor just freed is the one that comes back */
	virtio_notify(net, Q_RX);
out:
	mutex_unlock(&rx_lock);
	return r;
}

int virtio_net_probe(struct virtio_dev *d)
{
	int r = virtio_negotiate(d, NET_F_MAC);

	if (r)
		return r;
	for (int i = 0; i < RX_BUFS; i += PAGE_SIZE / BUF_LEN) {
		uint8_t *p = page_alloc(0);

		if (!p)
			return -ENOMEM;
		for (int k = 0; k < (int)(PAGE_SIZE / BUF_LEN); k++)
			rx_buf[i + k] = p + k * BUF_LEN;
	}
	tx_buf = page_alloc(0);
	if (!tx_buf)
		return -ENOMEM;
	r = virtio_queue_setup(d, Q_RX, &rxq, RX_BUFS);
	if (!r)
		r = virtio_queue_setup(d, Q_TX, &txq, 4);
	if (r)
		return r;
	if (rxq.size < RX_BUFS)
		return -ENODEV;
	for (int i = 0; i < RX_BUFS; i++)
		if (post_rx(i) != i)
			return -EIO;
	if (d->features & NET_F_MAC)
		for (int i = 0; i < 6; i++)
			mac[i] = virtio_config8(d, (uint32_t)i);
	else
		memcpy(mac, (const uint8_t[]){ 0x02, 0x6d, 0x6f, 0x74, 0x65, 0x01 }, 6);
	virtio_wait_init(&used, d);
	virtio_ready(d);
	virtio_notify(d, Q_RX);
	net = d;
	return 0;
}
