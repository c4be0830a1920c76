/* bcache.h: a small block cache under a disk file system: a fixed number of 4 KiB buffers
 * holding the device's most recently used blocks (least recently used one reused first), so
 * that metadata read again and again (inode tables, extent index blocks, directories) is read
 * from the device once. A buffer's bytes may be changed in place by whoever pins it for a
 * change (ext4's journal, fs/ext4/journal.h): the cache itself never writes to the device;
 * what is changed is written home by its owner, who keeps it pinned until then. */
#ifndef MOTE_FS_BCACHE_H
#define MOTE_FS_BCACHE_H

#include "lib/types.h"

#define BCACHE_BUF_SIZE 4096

struct blk_dev;
struct bcache;

/* A cached block, pinned (not reused) from bcache_get until bcache_put. */
struct bbuf {
	uint8_t *data; /* the block's bytes (block_size of them) */
	uint64_t block;
};

/* A cache of nbufs buffers over dev's blocks of block_size bytes (512..4096, a power of two,
 * a multiple of the device's own block size). NULL when out of memory. */
struct bcache *bcache_create(struct blk_dev *dev, uint32_t block_size, unsigned nbufs);
/* Free the cache (no buffer may be pinned). */
void bcache_destroy(struct bcache *c);
/* Pin block (read from the device unless cached) into *out. Sleeps while every buffer is
 * pinned. 0, or the device's error (-EIO, -EINVAL past its end). */
int bcache_get(struct bcache *c, uint64_t block, struct bbuf **out) __must_check;
/* Pin block without reading it, its bytes zeroed (a block about to be written whole, e.g. one
 * just allocated). 0, or -ENOMEM never (sleeps for a buffer instead). */
int bcache_get_new(struct bcache *c, uint64_t block, struct bbuf **out) __must_check;
/* Unpin what bcache_get gave. */
void bcache_put(struct bcache *c, struct bbuf *b);
/* Counts since creation: lookups found in the cache, and reads from the device. */
void bcache_counts(const struct bcache *c, uint64_t *hits, uint64_t *misses);

#endif /* MOTE_FS_BCACHE_H */
