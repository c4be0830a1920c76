/* console.c: the virtio console device (see console.h). */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/virtio/console.h"
#include "log.h"

#define VIRTIO_ID_CONSOLE 3
#define CON_F_MULTIPORT (1ull << 1)
#define Q_CTRL_RX 2 /* control messages to the driver */
#define Q_CTRL_TX 3 /* and from it */
#define NR_QUEUES (2 * (VCON_PORTS + 1))
#define BATCH 256 /* chains a turn, so one busy queue does not starve the loop */

/* Control events (5.3.6.2) */
#define CTL_DEVICE_READY 0
#define CTL_DEVICE_ADD 1
#define CTL_PORT_READY 3
#define CTL_CONSOLE_PORT 4
#define CTL_RESIZE 5 /* after it: le16 cols, le16 rows */
#define CTL_PORT_OPEN 6
#define CTL_PORT_NAME 7
#define CTL_LEN 8 /* le32 id, le16 event, le16 value */

/* Port P's receive and transmit queues: 0 and 1, then 4 and 5 after the control pair. */
static unsigned rxq(unsigned p)
{
	return p ? 2 * (p + 1) : 0;
}

static bool multiport(const struct virtio_console *c)
{
	return c->dev.features & CON_F_MULTIPORT;
}

/* --- control messages --- */

/* Hands the queued control messages to the driver while it has buffers for them. */
static void flush_ctrl(struct virtio_console *c)
{
	struct virtio_dev *d = &c->dev;
	struct vq *q = &d->queues[Q_CTRL_RX];
	const char *why;
	unsigned sent = 0;

	if (!q->ready || d->broken)
		return;
	while (sent < c->npending) {
		int r = vq_next(q, &d->chain, &why);

		if (r < 0) {
			virtio_broken(d, why);
			return;
		}
		if (r == 0)
			break;
		if (!vq_chain_write(&d->chain, 0, c->pending[sent], c->pending_len[sent])) {
			virtio_broken(d, "a control buffer is too short for a message");
			return;
		}
		vq_push(q, d->chain.head, c->pending_len[sent]);
		sent++;
	}
	if (!sent)
		return;
	c->npending -= sent;
	memmove(c->pending, c->pending[sent], sizeof(c->pending[0]) * c->npending);
	memmove(c->pending_len, c->pending_len + sent, sizeof(c->pending_len[0]) * c->npending);
	virtio_queue_done(d, Q_CTRL_RX);
}

/* Queues a control message EVENT/VALUE for port ID, LEN bytes of DATA after it. */
static void send_ctrl_data(struct virtio_console *c, uint32_t id, uint16_t event, uint16_t value,
			   const void *data, size_t len)
{
	uint8_t *m;

	if (c->npending == VCON_PENDING_MAX || CTL_LEN + len > sizeof(c->pending[0])) {
		log_warn("virtio %s: control messages pile up; one dropped", c->dev.name);
		return;
	}
	m = c->pending[c->npending];
	memcpy(m, &id, 4);
	memcpy(m + 4, &event, 2);
	memcpy(m + 6, &value, 2);
	if (len)
		memcpy(m + CTL_LEN, data, len);
	c->pending_len[c->npending++] = (unsigned)(CTL_LEN + len);
	flush_ctrl(c);
}

/* ... NAME: PORT_NAME's text after it, or NULL. */
static void send_ctrl(struct virtio_console *c, uint32_t id, uint16_t event, uint16_t value,
		      const char *name)
{
	send_ctrl_data(c, id, event, value, name, name ? strlen(name) : 0);
}

void virtio_console_resize(struct virtio_console *c, uint16_t rows, uint16_t cols)
{
	uint8_t size[4];

	if (!multiport(c) || !c->port_ready[0] || !rows || !cols)
		return;
	memcpy(size, &cols, 2);
	memcpy(size + 2, &rows, 2);
	send_ctrl_data(c, 0, CTL_RESIZE, 0, size, sizeof(size));
}

/* End of input as port 0 closing: once stdin ended and the driver can hear it. */
static void maybe_eof(struct virtio_console *c)
{
	if (c->in_fd < 0 || !c->in_eof || c->eof_sent || !multiport(c) || !c->port_ready[0])
		return;
	c->eof_sent = true;
	send_ctrl(c, 0, CTL_PORT_OPEN, 0, NULL);
}

