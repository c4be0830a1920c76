/* console.c: the virtio console: stdout, stderr and stdin through its ports (console.h). */
#include "drivers/virtio/console.h"
#include "arch/x86_64/layout.h"
#include "core/mm/page.h"
#include "core/sched/sync.h"
#include "core/time.h"
#include "core/uaccess.h"
#include "drivers/virtio/mmio.h"
#include "fs/tty.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define F_MULTIPORT (1ull << 1)
#define CFG_MAX_PORTS 4 /* max_nr_ports in the configuration space */
#define NPORTS 4	/* ports used: stdout, stderr, and mote's QEMU's stdin and window size */
#define Q_CTRL_RX 2
#define Q_CTRL_TX 3
#define CTRL_WAIT_NS (1000 * NSEC_PER_MSEC) /* a control message the device leaves alone */
#define NCTRL 16			    /* control receive buffers */
#define CTRL_BUF 128
#define RX_ORDER 4 /* receive buffers of 64 KiB */
#define RX_BUF (PAGE_SIZE << RX_ORDER)
#define NRX 16
#define NAME_MAX 32

/* Control events (5.3.6.2) */
#define CTL_DEVICE_READY 0
#define CTL_DEVICE_ADD 1
#define CTL_PORT_READY 3
#define CTL_RESIZE 5 /* a console port's size: le16 cols, le16 rows after the message */
#define CTL_PORT_OPEN 6
#define CTL_PORT_NAME 7

struct port {
	bool added;	  /* DEVICE_ADD came */
	bool ready_sent;  /* our PORT_READY went out */
	bool host_closed; /* the host closed it after it was open (input: the end) */
	bool host_open;
	char name[NAME_MAX];
	struct virtqueue rx, tx;
};

static struct virtio_dev *con; /* NULL: none, or it stopped taking output */
static bool multiport;
static unsigned nports;
static struct port ports[NPORTS];
static struct virtqueue crx, ctx;    /* control: from the device, to it */
static uint8_t *ctrl_bufs;	     /* NCTRL buffers of CTRL_BUF, then the message out */
static uint8_t ctrl_of[VQ_MAX_SIZE]; /* 1 + the control buffer a descriptor index carries */
static struct virtio_wait used;
static struct port *in_port;	    /* stdin's, or NULL */
static unsigned err_port;	    /* stderr's (0 without one of its own) */
static uint8_t *rx_of[VQ_MAX_SIZE]; /* the receive buffer a descriptor index carries */
static struct mutex rx_mutex = MUTEX_INIT(rx_mutex); /* readers, one at a time */
static uint8_t *cur;				     /* the buffer being read, or NULL */
static uint32_t cur_len, cur_off;

/* The host terminal's size: from a RESIZE message (motevm), or as "ROWS COLS\n" lines on the
 * port named "mote.winsize" (mote's QEMU, whose virtio-serial sends no RESIZE). Under
 * used.lock. */
#define WS_BUF 64
#define NWS 8 /* its receive buffers */
static struct port *ws_port;
static uint8_t *ws_bufs; /* NWS buffers of WS_BUF: a page */
static uint8_t ws_of[VQ_MAX_SIZE];
static char ws_line[24];
static unsigned ws_len;
static uint16_t ws_rows, ws_cols;
static bool ws_new;

static unsigned rx_queue(unsigned p)
{
	return p ? 2 * (p + 1) : 0;
}

bool virtio_console_active(void)
{
	return con != NULL;
}

bool virtio_console_has_input(void)
{
	return con && in_port;
}

/* --- control --- */

/* One control message out, waited for (a device answers what it asks for before it gives the
 * buffer back). 0 or -EIO. Probe or under used.lock's users only. */
static int ctrl_send(uint32_t id, uint16_t event, uint16_t value)
{
	uint8_t *m = ctrl_bufs + NCTRL * CTRL_BUF; /* after the receive buffers */
	uint32_t len;

	memcpy(m, &id, 4);
	memcpy(m + 4, &event, 2);
	memcpy(m + 6, &value, 2);
	if (vq_add(&ctx, V2P(m), 8, false) < 0)
		return -EIO;
	virtio_notify(con, Q_CTRL_TX);
	return virtio_wait_used(&used, &ctx, &len, time_ns() + CTRL_WAIT_NS) < 0 ? -EIO : 0;
}

