/* blk_req.h: one virtio-blk request (virtio 1.x, 5.2.6), engine-neutral: what the driver asked
 * (checked against the disk, never trusted), as an operation on the drive's file that the sync
 * engine (blk.c) runs at once and the io_uring engine (blk_uring.c) submits; then its status.
 * Requests that need no file operation (errors, get-ID, unsupported types) are answered by
 * blk_prepare itself. */
#ifndef MOTE_VMM_DEVICES_VIRTIO_BLK_REQ_H
#define MOTE_VMM_DEVICES_VIRTIO_BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio/queue.h"

struct virtio_blk;

#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2
#define BLK_RANGE_MAX_SECTORS (1u << 23) /* 4 GiB a discard or write-zeroes segment */

enum blk_op_kind {
	BLK_OP_DONE,   /* answered: status */
	BLK_OP_READ,   /* preadv iov at off, len bytes */
	BLK_OP_WRITE,  /* pwritev */
	BLK_OP_FLUSH,  /* fdatasync */
	BLK_OP_FALLOC, /* fallocate(mode, off, len) */
};

struct blk_op {
	enum blk_op_kind kind;
	uint8_t status;	  /* BLK_OP_DONE: the answer */
	uint64_t written; /* bytes for the driver's buffers before the status, if it succeeds */
	uint64_t off, len;
	int mode;  /* BLK_OP_FALLOC */
	bool hint; /* a discard: a file system without holes still answers OK */
	int niov;
	struct iovec iov[VQ_SIZE_MAX];
};

/* The request in chain C (which has a status byte) as an operation on B's file. */
void blk_prepare(struct virtio_blk *b, const struct vq_chain *c, struct blk_op *op);
/* Runs OP on B's file now (the sync engine): what the system call returned (-errno). */
long blk_execute(struct virtio_blk *b, struct blk_op *op);
/* OP done with result RES (bytes or 0, or -errno): its status, counted in B's metrics. */
uint8_t blk_complete(struct virtio_blk *b, const struct blk_op *op, long res);

#endif /* MOTE_VMM_DEVICES_VIRTIO_BLK_REQ_H */
