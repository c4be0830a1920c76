/* net.c: the virtio network device (net.h). Frames are copied through 2 KiB buffers, one a
 * descriptor. RX_BUFS receive buffers stay posted; those whose frames were copied out go back
 * to the device RX_BATCH at a time, with at most one notification a batch. A send copies its
 * frame into a free transmit buffer, offers it and returns; the device is told of the frames
 * offered (if it asked to be: it does not while it is still taking them) by a flush or every
 * TX_BATCH frames. The buffers it is done with are taken back on later sends, and waited for
 * only when none is free. The device interrupts for received frames only, and only while the
 * receiving thread sleeps. */
#include "drivers/virtio/net.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
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
#define RX_BUFS 256
#define RX_BATCH 32 /* receive buffers given back at a time */
#define TX_BUFS 128
#define TX_BATCH 32 /* frames offered before the device is told of them without a flush */
#define TX_WAIT_NS (1000 * NSEC_PER_MSEC) /* for a free transmit buffer */

static struct virtio_dev *net;
static struct virtqueue rxq, txq;
static struct virtio_wait used; /* one device interrupt for both queues */
static uint8_t mac[6];

/* Receive side, under rx_lock: the buffer each descriptor in flight holds, and the buffers
 * copied out, not yet given back. */
static struct mutex rx_lock = MUTEX_INIT(rx_lock);
static uint8_t *rx_slot[VQ_MAX_SIZE];
static uint8_t *rx_done[RX_BUFS];
static unsigned nrx_done;

/* Transmit side, under tx_lock: the same for the transmit queue, and the free buffers. */
static struct mutex tx_lock = MUTEX_INIT(tx_lock);
static uint8_t *tx_slot[VQ_MAX_SIZE];
static uint8_t *tx_free[TX_BUFS];
static int ntx_free;
static int ntx_unflushed; /* frames offered since the device was last told */

bool virtio_net_mac(uint8_t out[6])
{
	if (!net)
		return false;
	memcpy(out, mac, sizeof(mac));
	return true;
}

uint64_t virtio_net_features(void)
{
	return net ? net->features : 0;
}

/* Under tx_lock: the transmit buffers the device is done with back on the free list. */
static void tx_reclaim(void)
{
	uint32_t len;
	int d;

	while ((d = vq_get(&txq, &len)) != -EAGAIN)
		if (d >= 0)
			tx_free[ntx_free++] = tx_slot[d];
}

/* Under tx_lock: tell the device of the frames offered, if it wants to be told. */
static void tx_flush(void)
{
	ntx_unflushed = 0;
	virtio_kick(net, Q_TX, &txq);
}

/* Under tx_lock: a free transmit buffer, waiting for the device to finish one if need be. */
static uint8_t *tx_buffer(void)
{
	uint32_t len;
	int d;

	if (ntx_free < TX_BUFS / 2) /* lazily: the used ring read only when half are out */
		tx_reclaim();
	if (!ntx_free) {
		tx_flush(); /* it must know of them to finish one */
		d = virtio_wait_used(&used, &txq, &len, time_ns() + TX_WAIT_NS);
		if (d < 0)
			return NULL;
		tx_free[ntx_free++] = tx_slot[d];
	}
	return tx_free[--ntx_free];
}

int virtio_net_send(const void *frame, size_t len)
{
	uint8_t *b;
	int d = -EIO;

	if (!net)
		return -ENODEV;
	if (!len || len > NET_FRAME_MAX)
		return -EINVAL;
	mutex_lock(&tx_lock);
	b = tx_buffer();
	if (b) {
		memset(b, 0, HDR_LEN); /* no checksum offload, no GSO */
		memcpy(b + HDR_LEN, frame, len);
		d = vq_add(&txq, V2P(b), (uint32_t)(HDR_LEN + len), false);
		if (d >= 0) { /* as many descriptors as buffers: it never fails */
			tx_slot[d] = b;
			CPU_STAT_INC(net_tx);
			if (++ntx_unflushed >= TX_BATCH)
				tx_flush();
		}
	}
	mutex_unlock(&tx_lock);
	return d < 0 ? -EIO : 0;
}

