/* tty.h: the console terminal (/dev/console, /dev/tty, the program's standard descriptors):
 * reads from the UART's input, writes to it, answers the terminal ioctls. */
#ifndef MOTE_FS_TTY_H
#define MOTE_FS_TTY_H

#include "lib/types.h"

struct file_ops;
struct ldisc;

extern const struct file_ops tty_fops;

/*
 * f->priv of the program's standard descriptors (linux/run.c): TTY_STDIN, TTY_STDOUT or
 * TTY_STDERR, which end of motevm's console the file is. Output to TTY_STDERR goes to
 * motevm's stderr; and where motevm's end is not a terminal (MOTE_CPUID_CONSOLE), the file is
 * not one either: terminal ioctls fail with ENOTTY, so isatty() agrees with the host's.
 * Other opens of /dev/console or /dev/tty (priv NULL) are the terminal, output on stdout.
 */
#define TTY_STDIN ((void *)1)
#define TTY_STDOUT ((void *)2)
#define TTY_STDERR ((void *)3)

/* Called by the UART driver when input arrived (wakes pollers). */
void tty_rx_notify(void);

/*
 * The console as a controlling terminal. Its line discipline (fs/ldisc.h) holds only that
 * state, the session and the foreground group: the data path stays raw (above). The console
 * answers TIOCGPGRP, TIOCSPGRP, TIOCSCTTY, TIOCNOTTY and TIOCGSID through it, with Linux's
 * checks (fs/ldisc_ioctl.h), and job control applies to its reads (SIGTTIN), its writes under
 * TOSTOP and TCSETS* (SIGTTOU) from a background group.
 *
 * tty_console_start(sid), once at the first program's start: if the console is a terminal
 * (one of motevm's or mote's ends is: MOTE_CPUID_CONSOLE, --console-ttys), it becomes the
 * controlling terminal of session sid with group sid in the foreground, and its input is set
 * up at once; returns its ldisc, or NULL when it is not a terminal (a program run with its
 * ends redirected has none, as natively under a harness without a terminal).
 */
struct ldisc *tty_console_start(int sid);
/* Input from the UART (the driver calls it for each byte, under its lock): the signal the
 * byte stands for when it is the console's VINTR (SIGINT), VQUIT (SIGQUIT) or VSUSP (SIGTSTP)
 * under ISIG, the console being a controlling terminal and stdin a terminal; else 0. Such a
 * byte is not input (the queue is not flushed, unlike Linux's). */
int tty_rx_signal_char(uint8_t c);
/* Send sig to the console's foreground group (the UART driver, with no lock held; maybe in
 * its interrupt handler). */
void tty_rx_signal(int sig);

#endif /* MOTE_FS_TTY_H */
