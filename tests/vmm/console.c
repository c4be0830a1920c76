/* console.c: Mote's console port sends a whole buffer per exit, in order with COM1's bytes, or to
 * motevm's stderr, refuses bad requests, and reads COM1's input in bulk, in order; after the
 * guest's opt-in, the end of motevm's stdin reaches the guest as carrier loss on COM1 (DCD low,
 * a modem-status interrupt) once every byte has been read — and never without the opt-in. */
#ifdef GUEST
#include "guest/guest.h"

#define COM1 0x3f8
#define BIG 65536u

static uint8_t big[BIG];
static volatile uint8_t req[MOTE_CONSOLE_REQ_SIZE] __attribute__((aligned(16)));

/* Sends LEN bytes at BUF to STREAM through the console port; returns the done field. */
static uint32_t console_to(uint32_t stream, uint64_t buf, uint32_t len)
{
	*(volatile uint64_t *)(req + MOTE_CONSOLE_REQ_BUF) = buf;
	*(volatile uint32_t *)(req + MOTE_CONSOLE_REQ_LEN) = len;
	*(volatile uint32_t *)(req + MOTE_CONSOLE_REQ_DONE) = 0xdeadbeef;
	*(volatile uint32_t *)(req + MOTE_CONSOLE_REQ_STREAM) = stream;
	outl(MOTE_CONSOLE_PORT, (uint32_t)(uintptr_t)req);
	return *(volatile uint32_t *)(req + MOTE_CONSOLE_REQ_DONE);
}

static uint32_t console_send(uint64_t buf, uint32_t len)
{
	return console_to(MOTE_CONSOLE_STDOUT, buf, len);
}

static uint32_t features(void)
{
	uint32_t a, b, c, d;

	cpuid(MOTE_CPUID_INFO, 0, &a, &b, &c, &d);
	return b;
}

