/* jbd2.c: the internal journal of a mounted ext4: its inode's blocks as runs, its superblock,
 * the encodings of tags and the checksums of log blocks (crc32c seeded with its UUID). */
#include "fs/ext4/jbd2.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/super.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static const uint8_t zero4[4];

static uint32_t super_csum(const struct jbd2_super *s)
{
	uint32_t at = offsetof(struct jbd2_super, s_checksum);
	uint32_t c = crc32c_raw(~0u, s, at);

	c = crc32c_raw(c, zero4, 4);
	return crc32c_raw(c, (const uint8_t *)s + at + 4, sizeof(*s) - at - 4);
}

/* Add n blocks at pblk for lblk on to the runs (merged with the last when contiguous). */
static int add_run(struct jbd2 *j, uint32_t lblk, uint64_t pblk, uint32_t n, unsigned *cap)
{
	struct jbd2_run *last = j->nruns ? &j->runs[j->nruns - 1] : NULL;

	if (last && last->pblk + last->len == pblk) {
		last->len += n;
		return 0;
	}
	if (j->nruns == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 8;
		struct jbd2_run *nr = kmalloc(ncap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		if (j->runs)
			memcpy(nr, j->runs, j->nruns * sizeof(*nr));
		kfree(j->runs);
		j->runs = nr;
		*cap = ncap;
	}
	j->runs[j->nruns++] = (struct jbd2_run){ lblk, n, pblk };
	return 0;
}

/* The journal inode's blocks, all of them mapped (a hole is corruption). */
static int map_inode(struct jbd2 *j, uint32_t inum, uint32_t *nblocks)
{
	struct ext4_fs *fs = j->fs;
	struct ext4_inode raw;
	uint64_t size;
	unsigned cap = 0;
	int r = ext4_inode_read(fs, inum, &raw);

	if (r)
		return r;
	if (!(raw.i_flags & EXT4_EXTENTS_FL)) {
		printk(LOG_ERR, "ext4: %s: a block-mapped journal inode is not supported\n",
		       fs->dev->name);
		return -EOPNOTSUPP;
	}
	size = raw.i_size_lo | (uint64_t)raw.i_size_high << 32;
	if (size / fs->block_size > 0xffffffffu)
		return -EINVAL;
	*nblocks = (uint32_t)(size / fs->block_size);
	for (uint32_t l = 0; l < *nblocks;) {
		uint64_t pblk;
		uint32_t count;

		r = ext4_extent_map(fs, inum, raw.i_block, l, &pblk, &count);
		if (r)
			return r;
		if (!pblk) {
			printk(LOG_ERR, "ext4: %s: the journal inode has a hole at block %u\n",
			       fs->dev->name, l);
			return -EINVAL;
		}
		count = MIN(count, *nblocks - l);
		r = add_run(j, l, pblk, count, &cap);
		if (r)
			return r;
		l += count;
	}
	return 0;
}

/* The superblock's fields checked against the inode; its features taken. */
static int check_super(struct jbd2 *j, uint32_t nblocks)
{
	const struct jbd2_super *s = j->s;
	const char *dev = j->fs->dev->name;
	uint32_t type = be32(s->s_header.h_blocktype);

	if (be32(s->s_header.h_magic) != JBD2_MAGIC ||
	    (type != JBD2_SUPER_V1 && type != JBD2_SUPER_V2)) {
		printk(LOG_ERR, "ext4: %s: no journal superblock in the journal inode\n", dev);
		return -EINVAL;
	}
	j->maxlen = be32(s->s_maxlen);
	j->first = be32(s->s_first);
	if (be32(s->s_blocksize) != j->fs->block_size || j->maxlen > nblocks ||
	    j->maxlen < JBD2_MIN_BLOCKS || !j->first || j->first >= j->maxlen) {
		printk(LOG_ERR,
		       "ext4: %s: corrupt journal superblock (block size %u, %u blocks from %u, "
		       "inode of %u)\n",
		       dev, be32(s->s_blocksize), j->maxlen, j->first, nblocks);
		return -EINVAL;
	}
	if (type == JBD2_SUPER_V2) {
		j->compat = be32(s->s_feature_compat);
		j->incompat = be32(s->s_feature_incompat);
	}
	j->csum = j->incompat & (JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3);
	if (j->csum &&
	    (s->s_checksum_type != JBD2_CRC32C_CHKSUM || be32(s->s_checksum) != super_csum(s))) {
		printk(LOG_ERR, "ext4: %s: bad journal superblock checksum\n", dev);
		return -EBADMSG;
	}
	j->seed = crc32c_raw(~0u, s->s_uuid, sizeof(s->s_uuid));
	return 0;
}

int jbd2_open(struct ext4_fs *fs, struct jbd2 *j)
{
	uint32_t nblocks = 0;
	int r;

	memset(j, 0, sizeof(*j));
	j->fs = fs;
	if (!fs->journal_inum) {
		printk(LOG_ERR, "ext4: %s: an external journal is not supported\n", fs->dev->name);
		return -EOPNOTSUPP;
	}
	r = map_inode(j, fs->journal_inum, &nblocks);
	if (r)
		goto err;
	r = -EINVAL;
	if (!nblocks)
		goto err;
	r = -ENOMEM;
	j->sb = kmalloc(fs->block_size);
	if (!j->sb)
		goto err;
	j->s = (struct jbd2_super *)j->sb;
	r = jbd2_read(j, 0, j->sb);
	if (!r)
		r = check_super(j, nblocks);
	if (r)
		goto err;
	return 0;
err:
	if (r == -EIO || r == -ENOMEM)
		printk(LOG_ERR, "ext4: %s: cannot read the journal (error %d)\n", fs->dev->name, r);
	jbd2_close(j);
	return r;
}

void jbd2_close(struct jbd2 *j)
{
	kfree(j->runs);
	kfree(j->sb);
	j->runs = NULL;
	j->sb = NULL;
	j->s = NULL;
	j->nruns = 0;
}

uint64_t jbd2_phys(const struct jbd2 *j, uint32_t lblk)
{
	unsigned lo = 0, hi = j->nruns;

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (j->runs[mid].lblk <= lblk)
			lo = mid;
		else
			hi = mid;
	}
	return j->runs[lo].pblk + (lblk - j->runs[lo].lblk);
}

