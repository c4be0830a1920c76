/* net.c: the virtio network device (see net.h). Frames go between the queues and the back end
 * (netbe.h) as they are, with the 12-byte virtio-net header where the back end speaks it (a
 * TAP), else behind a zero header. The receive side reads the back end only while the driver
 * has buffers posted; meanwhile the back end holds the frames (a TAP's queue drops when full,
 * as a NIC would; passt's socket pushes back). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "config/config.h"
#include "devices/virtio/net.h"
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
#define NET_F_MRG_RXBUF (1ull << 15)
#define HDR_NUM_BUFFERS 10 /* offset of num_buffers in the header */
#define CFG_MTU 10	   /* offset of mtu in the configuration space */
#define BATCH 256	   /* frames a turn, so one busy queue does not starve the loop */

/* Polls the back end for what the device waits for: frames while the driver has receive
 * buffers, writability while a frame is held back. */
static void watch(struct virtio_net *n)
{
	uint32_t ev = (n->rx_wanted ? EPOLLIN : 0) | (n->tx_blocked ? EPOLLOUT : 0);

	if (n->be_dead || ev == n->watched)
		return;
	if (event_mod(n->dev.env.loop, &n->be_ev, ev) == 0)
		n->watched = ev;
}

/* The back end failed for good (its peer went away): stop polling it. */
static void backend_dead(struct virtio_net *n, int err)
{
	if (n->be_dead)
		return;
	log_warn("virtio %s: %s failed: %s; the interface is down", n->dev.name, n->be->what,
		 strerror(-err));
	event_del(n->dev.env.loop, &n->be_ev);
	n->be_dead = true;
}

/* IOV without its first SKIP bytes, into OUT (the chain's frame behind the header). */
static int iov_skip(const struct iovec *iov, int n, size_t skip, struct iovec *out)
{
	int k = 0;

	for (int i = 0; i < n; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		out[k].iov_base = (uint8_t *)iov[i].iov_base + skip;
		out[k++].iov_len = iov[i].iov_len - skip;
		skip = 0;
	}
	return k;
}

/* One frame from the back end into chain C; its length with the header, or -errno. */
static ssize_t receive_one(struct virtio_net *n, const struct vq_chain *c)
{
	const struct iovec *in = c->iov + c->nr_out;
	struct iovec rest[VQ_SIZE_MAX];
	uint8_t hdr[NETBE_HDR_LEN] = { 0 };
	ssize_t len;

	if (n->be->vnet_hdr)
		return n->be->ops->recv(n->be, in, (int)c->nr_in);
	len = n->be->ops->recv(n->be, rest, iov_skip(in, (int)c->nr_in, NETBE_HDR_LEN, rest));
	if (len < 0)
		return len;
	vq_chain_write(c, 0, hdr, sizeof(hdr)); /* no offloads: a zero header */
	return len + NETBE_HDR_LEN;
}

/* MRG_RXBUF: the next frame, whole, into n->frame (header included). Its length or -errno. */
static ssize_t read_frame(struct virtio_net *n)
{
	struct iovec v = { .iov_base = n->frame, .iov_len = sizeof(n->frame) };
	ssize_t len;

	if (n->be->vnet_hdr)
		return n->be->ops->recv(n->be, &v, 1);
	memset(n->frame, 0, NETBE_HDR_LEN); /* no offloads: a zero header */
	v.iov_base = n->frame + NETBE_HDR_LEN;
	v.iov_len -= NETBE_HDR_LEN;
	len = n->be->ops->recv(n->be, &v, 1);
	return len < 0 ? len : len + NETBE_HDR_LEN;
}

/* MRG_RXBUF: n->frame spread over as many receive buffers as it takes, num_buffers in the
 * first's header. 1 delivered; 0 not enough buffers yet (none taken); -1 broken. */
static int spread(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	struct vq *q = &d->queues[Q_RX];
	struct vq_chain *c = &d->chain;
	uint64_t off = 0;
	uint16_t k = 0;
	const char *why;

	while (off < n->frame_len) {
		int r = vq_next(q, c, &why);
		uint64_t take;

		if (r < 0) {
			virtio_broken(d, why);
			return -1;
		}
		if (r == 0 || k == VQ_SIZE_MAX) {
			while (k--) /* back to the driver's ring, untaken */
				vq_unpop(q);
			return 0;
		}
		if (c->in_len < (k ? 1 : NETBE_HDR_LEN)) {
			virtio_broken(d, "a receive buffer is shorter than the header");
			return -1;
		}
		take = c->in_len < n->frame_len - off ? c->in_len : n->frame_len - off;
		if (k == 0) /* where the header's num_buffers lands */
			n->num_buffers_at =
				c->iov[c->nr_out].iov_len >= HDR_NUM_BUFFERS + 2
					? (uint8_t *)c->iov[c->nr_out].iov_base + HDR_NUM_BUFFERS
					: NULL;
		vq_chain_write(c, 0, n->frame + off, take);
		n->spread_heads[k] = c->head;
		n->spread_lens[k++] = (uint32_t)take;
		off += take;
	}
	if (n->num_buffers_at)
		memcpy(n->num_buffers_at, &k, sizeof(k));
	else
		n->stats.rx_fails++; /* a header split across buffers: num_buffers not set */
	for (uint16_t i = 0; i < k; i++)
		vq_push(q, n->spread_heads[i], n->spread_lens[i]);
	return 1;
}