static void port_ready(struct virtio_console *c, uint32_t id)
{
	c->port_ready[id] = true;
	if (id == 0)
		send_ctrl(c, 0, CTL_CONSOLE_PORT, 1, NULL);
	if (id == 0 && c->in_fd >= 0)
		send_ctrl(c, 0, CTL_PORT_NAME, 1, VCON_NAME_STDIN);
	if (id == 1)
		send_ctrl(c, 1, CTL_PORT_NAME, 1, VCON_NAME_STDERR);
	send_ctrl(c, id, CTL_PORT_OPEN, 1, NULL); /* the host end is there from the start */
	maybe_eof(c);
}

/* One message from the driver; what makes no sense is counted and ignored. */
static void handle_ctrl(struct virtio_console *c, const uint8_t *m)
{
	uint32_t id;
	uint16_t event, value;

	memcpy(&id, m, 4);
	memcpy(&event, m + 4, 2);
	memcpy(&value, m + 6, 2);
	c->stats.ctrl_msgs++;
	if (event == CTL_DEVICE_READY && value == 1 && !c->ready) {
		c->ready = true;
		for (uint32_t p = 0; p < VCON_PORTS; p++)
			send_ctrl(c, p, CTL_DEVICE_ADD, 0, NULL);
	} else if (event == CTL_PORT_READY && c->ready && id < VCON_PORTS && value == 1 &&
		   !c->port_ready[id]) {
		port_ready(c, id);
	} else if (event == CTL_PORT_OPEN && id < VCON_PORTS) {
		c->guest_open[id] = value != 0;
	} else {
		c->stats.bad_ctrl_msgs++;
	}
}

static void control(struct virtio_console *c)
{
	struct virtio_dev *d = &c->dev;
	struct vq *q = &d->queues[Q_CTRL_TX];
	const char *why;
	bool pushed = false;
	int r;

	for (;;) {
		uint8_t m[CTL_LEN] = { 0 };
		uint64_t got = 0;
		uint16_t head;

		r = vq_next(q, &d->chain, &why);
		if (r < 0) {
			virtio_broken(d, why);
			return;
		}
		if (r == 0)
			break;
		head = d->chain.head; /* the answers reuse d->chain */
		for (unsigned i = 0; i < d->chain.nr_out && got < CTL_LEN; i++) {
			size_t n = d->chain.iov[i].iov_len;

			n = n < CTL_LEN - got ? n : CTL_LEN - got;
			memcpy(m + got, d->chain.iov[i].iov_base, n);
			got += n;
		}
		/* answered before the message is given back: a driver that waits for it finds
		 * the answers already there */
		if (got < CTL_LEN)
			c->stats.bad_ctrl_msgs++;
		else
			handle_ctrl(c, m); /* may break the device (its answers' buffers) */
		if (d->broken)
			return;
		vq_push(q, head, 0);
		pushed = true;
	}
	if (pushed)
		virtio_queue_done(d, Q_CTRL_TX);
}

/* --- input --- */

/* Polls stdin only while the driver waits with buffers and input may come. */
static void watch_input(struct virtio_console *c)
{
	bool want = c->in_pollable && c->in_wanted && !c->in_eof;

	if (want != c->in_watched && !event_mod(c->dev.env.loop, &c->in_ev, want ? EPOLLIN : 0))
		c->in_watched = want;
}

/* Stdin ended (or failed): no more polling; the driver hears it when it can. */
static void input_ended(struct virtio_console *c)
{
	c->in_eof = true;
	watch_input(c);
	maybe_eof(c);
}

/* Moves stdin into the driver's receive buffers while both have some, a buffer a read. */
static void receive(struct virtio_console *c)
{
	struct virtio_dev *d = &c->dev;
	struct vq *q = &d->queues[0];
	struct vq_chain *ch = &d->chain;
	unsigned done = 0;
	const char *why;

	if (c->in_fd < 0 || c->in_eof || !q->ready)
		return;
	while (done < BATCH) {
		ssize_t n;
		int r = vq_next(q, ch, &why);

		if (r < 0) {
			virtio_broken(d, why);
			return;
		}
		if (r == 0) {
			c->in_wanted = false; /* until the driver posts buffers */
			break;
		}
		if (!ch->in_len) {
			virtio_broken(d, "a receive buffer the device cannot write");
			return;
		}
		do
			n = readv(c->in_fd, ch->iov + ch->nr_out, (int)ch->nr_in);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EAGAIN) {
			vq_unpop(q);
			c->in_wanted = true;
			break;
		}
		if (n <= 0) {
			vq_unpop(q);
			if (n < 0)
				log_warn("virtio %s: reading stdin: %s", d->name, strerror(errno));
			input_ended(c);
			break;
		}
		vq_push(q, ch->head, (uint32_t)n);
		c->stats.rx_bytes += (uint64_t)n;
		c->stats.rx_buffers++;
		done++;
	}
	if (done)
		virtio_queue_done(d, 0);
	if (done == BATCH) {
		uint64_t one = 1;

		c->in_wanted = true; /* more may wait: a pipe says so, a file is asked again */
		if (!c->in_pollable && write(d->notify_ev[0].fd, &one, sizeof(one)) < 0)
			log_warn("virtio %s: notify eventfd: %s", d->name, strerror(errno));
	}
	watch_input(c);
}

