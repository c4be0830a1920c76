/* journal.c: transactions. For now without the jbd2 journal: a commit writes the
 * transaction's blocks straight to their homes after a flush of the data before them, which
 * keeps the order ordered mode needs but not atomicity across a crash. */
#include "fs/ext4/journal.h"
#include "fs/ext4/alloc.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define TX_MAX_BLOCKS 32 /* a transaction that has pinned this many commits at its handle's end */

struct ext4_journal {
	struct bbuf *bufs[TX_MAX_BLOCKS * 2];
	unsigned n;
	bool broken; /* a commit failed: nothing more is written */
};

int ext4_journal_mount(struct ext4_fs *fs, bool rw)
{
	fs->rw = rw;
	mutex_init(&fs->wlock);
	fs->jnl = kzalloc(sizeof(*fs->jnl));
	return fs->jnl ? 0 : -ENOMEM;
}

void ext4_tx_begin(struct ext4_fs *fs)
{
	mutex_lock(&fs->wlock);
}

static int pin(struct ext4_fs *fs, uint64_t blk, bool fresh, struct bbuf **out)
{
	struct ext4_journal *j = fs->jnl;
	int r;

	if (j->broken || !fs->rw)
		return -EROFS;
	if (blk >= fs->blocks)
		return -EIO;
	for (unsigned i = 0; i < j->n; i++)
		if (j->bufs[i]->block == blk) {
			if (fresh)
				memset(j->bufs[i]->data, 0, fs->block_size);
			*out = j->bufs[i];
			return 0;
		}
	if (j->n == ARRAY_SIZE(j->bufs))
		return -ENOSPC; /* a handle larger than a transaction may be */
	r = fresh ? bcache_get_new(fs->cache, blk, out) : bcache_get(fs->cache, blk, out);
	if (!r)
		j->bufs[j->n++] = *out;
	return r;
}

int ext4_tx_get(struct ext4_fs *fs, uint64_t blk, struct bbuf **out)
{
	return pin(fs, blk, false, out);
}

int ext4_tx_new(struct ext4_fs *fs, uint64_t blk, struct bbuf **out)
{
	return pin(fs, blk, true, out);
}

/* Write the transaction home; called with the write lock held. */
static int commit(struct ext4_fs *fs)
{
	struct ext4_journal *j = fs->jnl;
	uint64_t spb = fs->block_size / BLK_SECTOR_SIZE;
	int r = j->broken ? -EIO : 0;

	if (!r && j->n)
		r = ext4_alloc_commit(fs);
	if (!r && j->n)
		r = blk_flush(fs->dev); /* the data the metadata points at, first */
	for (unsigned i = 0; i < j->n; i++) {
		if (!r)
			r = blk_write(fs->dev, j->bufs[i]->block * spb, j->bufs[i]->data,
				      fs->block_size);
		bcache_put(fs->cache, j->bufs[i]);
	}
	if (!r && j->n)
		r = blk_flush(fs->dev);
	j->n = 0;
	if (r && !j->broken) {
		j->broken = true;
		printk(LOG_ERR, "ext4: %s: cannot write metadata (error %d): read-only now\n",
		       fs->dev->name, r);
	}
	return r;
}

int ext4_tx_end(struct ext4_fs *fs)
{
	int r = fs->jnl->n >= TX_MAX_BLOCKS ? commit(fs) : 0;

	mutex_unlock(&fs->wlock);
	return r;
}

int ext4_tx_commit(struct ext4_fs *fs)
{
	int r;

	mutex_lock(&fs->wlock);
	r = commit(fs);
	mutex_unlock(&fs->wlock);
	return r;
}

int ext4_journal_unmount(struct ext4_fs *fs)
{
	int r = fs->rw ? ext4_tx_commit(fs) : 0;

	kfree(fs->jnl);
	fs->jnl = NULL;
	return r;
}
