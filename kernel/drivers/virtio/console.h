/* console.h: the virtio console device's driver (virtio 1.x, 5.3), port 0 only: the program's
 * stdout and stderr go out through its transmit queue, a whole buffer a notification, instead
 * of the UART's byte at a time (the kernel's messages and stdin stay on the UART). */
#ifndef MOTE_DRIVERS_VIRTIO_CONSOLE_H
#define MOTE_DRIVERS_VIRTIO_CONSOLE_H

#include "lib/types.h"

struct virtio_dev;

/* The driver's probe (mmio.c's table). */
int virtio_console_probe(struct virtio_dev *d) __must_check;

/* True once a virtio console carries stdout. */
bool virtio_console_active(void);

/* Write n bytes at buf (physically contiguous: a kernel-image or direct-map buffer, left
 * alone until this returns) to the console: n, or -ENODEV (none, or it stopped taking
 * output: the caller falls back to the UART). The caller serialises. */
long virtio_console_write(const void *buf, size_t n);

#endif /* MOTE_DRIVERS_VIRTIO_CONSOLE_H */
