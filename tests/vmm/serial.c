/* serial.c: COM1: guest output reaches stdout byte-exact (all 256 values); stdin reaches the
 * guest without loss or reordering under load, from a pipe, a file and a terminal (raw mode,
 * restored afterwards; Ctrl-C stops motevm unless stdout is the terminal too); the UART's
 * registers, loopback and interrupt identification behave as Linux's 8250 driver expects, and
 * IRQ 4 is raised on input. */
#ifdef GUEST
#include "guest/guest.h"

#define COM1 0x3f8

static uint8_t pic_irr(void)
{
	outb(0x20, 0x0a); /* OCW3: read IRR */
	return inb(0x20);
}

static void check_registers(void)
{
	outb(COM1 + 7, 0x5a);
	GUEST_ASSERT(inb(COM1 + 7) == 0x5a, "scratch register");
	/* THRE interrupt: pending once enabled, acknowledged by reading IIR. */
	outb(COM1 + 1, 0x02);
	GUEST_ASSERT((inb(COM1 + 2) & 0x0f) == 0x02, "no THRE interrupt");
	GUEST_ASSERT((inb(COM1 + 2) & 0x0f) == 0x01, "THRE not acknowledged");
	outb(COM1 + 1, 0x00);
	/* Loopback, as Linux's autoconfig probes it. */
	outb(COM1 + 4, 0x1a);
	GUEST_ASSERT((inb(COM1 + 6) & 0xf0) == 0x90, "loopback MSR %x", inb(COM1 + 6));
	outb(COM1, 'L');
	GUEST_ASSERT(inb(COM1 + 5) & 1, "loopback byte not received");
	GUEST_ASSERT(inb(COM1) == 'L', "loopback byte differs");
	outb(COM1 + 4, 0x0b);
	GUEST_ASSERT((inb(COM1 + 6) & 0xb0) == 0xb0, "line not ready: MSR %x", inb(COM1 + 6));
	/* Divisor latch. */
	outb(COM1 + 3, 0x83);
	outb(COM1, 0x01);
	outb(COM1 + 1, 0x00);
	GUEST_ASSERT(inb(COM1) == 0x01, "DLL");
	outb(COM1 + 3, 0x03);
	GUEST_ASSERT((inb(COM1 + 2) & 0xc0) == 0xc0, "FIFO not reported on");
}

int guest_main(int kind, uint64_t info)
{
	const char *mode = guest_arg("mode");
	uint64_t n = guest_arg_num("n", 0);

	if (mode && strncmp(mode, "out", 3) == 0) {
		/* Loopback needs an idle input line: checked here, where stdin is empty. */
		check_registers();
		serial_puts("registers OK\nBYTES[");
		for (unsigned i = 0; i < 256; i++)
			serial_putc((char)i);
		serial_puts("]\n");
		return 0;
	}
	if (mode && strncmp(mode, "tty", 3) == 0) {
		uint32_t a, b, c, d;

		cpuid(MOTE_CPUID_CONSOLE, 0, &a, &b, &c, &d);
		gprintf("console ttys %x size %ux%u\n", a, b, c);
	}
	gprintf("READY\n");
	/* Input raises IRQ 4: RX interrupt enabled, wait for the first byte. */
	outb(COM1 + 1, 0x01);
	while (!serial_can_read())
		cpu_relax();
	GUEST_ASSERT((inb(COM1 + 2) & 0x0f) == 0x04, "no RX interrupt identified");
	GUEST_ASSERT(pic_irr() & 0x10, "IRQ 4 not raised (PIC IRR %x)", pic_irr());
	outb(COM1 + 1, 0x00);
	gprintf("irq OK\nECHO[");
	if (mode && strncmp(mode, "tty", 3) == 0) {
		for (;;) /* until motevm is stopped */
			serial_putc((char)serial_getc());
	}
	for (uint64_t i = 0; i < n; i++)
		serial_putc((char)serial_getc());
	serial_puts("]\n");
	return 0;
}
#else
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "host/vmmtest.h"

static const char *config(const char *args)
{
	return vmt_config("serial.elf", args, 1, 128);
}

static void check_echo(const struct vm_result *r, const unsigned char *data, size_t n)
{
	const char *p = memmem(r->out, r->out_len, "ECHO[", 5);

	CHECK(vmt_contains(r->out, r->out_len, "irq OK"), "interrupt checks failed");
	CHECK(p != NULL, "no echo");
	if (!p)
		return;
	p += 5;
	CHECK((size_t)(r->out + r->out_len - p) >= n + 2, "echo truncated: %zu of %zu bytes",
	      (size_t)(r->out + r->out_len - p), n);
	if ((size_t)(r->out + r->out_len - p) >= n + 2) {
		size_t i = 0;

		while (i < n && (unsigned char)p[i] == data[i])
			i++;
		CHECK(i == n, "echo differs at byte %zu of %zu", i, n);
		CHECK(p[n] == ']', "extra bytes in the echo");
	}
}

static void test_output(void)
{
	struct vm_result r;
	char want[256 + 8];

	vmt_run_config(&r, config("mode=out"), 30);
	CHECK_STATUS(&r, 0);
	memcpy(want, "BYTES[", 6);
	for (int i = 0; i < 256; i++)
		want[6 + i] = (char)i;
	memcpy(want + 262, "]\n", 2);
	CHECK(vmt_contains(r.out, r.out_len, "registers OK"), "register checks failed");
	CHECK(memmem(r.out, r.out_len, want, sizeof(want)) != NULL,
	      "the 256 byte values did not arrive intact");
	vmt_result_free(&r);
}

