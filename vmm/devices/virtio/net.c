/* net.c: the virtio network device on a TAP (see net.h). Frames go between the queues and the
 * TAP as they are, header included: the TAP speaks the same 12-byte virtio-net header. The
 * receive side reads the TAP only while the driver has buffers posted; otherwise the TAP's
 * own queue holds the frames (and drops when full, as a NIC would). */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "config/config.h"
#include "devices/virtio/net.h"
#include "devices/virtio/tap.h"
#include "log.h"

#define Q_RX 0
#define Q_TX 1
#define NET_F_CSUM (1ull << 0)
#define NET_F_GUEST_CSUM (1ull << 1)
#define NET_F_MTU (1ull << 3)
#define NET_F_MAC (1ull << 5)
#define NET_F_GUEST_TSO4 (1ull << 7)
#define NET_F_GUEST_TSO6 (1ull << 8)
#define NET_F_HOST_TSO4 (1ull << 11)
#define NET_F_HOST_TSO6 (1ull << 12)
#define HDR_NUM_BUFFERS 10 /* offset of num_buffers in the header */
#define CFG_MTU 10	   /* offset of mtu in the configuration space */
#define BATCH 256	   /* frames a turn, so one busy queue does not starve the loop */

static void watch_tap(struct virtio_net *n, bool on)
{
	if (n->tap_watched == on)
		return;
	if (event_mod(n->dev.env.loop, &n->tap_ev, on ? EPOLLIN : 0) == 0)
		n->tap_watched = on;
}

/* Moves frames from the TAP into receive buffers while both have some. */
static void receive(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	struct vq *q = &d->queues[Q_RX];
	struct vq_chain *c = &d->chain;
	const uint16_t one = 1;
	unsigned done = 0;
	const char *why;

	while (done < BATCH) {
		ssize_t len;
		int r = vq_pop(q, c, &why);

		if (r < 0) {
			virtio_broken(d, why);
			break;
		}
		if (r == 0) {
			if (vq_enable_notify(q))
				continue;
			watch_tap(n, false); /* until the driver posts buffers */
			break;
		}
		if (c->in_len < TAP_VNET_HDR_LEN) {
			virtio_broken(d, "a receive buffer is shorter than the header");
			break;
		}
		len = readv(n->tap_fd, c->iov + c->nr_out, (int)c->nr_in);
		if (len < 0) {
			vq_unpop(q);
			if (errno != EAGAIN && errno != EINTR)
				n->stats.rx_fails++;
			break;
		}
		/* The TAP leaves num_buffers alone: one buffer a frame without MRG_RXBUF. */
		vq_chain_write(c, HDR_NUM_BUFFERS, &one, sizeof(one));
		vq_push(q, c->head, (uint32_t)len);
		n->stats.rx_packets++;
		n->stats.rx_bytes += (uint64_t)len - TAP_VNET_HDR_LEN;
		done++;
	}
	if (done)
		virtio_queue_done(d, Q_RX);
}

/* Sends every frame the driver queued. A frame the TAP refuses is dropped and counted. */
static void transmit(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	struct vq *q = &d->queues[Q_TX];
	struct vq_chain *c = &d->chain;
	unsigned done = 0;
	const char *why;
	int r;

	for (;;) {
		r = vq_pop(q, c, &why);
		if (r < 0) {
			virtio_broken(d, why);
			break;
		}
		if (r == 0 && !vq_enable_notify(q))
			break;
		if (r == 0)
			continue;
		if (c->out_len <= TAP_VNET_HDR_LEN ||
		    writev(n->tap_fd, c->iov, (int)c->nr_out) != (ssize_t)c->out_len) {
			n->stats.tx_fails++;
		} else {
			n->stats.tx_packets++;
			n->stats.tx_bytes += c->out_len - TAP_VNET_HDR_LEN;
		}
		vq_push(q, c->head, 0);
		if (++done % BATCH == 0)
			virtio_queue_done(d, Q_TX);
	}
	if (done % BATCH)
		virtio_queue_done(d, Q_TX);
}

static void notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_net *n = d->priv;

	if (q == Q_TX) {
		n->stats.tx_queue_events++;
		transmit(n);
	} else {
		n->stats.rx_queue_events++;
		watch_tap(n, true); /* new buffers: the TAP's readiness drives the rest */
		receive(n);
	}
}

static void on_tap(struct event_handler *h, uint32_t events)
{
	struct virtio_net *n = h->opaque;

	pthread_mutex_lock(&n->dev.lock);
	n->stats.rx_tap_events++;
	if (n->dev.active && !n->dev.broken)
		receive(n);
	else
		watch_tap(n, false);
	pthread_mutex_unlock(&n->dev.lock);
}

