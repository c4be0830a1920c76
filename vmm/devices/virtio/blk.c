/* blk.c: the virtio block device (see blk.h). A request is a 16-byte header (type, sector) the
 * device reads, data, and a status byte, the last byte the device may write. Whatever the
 * driver puts there, the device answers with a status (an I/O error for a sector past the end,
 * a length that is not whole sectors, a write to a read-only drive) and never touches the file
 * outside the disk; only a request with no room for its status breaks the device. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "config/config.h"
#include "devices/virtio/blk.h"
#include "log.h"

#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_FLUSH (1ull << 9)
#define BLK_F_DISCARD (1ull << 13)
#define BLK_F_WRITE_ZEROES (1ull << 14)
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_DISCARD 11
#define T_WRITE_ZEROES 13
#define RANGE_LEN 16		     /* a discard or write-zeroes segment: sector, count, flags */
#define RANGE_MAX_SECTORS (1u << 23) /* 4 GiB a segment */
#define WZ_UNMAP 1		     /* write-zeroes may leave a hole */
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define HDR_LEN 16

/* Copies LEN bytes at OFF of the chain's readable part into DST; false if too short. */
static bool read_out(const struct vq_chain *c, uint64_t off, void *dst, size_t len)
{
	uint8_t *d = dst;

	for (unsigned i = 0; i < c->nr_out && len; i++) {
		size_t n;

		if (off >= c->iov[i].iov_len) {
			off -= c->iov[i].iov_len;
			continue;
		}
		n = c->iov[i].iov_len - off < len ? c->iov[i].iov_len - off : len;
		memcpy(d, (uint8_t *)c->iov[i].iov_base + off, n);
		d += n;
		len -= n;
		off = 0;
	}
	return len == 0;
}

/* Bytes [SKIP, SKIP + LEN) of IOV[0..N) as iovecs in OUT; their count. */
static int slice(const struct iovec *iov, unsigned n, uint64_t skip, uint64_t len,
		 struct iovec *out)
{
	int k = 0;

	for (unsigned i = 0; i < n && len; i++) {
		uint64_t take;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - skip < len ? iov[i].iov_len - skip : len;
		out[k].iov_base = (uint8_t *)iov[i].iov_base + skip;
		out[k++].iov_len = take;
		len -= take;
		skip = 0;
	}
	return k;
}