/* MRG_RXBUF: frames from the back end, each over as many buffers as it needs; a frame that
 * finds too few waits in n->frame for the driver's next buffers. */
static void receive_merged(struct virtio_net *n)
{
	unsigned done = 0;

	while (done < BATCH && !n->be_dead) {
		int r;

		if (!n->frame_len) {
			ssize_t len = read_frame(n);

			if (len == -EAGAIN)
				break;
			if (len < 0) {
				n->stats.rx_fails++;
				if (len != -EMSGSIZE)
					backend_dead(n, (int)len);
				continue;
			}
			n->frame_len = (uint64_t)len;
		}
		r = spread(n);
		if (r < 0)
			break;
		if (r == 0) {
			n->rx_wanted = false; /* until the driver posts buffers */
			break;
		}
		n->stats.rx_packets++;
		n->stats.rx_bytes += n->frame_len - NETBE_HDR_LEN;
		n->frame_len = 0;
		done++;
	}
	if (done)
		virtio_queue_done(&n->dev, Q_RX);
	if (done == BATCH)
		n->rx_wanted = true;
	watch(n);
}

/* Moves frames from the back end into receive buffers while both have some. */
static void receive(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	struct vq *q = &d->queues[Q_RX];
	struct vq_chain *c = &d->chain;
	const uint16_t one = 1;
	unsigned done = 0;
	const char *why;

	if (d->features & NET_F_MRG_RXBUF) {
		receive_merged(n);
		return;
	}
	while (done < BATCH && !n->be_dead) {
		ssize_t len;
		int r = vq_pop(q, c, &why);

		if (r < 0) {
			virtio_broken(d, why);
			break;
		}
		if (r == 0) {
			if (vq_enable_notify(q))
				continue;
			n->rx_wanted = false; /* until the driver posts buffers */
			break;
		}
		if (c->in_len < NETBE_HDR_LEN) {
			virtio_broken(d, "a receive buffer is shorter than the header");
			break;
		}
		len = receive_one(n, c);
		if (len < 0) {
			vq_unpop(q);
			if (len == -EAGAIN)
				break;
			n->stats.rx_fails++;
			if (len == -EMSGSIZE) /* dropped: the buffer can take the next one */
				continue;
			backend_dead(n, (int)len);
			break;
		}
		/* One buffer a frame without MRG_RXBUF; a TAP leaves the field alone. */
		vq_chain_write(c, HDR_NUM_BUFFERS, &one, sizeof(one));
		vq_push(q, c->head, (uint32_t)len);
		n->stats.rx_packets++;
		n->stats.rx_bytes += (uint64_t)len - NETBE_HDR_LEN;
		done++;
	}
	if (done)
		virtio_queue_done(d, Q_RX);
	if (done == BATCH)
		n->rx_wanted = true; /* more may wait: the next turn of the loop */
	watch(n);
}

/* Sends chain C; 0, -EAGAIN (the back end is full: try again when writable), or -errno. */
static int transmit_one(struct virtio_net *n, const struct vq_chain *c)
{
	struct iovec rest[VQ_SIZE_MAX];

	if (c->out_len <= NETBE_HDR_LEN)
		return -EINVAL;
	if (n->be->vnet_hdr)
		return n->be->ops->send(n->be, c->iov, (int)c->nr_out);
	return n->be->ops->send(n->be, rest, iov_skip(c->iov, (int)c->nr_out, NETBE_HDR_LEN, rest));
}