static void config_read(struct virtio_dev *d, uint64_t off, uint8_t *data, unsigned len)
{
	struct virtio_net *n = d->priv;
	uint8_t cfg[12] = { 0 };

	memcpy(cfg, n->mac, sizeof(n->mac));
	memcpy(cfg + CFG_MTU, &n->mtu, sizeof(n->mtu));
	if (off < sizeof(cfg))
		memcpy(data, cfg + off, off + len <= sizeof(cfg) ? len : sizeof(cfg) - off);
}

static int activate(struct virtio_dev *d)
{
	struct virtio_net *n = d->priv;
	unsigned tun = 0;

	if (d->features & NET_F_GUEST_CSUM)
		tun |= TUN_F_CSUM;
	if (d->features & NET_F_GUEST_TSO4)
		tun |= TUN_F_TSO4;
	if (d->features & NET_F_GUEST_TSO6)
		tun |= TUN_F_TSO6;
	if (tap_set_offload(n->tap_fd, tun)) {
		log_warn("virtio %s: the TAP refuses offloads %#x: %s", d->name, tun,
			 strerror(errno));
		return -EIO;
	}
	watch_tap(n, true);
	return 0;
}

static void reset(struct virtio_dev *d)
{
	struct virtio_net *n = d->priv;

	watch_tap(n, false);
}

static const struct virtio_dev_ops net_ops = {
	.config_read = config_read,
	.activate = activate,
	.notify = notify,
	.reset = reset,
};

/* "06:00:AC:10:00:02" (checked by the configuration) into bytes; a locally administered MAC
 * from the slot when none is given. */
static void set_mac(struct virtio_net *n, const char *s, unsigned slot)
{
	unsigned b[6];

	if (s && sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) == 6) {
		for (int i = 0; i < 6; i++)
			n->mac[i] = (uint8_t)b[i];
		return;
	}
	memcpy(n->mac, (const uint8_t[]){ 0x06, 0x6d, 0x6f, 0x74, 0x65, (uint8_t)slot }, 6);
}

struct virtio_net *virtio_net_create(const struct virtio_env *env, unsigned slot,
				     const struct net_config *cfg, int tap_fd)
{
	struct virtio_net *n = calloc(1, sizeof(*n));

	if (!n) {
		close(tap_fd);
		log_err("virtio net %s: out of memory", cfg->iface_id);
		return NULL;
	}
	snprintf(n->name, sizeof(n->name), "net %s", cfg->iface_id);
	snprintf(n->iface_id, sizeof(n->iface_id), "%s", cfg->iface_id);
	n->tap_fd = tap_fd;
	n->mtu = (uint16_t)cfg->mtu;
	set_mac(n, cfg->guest_mac, slot);
	n->dev = (struct virtio_dev){
		.name = n->name,
		.device_id = VIRTIO_ID_NET,
		.nr_queues = 2,
		.offered = NET_F_MAC | VIRTIO_F_EVENT_IDX | NET_F_CSUM | NET_F_GUEST_CSUM |
			   NET_F_HOST_TSO4 | NET_F_HOST_TSO6 | NET_F_GUEST_TSO4 | NET_F_GUEST_TSO6 |
			   (n->mtu ? NET_F_MTU : 0),
		.ops = &net_ops,
		.priv = n,
	};
	n->tap_ev = (struct event_handler){ .fd = tap_fd, .fn = on_tap, .opaque = n };
	if (virtio_dev_create(&n->dev, env, slot) || event_add(env->loop, &n->tap_ev, 0)) {
		log_err("virtio %s: cannot start", n->name);
		virtio_net_destroy(n);
		return NULL;
	}
	return n;
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (!n)
		return;
	if (n->dev.env.loop)
		event_del(n->dev.env.loop, &n->tap_ev);
	virtio_dev_destroy(&n->dev);
	close(n->tap_fd);
	free(n);
}

struct virtio_net_stats virtio_net_stats_since(struct virtio_net *n, struct virtio_net_stats *sum)
{
	struct virtio_net_stats d;

	pthread_mutex_lock(&n->dev.lock);
#define D(f) (d.f = n->stats.f - n->reported.f, sum->f += d.f)
	D(rx_bytes), D(rx_packets), D(rx_fails), D(rx_queue_events), D(rx_tap_events);
	D(tx_bytes), D(tx_packets), D(tx_fails), D(tx_queue_events);
#undef D
	n->reported = n->stats;
	pthread_mutex_unlock(&n->dev.lock);
	return d;
}
