/* tty.h: the console terminal (/dev/console, /dev/tty, the program's standard descriptors):
 * reads from the UART's input, writes to it, answers the terminal ioctls. */
#ifndef MOTE_FS_TTY_H
#define MOTE_FS_TTY_H

struct file_ops;

extern const struct file_ops tty_fops;

/* f->priv of a console file whose output is the program's stderr (else stdout). */
#define TTY_STDERR ((void *)2)

/* Called by the UART driver when input arrived (wakes pollers). */
void tty_rx_notify(void);

#endif /* MOTE_FS_TTY_H */
