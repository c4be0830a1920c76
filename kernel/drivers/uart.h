/* uart.h: the 8250/16550 serial console on COM1 (0x3f8, IRQ 4). */
#ifndef MOTE_DRIVERS_UART_H
#define MOTE_DRIVERS_UART_H

#include "lib/printf.h"
#include "lib/types.h"

/* Turn the FIFOs on. Output works at once and needs nothing else. */
void uart_init(void);
/* Write n bytes ("\n" becomes "\r\n"). Caller serialises (printk's console lock). */
void uart_write(const char *s, size_t n);
#define UART_STDOUT CONSOLE_STDOUT
#define UART_STDERR CONSOLE_STDERR

/*
 * Write n bytes to the program's stdout or stderr stream: through motevm's console port in
 * one VM exit when it has one (s must be physically contiguous: a kernel-image or direct-map
 * buffer; stderr then reaches motevm's stderr), else to COM1. Caller serialises.
 */
void uart_write_stream(int stream, const char *s, size_t n);
/* Read up to n bytes: sleeps for the first unless nonblock. Returns the count, 0 at the end
 * of input (motevm's stdin closed), -EAGAIN (nonblock, nothing there), or -EINTR when
 * interrupted (non-NULL) says so before a sleep: the tty passes signal_pending, which also
 * makes that sleep end when a signal arrives. */
long uart_read(char *buf, size_t n, bool nonblock, bool (*interrupted)(void));
/* Read one byte of input, sleeping until there is one; returns the byte (-1 at the end of
 * input). The first read
 * (of either kind) sets input up: IRQ 4 through the IOAPIC (after apic_init). */
int uart_getc(void);
/* Set input up now rather than at the first read (the console is a controlling terminal:
 * its ^C must come even if nobody reads). */
void uart_input_start(void);
/* True if input is waiting. */
bool uart_rx_pending(void);
/* Read one byte if there is one; returns it or -1. */
int uart_trygetc(void);

/* The kernel's own lines (the console sink's write) get "\r\n" for "\n" while on: the host
 * terminal's ONLCR is off (the console is a real terminal, fs/console_term.h). */
void uart_set_onlcr(bool on);

/* The console's sink (lib/printf.h), installed by uart_init. */
extern const struct console_sink uart_sink;

#endif /* MOTE_DRIVERS_UART_H */
