/* uart.c: 8250/16550 console on COM1. Output polls the transmitter (one LSR read per FIFO
 * load, then the FIFO's worth in one `rep outsb`), or goes through motevm's console port;
 * input arrives by IRQ 4 into a ring buffer that readers sleep on (taken through the console
 * port in bulk on motevm). */
#include "drivers/uart.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/traps.h"
#include "arch/x86_64/pvm.h"
#include "abi/mote_abi.h"
#include "core/sched/wait.h"
#include "fs/tty.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define COM1 0x3f8
#define UART_IRQ 4
#define RBR 0 /* receive buffer (DLAB 0) */
#define THR 0 /* transmit holding (DLAB 0) */
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR 0x01
#define MSR 6
#define MSR_DCD 0x80
#define IER_RDA 0x01
#define IER_MSI 0x08
#define LSR_THRE 0x20
#define FIFO_DEPTH 16

static struct spinlock rx_lock = SPINLOCK_INIT;
static struct waitq rx_wait = WAITQ_INIT(rx_wait);
static char rx_buf[4096];
static uint32_t rx_head, rx_tail;
static bool rx_throttled, rx_eof, eof_optin;
static uint32_t rx_sigs; /* signals special characters of the input asked for, to be sent */

/*
 * Every port access is a VM exit (~30 us on kvm_pvm), so the boot programs only the FIFO:
 * emulated 8250s (QEMU, Firecracker, motevm) send any byte written to THR whatever the
 * divisor and line settings. Input is set up on first use (input_setup).
 */
void uart_init(void)
{
	/* Turning the FIFOs on empties the receive side (a 16550 does, QEMU's does): keep the
	 * byte that may already wait in the holding register. motevm's UART keeps its input (and
	 * the look would cost a VM exit at every boot). */
	while (!mote_features && (inb(COM1 + LSR) & LSR_DR) && rx_head - rx_tail < sizeof(rx_buf))
		rx_buf[rx_head++ % sizeof(rx_buf)] = (char)inb(COM1 + RBR);
	outb(COM1 + FCR, 0x01);	      /* FIFOs on */
	console_set_sink(&uart_sink); /* printk works from here */
}

/*
 * After THRE the transmit FIFO has room for FIFO_DEPTH bytes: one `rep outsb` fills it, a
 * single VM exit for the whole burst where KVM batches string I/O (VMX/SVM hosts; kvm_pvm
 * emulates it one byte, one exit, at a time).
 */
static void put_burst(const char *s, size_t n)
{
	while (!(inb(COM1 + LSR) & LSR_THRE))
		cpu_relax();
	__asm__ volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(COM1 + THR) : "memory");
}

/*
 * Bytes go out exactly as given, '\n' untranslated: a program's output piped from the VMM
 * must arrive byte for byte, and a host terminal adds the carriage returns itself (motevm and
 * QEMU leave the terminal's output processing on).
 */
void uart_write(const char *s, size_t n)
{
	while (n) {
		size_t k = n < FIFO_DEPTH ? n : FIFO_DEPTH;

		put_burst(s, k);
		s += k;
		n -= k;
	}
}

/* motevm's console port reading COM1's input in bulk (MOTE_FEAT_CONSOLE_READ). Under rx_lock. */
static struct {
	uint64_t buf;
	uint32_t len, done, stream, reserved;
} rreq __aligned(8);

/*
 * Move what COM1 holds into the ring: on motevm one console-port exit per contiguous stretch of
 * room, else two port reads (LSR, RBR) per byte, ~70 us a byte on kvm_pvm. Lock held.
 */
