/* blk.h: the virtio block device's driver (virtio 1.x, 5.2) and the kernel's block devices,
 * named vda, vdb... in probe order (the order of the virtio_mmio.device= words). Requests go
 * straight between the caller's buffer and the device (no copy); many threads may do I/O at
 * once, each sleeping until its own requests are done. */
#ifndef MOTE_DRIVERS_VIRTIO_BLK_H
#define MOTE_DRIVERS_VIRTIO_BLK_H

#include "lib/types.h"

#define BLK_SECTOR_SIZE 512 /* the unit of sector numbers and capacities */
#define BLK_MAX_DEVS 26	    /* vda..vdz */

struct virtio_dev;
struct blk_queue;

/* A block device. Its fields are set at probe and read-only afterwards. */
struct blk_dev {
	char name[8];		   /* "vda", "vdb", ... */
	uint64_t sectors;	   /* capacity, in 512-byte sectors */
	uint32_t block_size;	   /* logical block size (VIRTIO_BLK_F_BLK_SIZE; else 512) */
	bool ro;		   /* read-only (VIRTIO_BLK_F_RO): writes are -EROFS */
	char serial[21];	   /* its ID (VIRTIO_BLK_T_GET_ID), NUL-ended; "" if none */
	uint64_t features;	   /* the feature bits negotiated */
	uint32_t max_discard;	   /* sectors a discard request at most; 0: no discard */
	uint32_t max_write_zeroes; /* the same for write-zeroes; 0: not supported */
	struct blk_queue *q;	   /* the driver's */
};

/* The driver's probe (mmio.c's table): features, configuration, the request queue, the ID;
 * prints one line (name, size, ro or rw, serial). 0 or -errno. */
int virtio_blk_probe(struct virtio_dev *d) __must_check;

/* The number of block devices, and device index (0: vda), NULL past the last. */
int blk_count(void);
struct blk_dev *blk_get(int index);

/*
 * Read or write n bytes at sector into/from buf: n a multiple of the device's block size,
 * sector a multiple of it in 512-byte units, buf any kernel address (no alignment needed)
 * that stays mapped until the call returns. Large transfers are split into requests the
 * device's limits allow, several in flight. Thread context; sleeps. Returns 0, or -EINVAL
 * (misaligned, or past the capacity: nothing reaches the device), -EROFS (a write to a
 * read-only device), -EFAULT (buf not mapped), -EIO (the device reported an error, or
 * stopped answering for 30 s: it is reset then and all later I/O is -EIO). A failed write
 * may have written part of the range.
 */
int blk_read(struct blk_dev *b, uint64_t sector, void *buf, size_t n) __must_check;
int blk_write(struct blk_dev *b, uint64_t sector, const void *buf, size_t n) __must_check;

/* Make the writes done so far durable (VIRTIO_BLK_T_FLUSH; without VIRTIO_BLK_F_FLUSH the
 * device writes through, and this is 0 at once). 0, -EIO. */
int blk_flush(struct blk_dev *b) __must_check;

/* Zero count sectors from sector (VIRTIO_BLK_T_WRITE_ZEROES; unmap: the device may
 * deallocate them), or discard them (VIRTIO_BLK_T_DISCARD: their contents become
 * unspecified). Split as the device's limits need. 0, -EOPNOTSUPP (not negotiated), -EINVAL,
 * -EROFS, -EIO as for blk_write. */
int blk_write_zeroes(struct blk_dev *b, uint64_t sector, uint64_t count, bool unmap) __must_check;
int blk_discard(struct blk_dev *b, uint64_t sector, uint64_t count) __must_check;

/* The most requests b has had in flight at once so far (for the self-test). */
int blk_inflight_max(const struct blk_dev *b);

#endif /* MOTE_DRIVERS_VIRTIO_BLK_H */
