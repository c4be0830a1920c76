/* blk_req.c: a virtio-blk request as an operation on the drive's file (see blk_req.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "devices/virtio/blk_req.h"

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_DISCARD 11
#define T_WRITE_ZEROES 13
#define HDR_LEN 16
#define RANGE_LEN 16 /* a discard or write-zeroes segment: sector, count, flags */
#define WZ_UNMAP 1   /* write-zeroes may leave a hole */

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

static void done(struct blk_op *op, uint8_t status)
{
	op->kind = BLK_OP_DONE;
	op->status = status;
}

static void invalid(struct virtio_blk *b, struct blk_op *op)
{
	b->stats.invalid_reqs++;
	done(op, BLK_S_IOERR);
}

/* Whether COUNT sectors from SECTOR lie on the disk (overflow-safe). */
static bool on_disk(const struct virtio_blk *b, uint64_t sector, uint64_t count)
{
	return sector <= b->sectors && count <= b->sectors - sector;
}

/* A read or write of DATA bytes at SECTOR. */
static void read_write(struct virtio_blk *b, const struct vq_chain *c, bool write, uint64_t sector,
		       uint64_t data, struct blk_op *op)
{
	if (data % BLK_SECTOR || !on_disk(b, sector, data / BLK_SECTOR) ||
	    (write && b->read_only)) {
		invalid(b, op);
		return;
	}
	op->kind = write ? BLK_OP_WRITE : BLK_OP_READ;
	op->off = sector * BLK_SECTOR;
	op->len = data;
	op->niov = write ? slice(c->iov, c->nr_out, HDR_LEN, data, op->iov)
			 : slice(c->iov + c->nr_out, c->nr_in, 0, data, op->iov);
}

/* Discard or write-zeroes: one segment (max_discard_seg and max_write_zeroes_seg are 1). */
static void ranges(struct virtio_blk *b, const struct vq_chain *c, bool zeroes, struct blk_op *op)
{
	uint8_t seg[RANGE_LEN];
	uint64_t sector;
	uint32_t count, flags;

	if (b->read_only || c->out_len != HDR_LEN + RANGE_LEN ||
	    !read_out(c, HDR_LEN, seg, sizeof(seg))) {
		invalid(b, op);
		return;
	}
	memcpy(&sector, seg, 8);
	memcpy(&count, seg + 8, 4);
	memcpy(&flags, seg + 12, 4);
	if (count > BLK_RANGE_MAX_SECTORS || !on_disk(b, sector, count) ||
	    (flags & ~(uint32_t)WZ_UNMAP) || (!zeroes && flags)) {
		invalid(b, op);
		return;
	}
	if (!count) {
		done(op, BLK_S_OK);
		return;
	}
	op->kind = BLK_OP_FALLOC;
	op->mode = zeroes && !(flags & WZ_UNMAP) ? FALLOC_FL_ZERO_RANGE
						 : FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	op->hint = !zeroes;
	op->off = sector * BLK_SECTOR;
	op->len = (uint64_t)count * BLK_SECTOR;
}

void blk_prepare(struct virtio_blk *b, const struct vq_chain *c, struct blk_op *op)
{
	uint8_t hdr[HDR_LEN], id[BLK_ID_BYTES] = { 0 };
	uint64_t room = c->in_len - 1, sector; /* the writable bytes before the status */
	uint32_t type;

	op->written = 0;
	op->hint = false;
	if (!read_out(c, 0, hdr, sizeof(hdr))) {
		invalid(b, op);
		return;
	}
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	switch (type) {
	case T_IN:
		op->written = room;
		read_write(b, c, false, sector, room, op);
		break;
	case T_OUT:
		read_write(b, c, true, sector, c->out_len - HDR_LEN, op);
		break;
	case T_FLUSH:
		if (b->flush)
			op->kind = BLK_OP_FLUSH;
		else
			done(op, BLK_S_UNSUPP);
		break;
	case T_DISCARD:
	case T_WRITE_ZEROES:
		if (b->ranges)
			ranges(b, c, type == T_WRITE_ZEROES, op);
		else
			done(op, BLK_S_UNSUPP);
		break;
	case T_GET_ID:
		memcpy(id, b->drive_id, strnlen(b->drive_id, sizeof(id)));
		op->written = room < sizeof(id) ? room : sizeof(id);
		vq_chain_write(c, 0, id, op->written);
		done(op, BLK_S_OK);
		break;
	default:
		b->stats.invalid_reqs++;
		done(op, BLK_S_UNSUPP);
	}
}

long blk_execute(struct virtio_blk *b, struct blk_op *op)
{
	switch (op->kind) {
	case BLK_OP_READ:
	case BLK_OP_WRITE:
		return transfer(b->fd, op->kind == BLK_OP_WRITE, op->iov, op->niov, op->off)
			       ? (long)op->len
			       : -EIO;
	case BLK_OP_FLUSH:
		return fdatasync(b->fd) < 0 ? -errno : 0;
	case BLK_OP_FALLOC:
		return fallocate(b->fd, op->mode, (off_t)op->off, (off_t)op->len) < 0 ? -errno : 0;
	default:
		return 0;
	}
}

uint8_t blk_complete(struct virtio_blk *b, const struct blk_op *op, long res)
{
	bool ok = op->kind == BLK_OP_READ || op->kind == BLK_OP_WRITE ? res == (long)op->len
								      : res == 0 || op->hint;

	if (op->kind == BLK_OP_DONE)
		return op->status;
	if (!ok) {
		b->stats.execute_fails++;
		return BLK_S_IOERR;
	}
	if (op->kind == BLK_OP_READ) {
		b->stats.read_count++;
		b->stats.read_bytes += op->len;
	} else if (op->kind == BLK_OP_WRITE) {
		b->stats.write_count++;
		b->stats.write_bytes += op->len;
	} else if (op->kind == BLK_OP_FLUSH) {
		b->stats.flush_count++;
	}
	return BLK_S_OK;
}
