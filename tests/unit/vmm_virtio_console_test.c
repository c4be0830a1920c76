/* vmm_virtio_console_test.c: motevm's virtio console (vmm/devices/virtio/console.c) driven by
 * the kernel's own virtqueue code (tests/unit/virtio_driver.c) through its registers, on pipes
 * for stdin, stdout and stderr: the MULTIPORT handshake, output on two ports kept apart, input
 * in bulk with end of input as port 0 closing after the last byte, output to a pipe nobody
 * reads (held, nothing dropped, resumed when writable), and hostile drivers (run under ASan
 * with make SAN=1). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "devices/bus.h"
#include "devices/virtio/console.h"
#include "event.h"
#include "kvm/memory.h"
#include "virtio_driver.h"

#define RAM_SIZE (64ull << 20)
#define R_DEVICE_ID 0x008
#define R_STATUS 0x070
#define R_CONFIG 0x100
#define F_MULTIPORT (1ull << 1)
#define Q_RX0 0
#define Q_TX0 1
#define Q_CRX 2
#define Q_CTX 3
#define Q_TX1 5
#define CTL_DEVICE_READY 0
#define CTL_DEVICE_ADD 1
#define CTL_PORT_READY 3
#define CTL_CONSOLE_PORT 4
#define CTL_PORT_OPEN 6
#define CTL_PORT_NAME 7
#define NCTRL 16 /* control receive buffers */
#define CTRL_BUF 64
#define NRX 32 /* receive buffers */
#define RX_BUF 4096

unsigned char *vdrv_ram;
unsigned long vdrv_ram_size;
static struct guest_mem mem;
static struct event_loop loop;
static struct bus mmio;
static struct virtio_console *con;
static int in_w, out_r, err_r; /* the test's ends of stdin, stdout, stderr */
static unsigned char *ctrl_buf[NCTRL], *rx_buf[NRX];
static int ctrl_id[NCTRL], rx_id[NRX];

unsigned vdrv_reg_read(unsigned long off)
{
	unsigned v = 0;

	CHECK(bus_read(&mmio, con->dev.base + off, (uint8_t *)&v, 4));
	return v;
}

void vdrv_reg_write(unsigned long off, unsigned v)
{
	CHECK(bus_write(&mmio, con->dev.base + off, (const uint8_t *)&v, 4));
}

static void run_loop(int ms)
{
	CHECK(event_wait(&loop, ms) == 0);
}

struct msg {
	uint32_t id;
	uint16_t event, value;
	char name[32];
};

static void post_ctrl(void)
{
	for (int i = 0; i < NCTRL; i++) {
		if (!ctrl_buf[i])
			ctrl_buf[i] = vdrv_alloc(CTRL_BUF);
		ctrl_id[i] = vdrv_add(Q_CRX, ctrl_buf[i], CTRL_BUF, 1);
		CHECK(ctrl_id[i] >= 0);
	}
	vdrv_notify(Q_CRX);
}

/* The next control message from the device (reposting its buffer): 1, or 0 if none. */
static int get_ctrl(struct msg *m)
{
	unsigned len;
	int id = vdrv_get(Q_CRX, &len);

	if (id < 0)
		return 0;
	for (int i = 0; i < NCTRL; i++) {
		if (ctrl_id[i] != id)
			continue;
		memset(m, 0, sizeof(*m));
		memcpy(&m->id, ctrl_buf[i], 4);
		memcpy(&m->event, ctrl_buf[i] + 4, 2);
		memcpy(&m->value, ctrl_buf[i] + 6, 2);
		if (len > 8 && len - 8 < sizeof(m->name))
			memcpy(m->name, ctrl_buf[i] + 8, len - 8);
		ctrl_id[i] = vdrv_add(Q_CRX, ctrl_buf[i], CTRL_BUF, 1);
		vdrv_notify(Q_CRX);
		return 1;
	}
	CHECK(!"a control buffer the driver never posted");
	return 0;
}

