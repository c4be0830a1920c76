/* ext4.c: ext4 in the VFS: inodes made on lookup from the disk's, file reads (data blocks go
 * straight from the device to a bounce buffer: only metadata passes through the block cache),
 * directory listing, symlinks, mappings (pages read once and kept while the inode lives). */
#include "fs/ext4/ext4.h"
#include "fs/ext4/dir.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "fs/file.h"
#include "fs/stat.h"
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
#define ST_RDONLY 1
#define ST_VALID 0x20 /* f_flags is meaningful (glibc's statvfs looks for it) */

/* An inode's private part: where its data is. */
struct enode {
	uint32_t nr;
	uint32_t flags;	    /* i_flags */
	uint32_t gen;	    /* i_generation */
	uint8_t iblock[60]; /* the extent tree's root */
	void **pages;	    /* mapped pages, read on first use */
	uint64_t npages;
};

static const struct inode_ops dir_iops, file_iops, link_iops, node_iops;
static const struct file_ops dir_fops, file_fops;

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

/* Read nblocks whole blocks of the file from logical block lb into kbuf (holes as zeros). */
static int read_blocks(struct ext4_fs *fs, const struct enode *en, uint64_t lb, uint64_t nblocks,
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

		r = read_blocks(fs, ino->priv, first, last - first + 1, buf);
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

static int file_get_page(struct file *f, uint64_t off, bool write, uint64_t *pa)
{
	struct inode *ino = f->inode;
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	uint64_t i = off / PAGE_SIZE;
	uint8_t *p;
	int r = 0;

	if (write)
		return -EROFS;
	mutex_lock(&ino->lock);
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
		r = read_blocks(fs, en, i * PAGE_SIZE / fs->block_size, PAGE_SIZE / fs->block_size,
				p);
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

static int file_open(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY ? -EROFS : 0;
}

static void e_release(struct inode *ino)
{
	struct enode *en = ino->priv;

	for (uint64_t i = 0; en && i < en->npages; i++)
		if (en->pages[i])
			page_free(en->pages[i], 0);
	if (en)
		kfree(en->pages);
	kfree(en);
}

/* A symlink's target: in i_block when short (a "fast" symlink), else in its first block. */
static int load_link(struct ext4_fs *fs, struct inode *ino, const struct ext4_inode *raw)
{
	struct enode *en = ino->priv;
	uint64_t len = ino->size;
	uint8_t *blk = NULL;
	int r = 0;

	if (len >= PATH_MAX || (len > fs->block_size))
		return -EIO;
	ino->link = kmalloc(len + 1);
	if (!ino->link)
		return -ENOMEM;
	if (len < sizeof(raw->i_block) && !(raw->i_flags & EXT4_EXTENTS_FL)) {
		memcpy(ino->link, raw->i_block, len);
	} else {
		blk = kmalloc(fs->block_size);
		r = blk ? read_blocks(fs, en, 0, 1, blk) : -ENOMEM;
		if (!r)
			memcpy(ino->link, blk, len);
		kfree(blk);
	}
	ino->link[len] = 0;
	return r;
}

/* The VFS inode of disk inode nr. */
static int make_inode(struct super *sb, uint32_t nr, struct inode **out)
{
	struct ext4_fs *fs = sb->priv;
	struct ext4_inode raw;
	struct inode *ino;
	struct enode *en;
	int r = ext4_inode_read(fs, nr, &raw);

	if (r)
		return r;
	if (raw.i_flags & EXT4_INLINE_DATA_FL) /* the feature is refused at mount */
		return -EIO;
	ino = vfs_alloc_inode(sb, raw.i_mode);
	en = kzalloc(sizeof(*en));
	if (!ino || !en) {
		kfree(en);
		vfs_inode_put(ino);
		return -ENOMEM;
	}
	en->nr = nr;
	en->flags = raw.i_flags;
	en->gen = raw.i_generation;
	memcpy(en->iblock, raw.i_block, sizeof(en->iblock));
	ino->priv = en;
	ino->ino = nr;
	ext4_inode_attrs(fs, &raw, ino);
	if (S_ISDIR(ino->mode)) {
		ino->iops = &dir_iops;
		ino->fops = &dir_fops;
	} else if (S_ISREG(ino->mode)) {
		ino->iops = &file_iops;
		ino->fops = &file_fops;
	} else if (S_ISLNK(ino->mode)) {
		ino->iops = &link_iops;
		r = load_link(fs, ino, &raw);
	} else {
		/* a device number: old form in i_block[0], else the new one in i_block[1] */
		uint32_t old, new;

		memcpy(&old, raw.i_block, 4);
		memcpy(&new, raw.i_block + 4, 4);
		ino->rdev = old ? ((old >> 8) & 0xff) << 8 | (old & 0xff)
				: ((new & 0xfff00) >> 8) << 8 | (new & 0xff);
		ino->iops = &node_iops;
	}
	if (r) {
		vfs_inode_put(ino);
		return r;
	}
	*out = ino;
	return 0;
}

static int e_lookup(struct inode *dir, struct dentry *d)
{
	struct enode *en = dir->priv;
	struct ext4_dir ed = { en->nr, en->flags, en->gen, en->iblock, dir->size };
	uint32_t nr;
	int r = need_extents(fs_of(dir), en);

	if (!r)
		r = ext4_dir_find(fs_of(dir), &ed, d->name, strlen(d->name), &nr);
	return r ? r : make_inode(dir->sb, nr, &d->inode);
}

static bool emit_one(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		     uint64_t next)
{
	struct dir_ctx *ctx = arg;

	if (!ctx->emit(ctx, name, len, ino, type))
		return false;
	ctx->pos = next;
	return true;
}

static int dir_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct enode *en = f->inode->priv;
	int r = need_extents(fs_of(f->inode), en);

	if (r)
		return r;
	return ext4_dir_walk(fs_of(f->inode), en->nr, en->iblock, f->inode->size, ctx->pos,
			     emit_one, ctx);
}

static long e_readlink(struct inode *ino, char *buf, size_t n)
{
	size_t len = MIN(n, ino->size);

	memcpy(buf, ino->link, len);
	return (long)len;
}

static int ro_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return -EROFS;
}

