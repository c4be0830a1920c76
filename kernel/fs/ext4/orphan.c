/* orphan.c: the orphan list, a chain of inode numbers through i_dtime from s_last_orphan. */
#include "fs/ext4/orphan.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "lib/errno.h"

/* The superblock in its block, read-only or pinned for a change. */
static int super_get(struct ext4_fs *fs, bool change, struct bbuf **b, struct ext4_super **s)
{
	uint32_t off;
	uint64_t blk = ext4_super_block(fs, &off);
	int r = change ? ext4_tx_get(fs, blk, b) : ext4_block_get(fs, blk, b);

	if (!r)
		*s = (void *)((*b)->data + off);
	return r;
}

uint32_t ext4_orphan_first(struct ext4_fs *fs)
{
	struct ext4_super *s;
	struct bbuf *b;
	uint32_t nr;

	if (super_get(fs, false, &b, &s))
		return 0;
	nr = s->s_last_orphan;
	ext4_block_put(fs, b);
	return nr;
}

/* Set inode nr's next link (i_dtime). */
static int set_next(struct ext4_fs *fs, uint32_t nr, uint32_t next)
{
	struct ext4_inode raw;
	int r = ext4_inode_read(fs, nr, &raw);

	if (r)
		return r;
	raw.i_dtime = next;
	return ext4_inode_write(fs, nr, &raw, false);
}

int ext4_orphan_add(struct ext4_fs *fs, uint32_t nr)
{
	struct ext4_super *s;
	struct bbuf *b;
	int r = super_get(fs, true, &b, &s);

	if (!r)
		r = set_next(fs, nr, s->s_last_orphan);
	if (r)
		return r;
	s->s_last_orphan = nr;
	ext4_super_set_csum(s);
	return 0;
}

int ext4_orphan_remove(struct ext4_fs *fs, uint32_t nr)
{
	struct ext4_inode raw;
	struct ext4_super *s;
	struct bbuf *b;
	uint32_t prev = 0, cur;
	int r = super_get(fs, true, &b, &s);

	if (r)
		return r;
	cur = s->s_last_orphan;
	for (uint32_t n = 0; cur && n <= fs->inodes; n++) {
		r = ext4_inode_read(fs, cur, &raw);
		if (r)
			return r == -EINVAL ? -EIO : r;
		if (cur == nr) {
			if (prev)
				return set_next(fs, prev, raw.i_dtime);
			s->s_last_orphan = raw.i_dtime;
			ext4_super_set_csum(s);
			return 0;
		}
		prev = cur;
		cur = raw.i_dtime;
	}
	return cur ? -EIO : -ENOENT;
}