static void on_input(struct event_handler *h, uint32_t events)
{
	struct virtio_console *c = h->opaque;

	pthread_mutex_lock(&c->dev.lock);
	c->stats.rx_input_events++;
	if (c->dev.active && !c->dev.broken)
		receive(c);
	else {
		c->in_wanted = false;
		watch_input(c);
	}
	pthread_mutex_unlock(&c->dev.lock);
}

/* --- output --- */

static void watch_output(struct virtio_console *c, struct vcon_out *o)
{
	if (o->pollable)
		event_mod(c->dev.env.loop, &o->ev, o->blocked ? EPOLLOUT : 0);
}

/* Writes what is left of O's chain: 0 (all out, or the host end failed: counted), -EAGAIN. */
static int write_chain(struct virtio_console *c, struct vcon_out *o, uint64_t *bytes)
{
	const struct vq_chain *ch = &o->chain;

	for (;;) {
		struct iovec v[VQ_SIZE_MAX];
		uint64_t skip = o->off;
		int k = 0;
		ssize_t n;

		for (unsigned i = 0; i < ch->nr_out; i++) {
			if (skip >= ch->iov[i].iov_len) {
				skip -= ch->iov[i].iov_len;
				continue;
			}
			v[k].iov_base = (uint8_t *)ch->iov[i].iov_base + skip;
			v[k++].iov_len = ch->iov[i].iov_len - skip;
			skip = 0;
		}
		if (!k)
			return 0;
		n = writev(o->fd, v, k);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return -EAGAIN;
		if (n <= 0) { /* the reader went away: what is left cannot go anywhere */
			c->stats.tx_fails++;
			return 0;
		}
		o->off += (uint64_t)n;
		*bytes += (uint64_t)n;
	}
}

/* Writes port P's chains to its host end until the queue is empty or the host end full. */
static void transmit(struct virtio_console *c, unsigned p)
{
	struct virtio_dev *d = &c->dev;
	struct vq *q = &d->queues[rxq(p) + 1];
	struct vcon_out *o = &c->out[p];
	unsigned done = 0;
	const char *why;

	while (!o->blocked && q->ready) {
		if (!o->held) {
			int r = vq_next(q, &o->chain, &why);

			if (r < 0) {
				virtio_broken(d, why);
				return;
			}
			if (r == 0)
				break;
			o->held = true;
			o->off = 0;
		}
		if (write_chain(c, o, p ? &c->stats.tx_err_bytes : &c->stats.tx_bytes) == -EAGAIN) {
			o->blocked = true;
			c->stats.tx_blocked++;
			break;
		}
		o->held = false;
		vq_push(q, o->chain.head, 0);
		c->stats.tx_buffers++;
		if (++done % 64 == 0)
			virtio_queue_done(d, rxq(p) + 1);
	}
	if (done % 64)
		virtio_queue_done(d, rxq(p) + 1);
	watch_output(c, o);
}

static void on_output(struct event_handler *h, uint32_t events)
{
	struct virtio_console *c = h->opaque;
	struct vcon_out *o = (struct vcon_out *)((uint8_t *)h - offsetof(struct vcon_out, ev));

	(void)events;
	pthread_mutex_lock(&c->dev.lock);
	o->blocked = false;
	if (c->dev.active && !c->dev.broken)
		transmit(c, (unsigned)(o - c->out));
	else
		watch_output(c, o);
	pthread_mutex_unlock(&c->dev.lock);
}

/* --- the transport's callbacks --- */

static void notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_console *c = d->priv;

	if (q == 0) {
		c->stats.rx_queue_events++;
		c->in_wanted = true;
		receive(c);
	} else if (q == Q_CTRL_RX) {
		flush_ctrl(c);
	} else if (q == Q_CTRL_TX) {
		control(c);
	} else if (q % 2) {
		c->stats.tx_queue_events++;
		transmit(c, q == 1 ? 0 : q / 2 - 1);
	} else {
		c->stats.rx_queue_events++; /* other ports take no input: their buffers wait */
	}
}