static void ctrl_post(unsigned i)
{
	int id = vq_add(&crx, V2P(ctrl_bufs + i * CTRL_BUF), CTRL_BUF, true);

	if (id >= 0)
		ctrl_of[id] = (uint8_t)(i + 1);
}

/* What one message from the device says. */
static void ctrl_handle(const uint8_t *b, uint32_t len)
{
	uint32_t id;
	uint16_t event, value;
	struct port *p;

	if (len < 8)
		return;
	memcpy(&id, b, 4);
	memcpy(&event, b + 4, 2);
	memcpy(&value, b + 6, 2);
	if (id >= nports) /* a port beyond those we set up: not ours */
		return;
	p = &ports[id];
	switch (event) {
	case CTL_DEVICE_ADD:
		p->added = true;
		break;
	case CTL_PORT_NAME:
		len = MIN(len - 8, (uint32_t)NAME_MAX - 1);
		memcpy(p->name, b + 8, len);
		p->name[len] = 0;
		break;
	case CTL_PORT_OPEN:
		if (p->host_open && !value)
			p->host_closed = true;
		p->host_open = value != 0;
		break;
	case CTL_RESIZE:
		if (id == 0 && len >= 12) {
			memcpy(&ws_cols, b + 8, 2);
			memcpy(&ws_rows, b + 10, 2);
			ws_new = ws_rows && ws_cols;
		}
		break;
	}
}

/* Takes every message the device sent; true if there was one. Under used.lock (or probe). */
static bool ctrl_drain(void)
{
	bool any = false;
	uint32_t len;
	int id;

	if (!multiport)
		return false;
	while ((id = vq_get(&crx, &len)) >= 0 || id == -EIO) {
		unsigned i;

		if (id < 0 || !ctrl_of[id])
			continue; /* not a buffer we posted: a device gone wrong */
		i = ctrl_of[id] - 1u;
		ctrl_handle(ctrl_bufs + i * CTRL_BUF, MIN(len, (uint32_t)CTRL_BUF));
		ctrl_post(i);
		any = true;
	}
	if (any)
		virtio_kick(con, Q_CTRL_RX, &crx);
	return any;
}

/* The ports' handshake: DEVICE_READY, then PORT_READY and PORT_OPEN for each port added,
 * until the device has nothing more to say. 0 or -EIO. */
static int ctrl_handshake(void)
{
	bool more = true;

	if (ctrl_send(0, CTL_DEVICE_READY, 1))
		return -EIO;
	while (more) {
		more = ctrl_drain();
		for (unsigned i = 0; i < nports; i++) {
			struct port *p = &ports[i];

			if (!p->added || p->ready_sent)
				continue;
			p->ready_sent = true;
			more = true;
			if (ctrl_send(i, CTL_PORT_READY, 1) || ctrl_send(i, CTL_PORT_OPEN, 1))
				return -EIO;
		}
	}
	return 0;
}

/* --- output --- */

long virtio_console_write(bool to_stderr, const void *buf, size_t n)
{
	struct virtqueue *q;
	unsigned port = to_stderr ? err_port : 0;
	uint32_t len;
	int r;

	if (!con)
		return -ENODEV;
	if (!n)
		return 0;
	q = &ports[port].tx;
	if (vq_add(q, V2P_ANY(buf), (uint32_t)n, false) < 0)
		return -ENODEV;
	virtio_notify(con, rx_queue(port) + 1);
	/* no deadline: a host end that reads slowly (a pipe into a pager) holds the writer, as
	 * a full pipe holds a native one; giving up here would send the next bytes another
	 * way while this buffer may still go out */
	r = virtio_wait_used(&used, q, &len, UINT64_MAX);
	if (r < 0) { /* the buffer may still be the device's: stop using it */
		con = NULL;
		return -ENODEV;
	}
	return (long)n;
}

/* --- input --- */

/* Posts receive buffer b (again). Under used.lock (or probe). */
static void rx_post(uint8_t *b)
{
	int id = vq_add(&in_port->rx, V2P(b), RX_BUF, true);

	if (id >= 0)
		rx_of[id] = b;
}

