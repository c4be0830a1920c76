/* uart.h: the 8250/16550 serial console on COM1 (0x3f8, IRQ 4). */
#ifndef MOTE_DRIVERS_UART_H
#define MOTE_DRIVERS_UART_H

#include "lib/types.h"

/* Turn the FIFOs on. Output works at once and needs nothing else. */
void uart_init(void);
/* Write n bytes ("\n" becomes "\r\n"). Caller serialises (printk's console lock). */
void uart_write(const char *s, size_t n);
/* Read one byte of input, sleeping until there is one; returns the byte. The first read
 * (of either kind) sets input up: IRQ 4 through the IOAPIC (after apic_init). */
int uart_getc(void);
/* True if input is waiting. */
bool uart_rx_pending(void);
/* Read one byte if there is one; returns it or -1. */
int uart_trygetc(void);

#endif /* MOTE_DRIVERS_UART_H */
