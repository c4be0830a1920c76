/* console.h: the virtio console device's driver (virtio 1.x, 5.3). The program's stdout goes
 * out through port 0's transmit queue, a whole buffer a notification, instead of the UART's
 * byte at a time. With MULTIPORT (motevm's --virtio-console, QEMU's virtio-serial) the ports
 * are found by the control queues at probe: stderr goes to the port named "mote.stderr", and
 * stdin comes from the port named "mote.stdin" (motevm: port 0; mote's QEMU: a port of its
 * own), read from receive buffers posted in advance, end of input being the host closing
 * that port (VIRTIO_CONSOLE_PORT_OPEN 0) once its last buffer was read. Without such ports,
 * stderr shares port 0 and stdin stays on the UART (a terminal's input always does). */
#ifndef MOTE_DRIVERS_VIRTIO_CONSOLE_H
#define MOTE_DRIVERS_VIRTIO_CONSOLE_H

#include "lib/types.h"

struct virtio_dev;

/* The driver's probe (mmio.c's table). */
int virtio_console_probe(struct virtio_dev *d) __must_check;

/* True once a virtio console carries stdout. */
bool virtio_console_active(void);

/* Write n bytes at buf (physically contiguous: a kernel-image or direct-map buffer, left
 * alone until this returns) to the console, stdout's port or (to_stderr) stderr's: n, or
 * -ENODEV (none, or it went wrong: the caller falls back to the UART). A host end that takes
 * nothing holds the caller here, without a deadline. The caller
 * serialises. */
long virtio_console_write(bool to_stderr, const void *buf, size_t n);

/* True if stdin comes through a virtio console port. */
bool virtio_console_has_input(void);

/* Read up to n bytes of stdin into the user buffer ubuf: sleeps for the first unless
 * nonblock. The count, 0 at the end of input, -EAGAIN (nonblock, nothing there), -EINTR when
 * interrupted() says so before a sleep, -EFAULT, -ENODEV (no input port). */
long virtio_console_read(void *ubuf, size_t n, bool nonblock, bool (*interrupted)(void));

/* A new size of the host's terminal since the last call: true, and *rows, *cols. It comes as
 * the console port's RESIZE control message (virtio 5.3.6.2: columns, then rows; motevm), or
 * as "ROWS COLS\n" lines on the port named "mote.winsize" (mote's QEMU). */
bool virtio_console_winsize(uint16_t *rows, uint16_t *cols);

/* True if a read would not sleep (input waiting, or its end). */
bool virtio_console_rx_pending(void);

#endif /* MOTE_DRIVERS_VIRTIO_CONSOLE_H */
