/* dir.c: directory blocks: each a chain of entries linked by rec_len, checked as walked. */
#include "fs/ext4/dir.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/htree.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "fs/vfs.h"
#include "drivers/virtio/blk.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* file_type (EXT4_FT_*: 1 regular, 2 dir, 3 chr, 4 blk, 5 fifo, 6 sock, 7 symlink) to DT_ */
static const uint8_t dt_of[8] = { DT_UNKNOWN, DT_REG,  DT_DIR,	DT_CHR,
				  DT_BLK,     DT_FIFO, DT_SOCK, DT_LNK };

/* The entries of one block (its position in the directory: base) from pos on. 1: fn stopped. */
static int walk_block(struct ext4_fs *fs, uint32_t nr, const uint8_t *data, uint64_t base,
		      uint64_t pos, ext4_dir_fn fn, void *arg)
{
	uint32_t off = 0;

	while (off < fs->block_size) {
		const struct ext4_dirent *e = (const void *)(data + off);

		if (off + EXT4_DIRENT_MIN > fs->block_size || e->rec_len < EXT4_DIRENT_MIN ||
		    e->rec_len % 4 || off + e->rec_len > fs->block_size ||
		    e->name_len + 8u > e->rec_len) {
			printk(LOG_ERR, "ext4: %s: directory %u: corrupt entry at %lu\n",
			       fs->dev->name, nr, base + off);
			return -EIO;
		}
		if (e->inode && e->name_len && base + off >= pos &&
		    !fn(arg, e->name, e->name_len, e->inode, dt_of[e->file_type & 7],
			base + off + e->rec_len))
			return 1;
		off += e->rec_len;
	}
	return 0;
}

int ext4_dir_walk(struct ext4_fs *fs, uint32_t nr, const uint8_t *iblock, uint64_t size,
		  uint64_t pos, ext4_dir_fn fn, void *arg)
{
	uint64_t nblocks = (size + fs->block_size - 1) / fs->block_size;

	for (uint64_t lb = pos / fs->block_size; lb < nblocks; lb++) {
		uint64_t pblk;
		uint32_t count;
		struct bbuf *b;
		int r = ext4_extent_map(fs, nr, iblock, (uint32_t)lb, &pblk, &count);

		if (r)
			return r;
		if (!pblk) /* a hole in a directory has no entries */
			continue;
		r = ext4_block_get(fs, pblk, &b);
		if (r)
			return r;
		r = walk_block(fs, nr, b->data, lb * fs->block_size, pos, fn, arg);
		ext4_block_put(fs, b);
		if (r)
			return r < 0 ? r : 0;
	}
	return 0;
}

struct find {
	const char *name;
	size_t len;
	uint32_t ino;
};

static bool match(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		  uint64_t next)
{
	struct find *f = arg;

	(void)type;
	(void)next;
	if (len != f->len || memcmp(name, f->name, len))
		return true;
	f->ino = ino;
	return false;
}

int ext4_dir_find(struct ext4_fs *fs, const struct ext4_dir *d, const char *name, size_t len,
		  uint32_t *ino)
{
	struct find f = { name, len, 0 };
	int r;

	if ((d->flags & EXT4_INDEX_FL) && (fs->compat & COMPAT_DIR_INDEX)) {
		r = ext4_htree_find(fs, d, name, len, ino);
		if (r != -EAGAIN)
			return r;
	}
	r = ext4_dir_walk(fs, d->nr, d->iblock, d->size, 0, match, &f);
	if (r)
		return r;
	if (!f.ino)
		return -ENOENT;
	*ino = f.ino;
	return 0;
}