static void test_pipe(const unsigned char *data, size_t n)
{
	char args[64];
	const char *argv[] = { "--no-api", "--config-file", NULL, NULL };
	struct vm_result r;

	snprintf(args, sizeof(args), "mode=echo n=%zu", n);
	argv[2] = config(args);
	vmt_run(&r, argv, data, n, 120);
	printf("pipe: %zu bytes echoed in %.2f s\n", n, r.secs);
	CHECK_STATUS(&r, 0);
	check_echo(&r, data, n);
	vmt_result_free(&r);
}

static void test_file(const unsigned char *data, size_t n)
{
	char args[64], *out;
	const char *argv[] = { "--no-api", "--config-file", NULL, NULL };
	const char *in = vmt_write_bytes("stdin.bin", data, n);
	const char *outp = vmt_write_file("file.out", "%s", ""),
		   *errp = vmt_write_file("file.err", "%s", "");
	struct vm_result r = { 0 };
	pid_t pid;

	snprintf(args, sizeof(args), "mode=echo n=%zu", n);
	argv[2] = config(args);
	pid = vmt_spawn_in(argv, in, outp, errp);
	r.status = vmt_wait(pid, 60);
	out = vmt_read_file(outp, &r.out_len);
	r.out = out;
	r.err = vmt_read_file(errp, &r.err_len);
	printf("file: %zu bytes echoed\n", n);
	CHECK_STATUS(&r, 0);
	check_echo(&r, data, n);
	vmt_result_free(&r);
}

/* motevm with stdin on a pseudo-terminal: raw input, and the settings back at the end. With
 * stdout the same terminal (OUT_TTY), the guest is the terminal: no ISIG and no ONLCR, Ctrl-C
 * reaches the guest as a byte and SIGTERM stops motevm; with stdout a pipe, ISIG stays and
 * Ctrl-C stops motevm (docs/motevm.md, the COM1 row). */
static void test_tty(bool out_tty)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave, ws, out[2] = { -1, -1 };
	struct termios before, after;
	char buf[4096];
	size_t got = 0;
	const char *cfg = config("mode=tty");
	const char *what = out_tty ? "tty" : "tty, stdout a pipe";
	const char *typed = out_tty ? "abc\x03" : "abc",
		   *want = out_tty ? "ECHO[abc\x03" : "ECHO[abc";
	pid_t pid;

	if (master < 0 || grantpt(master) || unlockpt(master)) {
		printf("no pseudo-terminal: tty part skipped\n");
		return;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CHECK(slave >= 0 && tcgetattr(slave, &before) == 0, "pty slave");
	CHECK(out_tty || pipe(out) == 0, "pipe");
	ioctl(slave, TIOCSWINSZ, &(struct winsize){ .ws_row = 30, .ws_col = 100 });
	pid = fork();
	if (pid == 0) {
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(out_tty ? slave : out[1], 1);
		dup2(slave, 2);
		execl(vmt_motevm(), "motevm", "--no-api", "--config-file", cfg, (char *)NULL);
		_exit(127);
	}
	if (!out_tty)
		close(out[1]);
	/* Wait for the guest, type the bytes without a newline, expect them echoed. */
	fcntl(out_tty ? master : out[0], F_SETFL, O_NONBLOCK);
	for (int tries = 0; tries < 200 && got < sizeof(buf) - 1; tries++) {
		ssize_t k;

		usleep(20000);
		k = read(out_tty ? master : out[0], buf + got, sizeof(buf) - 1 - got);
		if (k > 0)
			got += (size_t)k;
		buf[got] = 0;
		if (strstr(buf, "READY") && !strstr(buf, "ECHO[")) {
			if (write(master, typed, strlen(typed)) != (ssize_t)strlen(typed))
				break;
		}
		if (strstr(buf, want))
			break;
	}
	CHECK(strstr(buf, want) != NULL, "%s: raw-mode input not echoed: \"%s\"", what, buf);
	CHECK(strstr(buf, out_tty ? "console ttys 7 size 30x100" : "console ttys 5 size 30x100"),
	      "%s: the console leaf does not say: terminals on 0-2 (but 1 if a pipe), 30x100: "
	      "\"%s\"",
	      what, buf);
	CHECK(tcgetattr(slave, &after) == 0 && !(after.c_lflag & (ICANON | ECHO)) &&
		      !(after.c_lflag & ISIG) == out_tty && !(after.c_oflag & ONLCR) == out_tty,
	      "%s: terminal not raw while running (lflag %#x oflag %#x)", what,
	      (unsigned)after.c_lflag, (unsigned)after.c_oflag);
	if (out_tty) {
		kill(pid, SIGTERM);
		ws = vmt_wait(pid, 10);
		CHECK(ws == 128 + SIGTERM, "%s: SIGTERM: exit status %d, expected %d", what, ws,
		      128 + SIGTERM);
	} else {
		if (write(master, "\x03", 1) != 1)
			printf("cannot type Ctrl-C\n");
		ws = vmt_wait(pid, 10);
		CHECK(ws == 128 + SIGINT, "%s: Ctrl-C: exit status %d, expected %d", what, ws,
		      128 + SIGINT);
		close(out[0]);
	}
	CHECK(tcgetattr(slave, &after) == 0 && after.c_lflag == before.c_lflag &&
		      after.c_iflag == before.c_iflag && after.c_oflag == before.c_oflag,
	      "%s: terminal settings not restored", what);
	close(slave);
	close(master);
}

int main(void)
{
	enum { N = 16384 };
	unsigned char *data = malloc(N);

	vmt_begin("serial");
	vmt_require_kvm();
	srand(3);
	for (int i = 0; i < N; i++)
		data[i] = (unsigned char)rand();
	test_output();
	test_pipe(data, N);
	test_file(data, 4096);
	test_tty(true);
	test_tty(false);
	free(data);
	return vmt_end();
}
#endif