static bool vdrv_broken(void)
{
	return vdrv_reg_read(R_STATUS) & VIRTIO_S_NEEDS_RESET;
}

static void send_ctrl(uint32_t id, uint16_t event, uint16_t value, unsigned len)
{
	unsigned char *b = vdrv_alloc(8);
	unsigned l;
	int head;

	memcpy(b, &id, 4);
	memcpy(b + 4, &event, 2);
	memcpy(b + 6, &value, 2);
	head = vdrv_add(Q_CTX, b, len, 0);
	CHECK(head >= 0);
	vdrv_notify(Q_CTX);
	run_loop(0);
	if (vdrv_broken())
		return;
	CHECK(vdrv_get(Q_CTX, &l) == head); /* given back: that buffer, and only it */
	CHECK(vdrv_get(Q_CTX, &l) < 0);
}

static bool expect_ctrl(uint32_t id, uint16_t event, uint16_t value, const char *name)
{
	struct msg m;

	if (!get_ctrl(&m))
		return false;
	return m.id == id && m.event == event && m.value == value &&
	       (!name || strcmp(m.name, name) == 0);
}

/* Initialises the driver with MULTIPORT and does the handshake for both ports. */
static void bring_up(void)
{
	CHECK(vdrv_init(F_MULTIPORT | VIRTIO_F_EVENT_IDX, 6, 64) & F_MULTIPORT);
	post_ctrl();
	run_loop(0);
	send_ctrl(0, CTL_DEVICE_READY, 1, 8);
	CHECK(expect_ctrl(0, CTL_DEVICE_ADD, 0, NULL));
	CHECK(expect_ctrl(1, CTL_DEVICE_ADD, 0, NULL));
	send_ctrl(0, CTL_PORT_READY, 1, 8);
	CHECK(expect_ctrl(0, CTL_CONSOLE_PORT, 1, NULL));
	CHECK(expect_ctrl(0, CTL_PORT_NAME, 1, VCON_NAME_STDIN));
	CHECK(expect_ctrl(0, CTL_PORT_OPEN, 1, NULL));
	send_ctrl(1, CTL_PORT_READY, 1, 8);
	CHECK(expect_ctrl(1, CTL_PORT_NAME, 1, VCON_NAME_STDERR));
	CHECK(expect_ctrl(1, CTL_PORT_OPEN, 1, NULL));
	send_ctrl(0, CTL_PORT_OPEN, 1, 8);
	send_ctrl(1, CTL_PORT_OPEN, 1, 8);
	CHECK(con->guest_open[0] && con->guest_open[1]);
}

static void test_registers(void)
{
	CHECK(vdrv_reg_read(R_DEVICE_ID) == 3);
	CHECK(vdrv_reg_read(R_CONFIG + 4) == VCON_PORTS); /* max_nr_ports */
}

/* Reads up to N bytes from a pipe end (non-blocking) into BUF. */
static size_t drain(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n && (r = read(fd, buf + got, n - got)) > 0)
		got += (size_t)r;
	return got;
}

static void test_output_apart(void)
{
	unsigned char *a = vdrv_alloc(16), *b = vdrv_alloc(16), got[32];
	unsigned l;

	memcpy(a, "to stdout\n", 10);
	memcpy(b, "to stderr\n", 10);
	CHECK(vdrv_add(Q_TX0, a, 10, 0) >= 0);
	CHECK(vdrv_add(Q_TX1, b, 10, 0) >= 0);
	vdrv_notify(Q_TX0);
	vdrv_notify(Q_TX1);
	run_loop(0);
	CHECK(vdrv_get(Q_TX0, &l) >= 0);
	CHECK(vdrv_get(Q_TX1, &l) >= 0);
	CHECK(drain(out_r, got, sizeof(got)) == 10 && memcmp(got, "to stdout\n", 10) == 0);
	CHECK(drain(err_r, got, sizeof(got)) == 10 && memcmp(got, "to stderr\n", 10) == 0);
}

