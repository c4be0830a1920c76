/* file.c: ext4's regular files. Data moves straight between the device and a bounce buffer
 * (only metadata passes through the block cache); a write allocates its blocks under one
 * handle per chunk and writes the data before that handle ends, so that it is on the disk
 * before the metadata pointing at it (ordered mode). Mapped pages are read once and kept
 * while the inode lives; write() and truncate change them too. */
#include "fs/ext4/file.h"
#include "fs/ext4/alloc.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/ext4.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/ext4/xattr.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "arch/x86_64/layout.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/uaccess.h"
#include "drivers/virtio/blk.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BOUNCE_SIZE (64 * 1024)
#define RUNS 16 /* the most separate runs of blocks one chunk of a write allocates */

static struct ext4_fs *fs_of(const struct inode *ino)
{
	return ino->sb->priv;
}

/* Data is found through extent trees only (ext2/3's block maps are not read). */
static int need_extents(const struct ext4_fs *fs, const struct enode *en)
{
	if (en->flags & EXT4_EXTENTS_FL)
		return 0;
	printk(LOG_ERR, "ext4: %s: inode %u: block-mapped (not extent) files are not read\n",
	       fs->dev->name, en->nr);
	return -EIO;
}

int ext4_file_read_blocks(struct ext4_fs *fs, const struct enode *en, uint64_t lb, uint64_t nblocks,
			  uint8_t *kbuf)
{
	uint64_t spb = fs->block_size / BLK_SECTOR_SIZE;
	int r = need_extents(fs, en);

	if (r)
		return r;
	while (nblocks) {
		uint64_t pblk, n;
		uint32_t count;

		r = ext4_extent_map(fs, en->nr, en->iblock, (uint32_t)lb, &pblk, &count);
		if (r)
			return r;
		n = MIN((uint64_t)count, nblocks);
		if (pblk) {
			r = blk_read(fs->dev, pblk * spb, kbuf, n * fs->block_size);
			if (r)
				return r;
		} else {
			memset(kbuf, 0, n * fs->block_size);
		}
		kbuf += n * fs->block_size;
		lb += n;
		nblocks -= n;
	}
	return 0;
}

/* Mapped pages are the file's newest bytes (a shared mapping may have changed them): copy
 * those within [off, off + n) over buf, which holds what the disk has there. */
static void overlay_pages(struct inode *ino, uint64_t off, uint8_t *buf, size_t n)
{
	struct enode *en = ino->priv;

	if (!en->npages)
		return;
	mutex_lock(&ino->lock);
	for (uint64_t at = off; at < off + n;) {
		uint64_t i = at / PAGE_SIZE, in = at % PAGE_SIZE;
		size_t k = (size_t)MIN(off + n - at, PAGE_SIZE - in);

		if (i < en->npages && en->pages[i])
			memcpy(buf + (at - off), (uint8_t *)en->pages[i] + in, k);
		at += k;
	}
	mutex_unlock(&ino->lock);
}

static ssize_t file_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ext4_fs *fs = fs_of(ino);
	uint32_t bs = fs->block_size;
	size_t done = 0;
	uint8_t *buf;
	int r = 0;

	if (*pos >= ino->size)
		return 0;
	n = MIN(n, ino->size - *pos);
	buf = kmalloc(BOUNCE_SIZE + bs);
	if (!buf)
		return -ENOMEM;
	while (done < n && !r) {
		uint64_t off = *pos + done, in = off % bs;
		size_t chunk = MIN(n - done, BOUNCE_SIZE - in);
		uint64_t first = off / bs, last = (off + chunk - 1) / bs;

		r = ext4_file_read_blocks(fs, ino->priv, first, last - first + 1, buf);
		if (!r)
			overlay_pages(ino, first * bs, buf, (last - first + 1) * bs);
		if (!r)
			r = copy_to_user((char *)ubuf + done, buf + in, chunk);
		if (!r)
			done += chunk;
	}
	kfree(buf);
	if (r && !done)
		return r;
	*pos += done;
	return (ssize_t)done;
}

/* Mapped pages hold the file's bytes too: copy n bytes written at off into them. */
static void update_pages(struct enode *en, uint64_t off, const uint8_t *src, size_t n)
{
	while (n) {
		uint64_t i = off / PAGE_SIZE, in = off % PAGE_SIZE;
		size_t k = MIN(n, PAGE_SIZE - in);

		if (i < en->npages && en->pages[i] && (uint8_t *)en->pages[i] + in != src)
			memcpy((uint8_t *)en->pages[i] + in, src, k);
		off += k;
		src += k;
		n -= k;
	}
}

