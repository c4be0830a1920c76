/* serial.c: 16550A UART on COM1 (see serial.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "arch/x86_64/layout.h"
#include "devices/bus.h"
#include "devices/legacy/serial.h"
#include "event.h"
#include "kvm/irq.h"
#include "log.h"
#include "metrics.h"
#include "vmm.h"

/* Deep, so that a guest reading through the console port takes input in large batches. */
#define RX_FIFO_SIZE 16384

/* Register offsets. */
#define UART_RX 0  /* RBR (read), THR (write); DLL with DLAB */
#define UART_IER 1 /* DLM with DLAB */
#define UART_IIR 2 /* IIR (read), FCR (write) */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_MSI 0x08
#define IIR_MSI 0x00
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO_ON 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

struct serial {
	pthread_mutex_t lock;
	struct vmm *vmm;
	int in_fd;
	int out_fd;
	bool in_pollable; /* stdin is a pipe, socket or tty (else a file: read when room) */
	bool in_eof;
	bool want_room; /* input paused on a full FIFO; the next RBR read resumes it */
	struct event_handler in_ev;
	struct event_handler room_ev; /* eventfd: "the FIFO has room again" */

	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_ipending;
	bool irq_level;
	bool eof_optin;	   /* the guest asked for carrier loss at end of input */
	bool carrier_lost; /* input ended and was all read: DCD low */
	bool ddcd;	   /* DCD changed since the last MSR read: modem-status interrupt */
	uint8_t rx[RX_FIFO_SIZE];
	unsigned rx_head, rx_count;
	struct serial_stats stats;
};

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		tio_saved = false;
		log_set_crlf(false);
	}
}

/* Raw input (no echo, no line editing, no CR mapping). With stdout the terminal too, the
 * guest is the terminal (the Mote kernel's console line discipline, Linux's serial console):
 * ISIG and ONLCR go too, so Ctrl-C reaches the guest as a byte and its "\r\n" stays one;
 * otherwise ISIG is kept: Ctrl-C stops motevm. */
static void raw_tty(int fd)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, &saved_tio) < 0)
		return;
	t = saved_tio;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	t.c_cflag = (t.c_cflag & ~(CSIZE | PARENB)) | CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (isatty(STDOUT_FILENO)) {
		t.c_lflag &= ~ISIG;
		t.c_oflag &= ~ONLCR;
	}
	if (tcsetattr(fd, TCSANOW, &t) == 0) {
		tio_saved = true;
		atexit(restore_tty);
		/* our own log lines on that terminal need their "\r" now */
		if (!(t.c_oflag & ONLCR) && isatty(log_target_fd()))
			log_set_crlf(true);
	}
}

static uint8_t iir(const struct serial *s)
{
	uint8_t fifo = (s->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0;

	if ((s->ier & IER_RDI) && s->rx_count)
		return fifo | IIR_RDI;
	if ((s->ier & IER_THRI) && s->thr_ipending)
		return fifo | IIR_THRI;
	if ((s->ier & IER_MSI) && s->ddcd)
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

/* Drives IRQ 4 to match the pending interrupts; PULSE forces a new edge. Lock held. */
static void update_irq(struct serial *s, bool pulse)
{
	bool level = !(iir(s) & IIR_NO_INT);
	int vm_fd = s->vmm->vm.vm_fd;

	if (pulse && level && s->irq_level)
		irq_line(vm_fd, COM1_IRQ, false);
	else if (level == s->irq_level)
		return;
	irq_line(vm_fd, COM1_IRQ, level);
	s->irq_level = level;
}

static void rx_push(struct serial *s, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n && s->rx_count < RX_FIFO_SIZE; i++)
		s->rx[(s->rx_head + s->rx_count++) % RX_FIFO_SIZE] = b[i];
}

static uint8_t rx_pop(struct serial *s)
{
	uint8_t b;

	if (!s->rx_count)
		return 0;
	b = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % RX_FIFO_SIZE;
	s->rx_count--;
	return b;
}

/*
 * End of input as carrier loss (MOTE_FEAT_CONSOLE_EOF): once the guest opted in, input has
 * ended and the FIFO is empty, DCD drops, once. Lock held.
 */
static void check_carrier(struct serial *s)
{
	if (!s->eof_optin || s->carrier_lost || !s->in_eof || s->rx_count)
		return;
	s->carrier_lost = true;
	s->ddcd = true;
	update_irq(s, false);
}

static uint8_t msr(const struct serial *s)
{
	uint8_t m = 0;

	if (!(s->mcr & MCR_LOOP)) /* a ready line, connected until input ends */
		return MSR_DSR | MSR_CTS | (s->carrier_lost ? 0 : MSR_DCD) |
		       (s->ddcd ? MSR_DDCD : 0);
	/* Loopback: modem outputs feed the inputs (Linux's probe checks this). */
	if (s->mcr & MCR_RTS)
		m |= MSR_CTS;
	if (s->mcr & MCR_DTR)
		m |= MSR_DSR;
	if (s->mcr & MCR_OUT1)
		m |= MSR_RI;
	if (s->mcr & MCR_OUT2)
		m |= MSR_DCD;
	return m;
}

/* Writes guest bytes to FD (stdout, or stderr for the console port's stderr stream), waiting
 * (not dropping) while it is full; returns how many went out (fewer only if the output failed
 * or the VM is stopping). Lock not held. */
static size_t emit(struct serial *s, int fd, const uint8_t *b, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, b + done, len - done);
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EAGAIN && !atomic_load(&s->vmm->stopping)) {
			poll(&p, 1, 100);
			continue;
		}
		if (n < 0 && errno == EINTR && !atomic_load(&s->vmm->stopping))
			continue;
		pthread_mutex_lock(&s->lock);
		s->stats.error_count++;
		pthread_mutex_unlock(&s->lock);
		break;
	}
	return done;
}

