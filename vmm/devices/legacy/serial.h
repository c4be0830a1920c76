/* serial.h: 16550A UART on COM1: guest output to stdout, stdin to the guest. */
#ifndef MOTE_VMM_DEVICES_LEGACY_SERIAL_H
#define MOTE_VMM_DEVICES_LEGACY_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/devices.h"

struct vmm;
struct serial;

struct serial_stats {
	uint64_t write_count; /* bytes the guest sent (THR) */
	uint64_t read_count;  /* bytes the guest received (RBR) */
	uint64_t error_count; /* failed writes to stdout */
};

/*
 * Registers COM1 (ports 0x3f8-0x3ff, IRQ 4) on VMM's port bus and its stdin reader on the
 * event loop. Input is read only while the receive FIFO has room, so no byte is lost or
 * reordered; a terminal on stdin goes to raw mode (signals kept) until the device is
 * destroyed (which restores it) or the process exits. (Its create: 0 or -errno.)
 */
extern const struct device_ops serial_device;

struct serial_stats serial_get_stats(struct serial *s);

/*
 * Sends LEN guest bytes to COM1's output (stdout), in order with THR's bytes, or to motevm's
 * stderr, waiting while the output is full. Returns how many went out (fewer only if the output
 * failed or the VM stops). For the console port (console.c).
 */
size_t serial_output(struct serial *s, bool to_stderr, const uint8_t *buf, size_t len);
/*
 * Moves up to LEN received bytes (what RBR would give next, in order) into BUF, with the data
 * ready state, the receive interrupt and end of input updated as for RBR reads. Returns how
 * many (0 if none, or in loopback). For the console port's bulk reads.
 */
size_t serial_input(struct serial *s, uint8_t *buf, size_t len);
/* Another device (the virtio console) reads stdin from now on: COM1 stops watching it and
 * receives nothing more from it. */
void serial_release_input(struct serial *s);
/* The guest opted in to end of input as carrier loss (MOTE_FEAT_CONSOLE_EOF). */
void serial_enable_eof(struct serial *s);

#endif /* MOTE_VMM_DEVICES_LEGACY_SERIAL_H */