static void post_rx(int i)
{
	rx_id[i] = vdrv_add(Q_RX0, rx_buf[i], RX_BUF, 1);
	CHECK(rx_id[i] >= 0);
}

/* Bytes of input arrived in receive buffers, copied to OUT (buffers reposted). */
static size_t take_rx(unsigned char *out)
{
	size_t got = 0;
	unsigned len;
	int id;

	while ((id = vdrv_get(Q_RX0, &len)) >= 0) {
		for (int i = 0; i < NRX; i++) {
			if (rx_id[i] != id)
				continue;
			CHECK(len <= RX_BUF);
			memcpy(out + got, rx_buf[i], len);
			got += len;
			post_rx(i);
		}
	}
	vdrv_notify(Q_RX0);
	return got;
}

/* 1 MiB through stdin, more than the pipe holds: every byte in order, then the port closes. */
static void test_input_eof(void)
{
	const size_t total = 1 << 20;
	unsigned char *src = malloc(total), *dst = malloc(total);
	size_t sent = 0, got = 0;
	bool closed = false;
	struct msg m;

	for (size_t i = 0; i < total; i++)
		src[i] = (unsigned char)(i * 7 + i / 4096);
	for (int i = 0; i < NRX; i++) {
		if (!rx_buf[i])
			rx_buf[i] = vdrv_alloc(RX_BUF);
		post_rx(i);
	}
	vdrv_notify(Q_RX0);
	for (int t = 0; t < 100000 && !closed; t++) {
		if (sent < total) {
			ssize_t w = write(in_w, src + sent, total - sent);

			if (w > 0)
				sent += (size_t)w;
			if (sent == total) {
				close(in_w);
				in_w = -1;
			}
		}
		run_loop(10);
		got += take_rx(dst + got);
		while (get_ctrl(&m)) {
			/* the close comes only after the last byte was given back */
			CHECK(m.id == 0 && m.event == CTL_PORT_OPEN && m.value == 0);
			CHECK(got == total);
			closed = true;
		}
	}
	CHECK(closed);
	CHECK(got == total && memcmp(src, dst, total) == 0);
	CHECK(con->stats.rx_bytes == total);
	printf("input: %zu bytes in %llu buffers, %llu notifications\n", got,
	       (unsigned long long)con->stats.rx_buffers,
	       (unsigned long long)con->stats.rx_queue_events);
	free(src);
	free(dst);
}

/* Output to a full pipe: the chain is held, nothing is lost, it resumes on writability. */
static void test_output_blocked(void)
{
	const unsigned n = 8, each = 65536;
	unsigned char *bufs[8], *dst = malloc(n * each + 65536), fill[4096] = { 0 };
	size_t filler = 0, got = 0;
	uint64_t events;
	unsigned l, back = 0;

	while (write(con->out[0].fd, fill, sizeof(fill)) > 0)
		filler += sizeof(fill); /* the device's end is non-blocking: until EAGAIN */
	CHECK(errno == EAGAIN && filler > 0);
	for (unsigned i = 0; i < n; i++) {
		bufs[i] = vdrv_alloc(each);
		for (unsigned k = 0; k < each; k++)
			bufs[i][k] = (unsigned char)(i + k * 3);
		CHECK(vdrv_add(Q_TX0, bufs[i], each, 0) >= 0);
	}
	vdrv_notify(Q_TX0);
	run_loop(0);
	CHECK(con->out[0].blocked && vdrv_get(Q_TX0, &l) < 0);
	/* blocked: no busy spinning while nobody reads */
	events = con->stats.tx_queue_events;
	run_loop(50);
	CHECK(con->stats.tx_queue_events == events && con->out[0].blocked);
	CHECK(drain(out_r, dst, filler) == filler);
	for (int t = 0; t < 10000 && back < n; t++) {
		run_loop(10);
		got += drain(out_r, dst + got, n * each - got);
		while (vdrv_get(Q_TX0, &l) >= 0)
			back++;
	}
	got += drain(out_r, dst + got, n * each - got);
	CHECK(back == n && got == (size_t)n * each);
	for (unsigned i = 0; i < n && got == (size_t)n * each; i++)
		CHECK(memcmp(dst + (size_t)i * each, bufs[i], each) == 0);
	CHECK(con->stats.tx_blocked >= 1 && con->stats.tx_fails == 0);
	free(dst);
}