size_t serial_output(struct serial *s, bool to_stderr, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&s->lock);
	s->stats.write_count += len;
	pthread_mutex_unlock(&s->lock);
	return emit(s, to_stderr ? STDERR_FILENO : s->out_fd, buf, len);
}

void serial_release_input(struct serial *s)
{
	if (s->in_pollable && !s->in_eof)
		event_del(&s->vmm->loop, &s->in_ev);
	s->in_eof = true; /* also stops a file's reads (on_room) */
}

void serial_enable_eof(struct serial *s)
{
	pthread_mutex_lock(&s->lock);
	s->eof_optin = true;
	check_carrier(s);
	pthread_mutex_unlock(&s->lock);
}

static void wake_reader(struct serial *s)
{
	uint64_t one = 1;

	s->want_room = false;
	if (write(s->room_ev.fd, &one, sizeof(one)) < 0)
		log_debug("serial: eventfd write: %s", strerror(errno));
}

size_t serial_input(struct serial *s, uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&s->lock);
	if (!(s->mcr & MCR_LOOP) && !(s->lcr & LCR_DLAB)) {
		while (n < len && s->rx_count)
			buf[n++] = rx_pop(s);
		s->stats.read_count += n;
		if (n && s->want_room)
			wake_reader(s);
		update_irq(s, false);
		check_carrier(s);
	}
	pthread_mutex_unlock(&s->lock);
	return n;
}

static void serial_read(void *dev, uint64_t off, uint8_t *data, unsigned len)
{
	struct serial *s = dev;
	uint8_t v = 0;

	pthread_mutex_lock(&s->lock);
	switch (off) {
	case UART_RX:
		if (s->lcr & LCR_DLAB) {
			v = s->dll;
			break;
		}
		if (s->rx_count)
			s->stats.read_count++;
		v = rx_pop(s);
		if (s->want_room && !(s->mcr & MCR_LOOP))
			wake_reader(s);
		update_irq(s, false);
		check_carrier(s);
		break;
	case UART_IER:
		v = (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
		break;
	case UART_IIR:
		v = iir(s);
		if ((v & 0x0f) == IIR_THRI) {
			s->thr_ipending = false; /* reading IIR acknowledges THRE */
			update_irq(s, false);
		}
		break;
	case UART_LCR:
		v = s->lcr;
		break;
	case UART_MCR:
		v = s->mcr;
		break;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
		break;
	case UART_MSR:
		v = msr(s);
		if (s->ddcd) { /* reading MSR clears the delta bits and their interrupt */
			s->ddcd = false;
			update_irq(s, false);
		}
		break;
	case UART_SCR:
		v = s->scr;
		break;
	}
	pthread_mutex_unlock(&s->lock);
	memset(data, 0, len);
	data[0] = v;
}

static void serial_write(void *dev, uint64_t off, const uint8_t *data, unsigned len)
{
	struct serial *s = dev;
	uint8_t v = data[0];
	bool out = false;

	pthread_mutex_lock(&s->lock);
	switch (off) {
	case UART_RX:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			break;
		}
		s->stats.write_count++;
		if (s->mcr & MCR_LOOP)
			rx_push(s, &v, 1);
		else
			out = true;
		/* The byte leaves at once: THR is empty again, a fresh THRE interrupt. */
		s->thr_ipending = true;
		update_irq(s, true);
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		if (!(s->ier & IER_THRI) && (v & IER_THRI))
			s->thr_ipending = true;
		s->ier = v & 0x0f;
		update_irq(s, false);
		break;
	case UART_IIR:
		s->fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX) {
			s->rx_count = 0;
			if (s->want_room)
				wake_reader(s);
		}
		update_irq(s, false);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		if (!(s->mcr & MCR_LOOP) && s->want_room && s->rx_count < RX_FIFO_SIZE)
			wake_reader(s);
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
	pthread_mutex_unlock(&s->lock);
	/* Outside the lock: a slow stdout must not stall the event loop. With a virtio console
	 * the program's output goes there and COM1 carries the guest kernel's own lines: to the
	 * log (stderr, or --log-path), never into the program's stdout. */
	if (out)
		emit(s, s->vmm->opts.virtio_console ? log_target_fd() : s->out_fd, &v, 1);
}