uint32_t jbd2_next(const struct jbd2 *j, uint32_t lblk)
{
	return lblk + 1 >= j->maxlen ? j->first : lblk + 1;
}

int jbd2_read(const struct jbd2 *j, uint32_t lblk, void *buf)
{
	uint32_t bs = j->fs->block_size;

	return blk_read(j->fs->dev, jbd2_phys(j, lblk) * (bs / BLK_SECTOR_SIZE), buf, bs);
}

int jbd2_write_super(struct jbd2 *j)
{
	uint32_t bs = j->fs->block_size;

	if (j->csum) {
		j->s->s_checksum_type = JBD2_CRC32C_CHKSUM;
		j->s->s_checksum = be32(super_csum(j->s));
	}
	return blk_write(j->fs->dev, jbd2_phys(j, 0) * (bs / BLK_SECTOR_SIZE), j->sb, bs);
}

size_t jbd2_tag_size(const struct jbd2 *j)
{
	if (j->incompat & JBD2_INCOMPAT_CSUM_V3)
		return sizeof(struct jbd2_tag3);
	return 8 + (j->incompat & JBD2_INCOMPAT_64BIT ? 4 : 0) +
	       (j->incompat & JBD2_INCOMPAT_CSUM_V2 ? 2 : 0);
}

void jbd2_tag_read(const struct jbd2 *j, const uint8_t *p, uint64_t *blk, uint32_t *flags)
{
	bool is64 = j->incompat & JBD2_INCOMPAT_64BIT;

	if (j->incompat & JBD2_INCOMPAT_CSUM_V3) {
		struct jbd2_tag3 t;

		memcpy(&t, p, sizeof(t));
		*blk = be32(t.t_blocknr) | (is64 ? (uint64_t)be32(t.t_blocknr_high) << 32 : 0);
		*flags = be32(t.t_flags);
	} else {
		struct jbd2_tag t = { 0 };

		memcpy(&t, p, is64 ? 12 : 8);
		*blk = be32(t.t_blocknr) | (is64 ? (uint64_t)be32(t.t_blocknr_high) << 32 : 0);
		*flags = be16(t.t_flags);
	}
}

