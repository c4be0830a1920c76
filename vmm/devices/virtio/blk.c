/* blk.c: the virtio block device (see blk.h). A request is a 16-byte header (type, sector) the
 * device reads, data, and a status byte, the last byte the device may write. Whatever the
 * driver puts there, the device answers with a status (an I/O error for a sector past the end,
 * a length that is not whole sectors, a write to a read-only drive) and never touches the file
 * outside the disk; only a request with no room for its status breaks the device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "config/config.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/blk_req.h"
#include "devices/virtio/blk_uring.h"
#include "inherit.h"
#include "log.h"

#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_FLUSH (1ull << 9)
#define BLK_F_DISCARD (1ull << 13)
#define BLK_F_WRITE_ZEROES (1ull << 14)

int blk_next(struct virtio_dev *d, struct vq *q, struct vq_chain *c)
{
	const char *why;
	int r;

	r = vq_next(q, c, &why);
	if (r < 0) {
		virtio_broken(d, why);
		return -1;
	}
	if (r && c->in_len < 1) {
		virtio_broken(d, "a request without a status byte");
		return -1;
	}
	return r;
}

/* The sync engine: each request run at once, on the event loop. */
static void notify(struct virtio_dev *d, unsigned qi)
{
	struct virtio_blk *b = d->priv;
	struct vq *q = &d->queues[qi];
	struct vq_chain *c = &d->chain;
	unsigned done = 0;

	b->stats.queue_events++;
	if (b->uring) {
		blk_uring_notify(b->uring, qi);
		return;
	}
	while (blk_next(d, q, c) > 0) {
		uint8_t status;

		blk_prepare(b, c, &b->op);
		status = blk_complete(b, &b->op, blk_execute(b, &b->op));
		vq_chain_write(c, c->in_len - 1, &status, 1);
		vq_push(q, c->head, (uint32_t)(status == BLK_S_OK ? b->op.written + 1 : 1));
		done++;
	}
	if (done)
		virtio_queue_done(d, qi);
}

static void config_read(struct virtio_dev *d, uint64_t off, uint8_t *data, unsigned len)
{
	struct virtio_blk *b = d->priv;
	uint8_t cfg[60] = { 0 };
	uint32_t seg_max = VQ_SIZE_MAX - 2, one = 1, max = BLK_RANGE_MAX_SECTORS;

	memcpy(cfg, &b->sectors, 8);
	memcpy(cfg + 12, &seg_max, 4); /* the header and the status take two */
	memcpy(cfg + 36, &max, 4);     /* max_discard_sectors */
	memcpy(cfg + 40, &one, 4);     /* max_discard_seg */
	memcpy(cfg + 44, &one, 4);     /* discard_sector_alignment */
	memcpy(cfg + 48, &max, 4);     /* max_write_zeroes_sectors */
	memcpy(cfg + 52, &one, 4);     /* max_write_zeroes_seg */
	cfg[56] = 1;		       /* write_zeroes_may_unmap */
	if (off < sizeof(cfg))
		memcpy(data, cfg + off, off + len <= sizeof(cfg) ? len : sizeof(cfg) - off);
}

static void reset(struct virtio_dev *d)
{
	struct virtio_blk *b = d->priv;

	if (b->uring) /* nothing in flight may land in the rings the driver reuses */
		blk_uring_drain(b->uring);
}

static const struct virtio_dev_ops blk_ops = {
	.config_read = config_read,
	.notify = notify,
	.reset = reset,
};

/* Opens CFG's file; its size in whole sectors in *SECTORS, whether it is a regular file in
 * *REGULAR. The fd, or -1 after logging. */