/* The next filled receive buffer into cur; true if there is one. Under used.lock. */
static bool rx_next(void)
{
	uint32_t len;
	int id;

	while ((id = vq_get(&in_port->rx, &len)) == -EIO)
		;
	if (id < 0)
		return false;
	if (!rx_of[id] || len > RX_BUF) { /* not a buffer we posted: a device gone wrong */
		printk(LOG_WARN, "virtio console: bad receive buffer %d (%u bytes)\n", id, len);
		return false;
	}
	cur = rx_of[id];
	cur_len = len;
	cur_off = 0;
	if (!len) { /* nothing in it: straight back */
		rx_post(cur);
		cur = NULL;
		return rx_next();
	}
	return true;
}

/* Input waiting, its end, or neither; takes a buffer into cur. Under used.lock. */
static bool rx_ready(bool *eof)
{
	if (cur || rx_next())
		return true;
	(void)ctrl_drain();
	/* the data the device gave before it closed the port is in the ring before the close */
	if (rx_next())
		return true;
	*eof = in_port->host_closed;
	return *eof;
}

bool virtio_console_rx_pending(void)
{
	uint64_t f;
	bool eof = false, r;

	if (!virtio_console_has_input())
		return false;
	if (!mutex_trylock(&rx_mutex))
		return false;
	f = spin_lock(&used.lock);
	r = rx_ready(&eof);
	spin_unlock(&used.lock, f);
	mutex_unlock(&rx_mutex);
	return r;
}

long virtio_console_read(void *ubuf, size_t n, bool nonblock, bool (*interrupted)(void))
{
	size_t done = 0;
	bool eof = false;
	long r = 0;
	uint64_t f;

	if (!virtio_console_has_input())
		return -ENODEV;
	if (!n)
		return 0;
	mutex_lock(&rx_mutex);
	f = spin_lock(&used.lock);
	while (!rx_ready(&eof) && !nonblock) {
		if (interrupted && interrupted()) {
			r = -EINTR;
			break;
		}
		(void)waitq_sleep(&used.wq, &used.lock, used.irq ? 0 : time_ns() + 20000);
	}
	/* copied outside the lock (a user page may fault in); cur is the mutex holder's */
	while (cur && done < n) {
		size_t k = MIN(n - done, (size_t)(cur_len - cur_off));

		spin_unlock(&used.lock, f);
		if (copy_to_user((uint8_t *)ubuf + done, cur + cur_off, k)) {
			f = spin_lock(&used.lock);
			r = -EFAULT;
			break;
		}
		f = spin_lock(&used.lock);
		done += k;
		cur_off += (uint32_t)k;
		if (cur_off == cur_len) {
			rx_post(cur);
			cur = NULL;
			if (done < n)
				(void)rx_next(); /* more already there: in the same read */
		}
	}
	virtio_kick(con, rx_queue((unsigned)(in_port - ports)), &in_port->rx);
	spin_unlock(&used.lock, f);
	mutex_unlock(&rx_mutex);
	if (done)
		return (long)done;
	if (r)
		return r;
	return eof ? 0 : -EAGAIN;
}

/* --- window size --- */

/* One byte of the "mote.winsize" port: a whole "ROWS COLS" line sets the size. */
static void ws_byte(char c)
{
	uint32_t v[2] = { 0, 0 };
	unsigned k = 0;

	if (c != '\n') {
		if (ws_len < sizeof(ws_line) - 1)
			ws_line[ws_len++] = c;
		return;
	}
	ws_line[ws_len] = 0;
	for (unsigned i = 0; i < ws_len && k < 2; i++) {
		if (ws_line[i] >= '0' && ws_line[i] <= '9')
			v[k] = v[k] * 10 + (uint32_t)(ws_line[i] - '0');
		else if (ws_line[i] == ' ' && i && ws_line[i - 1] != ' ')
			k++;
	}
	ws_len = 0;
	if (v[0] && v[1] && v[0] <= 0xffff && v[1] <= 0xffff) {
		ws_rows = (uint16_t)v[0];
		ws_cols = (uint16_t)v[1];
		ws_new = true;
	}
}

static void ws_post(unsigned i)
{
	int id = vq_add(&ws_port->rx, V2P(ws_bufs + i * WS_BUF), WS_BUF, true);

	if (id >= 0)
		ws_of[id] = (uint8_t)(i + 1);
}