static int ro_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	return -EROFS;
}

static int ro_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint64_t rdev)
{
	return -EROFS;
}

static int ro_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	return -EROFS;
}

static int ro_unlink(struct inode *dir, struct dentry *d)
{
	return -EROFS;
}

static int ro_rename(struct inode *odir, struct dentry *old, struct inode *ndir, struct dentry *new)
{
	return -EROFS;
}

static int ro_truncate(struct inode *ino, uint64_t size)
{
	return -EROFS;
}

static const struct inode_ops dir_iops = {
	.lookup = e_lookup,
	.create = ro_create,
	.mkdir = ro_create,
	.symlink = ro_symlink,
	.mknod = ro_mknod,
	.link = ro_link,
	.unlink = ro_unlink,
	.rmdir = ro_unlink,
	.rename = ro_rename,
	.release = e_release,
};
static const struct inode_ops file_iops = { .truncate = ro_truncate, .release = e_release };
static const struct inode_ops link_iops = { .readlink = e_readlink, .release = e_release };
static const struct inode_ops node_iops = { .release = e_release };
static const struct file_ops dir_fops = { .iterate = dir_iterate, .seekable = true };
static const struct file_ops file_fops = {
	.read = file_read,
	.get_page = file_get_page,
	.open = file_open,
	.seekable = true,
};

static int ext4_mount(struct super *sb, void *data)
{
	struct blk_dev *dev = data;
	struct ext4_fs *fs;
	struct inode *root;
	int r = ext4_super_read(dev, &fs);

	if (r)
		return r;
	r = ext4_journal_mount(fs, false);
	if (r) {
		ext4_super_free(fs);
		return r;
	}
	sb->priv = fs;
	sb->rdonly = true;
	r = make_inode(sb, EXT4_ROOT_INO, &root);
	if (!r && !S_ISDIR(root->mode)) {
		vfs_inode_put(root);
		r = -EINVAL;
	}
	if (r) {
		printk(LOG_ERR, "ext4: %s: cannot read the root directory (error %d)\n", dev->name,
		       r);
		goto err;
	}
	sb->root = vfs_alloc_dentry(NULL, "/", 1, root);
	if (!sb->root) {
		vfs_inode_put(root);
		r = -ENOMEM;
		goto err;
	}
	printk(LOG_INFO, "ext4: %s: %lu blocks of %u bytes, %u inodes, label \"%s\"%s\n", dev->name,
	       fs->blocks, fs->block_size, fs->inodes, fs->label,
	       fs->csum ? ", metadata checksums" : "");
	return 0;
err:
	sb->priv = NULL;
	ext4_super_free(fs);
	return r;
}

static void ext4_statfs(struct super *sb, struct kstatfs *st)
{
	const struct ext4_fs *fs = sb->priv;
	uint64_t hits, misses;

	/* how many metadata blocks were read (tests/e2e/ext4_htree.sh counts a lookup's) */
	bcache_counts(fs->cache, &hits, &misses);
	printk(LOG_DEBUG, "ext4: %s: block cache: %lu hits, %lu misses\n", fs->dev->name, hits,
	       misses);
	st->bsize = st->frsize = fs->block_size;
	st->blocks = fs->blocks - MIN(fs->overhead, fs->blocks);
	st->bfree = fs->free_blocks;
	st->bavail = fs->free_blocks - MIN(fs->reserved_blocks, fs->free_blocks);
	st->files = fs->inodes;
	st->ffree = fs->free_inodes;
	st->namelen = EXT4_NAME_LEN;
	st->flags = ST_VALID | ST_RDONLY;
}

const struct fs_type ext4_type = {
	.name = "ext4",
	.magic = EXT4_SUPER_MAGIC,
	.mount = ext4_mount,
	.statfs = ext4_statfs,
};