static bool broken(void)
{
	return vdrv_reg_read(R_STATUS) & VIRTIO_S_NEEDS_RESET;
}

static void test_hostile(void)
{
	uint64_t bad = con->stats.bad_ctrl_msgs;
	unsigned char *b = vdrv_alloc(64);

	/* bogus control messages are ignored: short, unknown, another port, out of order */
	send_ctrl(0, CTL_PORT_READY, 1, 4);
	send_ctrl(0, 99, 1, 8);
	send_ctrl(7, CTL_PORT_READY, 1, 8);
	send_ctrl(5, CTL_PORT_OPEN, 1, 8);
	send_ctrl(0, CTL_DEVICE_ADD, 1, 8);
	CHECK(con->stats.bad_ctrl_msgs == bad + 5 && !broken());

	/* a receive buffer the device may not write */
	CHECK(vdrv_add(Q_RX0, b, 64, 0) >= 0);
	vdrv_notify(Q_RX0);
	run_loop(0);
	CHECK(broken()); /* whether or not input was there: the buffer is checked first */
	vdrv_reg_write(R_STATUS, 0);

	/* a transmit buffer of 4 GiB */
	CHECK(vdrv_init(F_MULTIPORT, 6, 64));
	vdrv_raw_desc(Q_TX0, 0, vdrv_pa(b), 0xffffffffu, 0, 0);
	vdrv_raw_avail(Q_TX0, 0, 1);
	vdrv_notify(Q_TX0);
	run_loop(0);
	CHECK(broken());
	vdrv_reg_write(R_STATUS, 0);

	/* a control receive buffer too short for the message */
	CHECK(vdrv_init(F_MULTIPORT, 6, 64));
	CHECK(vdrv_add(Q_CRX, b, 4, 1) >= 0);
	vdrv_notify(Q_CRX);
	send_ctrl(0, CTL_DEVICE_READY, 1, 8);
	CHECK(broken());
	vdrv_reg_write(R_STATUS, 0);

	/* an available index a ring ahead on the control queue */
	CHECK(vdrv_init(F_MULTIPORT, 6, 64));
	vdrv_raw_avail(Q_CTX, 0, 300);
	vdrv_notify(Q_CTX);
	run_loop(0);
	CHECK(broken());
	vdrv_reg_write(R_STATUS, 0);
	CHECK(vdrv_reg_read(R_STATUS) == 0);
}

static int pipe_nb(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	return fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

int main(void)
{
	struct virtio_env env = { .mem = &mem, .loop = &loop, .mmio = &mmio, .vm_fd = -1 };
	int in[2], out[2], err[2];

	CHECK(mem_create(&mem, RAM_SIZE, MEM_PAGES_4K) == 0);
	vdrv_ram = mem.host;
	vdrv_ram_size = RAM_SIZE;
	CHECK(event_init(&loop) == 0);
	bus_init(&mmio, "mmio");
	CHECK(pipe2(in, O_CLOEXEC) == 0 && pipe_nb(out) == 0 && pipe_nb(err) == 0);
	in_w = in[1], out_r = out[0], err_r = err[0];
	fcntl(in_w, F_SETFL, O_NONBLOCK);
	con = virtio_console_create(&env, 0, in[0], out[1], err[1]);
	CHECK(con != NULL);
	if (!con)
		return check_done();
	test_registers();
	bring_up();
	test_output_apart();
	test_output_blocked();
	test_hostile();
	bring_up(); /* after the resets: a driver starts again */
	test_input_eof();
	virtio_console_destroy(con);
	event_destroy(&loop);
	mem_destroy(&mem);
	return check_done();
}
