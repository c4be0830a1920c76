/* inode.c: reading and writing ext4 inodes in the inode tables (through the block cache). */
#include "fs/ext4/inode.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "fs/vfs.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "drivers/virtio/blk.h"
#include "fs/ext4/journal.h"

/* The checksum of an inode's size bytes: seed, inode number, generation, then the inode
 * with its two checksum fields taken as zero. */
static uint32_t inode_csum(const struct ext4_fs *fs, uint32_t nr, const uint8_t *raw, uint32_t size,
			   bool has_hi)
{
	const struct ext4_inode *i = (const void *)raw;
	uint32_t lo_at = offsetof(struct ext4_inode, i_checksum_lo);
	uint32_t hi_at = offsetof(struct ext4_inode, i_checksum_hi);
	uint16_t zero = 0;
	uint32_t c = crc32c_raw(fs->csum_seed, &nr, 4);

	c = crc32c_raw(c, &i->i_generation, 4);
	c = crc32c_raw(c, raw, lo_at);
	c = crc32c_raw(c, &zero, 2);
	if (!has_hi)
		return crc32c_raw(c, raw + lo_at + 2, size - lo_at - 2);
	c = crc32c_raw(c, raw + lo_at + 2, hi_at - lo_at - 2);
	c = crc32c_raw(c, &zero, 2);
	return crc32c_raw(c, raw + hi_at + 2, size - hi_at - 2);
}

int ext4_inode_read(struct ext4_fs *fs, uint32_t nr, struct ext4_inode *out)
{
	uint32_t g, idx, size = fs->inode_size;
	uint64_t off, blk;
	const uint8_t *raw;
	struct bbuf *b;
	int r;

	if (!nr || (nr - 1) / fs->inodes_per_group >= fs->groups)
		return -EINVAL;
	g = (nr - 1) / fs->inodes_per_group;
	idx = (nr - 1) % fs->inodes_per_group;
	off = (uint64_t)idx * size;
	blk = fs->inode_table[g] + off / fs->block_size;
	r = ext4_block_get(fs, blk, &b);
	if (r)
		return r;
	raw = b->data + off % fs->block_size;
	memset(out, 0, sizeof(*out));
	memcpy(out, raw, MIN(size, sizeof(*out)));
	if (size > EXT4_GOOD_OLD_INODE_SIZE &&
	    EXT4_GOOD_OLD_INODE_SIZE + out->i_extra_isize > size) {
		r = -EBADMSG;
		printk(LOG_ERR, "ext4: %s: inode %u: bad extra size %u\n", fs->dev->name, nr,
		       out->i_extra_isize);
	} else if (fs->csum) {
		bool has_hi = size > EXT4_GOOD_OLD_INODE_SIZE && out->i_extra_isize >= 4;
		uint32_t want =
			out->i_checksum_lo | (has_hi ? (uint32_t)out->i_checksum_hi << 16 : 0);
		uint32_t got = inode_csum(fs, nr, raw, size, has_hi);

		if (!has_hi)
			got &= 0xffff;
		if (got != want) {
			r = -EBADMSG;
			printk(LOG_ERR, "ext4: %s: inode %u: bad checksum\n", fs->dev->name, nr);
		}
	}
	ext4_block_put(fs, b);
	/* unused fields of a small extra area must not be taken for times */
	if (!r && size > EXT4_GOOD_OLD_INODE_SIZE && out->i_extra_isize < sizeof(*out) - 128)
		memset((uint8_t *)out + 128 + out->i_extra_isize, 0,
		       sizeof(*out) - 128 - out->i_extra_isize);
	return r;
}

/* A time: 32 signed bits of seconds, and in the extra field (when the inode has it) two more
 * bits of epoch and the nanoseconds. */
static struct timespec64 timeof(uint32_t lo, uint32_t extra)
{
	return (struct timespec64){ (int64_t)(int32_t)lo + ((int64_t)(extra & 3) << 32),
				    (int64_t)(extra >> 2) };
}

void ext4_inode_attrs(const struct ext4_fs *fs, const struct ext4_inode *raw, struct inode *ino)
{
	uint64_t blocks = raw->i_blocks_lo;

	ino->mode = raw->i_mode;
	ino->uid = raw->i_uid | (uint32_t)raw->i_uid_high << 16;
	ino->gid = raw->i_gid | (uint32_t)raw->i_gid_high << 16;
	ino->nlink = raw->i_links_count;
	ino->size = raw->i_size_lo | (uint64_t)raw->i_size_high << 32;
	if (fs->ro_compat & RO_COMPAT_HUGE_FILE) {
		blocks |= (uint64_t)raw->i_blocks_high << 32;
		if (raw->i_flags & EXT4_HUGE_FILE_FL) /* counted in file-system blocks */
			blocks *= fs->block_size / 512;
	}
	ino->blocks = blocks;
	ino->atime = timeof(raw->i_atime, raw->i_atime_extra);
	ino->mtime = timeof(raw->i_mtime, raw->i_mtime_extra);
	ino->ctime = timeof(raw->i_ctime, raw->i_ctime_extra);
}