/* Sends every frame the driver queued. A frame the back end refuses is dropped and counted. */
static void transmit(struct virtio_net *n)
{
	struct virtio_dev *d = &n->dev;
	struct vq *q = &d->queues[Q_TX];
	struct vq_chain *c = &d->chain;
	unsigned done = 0;
	const char *why;
	int r;

	while (!n->tx_blocked) {
		r = vq_pop(q, c, &why);
		if (r < 0) {
			virtio_broken(d, why);
			break;
		}
		if (r == 0 && !vq_enable_notify(q))
			break;
		if (r == 0)
			continue;
		r = n->be_dead ? -EPIPE : transmit_one(n, c);
		if (r == -EAGAIN) {
			vq_unpop(q);
			n->tx_blocked = true;
			break;
		}
		if (r < 0) {
			n->stats.tx_fails++;
		} else {
			n->stats.tx_packets++;
			n->stats.tx_bytes += c->out_len - NETBE_HDR_LEN;
		}
		vq_push(q, c->head, 0);
		if (++done % BATCH == 0)
			virtio_queue_done(d, Q_TX);
	}
	if (done % BATCH)
		virtio_queue_done(d, Q_TX);
	watch(n);
}

static void notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_net *n = d->priv;

	if (q == Q_TX) {
		n->stats.tx_queue_events++;
		transmit(n);
	} else {
		n->stats.rx_queue_events++;
		n->rx_wanted = true; /* new buffers: the back end's readiness drives the rest */
		receive(n);
	}
}

static void on_backend(struct event_handler *h, uint32_t events)
{
	struct virtio_net *n = h->opaque;

	pthread_mutex_lock(&n->dev.lock);
	if (!n->dev.active || n->dev.broken) {
		n->rx_wanted = n->tx_blocked = false;
		watch(n);
	} else {
		if ((events & EPOLLOUT) && n->be->ops->flush(n->be)) {
			n->tx_blocked = false;
			transmit(n);
		}
		if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
			n->stats.rx_tap_events++;
			receive(n);
		}
	}
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
	int r = n->be->ops->set_offload(n->be, d->features);

	if (r) {
		log_warn("virtio %s: %s refuses the offloads: %s", d->name, n->be->what,
			 strerror(-r));
		return r;
	}
	n->rx_wanted = true;
	watch(n);
	return 0;
}

static void reset(struct virtio_dev *d)
{
	struct virtio_net *n = d->priv;

	n->rx_wanted = n->tx_blocked = false;
	n->frame_len = 0; /* a frame waiting for buffers of the old rings is dropped */
	watch(n);
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
				     const struct net_config *cfg, struct net_backend *be)
{
	const uint64_t offloads = NET_F_CSUM | NET_F_GUEST_CSUM | NET_F_HOST_TSO4 |
				  NET_F_HOST_TSO6 | NET_F_GUEST_TSO4 | NET_F_GUEST_TSO6;
	struct virtio_net *n = calloc(1, sizeof(*n));

	if (!n) {
		be->ops->close(be);
		log_err("virtio net %s: out of memory", cfg->iface_id);
		return NULL;
	}
	snprintf(n->name, sizeof(n->name), "net %s", cfg->iface_id);
	snprintf(n->iface_id, sizeof(n->iface_id), "%s", cfg->iface_id);
	n->be = be;
	n->mtu = (uint16_t)cfg->mtu;
	set_mac(n, cfg->guest_mac, slot);
	n->dev = (struct virtio_dev){
		.name = n->name,
		.device_id = VIRTIO_ID_NET,
		.nr_queues = 2,
		/* offloads only where the back end carries the header that asks for them */
		.offered = NET_F_MAC | VIRTIO_F_EVENT_IDX | NET_F_MRG_RXBUF |
			   (be->vnet_hdr ? offloads : 0) | (n->mtu ? NET_F_MTU : 0),
		.ops = &net_ops,
		.priv = n,
	};
	n->be_ev = (struct event_handler){ .fd = be->fd, .fn = on_backend, .opaque = n };
	if (virtio_dev_create(&n->dev, env, slot) || event_add(env->loop, &n->be_ev, 0)) {
		log_err("virtio %s: cannot start", n->name);
		n->be_dead = true; /* not on the loop */
		virtio_net_destroy(n);
		return NULL;
	}
	return n;
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (!n)
		return;
	if (!n->be_dead)
		event_del(n->dev.env.loop, &n->be_ev);
	virtio_dev_destroy(&n->dev);
	n->be->ops->close(n->be);
	free(n);
}

struct virtio_net_stats virtio_net_stats_since(struct virtio_net *n, struct virtio_net_stats *sum)
{
	struct virtio_net_stats d;

	/* all uint64_t: counted as arrays */
	_Static_assert(sizeof(d) == 9 * sizeof(uint64_t), "counters only");
	virtio_counters_since(&n->dev, (uint64_t *)&n->stats, (uint64_t *)&n->reported,
			      (uint64_t *)&d, (uint64_t *)sum, sizeof(d) / sizeof(uint64_t));
	return d;
}
