/* console.h: virtio-console (virtio 1.x, 5.3) for motevm's stdin, stdout and stderr, with
 * MULTIPORT: port 0 is the console (stdin in, stdout out), port 1 carries stderr, so the two
 * stay apart. Input is read from stdin on the event loop into the driver's receive buffers, as
 * much as they hold a turn; end of input reaches the driver as port 0 closing
 * (VIRTIO_CONSOLE_PORT_OPEN 0) once every byte was delivered. Output is written a whole chain
 * at a time; a host end that cannot take more (a slow pipe) stops the transmit queue until it
 * is writable again: nothing is dropped, the event loop never blocks. A motevm extension
 * (--virtio-console), not Firecracker's. */
#ifndef MOTE_VMM_DEVICES_VIRTIO_CONSOLE_H
#define MOTE_VMM_DEVICES_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/mmio.h"
#include "event.h"

#define VCON_PORTS 2		       /* port 0: stdin/stdout; port 1: stderr */
#define VCON_NAME_STDIN "mote.stdin"   /* the port that carries stdin */
#define VCON_NAME_STDERR "mote.stderr" /* the port that carries stderr */
#define VCON_PENDING_MAX 16	       /* control messages waiting for the driver's buffers */

/* Counters (totals), for motevm's metrics ("vconsole"). */
struct virtio_console_stats {
	uint64_t rx_bytes, rx_buffers, rx_queue_events, rx_input_events;
	uint64_t tx_bytes, tx_err_bytes, tx_buffers, tx_queue_events, tx_blocked, tx_fails;
	uint64_t ctrl_msgs, bad_ctrl_msgs;
};

/* One port's host end for output, and the chain it is in the middle of writing. */
struct vcon_out {
	int fd;
	bool pollable;	 /* a pipe, socket or terminal: watched for writability */
	bool blocked;	 /* a write would block: the queue waits for EPOLLOUT */
	bool held;	 /* chain is popped and partly written (off bytes) */
	int saved_flags; /* fcntl flags before O_NONBLOCK (-1: untouched) */
	uint64_t off;
	struct event_handler ev;
	struct vq_chain chain;
};

struct virtio_console {
	struct virtio_dev dev;
	int in_fd; /* -1: no input through this device */
	bool in_pollable, in_watched, in_eof, in_wanted;
	int in_saved_flags;
	struct event_handler in_ev;
	struct vcon_out out[VCON_PORTS];
	/* the control side (MULTIPORT) */
	bool ready;		     /* DEVICE_READY from the driver */
	bool port_ready[VCON_PORTS]; /* PORT_READY */
	bool guest_open[VCON_PORTS]; /* the driver's PORT_OPEN */
	bool eof_sent;		     /* PORT_OPEN 0 for port 0 went out */
	uint8_t pending[VCON_PENDING_MAX][8 + 16];
	unsigned pending_len[VCON_PENDING_MAX], npending;
	struct virtio_console_stats stats;
	struct virtio_console_stats reported; /* at the last metrics line */
};

/*
 * Creates the device in SLOT. IN_FD (or -1) is read for port 0's input; OUT_FD and ERR_FD take
 * ports 0's and 1's output. Pipes and sockets are made non-blocking (their flags restored by
 * destroy). NULL after logging.
 */
struct virtio_console *virtio_console_create(const struct virtio_env *env, unsigned slot, int in_fd,
					     int out_fd, int err_fd);
void virtio_console_destroy(struct virtio_console *c);
/* The host terminal is now ROWS x COLS: a RESIZE control message for port 0 (virtio 5.3.6.2:
 * columns, then rows), once the driver made the port ready. The event loop's thread. */
void virtio_console_resize(struct virtio_console *c, uint16_t rows, uint16_t cols);
/* The counters since the last call (for a metrics line). Any thread. */
struct virtio_console_stats virtio_console_stats_since(struct virtio_console *c);

#endif /* MOTE_VMM_DEVICES_VIRTIO_CONSOLE_H */
