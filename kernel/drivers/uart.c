/* uart.c: 8250/16550 console on COM1. Output polls the transmitter (one LSR read per FIFO
 * load); input arrives by IRQ 4 into a ring buffer that readers sleep on. */
#include "drivers/uart.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/traps.h"
#include "core/sched/wait.h"
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

static void put_burst(const char *s, size_t n)
{
	while (!(inb(COM1 + LSR) & LSR_THRE))
		cpu_relax();
	while (n--)
		outb(COM1 + THR, (uint8_t)*s++);
}

void uart_write(const char *s, size_t n)
{
	char burst[FIFO_DEPTH];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			if (k == FIFO_DEPTH) {
				put_burst(burst, k);
				k = 0;
			}
			burst[k++] = '\r';
		}
		if (k == FIFO_DEPTH) {
			put_burst(burst, k);
			k = 0;
		}
		burst[k++] = s[i];
	}
	if (k)
		put_burst(burst, k);
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
