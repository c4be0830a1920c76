/* tty.h: the console terminal (/dev/console, /dev/tty, the program's standard descriptors):
 * reads from the UART's input, writes to it, answers the terminal ioctls. */
#ifndef MOTE_FS_TTY_H
#define MOTE_FS_TTY_H

struct file_ops;

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

#endif /* MOTE_FS_TTY_H */
