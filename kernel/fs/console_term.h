/* console_term.h: the console as a real terminal. When both the host's stdin and stdout are
 * terminals (the user at one: `mote run -it`), the console's data goes through a line
 * discipline (fs/ldisc.h) as a pty slave's does: input is echoed and edited a line at a time
 * in canonical mode, ^C, ^\ and ^Z are ISIG's, output gets OPOST's processing (the host's
 * terminal is left raw, ONLCR and ISIG off, by motevm and mote). The settings start as the
 * host terminal's were (--console-termios), else Linux's defaults.
 *
 * A kernel thread moves the UART's input into the ldisc (echoes included) and the ldisc's
 * output to the host: programs' writes and echoes in one ordered stream on stdout. */
#ifndef MOTE_FS_CONSOLE_TERM_H
#define MOTE_FS_CONSOLE_TERM_H

#include "lib/types.h"

struct ldisc;

/* Take over ld (already ldisc_init'ed, its session set): give it the terminal ops, the
 * settings of --console-termios if given and the window rows x cols, start the thread.
 * Returns 0, or -ENOMEM (no thread: the console stays raw). */
int console_term_start(struct ldisc *ld, uint16_t rows, uint16_t cols);
/* Whether the console is a real terminal (console_term_start succeeded). */
bool console_term_on(void);
/* Input arrived from the UART (fs/tty.c's tty_rx_notify, maybe in its interrupt). */
void console_term_kick(void);
/* Send what the ldisc holds for the host now (a writer, after ldisc_write). May sleep. */
void console_term_flush(void);

/* fs/tty.c's: write n bytes of a kernel buffer to the host's stdout or stderr (UART_STDOUT,
 * UART_STDERR), serialised with the console's other output. May sleep. */
void tty_out(int stream, const char *kbuf, size_t n);

#endif /* MOTE_FS_CONSOLE_TERM_H */
