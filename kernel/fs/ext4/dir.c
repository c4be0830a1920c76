/* dir.c: directory blocks: each a chain of entries linked by rec_len, checked as walked;
 * entries added where there is room, removed into the entry before. */
#include "fs/ext4/dir.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/htree.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "fs/vfs.h"
#include "drivers/virtio/blk.h"
#include "fs/ext4/journal.h"
#include "lib/crc32c.h"
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
	r = ext4_dir_walk(fs, d->t->nr, d->t->root, d->size, 0, match, &f);
	if (r)
		return r;
	if (!f.ino)
		return -ENOENT;
	*ino = f.ino;
	return 0;
}

/* --- changing directories */

#define TAIL sizeof(struct ext4_dirent_tail)

uint32_t ext4_dir_space(const struct ext4_fs *fs)
{
	return fs->block_size - (fs->csum ? (uint32_t)TAIL : 0);
}

void ext4_dir_set_csum(const struct ext4_fs *fs, uint32_t nr, uint32_t gen, uint8_t *data)
{
	struct ext4_dirent_tail *t = (void *)(data + fs->block_size - TAIL);
	uint32_t c;

	if (!fs->csum)
		return;
	memset(t, 0, TAIL);
	t->det_rec_len = TAIL;
	t->det_reserved_ft = EXT4_FT_DIR_CSUM;
	c = crc32c_raw(fs->csum_seed, &nr, 4);
	c = crc32c_raw(c, &gen, 4);
	t->det_checksum = crc32c_raw(c, data, fs->block_size - TAIL);
}

void ext4_dir_block_init(const struct ext4_fs *fs, uint32_t nr, uint32_t gen, uint8_t *data)
{
	struct ext4_dirent *e = (void *)data;

	memset(data, 0, fs->block_size);
	e->rec_len = (uint16_t)ext4_dir_space(fs);
	ext4_dir_set_csum(fs, nr, gen, data);
}

static void fill(const struct ext4_fs *fs, struct ext4_dirent *e, const char *name, size_t len,
		 uint32_t ino, uint8_t ft)
{
	e->inode = ino;
	e->name_len = (uint8_t)len;
	e->file_type = (fs->incompat & INCOMPAT_FILETYPE) ? ft : 0;
	memcpy(e->name, name, len);
}

/* The offset of the entry in data whose slack holds need bytes, or -ENOSPC, -EIO. */
static int find_room(const struct ext4_fs *fs, const uint8_t *data, uint32_t need)
{
	uint32_t end = ext4_dir_space(fs), off = 0;

	while (off + EXT4_DIRENT_MIN <= end) {
		const struct ext4_dirent *e = (const void *)(data + off);
		uint32_t used = e->inode ? EXT4_DIRENT_LEN(e->name_len) : 0;

		if (e->rec_len < EXT4_DIRENT_MIN || off + e->rec_len > end)
			return -EIO;
		if (e->rec_len >= used + need)
			return (int)off;
		off += e->rec_len;
	}
	return -ENOSPC;
}

int ext4_dir_block_insert(const struct ext4_fs *fs, uint8_t *data, const char *name, size_t len,
			  uint32_t ino, uint8_t ft)
{
	int off = find_room(fs, data, EXT4_DIRENT_LEN(len));
	struct ext4_dirent *e;
	uint32_t used;

	if (off < 0)
		return off;
	e = (void *)(data + off);
	used = e->inode ? EXT4_DIRENT_LEN(e->name_len) : 0;
	if (used) {
		struct ext4_dirent *n = (void *)(data + off + used);

		n->rec_len = (uint16_t)(e->rec_len - used);
		e->rec_len = (uint16_t)used;
		e = n;
	}
	fill(fs, e, name, len, ino, ft);
	return 0;
}

/* Block lb of d, mapped: 0 with *pblk, or -EIO (a hole or a corrupt tree). */
static int dir_block(struct ext4_fs *fs, struct ext4_dir *d, uint64_t lb, uint64_t *pblk)
{
	uint32_t n;
	int r = ext4_extent_map(fs, d->t->nr, d->t->root, (uint32_t)lb, pblk, &n);

	return r ? r : (*pblk ? 0 : -ENOENT);
}

int ext4_dir_clear_index(struct ext4_fs *fs, struct ext4_dir *d)
{
	uint64_t nblocks = d->size / fs->block_size;

	for (uint64_t lb = 0; lb < nblocks; lb++) {
		const struct ext4_dirent *e;
		uint64_t pblk;
		struct bbuf *b;
		bool node;
		int r = dir_block(fs, d, lb, &pblk);

		if (r == -ENOENT)
			continue;
		if (!r)
			r = ext4_block_get(fs, pblk, &b);
		if (r)
			return r;
		e = (const void *)b->data;
		/* only the blocks that change are pinned under the handle (a handle holds few) */
		node = !e->inode &&
		       (e->rec_len == fs->block_size || e->rec_len == ext4_dir_space(fs));
		ext4_block_put(fs, b);
		if (lb && !node)
			continue;
		r = ext4_tx_get(fs, pblk, &b);
		if (r)
			return r;
		e = (const void *)b->data;
		if (!lb) { /* "." then ".." whose rec_len hides the root of the index */
			struct ext4_dirent *dd = (void *)(b->data + e->rec_len);
			uint32_t at = e->rec_len + EXT4_DIRENT_LEN(dd->name_len);

			if (e->rec_len != 12 || dd->name_len != 2)
				return -EIO;
			memset(b->data + at, 0, fs->block_size - at);
			dd->rec_len = (uint16_t)(ext4_dir_space(fs) - e->rec_len);
			ext4_dir_set_csum(fs, d->t->nr, d->t->gen, b->data);
		} else {
			ext4_dir_block_init(fs, d->t->nr, d->t->gen,
					    b->data); /* a node, or empty */
		}
	}
	d->flags &= ~EXT4_INDEX_FL;
	return 0;
}