struct run {
	uint64_t lb, pblk;
	uint32_t n;
	bool fresh;
};

/* One chunk (within BOUNCE_SIZE of buf, in: its offset in its first block) under one
 * handle: allocate, fill whole blocks, write them, then the inode. Returns the bytes done. */
static ssize_t write_chunk(struct inode *ino, uint8_t *buf, const uint8_t *src, size_t chunk,
			   uint64_t off)
{
	struct ext4_fs *fs = fs_of(ino);
	uint32_t bs = fs->block_size;
	uint64_t spb = bs / BLK_SECTOR_SIZE, first = off / bs, last = (off + chunk - 1) / bs, lb;
	struct run runs[RUNS];
	struct ext4_etree t;
	unsigned nr = 0;
	int r = 0, e;

	ext4_tx_begin(fs);
	ext4_etree_of(ino, &t);
	for (lb = first; lb <= last && nr < RUNS; lb += runs[nr++].n) {
		runs[nr].lb = lb;
		r = ext4_extent_alloc(fs, &t, (uint32_t)lb, (uint32_t)(last - lb + 1),
				      &runs[nr].pblk, &runs[nr].n, &runs[nr].fresh);
		if (r)
			break;
	}
	if (lb <= last) /* short: what was allocated is written */
		chunk = lb > first ? lb * bs - off : 0;
	if (chunk)
		r = 0;
	for (unsigned k = 0; k < nr && !r; k++) {
		uint8_t *at = buf + (runs[k].lb - first) * bs;

		if (runs[k].fresh) {
			memset(at, 0, (size_t)runs[k].n * bs);
			continue;
		}
		if (runs[k].lb == first && off % bs)
			r = blk_read(fs->dev, runs[k].pblk * spb, at, bs);
		if (!r && runs[k].lb + runs[k].n - 1 == last && (off + chunk) % bs)
			r = blk_read(fs->dev, (runs[k].pblk + runs[k].n - 1) * spb,
				     at + (size_t)(runs[k].n - 1) * bs, bs);
	}
	if (chunk)
		memcpy(buf + off % bs, src, chunk);
	for (unsigned k = 0; k < nr && !r && chunk; k++)
		r = blk_write(fs->dev, runs[k].pblk * spb, buf + (runs[k].lb - first) * bs,
			      (size_t)runs[k].n * bs);
	ext4_etree_done(ino, &t);
	if (chunk && !r && off + chunk > ino->size)
		ino->size = off + chunk;
	ino->mtime = ino->ctime = vfs_now();
	e = ext4_iwrite(ino);
	r = r ?: e;
	e = ext4_tx_end(fs);
	r = r ?: e;
	if (r)
		return r;
	update_pages(ino->priv, off, src, chunk);
	return (ssize_t)chunk;
}

ssize_t ext4_file_write_kernel(struct inode *ino, const void *kbuf, size_t n, uint64_t off)
{
	uint32_t bs = fs_of(ino)->block_size;
	size_t done = 0;
	uint8_t *buf;
	int r = ext4_writable(ino);

	if (r)
		return r;
	if (n && (off + n) / bs >= (1ull << 32))
		return -EFBIG;
	buf = kmalloc(BOUNCE_SIZE + bs);
	if (!buf)
		return -ENOMEM;
	while (done < n) {
		uint64_t o = off + done;
		size_t chunk = MIN(n - done, BOUNCE_SIZE - o % bs);
		ssize_t got = write_chunk(ino, buf, (const uint8_t *)kbuf + done, chunk, o);

		/* full, but for blocks freed in the running transaction: commit, try again */
		if (got == -ENOSPC && ext4_alloc_pending(fs_of(ino)) && !ext4_tx_commit(fs_of(ino)))
			got = write_chunk(ino, buf, (const uint8_t *)kbuf + done, chunk, o);
		if (got <= 0) {
			r = got ? (int)got : -ENOSPC;
			break;
		}
		done += (size_t)got;
	}
	kfree(buf);
	return done ? (ssize_t)done : r;
}