void virtio_net_flush(void)
{
	if (!net || !__atomic_load_n(&ntx_unflushed, __ATOMIC_RELAXED))
		return;
	mutex_lock(&tx_lock);
	tx_flush();
	mutex_unlock(&tx_lock);
}

bool virtio_net_sent(void)
{
	bool all;

	if (!net)
		return true;
	mutex_lock(&tx_lock);
	tx_flush();
	tx_reclaim();
	all = ntx_free == MIN(TX_BUFS, (int)txq.size);
	mutex_unlock(&tx_lock);
	return all;
}

/* Under rx_lock: the receive buffers copied out back to the device, one notification. */
static void rx_refill(void)
{
	while (nrx_done) {
		uint8_t *b = rx_done[nrx_done - 1];
		int d = vq_add(&rxq, V2P(b), BUF_LEN, true);

		if (d < 0)
			break;
		rx_slot[d] = b;
		nrx_done--;
	}
	virtio_kick(net, Q_RX, &rxq);
}

long virtio_net_recv(void *buf, size_t cap, uint64_t deadline)
{
	uint32_t len;
	long r;
	int d;

	if (!net)
		return -ENODEV;
	mutex_lock(&rx_lock);
	d = virtio_wait_used(&used, &rxq, &len, deadline);
	if (d < 0) {
		r = d == -EAGAIN ? -EAGAIN : -EIO;
		goto out;
	}
	if (len < HDR_LEN || len > BUF_LEN) {
		r = -EIO;
	} else {
		r = (long)MIN((size_t)(len - HDR_LEN), cap);
		memcpy(buf, rx_slot[d] + HDR_LEN, (size_t)r);
		CPU_STAT_INC(net_rx);
	}
	rx_done[nrx_done++] = rx_slot[d];
	if (nrx_done >= RX_BATCH)
		rx_refill();
out:
	mutex_unlock(&rx_lock);
	return r;
}

/* n buffers of BUF_LEN bytes into bufs, PAGE_SIZE / BUF_LEN a page. 0 or -ENOMEM. */
static int alloc_buffers(uint8_t **bufs, int n)
{
	for (int i = 0; i < n; i += PAGE_SIZE / BUF_LEN) {
		uint8_t *p = page_alloc(0);

		if (!p)
			return -ENOMEM;
		for (int k = 0; k < (int)(PAGE_SIZE / BUF_LEN) && i + k < n; k++)
			bufs[i + k] = p + k * BUF_LEN;
	}
	return 0;
}

int virtio_net_probe(struct virtio_dev *d)
{
	int r = virtio_negotiate(d, NET_F_MAC | VIRTIO_F_EVENT_IDX);

	if (!r)
		r = alloc_buffers(rx_done, RX_BUFS);
	if (!r)
		r = alloc_buffers(tx_free, TX_BUFS);
	if (!r)
		r = virtio_queue_setup(d, Q_RX, &rxq, RX_BUFS);
	if (!r)
		r = virtio_queue_setup(d, Q_TX, &txq, TX_BUFS);
	if (r)
		return r;
	nrx_done = RX_BUFS; /* those beyond a smaller queue's size wait their turn there */
	ntx_free = MIN(TX_BUFS, (int)txq.size);
	if (d->features & NET_F_MAC)
		for (int i = 0; i < 6; i++)
			mac[i] = virtio_config8(d, (uint32_t)i);
	else
		memcpy(mac, (const uint8_t[]){ 0x02, 0x6d, 0x6f, 0x74, 0x65, 0x01 }, 6);
	virtio_wait_init(&used, d);
	vq_interrupt_disable(&rxq); /* until the receiving thread waits */
	vq_interrupt_disable(&txq); /* never asked for but when all buffers are out */
	virtio_ready(d);
	net = d;
	rx_refill(); /* every receive buffer, the device told of them */
	return 0;
}