static void output(void)
{
	uint32_t done;

	GUEST_ASSERT(features() & MOTE_FEAT_CONSOLE, "no MOTE_FEAT_CONSOLE");
	GUEST_ASSERT(features() & MOTE_FEAT_CONSOLE_EOF, "no MOTE_FEAT_CONSOLE_EOF");
	for (uint32_t i = 0; i < BIG; i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	serial_putc('A');
	done = console_send((uintptr_t)big, BIG);
	GUEST_ASSERT(done == BIG, "done %u of %u", done, BIG);
	serial_putc('B');
	GUEST_ASSERT(console_send((uintptr_t)big, BIG + 1) == 0, "a too long request was taken");
	GUEST_ASSERT(console_send(0xd0000000u, 16) == 0, "a buffer outside RAM was taken");
	GUEST_ASSERT(console_send((uintptr_t)big, 0) == 0, "an empty request sent something");
	GUEST_ASSERT(console_to(7, (uintptr_t)big, 16) == 0, "an unknown stream was taken");
	done = console_to(MOTE_CONSOLE_STDERR, (uintptr_t) "to stderr\n", 10);
	GUEST_ASSERT(done == 10, "stderr: done %u of 10", done);
	done = console_send((uintptr_t) "END\n", 4);
	GUEST_ASSERT(done == 4, "done %u of 4", done);
}

/* Reads COM1 until carrier loss (after the opt-in); prints how many bytes and a checksum. */
static void read_to_eof(void)
{
	uint64_t n = 0;
	uint32_t sum = 0;

	outb(MOTE_CONSOLE_CTL_PORT, MOTE_CONSOLE_CTL_EOF);
	outb(COM1 + 1, 0x08); /* modem-status interrupt only */
	for (;;) {
		uint8_t msr;

		if (inb(COM1 + 5) & 1) {
			sum = sum * 31 + inb(COM1);
			n++;
			continue;
		}
		msr = inb(COM1 + 6);
		if (!(msr & 0x80)) {
			GUEST_ASSERT(msr & 0x08, "DCD dropped without its delta bit (MSR %x)", msr);
			GUEST_ASSERT(!(inb(COM1 + 5) & 1), "carrier lost with input still unread");
			GUEST_ASSERT((inb(COM1 + 6) & 0x08) == 0,
				     "delta bit not cleared by the read");
			break;
		}
	}
	gprintf("EOF after %lu bytes, sum %x\n", n, sum);
}

/* The same through bulk reads of the console port, the first byte from RBR (order kept). */
static void bulk_read_to_eof(void)
{
	static uint8_t buf[4096];
	uint64_t n = 0, calls = 0;
	uint32_t sum = 0;

	GUEST_ASSERT(features() & MOTE_FEAT_CONSOLE_READ, "no MOTE_FEAT_CONSOLE_READ");
	outb(MOTE_CONSOLE_CTL_PORT, MOTE_CONSOLE_CTL_EOF);
	while (!(inb(COM1 + 5) & 1) && (inb(COM1 + 6) & 0x80))
		cpu_relax();
	if (inb(COM1 + 5) & 1) {
		sum = sum * 31 + inb(COM1);
		n++;
	}
	for (;;) {
		uint32_t got = console_to(MOTE_CONSOLE_READ, (uintptr_t)buf, sizeof(buf));

		calls++;
		for (uint32_t i = 0; i < got; i++)
			sum = sum * 31 + buf[i];
		n += got;
		if (got)
			continue;
		if (!(inb(COM1 + 6) & 0x80) && !(inb(COM1 + 5) & 1))
			break;
		cpu_relax();
	}
	GUEST_ASSERT(console_to(MOTE_CONSOLE_READ, 0xd0000000u, 16) == 0, "read into no RAM");
	gprintf("EOF after %lu bytes, sum %x\n", n, sum);
	gprintf("bulk reads: %lu\n", calls);
}

/* Without the opt-in, the end of input changes nothing: DCD stays high. */
static void no_optin(void)
{
	uint64_t end = rdtsc() + 200ull * 1000 * 1000; /* ~0.1 s at any TSC rate here */

	while (rdtsc() < end)
		GUEST_ASSERT(inb(COM1 + 6) & 0x80, "DCD dropped without the opt-in");
	gprintf("DCD high\n");
}

int guest_main(int kind, uint64_t info)
{
	const char *mode = guest_arg("mode");

	if (mode && !strcmp(mode, "eof"))
		read_to_eof();
	else if (mode && !strcmp(mode, "bulk"))
		bulk_read_to_eof();
	else if (mode && !strcmp(mode, "noeof"))
		no_optin();
	else
		output();
	return 0;
}
#else
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/vmmtest.h"

static void test_output(void)
{
	struct vm_result r;
	size_t want_len = 1 + 65536 + 1 + 4;
	char *want = malloc(want_len);

	vmt_run_config(&r, vmt_config("console.elf", "mode=out", 1, 128), 30);
	CHECK_STATUS(&r, 0);
	want[0] = 'A';
	for (uint32_t i = 0; i < 65536; i++)
		want[1 + i] = (char)(uint8_t)(i * 7 + i / 251);
	memcpy(want + 65537, "BEND\n", 5);
	CHECK(r.out_len == want_len && memcmp(r.out, want, want_len) == 0,
	      "output differs from A + 64 KiB + B + END (%zu bytes, wanted %zu)", r.out_len,
	      want_len);
	CHECK(vmt_contains(r.err, r.err_len, "console: bad request"),
	      "the first bad request is not logged");
	CHECK(vmt_contains(r.err, r.err_len, "to stderr\n"), "the stderr stream is not on stderr");
	vmt_result_free(&r);
	free(want);
}

static void test_eof(const char *mode, const unsigned char *data, size_t n)
{
	const char *argv[] = { "--no-api", "--config-file", NULL, NULL };
	char want[64];
	uint32_t sum = 0;
	struct vm_result r;

	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + data[i];
	snprintf(want, sizeof(want), "EOF after %zu bytes, sum %x\n", n, sum);
	argv[2] = vmt_config("console.elf", mode, 1, 128);
	vmt_run(&r, argv, n ? data : NULL, n, 60);
	CHECK_STATUS(&r, 0);
	CHECK(vmt_contains(r.out, r.out_len, want), "wanted \"%.*s\"", (int)strlen(want) - 1, want);
	vmt_result_free(&r);
}

static void test_no_optin(void)
{
	struct vm_result r;

	vmt_run_config(&r, vmt_config("console.elf", "mode=noeof", 1, 128), 30);
	CHECK_STATUS(&r, 0);
	CHECK(vmt_contains(r.out, r.out_len, "DCD high"), "DCD dropped without the opt-in");
	vmt_result_free(&r);
}

int main(void)
{
	enum { N = 100000 };
	unsigned char *data = malloc(N);

	vmt_begin("console");
	vmt_require_kvm();
	for (int i = 0; i < N; i++)
		data[i] = (unsigned char)(i * 13 + 5);
	test_output();
	test_eof("mode=eof", data, N / 10); /* a byte per RBR read: slow on kvm_pvm */
	test_eof("mode=eof", NULL, 0);	    /* stdin is /dev/null: carrier lost at once */
	test_eof("mode=bulk", data, N);
	test_eof("mode=bulk", NULL, 0);
	test_no_optin();
	free(data);
	return vmt_end();
}
#endif