static ssize_t file_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	size_t done = 0, max = MIN(n, (size_t)(1 << 20));
	uint8_t *kb;
	ssize_t r = 0;

	if (!n)
		return 0;
	kb = kmalloc(max);
	if (!kb)
		return -ENOMEM;
	while (done < n) {
		size_t chunk = MIN(n - done, max);

		/* copied in before any lock: a fault may need this file's pages */
		r = copy_from_user(kb, (const char *)ubuf + done, chunk);
		if (r)
			break;
		mutex_lock(&ino->lock);
		if (f->flags & O_APPEND)
			*pos = ino->size;
		r = ext4_file_write_kernel(ino, kb, chunk, *pos);
		mutex_unlock(&ino->lock);
		if (r <= 0)
			break;
		done += (size_t)r;
		*pos += (uint64_t)r;
		if ((size_t)r < chunk)
			break;
	}
	kfree(kb);
	if (done && (f->flags & O_DSYNC)) { /* O_SYNC and O_DSYNC: durable before returning */
		int e = ext4_tx_commit(fs_of(ino));

		if (e)
			return e;
	}
	return done ? (ssize_t)done : r;
}

/* Zero the bytes of the last block past size (they would show again if the file grew). */
static int zero_tail(struct ext4_fs *fs, struct enode *en, uint64_t size)
{
	uint64_t spb = fs->block_size / BLK_SECTOR_SIZE, pblk;
	uint32_t n, in = (uint32_t)(size % fs->block_size);
	uint8_t *b;
	int r;

	if (!in)
		return 0;
	r = ext4_extent_map(fs, en->nr, en->iblock, (uint32_t)(size / fs->block_size), &pblk, &n);
	if (r || !pblk)
		return r;
	b = kmalloc(fs->block_size);
	if (!b)
		return -ENOMEM;
	r = blk_read(fs->dev, pblk * spb, b, fs->block_size);
	if (!r) {
		memset(b + in, 0, fs->block_size - in);
		r = blk_write(fs->dev, pblk * spb, b, fs->block_size);
	}
	kfree(b);
	return r;
}

static int file_truncate(struct inode *ino, uint64_t size)
{
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	int r = ext4_writable(ino), e;

	if (r)
		return r;
	if (size / fs->block_size >= (1ull << 32))
		return -EFBIG;
	mutex_lock(&ino->lock);
	if (size < ino->size) {
		r = ext4_icut(ino, (size + fs->block_size - 1) / fs->block_size);
		for (uint64_t i = size / PAGE_SIZE; i < en->npages; i++) {
			uint64_t from = i == size / PAGE_SIZE ? size % PAGE_SIZE : 0;

			if (en->pages[i])
				memset((uint8_t *)en->pages[i] + from, 0, PAGE_SIZE - from);
		}
	}
	ext4_tx_begin(fs);
	if (!r && size < ino->size)
		r = zero_tail(fs, en, size);
	if (!r)
		ino->size = size;
	ino->mtime = ino->ctime = vfs_now();
	e = ext4_iwrite(ino);
	r = r ?: e;
	e = ext4_tx_end(fs);
	mutex_unlock(&ino->lock);
	return r ?: e;
}

static int file_get_page(struct file *f, uint64_t off, unsigned how, uint64_t *pa)
{
	bool write = how & GET_PAGE_WRITE;
	struct inode *ino = f->inode;
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	uint64_t i = off / PAGE_SIZE;
	uint8_t *p;
	int r = write ? ext4_writable(ino) : 0;

	if (r)
		return r;
	mutex_lock(&ino->lock);
	if (write)
		en->map_write = true;
	if (i >= en->npages) {
		uint64_t n = MAX(ALIGN_UP(ino->size, PAGE_SIZE) / PAGE_SIZE, i + 1);
		void **np = kzalloc(n * sizeof(void *));

		r = -ENOMEM;
		if (!np)
			goto out;
		if (en->pages)
			memcpy(np, en->pages, en->npages * sizeof(void *));
		kfree(en->pages);
		en->pages = np;
		en->npages = n;
	}
	p = en->pages[i];
	if (!p) {
		r = -ENOMEM;
		p = page_alloc_zeroed(0);
		if (!p)
			goto out;
		r = ext4_file_read_blocks(fs, en, i * PAGE_SIZE / fs->block_size,
					  PAGE_SIZE / fs->block_size, p);
		if (r) {
			page_free(p, 0);
			goto out;
		}
		if (i * PAGE_SIZE + PAGE_SIZE > ino->size && i * PAGE_SIZE < ino->size)
			memset(p + (ino->size - i * PAGE_SIZE), 0,
			       PAGE_SIZE - (ino->size - i * PAGE_SIZE));
		en->pages[i] = p;
	}
	*pa = V2P(p);
	r = 0;
out:
	mutex_unlock(&ino->lock);
	return r;
}