bool virtio_console_winsize(uint16_t *rows, uint16_t *cols)
{
	bool got, any = false;
	uint32_t len;
	uint64_t f;
	int id;

	if (!con || !multiport)
		return false;
	f = spin_lock(&used.lock);
	(void)ctrl_drain();
	while (ws_port && ((id = vq_get(&ws_port->rx, &len)) >= 0 || id == -EIO)) {
		unsigned i;

		if (id < 0 || !ws_of[id])
			continue;
		i = ws_of[id] - 1u;
		for (uint32_t k = 0; k < MIN(len, (uint32_t)WS_BUF); k++)
			ws_byte((char)ws_bufs[i * WS_BUF + k]);
		ws_post(i);
		any = true;
	}
	if (any)
		virtio_kick(con, rx_queue((unsigned)(ws_port - ports)), &ws_port->rx);
	got = ws_new;
	ws_new = false;
	*rows = ws_rows;
	*cols = ws_cols;
	spin_unlock(&used.lock, f);
	return got;
}

/* Buffers came back or a message arrived (interrupt context): wake pollers of stdin and the
 * console's terminal thread (a new window size). */
static void console_irq(void)
{
	if (multiport) /* (stdin's and the window size's ports need it) */
		tty_rx_notify();
}

/* --- probe --- */

static struct port *port_named(const char *name)
{
	for (unsigned i = 0; i < nports; i++)
		if (ports[i].added && !strcmp(ports[i].name, name))
			return &ports[i];
	return NULL;
}

/* The queues of every port used and the control pair. */
static int queues_setup(struct virtio_dev *d)
{
	int r = 0;

	for (unsigned i = 0; i < nports && !r; i++) {
		r = virtio_queue_setup(d, rx_queue(i), &ports[i].rx, NRX);
		if (!r)
			r = virtio_queue_setup(d, rx_queue(i) + 1, &ports[i].tx, 2);
	}
	if (!r && multiport)
		r = virtio_queue_setup(d, Q_CTRL_RX, &crx, NCTRL);
	if (!r && multiport)
		r = virtio_queue_setup(d, Q_CTRL_TX, &ctx, 2);
	return r;
}

/* Receive buffers for the window size's port. */
static int ws_setup(void)
{
	ws_bufs = page_alloc(0);
	if (!ws_bufs)
		return -ENOMEM;
	for (unsigned i = 0; i < NWS && (int)i < ws_port->rx.size; i++)
		ws_post(i);
	virtio_notify(con, rx_queue((unsigned)(ws_port - ports)));
	return 0;
}

/* Receive buffers for stdin's port. */
static int input_setup(void)
{
	for (int i = 0; i < NRX && i < in_port->rx.size; i++) {
		uint8_t *b = page_alloc(RX_ORDER);

		if (!b)
			return -ENOMEM;
		rx_post(b);
	}
	virtio_notify(con, rx_queue((unsigned)(in_port - ports)));
	return 0;
}

int virtio_console_probe(struct virtio_dev *d)
{
	uint32_t max = 1;
	struct port *p;
	int r = virtio_negotiate(d, F_MULTIPORT);

	if (r)
		return r;
	multiport = d->features & F_MULTIPORT;
	if (multiport)
		virtio_config_read(d, CFG_MAX_PORTS, &max, sizeof(max));
	nports = MAX(1u, MIN(max, (uint32_t)NPORTS));
	r = queues_setup(d);
	if (r)
		return r;
	virtio_wait_init(&used, d);
	used.on_irq = console_irq;
	if (multiport) {
		ctrl_bufs = page_alloc(0); /* NCTRL * CTRL_BUF + 8: a page */
		if (!ctrl_bufs)
			return -ENOMEM;
	}
	con = d;
	virtio_ready(d);
	if (multiport) {
		/* after DRIVER_OK: motevm's device starts at the rings' indexes as it finds them
		 * then */
		for (unsigned i = 0; i < NCTRL; i++)
			ctrl_post(i);
		virtio_notify(d, Q_CTRL_RX);
		r = ctrl_handshake();
		if (r) {
			con = NULL;
			return r;
		}
		p = port_named("mote.stderr");
		err_port = p ? (unsigned)(p - ports) : 0;
		in_port = port_named("mote.stdin");
		if (in_port && !in_port->host_open) /* no host end: nothing will come */
			in_port->host_closed = true;
		if (in_port && input_setup())
			in_port = NULL;
		ws_port = port_named("mote.winsize");
		if (ws_port && ws_setup())
			ws_port = NULL;
	}
	printk(LOG_INFO, "virtio console: %u port%s, stderr on port %u, stdin %s\n", nports,
	       nports > 1 ? "s" : "", err_port, in_port ? "through it" : "on the UART");
	return 0;
}