static int open_file(const struct drive_config *cfg, uint64_t *sectors, bool *regular)
{
	int fd = inherit_open(cfg->path_on_host,
			      (cfg->is_read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	struct stat st;
	off_t size;

	if (fd < 0) {
		int e = errno;

		log_err("drives %s: cannot open %s: %s", cfg->drive_id, cfg->path_on_host,
			strerror(e));
		errno = e; /* for the caller's message */
		return -1;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size < 0) {
		log_err("drives %s: %s: %s", cfg->drive_id, cfg->path_on_host, strerror(errno));
		close(fd);
		return -1;
	}
	if (size % BLK_SECTOR)
		log_warn("drives %s: %s is not whole sectors: its last %lld bytes are left out",
			 cfg->drive_id, cfg->path_on_host, (long long)(size % BLK_SECTOR));
	*sectors = (uint64_t)size / BLK_SECTOR;
	*regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	return fd;
}

struct virtio_blk *virtio_blk_create(const struct virtio_env *env, unsigned slot,
				     const struct drive_config *cfg, bool *bad_config)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	bool regular = false;

	*bad_config = false;
	if (!b) {
		log_err("drives %s: out of memory", cfg->drive_id);
		return NULL;
	}
	b->fd = open_file(cfg, &b->sectors, &regular);
	if (b->fd < 0) {
		*bad_config = true;
		free(b);
		return NULL;
	}
	snprintf(b->name, sizeof(b->name), "block %s", cfg->drive_id);
	snprintf(b->drive_id, sizeof(b->drive_id), "%s", cfg->drive_id);
	b->read_only = cfg->is_read_only;
	b->flush = cfg->cache_type == CACHE_WRITEBACK;
	b->ranges = regular && !b->read_only; /* holes and zeroed ranges by fallocate */
	b->dev = (struct virtio_dev){
		.name = b->name,
		.device_id = VIRTIO_ID_BLOCK,
		.nr_queues = 1,
		.offered = VIRTIO_F_EVENT_IDX | BLK_F_SEG_MAX | (b->read_only ? BLK_F_RO : 0) |
			   (b->flush ? BLK_F_FLUSH : 0) |
			   (b->ranges ? BLK_F_DISCARD | BLK_F_WRITE_ZEROES : 0),
		.ops = &blk_ops,
		.priv = b,
	};
	if (virtio_dev_create(&b->dev, env, slot)) {
		virtio_blk_destroy(b);
		return NULL;
	}
	if (cfg->io_engine == IO_ENGINE_ASYNC && !(b->uring = blk_uring_create(b))) {
		*bad_config = !blk_uring_available(); /* Async on a host without io_uring */
		virtio_blk_destroy(b);
		return NULL;
	}
	return b;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
	blk_uring_destroy(b->uring);
	virtio_dev_destroy(&b->dev);
	close(b->fd);
	free(b);
}

struct virtio_blk_stats virtio_blk_stats_since(struct virtio_blk *b, struct virtio_blk_stats *sum)
{
	struct virtio_blk_stats d;

	/* all uint64_t: counted as arrays */
	_Static_assert(sizeof(d) == 8 * sizeof(uint64_t), "counters only");
	virtio_counters_since(&b->dev, (uint64_t *)&b->stats, (uint64_t *)&b->reported,
			      (uint64_t *)&d, (uint64_t *)sum, sizeof(d) / sizeof(uint64_t));
	return d;
}

int virtio_blk_set_file(struct virtio_blk *b, const char *path, char *err, size_t size)
{
	struct drive_config cfg = { .drive_id = b->drive_id,
				    .path_on_host = (char *)path,
				    .is_read_only = b->read_only };
	uint64_t sectors;
	bool regular;
	int fd = open_file(&cfg, &sectors, &regular), old;

	if (fd < 0) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&b->dev.lock);
	old = b->fd;
	b->fd = fd;
	b->sectors = sectors;
	b->dev.generation++;
	pthread_mutex_unlock(&b->dev.lock);
	close(old);
	virtio_interrupt(&b->dev, VIRTIO_INT_CONFIG); /* the capacity may have changed */
	log_info("drives %s: now %s (%llu sectors)", b->drive_id, path,
		 (unsigned long long)sectors);
	return 0;
}