int ext4_file_flush_pages(struct inode *ino)
{
	struct enode *en = ino->priv;
	struct timespec64 mtime = ino->mtime, ctime = ino->ctime;
	int r = 0;

	mutex_lock(&ino->lock);
	for (uint64_t i = 0; i < en->npages && !r; i++) {
		uint64_t at = i * PAGE_SIZE;
		ssize_t n;

		if (!en->pages[i] || at >= ino->size)
			continue;
		n = ext4_file_write_kernel(ino, en->pages[i], MIN(PAGE_SIZE, ino->size - at), at);
		r = n < 0 ? (int)n : 0;
	}
	if (!r && !__atomic_load_n(&ino->mmaps, __ATOMIC_ACQUIRE))
		en->map_write = false; /* unmapped: nothing more can change the pages */
	/* writing back is no change of the file's own: its times stay */
	if (mtime.sec != ino->mtime.sec || mtime.nsec != ino->mtime.nsec) {
		int e;

		ino->mtime = mtime;
		ino->ctime = ctime;
		ext4_tx_begin(fs_of(ino));
		e = ext4_iwrite(ino);
		r = r ?: e;
		e = ext4_tx_end(fs_of(ino));
		r = r ?: e;
	}
	mutex_unlock(&ino->lock);
	return r;
}

static int file_fsync(struct file *f)
{
	struct enode *en = f->inode->priv;
	int r = 0;

	if (ext4_writable(f->inode))
		return 0;
	if (en->map_write)
		r = ext4_file_flush_pages(f->inode);
	return ext4_tx_commit(fs_of(f->inode)) ?: r;
}

static int file_open(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY ? ext4_writable(f->inode) : 0;
}

int ext4_file_load_link(struct inode *ino, const uint8_t *iblock)
{
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	uint64_t len = ino->size;
	uint8_t *blk = NULL;
	int r = 0;

	if (len >= PATH_MAX || (len > fs->block_size))
		return -EIO;
	ino->link = kmalloc(len + 1);
	if (!ino->link)
		return -ENOMEM;
	if (len < 60 && !(en->flags & EXT4_EXTENTS_FL)) {
		memcpy(ino->link, iblock, len);
	} else {
		blk = kmalloc(fs->block_size);
		r = blk ? ext4_file_read_blocks(fs, en, 0, 1, blk) : -ENOMEM;
		if (!r)
			memcpy(ino->link, blk, len);
		kfree(blk);
	}
	ino->link[len] = 0;
	return r;
}

const struct inode_ops ext4_file_iops = {
	.truncate = file_truncate,
	.setattr = ext4_setattr,
	EXT4_XATTR_OPS,
	.release = ext4_release,
};
const struct file_ops ext4_file_fops = {
	.read = file_read,
	.write = file_write,
	.get_page = file_get_page,
	.open = file_open,
	.fsync = file_fsync,
	.seekable = true,
};

int ext4_file_set_link(struct inode *ino, const char *target)
{
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	size_t len = strlen(target);
	char *copy = kmalloc(len + 1);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, target, len + 1);
	if (len < sizeof(en->iblock)) {
		en->flags &= ~EXT4_EXTENTS_FL;
		memset(en->iblock, 0, sizeof(en->iblock));
		memcpy(en->iblock, target, len);
	} else {
		struct ext4_etree t;
		uint8_t *b = kzalloc(fs->block_size);
		uint64_t pblk;
		uint32_t got;
		bool fresh;

		ext4_etree_of(ino, &t);
		r = b ? ext4_extent_alloc(fs, &t, 0, 1, &pblk, &got, &fresh) : -ENOMEM;
		ext4_etree_done(ino, &t);
		if (!r) {
			memcpy(b, target, len);
			r = blk_write(fs->dev, pblk * (fs->block_size / BLK_SECTOR_SIZE), b,
				      fs->block_size);
		}
		kfree(b);
	}
	if (r) {
		kfree(copy);
		return r;
	}
	kfree(ino->link);
	ino->link = copy;
	ino->size = len;
	return 0;
}