/* All of IOV at file offset OFF, read or written; false on an error or a short transfer. */
static bool transfer(int fd, bool write, struct iovec *iov, int n, uint64_t off)
{
	while (n > 0) {
		ssize_t r =
			write ? pwritev(fd, iov, n, (off_t)off) : preadv(fd, iov, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		off += (uint64_t)r;
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= (ssize_t)iov->iov_len;
			iov++, n--;
		}
		if (n > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return true;
}

/* A read or write of DATA bytes at SECTOR: its status. */
static uint8_t read_write(struct virtio_blk *b, const struct vq_chain *c, bool write,
			  uint64_t sector, uint64_t data)
{
	struct iovec iov[VQ_SIZE_MAX];
	int n;

	if (data % BLK_SECTOR || sector > b->sectors || data / BLK_SECTOR > b->sectors - sector) {
		b->stats.invalid_reqs++;
		return S_IOERR;
	}
	if (write && b->read_only) {
		b->stats.invalid_reqs++;
		return S_IOERR;
	}
	n = write ? slice(c->iov, c->nr_out, HDR_LEN, data, iov)
		  : slice(c->iov + c->nr_out, c->nr_in, 0, data, iov);
	if (!transfer(b->fd, write, iov, n, sector * BLK_SECTOR)) {
		b->stats.execute_fails++;
		return S_IOERR;
	}
	if (write) {
		b->stats.write_count++;
		b->stats.write_bytes += data;
	} else {
		b->stats.read_count++;
		b->stats.read_bytes += data;
	}
	return S_OK;
}

/* Discard or write-zeroes: one segment (max_discard_seg and max_write_zeroes_seg are 1). A
 * discard is a hint: a file system that cannot punch holes still answers OK. */
static uint8_t ranges(struct virtio_blk *b, const struct vq_chain *c, bool zeroes)
{
	uint8_t seg[RANGE_LEN];
	uint64_t sector;
	uint32_t count, flags;
	int mode;

	if (b->read_only || c->out_len != HDR_LEN + RANGE_LEN || !read_out(c, HDR_LEN, seg, 16)) {
		b->stats.invalid_reqs++;
		return S_IOERR;
	}
	memcpy(&sector, seg, 8);
	memcpy(&count, seg + 8, 4);
	memcpy(&flags, seg + 12, 4);
	if (count > RANGE_MAX_SECTORS || sector > b->sectors || count > b->sectors - sector ||
	    (flags & ~(uint32_t)WZ_UNMAP) || (!zeroes && flags)) {
		b->stats.invalid_reqs++;
		return S_IOERR;
	}
	mode = zeroes && !(flags & WZ_UNMAP) ? FALLOC_FL_ZERO_RANGE
					     : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	if (count &&
	    fallocate(b->fd, mode, (off_t)(sector * BLK_SECTOR), (off_t)count * BLK_SECTOR) < 0 &&
	    zeroes) {
		b->stats.execute_fails++;
		return S_IOERR;
	}
	return S_OK;
}

/* One request: its status, with *WRITTEN the bytes put in the driver's buffers before it. */
static uint8_t request(struct virtio_blk *b, const struct vq_chain *c, uint64_t *written)
{
	uint8_t hdr[HDR_LEN], id[BLK_ID_BYTES] = { 0 };
	uint64_t room = c->in_len - 1, sector; /* the writable bytes before the status */
	uint32_t type;

	*written = 0;
	if (!read_out(c, 0, hdr, sizeof(hdr))) {
		b->stats.invalid_reqs++;
		return S_IOERR;
	}
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	switch (type) {
	case T_IN:
		*written = room;
		return read_write(b, c, false, sector, room);
	case T_OUT:
		return read_write(b, c, true, sector, c->out_len - HDR_LEN);
	case T_FLUSH:
		if (!b->flush)
			return S_UNSUPP;
		b->stats.flush_count++;
		if (fdatasync(b->fd) < 0) {
			b->stats.execute_fails++;
			return S_IOERR;
		}
		return S_OK;
	case T_DISCARD:
	case T_WRITE_ZEROES:
		if (!b->ranges)
			return S_UNSUPP;
		return ranges(b, c, type == T_WRITE_ZEROES);
	case T_GET_ID:
		memcpy(id, b->drive_id, strnlen(b->drive_id, sizeof(id)));
		*written = room < sizeof(id) ? room : sizeof(id);
		vq_chain_write(c, 0, id, *written);
		return S_OK;
	default:
		b->stats.invalid_reqs++;
		return S_UNSUPP;
	}
}

static void notify(struct virtio_dev *d, unsigned qi)
{
	struct virtio_blk *b = d->priv;
	struct vq *q = &d->queues[qi];
	struct vq_chain *c = &d->chain;
	unsigned done = 0;
	const char *why;
	int r;

	b->stats.queue_events++;
	for (;;) {
		uint64_t written;
		uint8_t status;

		r = vq_pop(q, c, &why);
		if (r < 0) {
			virtio_broken(d, why);
			break;
		}
		if (r == 0 && !vq_enable_notify(q))
			break;
		if (r == 0)
			continue;
		if (c->in_len < 1) {
			virtio_broken(d, "a request without a status byte");
			break;
		}
		status = request(b, c, &written);
		vq_chain_write(c, c->in_len - 1, &status, 1);
		vq_push(q, c->head, (uint32_t)(status == S_OK ? written + 1 : 1));
		done++;
	}
	if (done)
		virtio_queue_done(d, qi);
}

static void config_read(struct virtio_dev *d, uint64_t off, uint8_t *data, unsigned len)
{
	struct virtio_blk *b = d->priv;
	uint8_t cfg[60] = { 0 };
	uint32_t seg_max = VQ_SIZE_MAX - 2, one = 1, max = RANGE_MAX_SECTORS;

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

static int activate(struct virtio_dev *d)
{
	return 0;
}

static const struct virtio_dev_ops blk_ops = {
	.config_read = config_read,
	.activate = activate,
	.notify = notify,
};

/* Opens CFG's file; its size in whole sectors in *SECTORS, whether it is a regular file in
 * *REGULAR. The fd, or -1 after logging. */
static int open_file(const struct drive_config *cfg, uint64_t *sectors, bool *regular)
{
	int fd = open(cfg->path_on_host, (cfg->is_read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
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
	return b;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
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