static const struct bus_ops serial_ops = {
	.read = serial_read,
	.write = serial_write,
};

/* Moves stdin bytes into the FIFO while it has room; pauses input when it is full. */
static void fill_fifo(struct serial *s)
{
	static uint8_t buf[RX_FIFO_SIZE]; /* only the event loop thread fills the FIFO */

	while (!s->in_eof) {
		unsigned room;
		ssize_t n;

		pthread_mutex_lock(&s->lock);
		/* In loopback the receiver hears only the transmitter: input waits. */
		room = (s->mcr & MCR_LOOP) ? 0 : RX_FIFO_SIZE - s->rx_count;
		if (!room)
			s->want_room = true;
		pthread_mutex_unlock(&s->lock);
		if (!room) {
			if (s->in_pollable)
				event_mod(&s->vmm->loop, &s->in_ev, 0);
			return;
		}
		/* Only the event loop adds to the FIFO, so ROOM can only grow meanwhile. */
		n = read(s->in_fd, buf, room);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			if (n < 0)
				log_warn("serial: reading stdin: %s", strerror(errno));
			s->in_eof = true;
			if (s->in_pollable)
				event_del(&s->vmm->loop, &s->in_ev);
			pthread_mutex_lock(&s->lock);
			check_carrier(s);
			pthread_mutex_unlock(&s->lock);
			return;
		}
		pthread_mutex_lock(&s->lock);
		rx_push(s, buf, (unsigned)n);
		update_irq(s, false);
		pthread_mutex_unlock(&s->lock);
		if (s->in_pollable)
			return; /* epoll says when there is more */
	}
}

static void on_input(struct event_handler *h, uint32_t events)
{
	fill_fifo(h->opaque);
}

static void on_room(struct event_handler *h, uint32_t events)
{
	struct serial *s = h->opaque;
	uint64_t v;

	if (read(h->fd, &v, sizeof(v)) < 0)
		return;
	if (s->in_eof)
		return;
	if (s->in_pollable)
		event_mod(&s->vmm->loop, &s->in_ev, EPOLLIN);
	else
		fill_fifo(s);
}

static int serial_init(struct vmm *vmm)
{
	struct serial *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->vmm = vmm;
	s->in_fd = STDIN_FILENO;
	s->out_fd = STDOUT_FILENO;
	s->in_ev = (struct event_handler){ .fd = s->in_fd, .fn = on_input, .opaque = s };
	s->room_ev = (struct event_handler){ .fd = -1, .fn = on_room, .opaque = s };
	vmm->devices.serial = s;

	s->room_ev.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->room_ev.fd < 0)
		return -errno;
	r = event_add(&vmm->loop, &s->room_ev, EPOLLIN);
	if (r)
		return r;
	r = event_add(&vmm->loop, &s->in_ev, EPOLLIN);
	if (r == 0) {
		s->in_pollable = true;
		raw_tty(s->in_fd);
	} else if (r == -EPERM) {
		wake_reader(s); /* a regular file (or /dev/null): read it as the FIFO drains */
	} else {
		log_warn("serial: stdin cannot be watched (%s); no guest input", strerror(-r));
		s->in_eof = true;
	}
	return bus_register(&vmm->pio, COM1_PORT, 8, "serial", &serial_ops, s);
}

static void serial_exit(struct vmm *vmm)
{
	struct serial *s = vmm->devices.serial;

	restore_tty();
	if (!s)
		return;
	/* The event loop outlives the device (a failed start is retried): stop watching stdin. */
	if (s->in_pollable && !s->in_eof)
		event_del(&vmm->loop, &s->in_ev);
	if (s->room_ev.fd >= 0)
		close(s->room_ev.fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
	vmm->devices.serial = NULL;
}

struct serial_stats serial_get_stats(struct serial *s)
{
	struct serial_stats st = { 0 };

	if (s) {
		pthread_mutex_lock(&s->lock);
		st = s->stats;
		pthread_mutex_unlock(&s->lock);
	}
	return st;
}

/* Firecracker's "uart" group. */
static void serial_metrics(const struct vmm *vmm, json_t *root)
{
	static struct serial_stats last; /* at the previous line */
	struct serial_stats s = serial_get_stats(vmm ? vmm->devices.serial : NULL);

	if (s.write_count < last.write_count || s.read_count < last.read_count)
		memset(&last, 0, sizeof(last)); /* a new VM after a failed start */
	metrics_put(root, "uart", "error_count", s.error_count - last.error_count);
	metrics_put(root, "uart", "flush_count", 0);
	metrics_put(root, "uart", "missed_read_count", 0);
	metrics_put(root, "uart", "missed_write_count", 0);
	metrics_put(root, "uart", "read_count", s.read_count - last.read_count);
	metrics_put(root, "uart", "write_count", s.write_count - last.write_count);
	last = s;
}

const struct device_ops serial_device = {
	.name = "serial", .create = serial_init, .destroy = serial_exit, .metrics = serial_metrics
};
