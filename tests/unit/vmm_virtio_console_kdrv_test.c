/* vmm_virtio_console_kdrv_test.c: the Mote kernel's virtio console driver
 * (kernel/drivers/virtio/console.c, built for the host through tests/unit/kcon_glue.c) against
 * motevm's device (vmm/devices/virtio/console.c) on pipes, as `mote run` puts them together
 * on a KVM host: the ports' handshake (stdin on port 0, stderr on port 1), stdout and stderr
 * apart, 1 MiB of stdin from another process read to its end (the port closing), 4 MiB of
 * stdout into a reader that starts late (held by the device, nothing lost), and the host
 * terminal's new sizes as RESIZE control messages (motevm's SIGWINCH). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "devices/bus.h"
#include "devices/virtio/console.h"
#include "event.h"
#include "kcon_glue.h"
#include "kvm/memory.h"
#include "virtio_driver.h"

#define RAM_SIZE (64ull << 20)
#define IN_BYTES (1u << 20)
#define OUT_CHUNK 65536u
#define OUT_CHUNKS 64u

unsigned char *vdrv_ram;
unsigned long vdrv_ram_size;
static struct guest_mem mem;
static struct event_loop loop;
static struct bus mmio;
static struct virtio_console *con;

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

unsigned char kcon_cfg8(unsigned long off)
{
	uint8_t v = 0;

	CHECK(bus_read(&mmio, con->dev.base + 0x100 + off, &v, 1));
	return v;
}

int kcon_run(int ms)
{
	uint64_t n = 0;

	CHECK(event_wait(&loop, ms) == 0);
	return read(con->dev.irq_fd, &n, sizeof(n)) == sizeof(n) && n;
}

unsigned long long kcon_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 13 + i / 65536);
}

static void test_output(int out_r, int err_r)
{
	unsigned char *a = vdrv_alloc(16), *b = vdrv_alloc(16), got[32];

	memcpy(a, "to stdout\n", 10);
	memcpy(b, "to stderr\n", 10);
	CHECK(kcon_write(0, a, 10) == 10);
	CHECK(kcon_write(1, b, 10) == 10);
	CHECK(read(out_r, got, sizeof(got)) == 10 && memcmp(got, "to stdout\n", 10) == 0);
	CHECK(read(err_r, got, sizeof(got)) == 10 && memcmp(got, "to stderr\n", 10) == 0);
}

/* Another process writes 1 MiB into stdin and closes it; the driver reads it to its end. */
static void test_input(int in_w)
{
	unsigned char *got = malloc(IN_BYTES + 1);
	size_t n = 0;
	long r = 0;
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		unsigned char *src = malloc(IN_BYTES);
		size_t done = 0;

		for (size_t i = 0; i < IN_BYTES; i++)
			src[i] = pattern(i);
		while (done < IN_BYTES) { /* in odd pieces, with pauses */
			size_t k = IN_BYTES - done < 7777 ? IN_BYTES - done : 7777;
			ssize_t w = write(in_w, src + done, k);

			if (w <= 0)
				_exit(1);
			done += (size_t)w;
			if (done % 5 == 0)
				usleep(100);
		}
		_exit(0);
	}
	close(in_w);
	r = kcon_read(got, 1, 1); /* nonblocking: a byte, or nothing yet */
	CHECK(r == 1 || r == -EAGAIN);
	n = r == 1 ? 1 : 0;
	while (n <= IN_BYTES && (r = kcon_read(got + n, 131072, 0)) > 0)
		n += (size_t)r;
	CHECK(r == 0); /* the end of input */
	CHECK(n == IN_BYTES);
	for (size_t i = 0; i < n && i < IN_BYTES; i++)
		if (got[i] != pattern(i)) {
			CHECK(!"input byte differs");
			break;
		}
	CHECK(kcon_read(got, 16, 0) == 0); /* and it stays at its end */
	CHECK(kcon_rx_pending());
	CHECK(kcon_poll_wakes() > 0);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("input: %zu bytes in %llu buffers\n", n, (unsigned long long)con->stats.rx_buffers);
	free(got);
}

/* 4 MiB of stdout, 64 KiB a write, into a reader that starts 300 ms late. */
static void test_slow_reader(int out_r)
{
	unsigned char *buf = vdrv_alloc(OUT_CHUNK);
	int st = -1;
	pid_t pid = fork();

	if (pid == 0) {
		unsigned char b[65536];
		size_t got = 0;
		int bad = 0;

		fcntl(out_r, F_SETFL, 0);
		usleep(300000);
		while (got < (size_t)OUT_CHUNK * OUT_CHUNKS) {
			ssize_t r = read(out_r, b, sizeof(b));

			if (r <= 0)
				_exit(2);
			for (ssize_t i = 0; i < r; i++)
				bad |= b[i] != pattern(got + (size_t)i);
			got += (size_t)r;
		}
		_exit(bad);
	}
	for (unsigned c = 0; c < OUT_CHUNKS; c++) {
		for (unsigned i = 0; i < OUT_CHUNK; i++)
			buf[i] = pattern((size_t)c * OUT_CHUNK + i);
		CHECK(kcon_write(0, buf, OUT_CHUNK) == OUT_CHUNK);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(con->stats.tx_blocked > 0 && con->stats.tx_fails == 0);
	printf("output: %llu bytes, blocked %llu times\n", (unsigned long long)con->stats.tx_bytes,
	       (unsigned long long)con->stats.tx_blocked);
}

/* The device's RESIZE messages reach the driver as the console's new size, the last one
 * winning; nothing new, nothing reported. */
static void test_resize(void)
{
	unsigned short rows = 0, cols = 0;

	CHECK(kcon_winsize(&rows, &cols) == 0);
	virtio_console_resize(con, 50, 132);
	kcon_run(10);
	CHECK(kcon_winsize(&rows, &cols) == 1 && rows == 50 && cols == 132);
	CHECK(kcon_winsize(&rows, &cols) == 0);
	virtio_console_resize(con, 30, 90);
	virtio_console_resize(con, 40, 100);
	virtio_console_resize(con, 0, 100); /* not a size: not sent */
	kcon_run(10);
	CHECK(kcon_winsize(&rows, &cols) == 1 && rows == 40 && cols == 100);
	CHECK(con->stats.bad_ctrl_msgs == 0);
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
	CHECK(pipe(in) == 0 && pipe(out) == 0 && pipe(err) == 0);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	con = virtio_console_create(&env, 0, in[0], out[1], err[1]);
	CHECK(con != NULL);
	if (!con)
		return check_done();
	CHECK(kcon_probe() == 0);
	CHECK(kcon_has_input());
	CHECK(con->ready && con->port_ready[0] && con->port_ready[1]);
	CHECK(con->guest_open[0] && con->guest_open[1]);
	test_output(out[0], err[0]);
	test_input(in[1]);
	test_slow_reader(out[0]);
	test_resize();
	virtio_console_destroy(con);
	event_destroy(&loop);
	mem_destroy(&mem);
	return check_done();
}