void jbd2_tag_write(const struct jbd2 *j, uint8_t *p, uint64_t blk, uint32_t flags, uint32_t csum)
{
	bool is64 = j->incompat & JBD2_INCOMPAT_64BIT;

	if (j->incompat & JBD2_INCOMPAT_CSUM_V3) {
		struct jbd2_tag3 t = { be32((uint32_t)blk), be32(flags),
				       is64 ? be32((uint32_t)(blk >> 32)) : 0, be32(csum) };

		memcpy(p, &t, sizeof(t));
	} else {
		struct jbd2_tag t = { be32((uint32_t)blk), j->csum ? be16((uint16_t)csum) : 0,
				      be16((uint16_t)flags), be32((uint32_t)(blk >> 32)) };

		memset(p, 0, jbd2_tag_size(j));
		memcpy(p, &t, is64 ? 12 : 8);
	}
}

bool jbd2_tag_csum_ok(const struct jbd2 *j, const uint8_t *p, uint32_t csum)
{
	if (j->incompat & JBD2_INCOMPAT_CSUM_V3) {
		struct jbd2_tag3 t;

		memcpy(&t, p, sizeof(t));
		return be32(t.t_checksum) == csum;
	}
	if (j->incompat & JBD2_INCOMPAT_CSUM_V2) {
		struct jbd2_tag t;

		memcpy(&t, p, 8);
		return be16(t.t_checksum) == (uint16_t)csum;
	}
	return true;
}

uint32_t jbd2_copy_csum(const struct jbd2 *j, uint32_t seq, const void *data, bool escaped)
{
	uint32_t s = be32(seq), c = crc32c_raw(j->seed, &s, 4);

	c = crc32c_raw(c, escaped ? zero4 : data, 4);
	return crc32c_raw(c, (const uint8_t *)data + 4, j->fs->block_size - 4);
}

void jbd2_tail_set(const struct jbd2 *j, void *blk)
{
	uint32_t at = j->fs->block_size - sizeof(struct jbd2_tail);
	uint32_t c = crc32c_raw(crc32c_raw(j->seed, blk, at), zero4, 4);

	c = be32(c);
	memcpy((uint8_t *)blk + at, &c, 4);
}

bool jbd2_tail_ok(const struct jbd2 *j, const void *blk)
{
	uint32_t at = j->fs->block_size - sizeof(struct jbd2_tail);
	uint32_t c = crc32c_raw(crc32c_raw(j->seed, blk, at), zero4, 4), want;

	if (!j->csum)
		return true;
	memcpy(&want, (const uint8_t *)blk + at, 4);
	return be32(want) == c;
}

/* The commit block's checksum: the block with h_chksum[0] taken as 0. */
static uint32_t commit_csum(const struct jbd2 *j, const void *blk)
{
	uint32_t at = offsetof(struct jbd2_commit, h_chksum);
	uint32_t c = crc32c_raw(j->seed, blk, at);

	c = crc32c_raw(c, zero4, 4);
	return crc32c_raw(c, (const uint8_t *)blk + at + 4, j->fs->block_size - at - 4);
}

void jbd2_commit_set(const struct jbd2 *j, void *blk)
{
	struct jbd2_commit *c = blk;

	if (!j->csum)
		return;
	c->h_chksum_type = 0;
	c->h_chksum_size = 0;
	c->h_chksum[0] = be32(commit_csum(j, blk));
}

bool jbd2_commit_ok(const struct jbd2 *j, const void *blk)
{
	const struct jbd2_commit *c = blk;

	return !j->csum || be32(c->h_chksum[0]) == commit_csum(j, blk);
}