/* Under the handle: len bytes of src as the start of inode nr (with fresh, the rest zeroed,
 * else kept), then its checksum. */
static int put(struct ext4_fs *fs, uint32_t nr, const void *src, uint32_t len, bool fresh)
{
	uint32_t size = fs->inode_size, idx;
	uint64_t off;
	uint8_t *at;
	struct bbuf *b;
	int r;

	if (!nr || (nr - 1) / fs->inodes_per_group >= fs->groups)
		return -EINVAL;
	idx = (nr - 1) % fs->inodes_per_group;
	off = (uint64_t)idx * size;
	r = ext4_tx_get(fs, fs->inode_table[(nr - 1) / fs->inodes_per_group] + off / fs->block_size,
			&b);
	if (r)
		return r;
	at = b->data + off % fs->block_size;
	if (fresh)
		memset(at, 0, size);
	memcpy(at, src, MIN(size, len));
	if (fs->csum) {
		struct ext4_inode *i = (void *)at;
		bool has_hi = size > EXT4_GOOD_OLD_INODE_SIZE && i->i_extra_isize >= 4;
		uint32_t c = inode_csum(fs, nr, at, size, has_hi);

		i->i_checksum_lo = (uint16_t)c;
		if (has_hi)
			i->i_checksum_hi = (uint16_t)(c >> 16);
	}
	return 0;
}

int ext4_inode_write(struct ext4_fs *fs, uint32_t nr, struct ext4_inode *raw, bool fresh)
{
	uint32_t len = EXT4_GOOD_OLD_INODE_SIZE;

	/* only the fields the inode has: extended attributes may follow a small extra area */
	if (fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE)
		len += MIN(raw->i_extra_isize, (uint32_t)sizeof(*raw) - EXT4_GOOD_OLD_INODE_SIZE);
	return put(fs, nr, raw, len, fresh);
}

int ext4_inode_read_whole(struct ext4_fs *fs, uint32_t nr, uint8_t *buf)
{
	struct ext4_inode raw;
	uint32_t size = fs->inode_size;
	uint64_t off;
	struct bbuf *b;
	int r = ext4_inode_read(fs, nr, &raw); /* checked */

	if (r)
		return r;
	off = (uint64_t)((nr - 1) % fs->inodes_per_group) * size;
	r = ext4_block_get(
		fs, fs->inode_table[(nr - 1) / fs->inodes_per_group] + off / fs->block_size, &b);
	if (r)
		return r;
	memcpy(buf, b->data + off % fs->block_size, size);
	ext4_block_put(fs, b);
	return 0;
}

int ext4_inode_write_whole(struct ext4_fs *fs, uint32_t nr, const uint8_t *buf)
{
	return put(fs, nr, buf, fs->inode_size, false);
}

/* Seconds into the low 32 bits; and the extra field: epoch bits and nanoseconds. */
static uint32_t time_lo(struct timespec64 t)
{
	return (uint32_t)t.sec;
}

static uint32_t time_extra(struct timespec64 t)
{
	return (uint32_t)(((t.sec - (int64_t)(int32_t)(uint32_t)t.sec) >> 32) & 3) |
	       (uint32_t)t.nsec << 2;
}

void ext4_inode_set_attrs(const struct ext4_fs *fs, struct ext4_inode *raw, const struct inode *ino)
{
	uint32_t extra = fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE ? raw->i_extra_isize : 0;
	uint64_t blocks = ino->blocks;

	raw->i_mode = (uint16_t)ino->mode;
	raw->i_uid = (uint16_t)ino->uid;
	raw->i_uid_high = (uint16_t)(ino->uid >> 16);
	raw->i_gid = (uint16_t)ino->gid;
	raw->i_gid_high = (uint16_t)(ino->gid >> 16);
	raw->i_links_count = (uint16_t)ino->nlink;
	raw->i_size_lo = (uint32_t)ino->size;
	raw->i_size_high = (uint32_t)(ino->size >> 32);
	raw->i_flags &= ~EXT4_HUGE_FILE_FL;
	if (blocks >> 32 && (fs->ro_compat & RO_COMPAT_HUGE_FILE) && blocks >> 48) {
		raw->i_flags |= EXT4_HUGE_FILE_FL; /* counted in file-system blocks */
		blocks /= fs->block_size / 512;
	}
	raw->i_blocks_lo = (uint32_t)blocks;
	raw->i_blocks_high = (fs->ro_compat & RO_COMPAT_HUGE_FILE) ? (uint16_t)(blocks >> 32) : 0;
	raw->i_atime = time_lo(ino->atime);
	raw->i_mtime = time_lo(ino->mtime);
	raw->i_ctime = time_lo(ino->ctime);
	if (extra >= 8)
		raw->i_ctime_extra = time_extra(ino->ctime);
	if (extra >= 12)
		raw->i_mtime_extra = time_extra(ino->mtime);
	if (extra >= 16)
		raw->i_atime_extra = time_extra(ino->atime);
}