static void config_read(struct virtio_dev *d, uint64_t off, uint8_t *data, unsigned len)
{
	uint8_t cfg[12] = { 0 }; /* cols, rows (no SIZE), max_nr_ports, emerg_wr */
	uint32_t ports = VCON_PORTS;

	(void)d;
	memcpy(cfg + 4, &ports, 4);
	if (off < sizeof(cfg))
		memcpy(data, cfg + off, off + len <= sizeof(cfg) ? len : sizeof(cfg) - off);
}

static int activate(struct virtio_dev *d)
{
	struct virtio_console *c = d->priv;

	c->in_wanted = true;
	watch_input(c);
	return 0;
}

static void reset(struct virtio_dev *d)
{
	struct virtio_console *c = d->priv;

	c->in_wanted = false;
	watch_input(c);
	for (unsigned p = 0; p < VCON_PORTS; p++) {
		c->out[p].held = c->out[p].blocked = false; /* a chain half out is dropped */
		watch_output(c, &c->out[p]);
		c->port_ready[p] = c->guest_open[p] = false;
	}
	c->ready = c->eof_sent = false;
	c->npending = 0;
}

static const struct virtio_dev_ops console_ops = {
	.config_read = config_read,
	.activate = activate,
	.notify = notify,
	.reset = reset,
};

/* --- creation --- */

/* Makes a pipe or socket FD non-blocking; its old flags, or -1 if left alone. */
static int nonblock(int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return -1;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_NONBLOCK) || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fl;
}

/* Watches FD (no events yet): true if it can be polled, false for a regular file (EPERM). */
static bool watchable(struct virtio_console *c, struct event_handler *h, int fd,
		      void (*fn)(struct event_handler *, uint32_t))
{
	int r;

	*h = (struct event_handler){ .fd = fd, .fn = fn, .opaque = c };
	r = event_add(c->dev.env.loop, h, 0);
	if (r && r != -EPERM) /* e.g. EEXIST: watched by another device; read as a file, it
			       * would block the loop */
		log_warn("virtio %s: descriptor %d cannot be watched: %s", c->dev.name, fd,
			 strerror(-r));
	return r == 0;
}

struct virtio_console *virtio_console_create(const struct virtio_env *env, unsigned slot, int in_fd,
					     int out_fd, int err_fd)
{
	struct virtio_console *c = calloc(1, sizeof(*c));

	if (!c) {
		log_err("virtio console: out of memory");
		return NULL;
	}
	c->dev = (struct virtio_dev){ .name = "console",
				      .device_id = VIRTIO_ID_CONSOLE,
				      .nr_queues = NR_QUEUES,
				      .offered = CON_F_MULTIPORT | VIRTIO_F_EVENT_IDX,
				      .ops = &console_ops,
				      .priv = c };
	c->in_fd = -1;
	c->in_saved_flags = -1;
	for (unsigned p = 0; p < VCON_PORTS; p++) {
		c->out[p].fd = -1;
		c->out[p].saved_flags = -1;
	}
	if (virtio_dev_create(&c->dev, env, slot)) {
		virtio_console_destroy(c);
		return NULL;
	}
	if (in_fd >= 0) {
		c->in_fd = in_fd;
		c->in_pollable = watchable(c, &c->in_ev, in_fd, on_input);
		if (c->in_pollable)
			c->in_saved_flags = nonblock(in_fd);
	}
	for (unsigned p = 0; p < VCON_PORTS; p++) {
		struct vcon_out *o = &c->out[p];

		o->fd = p ? err_fd : out_fd;
		o->pollable = watchable(c, &o->ev, o->fd, on_output);
		if (o->pollable)
			o->saved_flags = nonblock(o->fd);
	}
	return c;
}

void virtio_console_destroy(struct virtio_console *c)
{
	if (!c)
		return;
	if (c->in_pollable)
		event_del(c->dev.env.loop, &c->in_ev);
	if (c->in_saved_flags >= 0)
		fcntl(c->in_fd, F_SETFL, c->in_saved_flags);
	for (unsigned p = 0; p < VCON_PORTS; p++) {
		struct vcon_out *o = &c->out[p];

		if (o->pollable)
			event_del(c->dev.env.loop, &o->ev);
		if (o->saved_flags >= 0)
			fcntl(o->fd, F_SETFL, o->saved_flags);
	}
	virtio_dev_destroy(&c->dev);
	free(c);
}

struct virtio_console_stats virtio_console_stats_since(struct virtio_console *c)
{
	struct virtio_console_stats d, sum = { 0 };

	_Static_assert(sizeof(d) == 12 * sizeof(uint64_t), "counters only");
	virtio_counters_since(&c->dev, (uint64_t *)&c->stats, (uint64_t *)&c->reported,
			      (uint64_t *)&d, (uint64_t *)&sum, sizeof(d) / sizeof(uint64_t));
	return d;
}