static void rx_take(void)
{
	if (!(mote_features & MOTE_FEAT_CONSOLE_READ)) {
		while (rx_head - rx_tail < sizeof(rx_buf) && (inb(COM1 + LSR) & LSR_DR))
			rx_buf[rx_head++ % sizeof(rx_buf)] = (char)inb(COM1 + RBR);
		return;
	}
	while (rx_head - rx_tail < sizeof(rx_buf)) {
		uint32_t at = rx_head % sizeof(rx_buf);
		uint32_t room = MIN(sizeof(rx_buf) - at, sizeof(rx_buf) - (rx_head - rx_tail));

		rreq.buf = V2P_ANY(&rx_buf[at]);
		rreq.len = room;
		rreq.done = 0;
		rreq.stream = MOTE_CONSOLE_READ;
		outl(MOTE_CONSOLE_PORT, (uint32_t)KV2P(&rreq));
		rx_head += rreq.done;
		if (rreq.done < room)
			break;
	}
}

/* The bytes from `from` on that stand for a signal (the terminal's ^C, ^\, ^Z: fs/tty.c)
 * leave the ring; their signals are noted, for rx_unlock to send. Lock held. */
static void rx_special(uint32_t from)
{
	uint32_t out = from;

	for (uint32_t i = from; i != rx_head; i++) {
		char c = rx_buf[i % sizeof(rx_buf)];
		int sig = tty_rx_signal_char((uint8_t)c);

		if (sig > 0 && sig < 32)
			rx_sigs |= 1u << sig;
		else
			rx_buf[out++ % sizeof(rx_buf)] = c;
	}
	rx_head = out;
}

/* Drop rx_lock, then send the signals the input asked for: with no lock held, as a signal
 * interrupts the readers sleeping under rx_lock. */
static void rx_unlock(uint64_t f)
{
	uint32_t sigs = rx_sigs;

	rx_sigs = 0;
	spin_unlock(&rx_lock, f);
	for (int sig = 1; sigs; sig++) {
		if (sigs & (1u << sig)) {
			sigs &= ~(1u << sig);
			tty_rx_signal(sig);
		}
	}
}

/* Move received bytes into the ring; caller holds rx_lock. A full ring stops the receive
 * interrupt (the bytes wait in the VMM) until a reader makes room. */
static void rx_drain(void)
{
	uint32_t from = rx_head;

	rx_take();
	rx_special(from);
	if (rx_head - rx_tail == sizeof(rx_buf) && !rx_throttled) {
		rx_throttled = true;
		outb(COM1 + IER, eof_optin ? IER_MSI : 0);
	}
	/* Reading MSR also acknowledges a modem-status interrupt (the line would stay raised).
	 * DCD drops only once the VMM holds no more input: the end is when the ring empties. */
	if (eof_optin && !(inb(COM1 + MSR) & MSR_DCD))
		rx_eof = true;
	waitq_wake_all(&rx_wait);
	if (rx_head != rx_tail || rx_eof)
		tty_rx_notify();
}

/* A reader took bytes: let input flow again once half the ring is free. Lock held. */
static void rx_unthrottle(void)
{
	if (rx_throttled && rx_head - rx_tail <= sizeof(rx_buf) / 2) {
		rx_throttled = false;
		outb(COM1 + IER, IER_RDA | (eof_optin ? IER_MSI : 0));
		rx_drain();
	}
}

static void uart_irq(struct trapframe *tf)
{
	uint64_t f = spin_lock(&rx_lock);

	rx_drain();
	rx_unlock(f);
}

/* Line settings, IRQ 4 through the IOAPIC, receive interrupts: once, at the first read. On
 * motevm, opt in to end of input (MOTE_FEAT_CONSOLE_EOF: DCD drops, with a modem-status
 * interrupt, once the host's stdin has ended and every byte was read). */
static void input_setup(void)
{
	static struct spinlock setup_lock = SPINLOCK_INIT;
	static volatile bool done;
	int vec = VEC_IRQ_BASE + UART_IRQ;
	uint64_t f;

	if (done)
		return;
	f = spin_lock(&setup_lock);
	if (!done) {
		outb(COM1 + LCR, 0x03); /* 8N1 */
		outb(COM1 + MCR, 0x0b); /* DTR, RTS, OUT2 (interrupts out) */
		if (mote_features & MOTE_FEAT_CONSOLE_EOF) {
			outb(MOTE_CONSOLE_CTL_PORT, MOTE_CONSOLE_CTL_EOF);
			eof_optin = true;
		}
		trap_set_handler(vec, uart_irq);
		ioapic_route(UART_IRQ, vec);
		outb(COM1 + IER, IER_RDA | (eof_optin ? IER_MSI : 0));
		/* Bytes that arrived before are not announced by an interrupt: take them now. */
		spin_lock_raw(&rx_lock);
		rx_drain();
		spin_unlock_raw(&rx_lock);
		done = true;
	}
	spin_unlock(&setup_lock, f);
	if (READ_ONCE(rx_sigs)) /* (a ^C that came before: sent now that no lock is held) */
		rx_unlock(spin_lock(&rx_lock));
}