int ext4_dir_add(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len, uint32_t ino,
		 uint8_t ft)
{
	uint64_t nblocks = d->size / fs->block_size, lb, pblk = 0;
	struct bbuf *b;
	uint32_t got;
	bool fresh;
	int r;

	if ((d->flags & EXT4_INDEX_FL) && (fs->compat & COMPAT_DIR_INDEX)) {
		r = ext4_htree_add(fs, d, name, len, ino, ft);
		if (r != -EAGAIN)
			return r;
		printk(LOG_WARN, "ext4: %s: directory %u: corrupt index: made linear\n",
		       fs->dev->name, d->t->nr);
	}
	if (d->flags & EXT4_INDEX_FL) {
		r = ext4_dir_clear_index(fs, d);
		if (r)
			return r;
	}
	for (lb = 0; lb < nblocks; lb++) {
		r = dir_block(fs, d, lb, &pblk);
		if (r == -ENOENT)
			continue;
		if (!r)
			r = ext4_block_get(fs, pblk, &b);
		if (r)
			return r;
		/* looked at in the cache: only the block that changes is pinned */
		r = find_room(fs, b->data, EXT4_DIRENT_LEN(len));
		ext4_block_put(fs, b);
		if (r >= 0)
			break;
		if (r != -ENOSPC)
			return r;
	}
	if (lb < nblocks) {
		r = ext4_tx_get(fs, pblk, &b);
		if (!r)
			r = ext4_dir_block_insert(fs, b->data, name, len, ino, ft);
		if (!r)
			ext4_dir_set_csum(fs, d->t->nr, d->t->gen, b->data);
		return r;
	}
	r = ext4_extent_alloc(fs, d->t, (uint32_t)nblocks, 1, &pblk, &got, &fresh);
	if (!r)
		r = ext4_tx_new(fs, pblk, &b);
	if (r)
		return r;
	ext4_dir_block_init(fs, d->t->nr, d->t->gen, b->data);
	r = ext4_dir_block_insert(fs, b->data, name, len, ino, ft);
	ext4_dir_set_csum(fs, d->t->nr, d->t->gen, b->data);
	d->size += fs->block_size;
	return r;
}

/* Find name in d's blocks: its block, pinned for a change, and the offsets of the entry and
 * of the one before it in the block (prev: -1 when it is the first). */
static int locate(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len,
		  struct bbuf **out, uint32_t *at, int *prev)
{
	uint64_t nblocks = d->size / fs->block_size, pblk;

	for (uint64_t lb = 0; lb < nblocks; lb++) {
		struct bbuf *b;
		uint32_t off = 0;
		int p = -1, r = dir_block(fs, d, lb, &pblk);

		if (r == -ENOENT)
			continue;
		if (!r)
			r = ext4_block_get(fs, pblk, &b);
		if (r)
			return r;
		while (off + EXT4_DIRENT_MIN <= fs->block_size) {
			const struct ext4_dirent *e = (const void *)(b->data + off);

			if (e->rec_len < EXT4_DIRENT_MIN || off + e->rec_len > fs->block_size)
				break;
			if (e->inode && e->name_len == len && !memcmp(e->name, name, len)) {
				ext4_block_put(fs, b);
				*at = off;
				*prev = p;
				return ext4_tx_get(fs, pblk, out);
			}
			p = (int)off;
			off += e->rec_len;
		}
		ext4_block_put(fs, b);
	}
	return -ENOENT;
}

int ext4_dir_remove(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len)
{
	struct ext4_dirent *e;
	struct bbuf *b;
	uint32_t at;
	int prev, r = locate(fs, d, name, len, &b, &at, &prev);

	if (r)
		return r;
	e = (void *)(b->data + at);
	if (prev >= 0) {
		struct ext4_dirent *p = (void *)(b->data + prev);

		p->rec_len = (uint16_t)(p->rec_len + e->rec_len);
		memset(e, 0, EXT4_DIRENT_LEN(e->name_len));
	} else {
		e->inode = 0;
	}
	ext4_dir_set_csum(fs, d->t->nr, d->t->gen, b->data);
	return 0;
}

int ext4_dir_set(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len, uint32_t ino,
		 uint8_t ft)
{
	struct ext4_dirent *e;
	struct bbuf *b;
	uint32_t at;
	int prev, r = locate(fs, d, name, len, &b, &at, &prev);

	if (r)
		return r;
	e = (void *)(b->data + at);
	e->inode = ino;
	if (fs->incompat & INCOMPAT_FILETYPE)
		e->file_type = ft;
	ext4_dir_set_csum(fs, d->t->nr, d->t->gen, b->data);
	return 0;
}
