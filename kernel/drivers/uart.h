/* uart.h: the 8250/16550 serial console on COM1 (0x3f8, IRQ 4). */
#ifndef MOTE_DRIVERS_UART_H
#define MOTE_DRIVERS_UART_H

#include "lib/types.h"

/* Program COM1 (115200 8N1, FIFOs on). Usable at once; needs nothing else. */
void uart_init(void);
/* Write n bytes ("\n" becomes "\r\n"). Caller serialises (printk's console lock). */
void uart_write(const char *s, size_t n);
/* Route IRQ 4 through the IOAPIC and enable receive interrupts (after apic_init). */
void uart_init_irq(void);
/* Read one byte of input, sleeping until there is one; returns the byte. */
int uart_getc(void);
/* Read one byte if there is one; returns it or -1. */
int uart_trygetc(void);

#endif /* MOTE_DRIVERS_UART_H */