void uart_input_start(void)
{
	input_setup();
}

int uart_trygetc(void)
{
	uint64_t f;
	int c = -1;

	input_setup();
	f = spin_lock(&rx_lock);
	if (rx_head != rx_tail) {
		c = (unsigned char)rx_buf[rx_tail++ % sizeof(rx_buf)];
		rx_unthrottle();
	}
	rx_unlock(f);
	return c;
}

bool uart_rx_pending(void)
{
	input_setup();
	return READ_ONCE(rx_head) != READ_ONCE(rx_tail) || READ_ONCE(rx_eof);
}

int uart_getc(void)
{
	uint64_t f;
	int c = -1;

	input_setup();
	f = spin_lock(&rx_lock);
	while (rx_head == rx_tail && !rx_eof)
		(void)waitq_sleep(&rx_wait, &rx_lock, 0);
	if (rx_head != rx_tail) {
		c = (unsigned char)rx_buf[rx_tail++ % sizeof(rx_buf)];
		rx_unthrottle();
	}
	rx_unlock(f);
	return c;
}

long uart_read(char *buf, size_t n, bool nonblock, bool (*interrupted)(void))
{
	uint64_t f;
	size_t k = 0;

	if (!n)
		return 0;
	input_setup();
	f = spin_lock(&rx_lock);
	while (rx_head == rx_tail && !rx_eof && !nonblock) {
		if (interrupted && interrupted()) {
			rx_unlock(f);
			return -EINTR;
		}
		(void)waitq_sleep(&rx_wait, &rx_lock, 0);
	}
	while (k < n && rx_head != rx_tail)
		buf[k++] = rx_buf[rx_tail++ % sizeof(rx_buf)];
	if (k)
		rx_unthrottle();
	rx_unlock(f);
	if (!k && !rx_eof)
		return -EAGAIN;
	return (long)k;
}

/* The console port (MOTE_FEAT_CONSOLE): a whole buffer in one VM exit, on stdout or stderr. */
static struct {
	uint64_t buf;
	uint32_t len, done, stream, reserved;
} creq __aligned(8);

void uart_write_stream(int stream, const char *s, size_t n)
{
	if (!(mote_features & MOTE_FEAT_CONSOLE) || n > MOTE_CONSOLE_MAX) {
		uart_write(s, n);
		return;
	}
	creq.buf = V2P_ANY(s);
	creq.len = (uint32_t)n;
	creq.done = 0;
	creq.stream = stream == UART_STDERR ? MOTE_CONSOLE_STDERR : MOTE_CONSOLE_STDOUT;
	outl(MOTE_CONSOLE_PORT, (uint32_t)KV2P(&creq));
}

/* The host terminal's ONLCR is off while the console is a real terminal (fs/console_term.h):
 * the kernel's own lines then carry their carriage returns. */
static bool log_onlcr;

void uart_set_onlcr(bool on)
{
	WRITE_ONCE(log_onlcr, on);
}

static void uart_log_write(const char *s, size_t n)
{
	while (n) {
		bool onlcr = READ_ONCE(log_onlcr);
		size_t k = 0;

		while (k < n && !(onlcr && s[k] == '\n'))
			k++;
		uart_write(s, k);
		if (k == n)
			break;
		uart_write("\r\n", 2);
		s += k + 1;
		n -= k + 1;
	}
}

const struct console_sink uart_sink = { .write = uart_log_write,
					.write_stream = uart_write_stream };
