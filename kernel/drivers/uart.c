/* uart.c: 8250/16550 console on COM1. Output polls the transmitter (one LSR read per FIFO
 * load, then the FIFO's worth in one `rep outsb`); input arrives by IRQ 4 into a ring buffer
 * that readers sleep on. */
#include "drivers/uart.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/traps.h"
#include "core/sched/wait.h"
#include "fs/tty.h"
#include "lib/spinlock.h"

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
#define LSR_THRE 0x20
#define FIFO_DEPTH 16

static struct spinlock rx_lock = SPINLOCK_INIT;
static struct waitq rx_wait = WAITQ_INIT(rx_wait);
static char rx_buf[256];
static uint32_t rx_head, rx_tail;

/*
 * Every port access is a VM exit (~30 us on kvm_pvm), so the boot programs only the FIFO:
 * emulated 8250s (QEMU, Firecracker, motevm) send any byte written to THR whatever the
 * divisor and line settings. Input is set up on first use (input_setup).
 */
void uart_init(void)
{
	outb(COM1 + FCR, 0x01); /* FIFOs on (not cleared: input may be there) */
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

/* Move received bytes into the ring; caller holds rx_lock. */
static void rx_drain(void)
{
	while (inb(COM1 + LSR) & LSR_DR) {
		char c = (char)inb(COM1 + RBR);

		if (rx_head - rx_tail < sizeof(rx_buf))
			rx_buf[rx_head++ % sizeof(rx_buf)] = c;
	}
	waitq_wake_all(&rx_wait);
	if (rx_head != rx_tail)
		tty_rx_notify();
}

static void uart_irq(struct trapframe *tf)
{
	uint64_t f = spin_lock(&rx_lock);

	rx_drain();
	spin_unlock(&rx_lock, f);
}

/* Line settings, IRQ 4 through the IOAPIC, receive interrupts: once, at the first read. */
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
		trap_set_handler(vec, uart_irq);
		ioapic_route(UART_IRQ, vec);
		outb(COM1 + IER, 0x01); /* receive data available */
		/* Bytes that arrived before are not announced by an interrupt: take them now. */
		spin_lock_raw(&rx_lock);
		rx_drain();
		spin_unlock_raw(&rx_lock);
		done = true;
	}
	spin_unlock(&setup_lock, f);
}

int uart_trygetc(void)
{
	uint64_t f;

	input_setup();
	f = spin_lock(&rx_lock);
	int c = -1;

	if (rx_head != rx_tail)
		c = (unsigned char)rx_buf[rx_tail++ % sizeof(rx_buf)];
	spin_unlock(&rx_lock, f);
	return c;
}

bool uart_rx_pending(void)
{
	input_setup();
	return READ_ONCE(rx_head) != READ_ONCE(rx_tail);
}

int uart_getc(void)
{
	uint64_t f;

	input_setup();
	f = spin_lock(&rx_lock);
	int c;

	while (rx_head == rx_tail)
		(void)waitq_sleep(&rx_wait, &rx_lock, 0);
	c = (unsigned char)rx_buf[rx_tail++ % sizeof(rx_buf)];
	spin_unlock(&rx_lock, f);
	return c;
}
