/* blk.h: virtio-blk (virtio 1.x, 5.2) for Firecracker's "drives": a file (or block device) on
 * the host as the guest's disk, read and written with preadv/pwritev on motevm's event loop
 * (io_engine Sync: every request of a notification before one interrupt) or through io_uring
 * (Async: many in flight, blk_uring.h). */
#ifndef MOTE_VMM_DEVICES_VIRTIO_BLK_H
#define MOTE_VMM_DEVICES_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/blk_req.h"
#include "devices/virtio/mmio.h"

struct blk_uring;
struct drive_config;

#define BLK_SECTOR 512
#define BLK_ID_BYTES 20 /* VIRTIO_BLK_T_GET_ID's answer */

/* Firecracker's block metrics (totals). */
struct virtio_blk_stats {
	uint64_t read_bytes, write_bytes, read_count, write_count, flush_count;
	uint64_t invalid_reqs, execute_fails, queue_events;
};

struct virtio_blk {
	struct virtio_dev dev;
	char name[80];	   /* "block rootfs" */
	char drive_id[64]; /* "rootfs" */
	int fd;
	uint64_t sectors; /* capacity */
	bool read_only;
	bool flush;  /* cache_type Writeback: FLUSH offered, honoured by fdatasync */
	bool ranges; /* DISCARD and WRITE_ZEROES offered (a writable regular file) */
	struct virtio_blk_stats stats;
	struct virtio_blk_stats reported; /* at the last metrics line */
	struct blk_op op;		  /* the sync engine's request (under the lock) */
	struct blk_uring *uring;	  /* io_engine Async; NULL: Sync */
};

/*
 * Creates the device for CFG in SLOT, opening its file. NULL after logging why (a file that
 * cannot be opened is the configuration's fault: *BAD_CONFIG is set then).
 */
struct virtio_blk *virtio_blk_create(const struct virtio_env *env, unsigned slot,
				     const struct drive_config *cfg, bool *bad_config);
void virtio_blk_destroy(struct virtio_blk *b);
/* PATCH /drives/{id} path_on_host after boot: the drive's file becomes PATH (opened as the
 * drive was), its capacity PATH's, and the driver hears of the change (a configuration
 * interrupt, the generation counted up). 0, or -1 with ERR set (the old file stays). */
int virtio_blk_set_file(struct virtio_blk *b, const char *path, char *err, size_t size);
/* The engines' next request of queue Q into C: 1; 0 when the queue is drained (notifications
 * asked for again); -1 when the driver broke the rules (the device is then broken). */
int blk_next(struct virtio_dev *d, struct vq *q, struct vq_chain *c);
/* The counters since the last call (for a metrics line), also added to SUM. Any thread. */
struct virtio_blk_stats virtio_blk_stats_since(struct virtio_blk *b, struct virtio_blk_stats *sum);

#endif /* MOTE_VMM_DEVICES_VIRTIO_BLK_H */
