/* ext4.c: ext4 in the VFS: mounting (read-write when allowed), one VFS inode per disk inode
 * (an icache, so that hard links share one), inodes written back and freed when their last
 * link and last user are gone, statfs from the live counts, sync and the final unmount. */
#include "fs/ext4/ext4.h"
#include "fs/ext4/alloc.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/file.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/namei.h"
#include "fs/ext4/orphan.h"
#include "fs/ext4/super.h"
#include "fs/ext4/xattr.h"
#include "fs/bcache.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "drivers/virtio/blk.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define ST_RDONLY 1
#define ST_VALID 0x20 /* f_flags is meaningful (glibc's statvfs looks for it) */

/* What this writer keeps right; any other feature mounts read-only. */
#define RO_COMPAT_WRITABLE                                                     \
	(RO_COMPAT_SPARSE_SUPER | 0x2 /* large_file */ | RO_COMPAT_HUGE_FILE | \
	 RO_COMPAT_GDT_CSUM | 0x20 /* dir_nlink */ | RO_COMPAT_EXTRA_ISIZE |   \
	 RO_COMPAT_METADATA_CSUM)
#define INCOMPAT_WRITABLE                                                           \
	(INCOMPAT_FILETYPE | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG | \
	 INCOMPAT_EA_INODE | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR | INCOMPAT_RECOVER)
#define COMPAT_SPARSE_SUPER2 0x200

static struct ext4_fs *fs_of(const struct inode *ino)
{
	return ino->sb->priv;
}

int ext4_writable(const struct inode *ino)
{
	return fs_of(ino)->rw && !ino->sb->rdonly ? 0 : -EROFS;
}

void ext4_etree_of(struct inode *ino, struct ext4_etree *t)
{
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	uint32_t g = (en->nr - 1) / fs->inodes_per_group;

	t->nr = en->nr;
	t->gen = en->gen;
	t->root = en->iblock;
	t->goal = fs->first_data_block + (uint64_t)g * fs->blocks_per_group;
	t->blocks = 0;
}

void ext4_etree_done(struct inode *ino, const struct ext4_etree *t)
{
	int64_t b = (int64_t)ino->blocks + t->blocks * (int64_t)(fs_of(ino)->block_size / 512);

	ino->blocks = b > 0 ? (uint64_t)b : 0;
}

int ext4_iwrite(struct inode *ino)
{
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	struct ext4_inode raw;
	int r = ext4_inode_read(fs, en->nr, &raw);

	if (r)
		return r;
	ext4_inode_set_attrs(fs, &raw, ino);
	memcpy(raw.i_block, en->iblock, sizeof(raw.i_block));
	raw.i_flags = (raw.i_flags & EXT4_HUGE_FILE_FL) | (en->flags & ~EXT4_HUGE_FILE_FL);
	return ext4_inode_write(fs, en->nr, &raw, false);
}

int ext4_setattr(struct inode *ino)
{
	int r = ext4_writable(ino), e;

	if (r)
		return r;
	ext4_tx_begin(fs_of(ino));
	r = ext4_iwrite(ino);
	e = ext4_tx_end(fs_of(ino));
	return r ?: e;
}

#define CUT_GROUPS 8 /* a handle frees at most this many groups' worth of a file's blocks */

int ext4_icut(struct inode *ino, uint64_t keep)
{
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;
	uint64_t step = (uint64_t)fs->blocks_per_group * CUT_GROUPS;
	uint64_t end = (ino->size + fs->block_size - 1) / fs->block_size;
	int r = 0;

	if (!(en->flags & EXT4_EXTENTS_FL))
		return 0;
	end = MIN(end, 1ull << 32);
	while (!r) {
		uint64_t from = end > keep + step ? end - step : keep;
		struct ext4_etree t;
		int e;

		ext4_tx_begin(fs);
		ext4_etree_of(ino, &t);
		r = ext4_extent_truncate(fs, &t, (uint32_t)MIN(from, 0xffffffffull));
		ext4_etree_done(ino, &t);
		e = ext4_iwrite(ino);
		r = r ?: e;
		e = ext4_tx_end(fs);
		r = r ?: e;
		if (from == keep)
			break;
		end = from;
	}
	return r;
}

int ext4_iorphan(struct inode *ino)
{
	struct enode *en = ino->priv;
	int r;

	if (ino->nlink || en->orphan)
		return 0;
	r = ext4_orphan_add(fs_of(ino), en->nr);
	en->orphan = !r;
	return r;
}

/* The file is gone from every directory and from every user: free its blocks and inode. */
static void kill(struct ext4_fs *fs, struct inode *ino)
{
	struct enode *en = ino->priv;
	struct ext4_inode raw;
	int r;

	r = ext4_icut(ino, 0);
	ext4_tx_begin(fs);
	if (!r) {
		r = ext4_orphan_remove(fs, en->nr);
		r = r == -ENOENT ? 0 : r;
	}
	if (!r)
		r = ext4_inode_read(fs, en->nr, &raw);
	if (!r)
		r = ext4_xattr_drop(fs, &raw);
	if (!r) {
		memcpy(raw.i_block, en->iblock, sizeof(raw.i_block));
		raw.i_links_count = 0;
		raw.i_size_lo = raw.i_size_high = 0;
		raw.i_blocks_lo = 0;
		raw.i_blocks_high = 0;
		raw.i_dtime = (uint32_t)vfs_now().sec;
		r = ext4_inode_write(fs, en->nr, &raw, false);
	}
	if (!r)
		r = ext4_ifree(fs, en->nr, S_ISDIR(ino->mode));
	if (r)
		printk(LOG_ERR, "ext4: %s: cannot free inode %u (error %d)\n", fs->dev->name,
		       en->nr, r);
	en->dead = true;
	if (ext4_tx_end(fs))
		return;
}

void ext4_release(struct inode *ino)
{
	struct ext4_fs *fs = fs_of(ino);
	struct enode *en = ino->priv;

	if (!en)
		return;
	mutex_lock(&fs->ilock);
	list_del(&en->link);
	mutex_unlock(&fs->ilock);
	if (en->map_write && !ino->sb->rdonly && fs->rw && ino->nlink)
		(void)ext4_file_flush_pages(ino);
	if (!ino->nlink && !en->dead && fs->rw && !ino->sb->rdonly)
		kill(fs, ino);
	for (uint64_t i = 0; i < en->npages; i++)
		if (en->pages[i])
			page_free(en->pages[i], 0);
	kfree(en->pages);
	kfree(en);
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
	en->gen = raw.i_generation;
	en->flags = raw.i_flags;
	en->ino = ino;
	list_init(&en->link);
	memcpy(en->iblock, raw.i_block, sizeof(en->iblock));
	ino->priv = en;
	ino->ino = nr;
	ext4_inode_attrs(fs, &raw, ino);
	if (S_ISDIR(ino->mode)) {
		ino->iops = &ext4_dir_iops;
		ino->fops = &ext4_dir_fops;
	} else if (S_ISREG(ino->mode)) {
		ino->iops = &ext4_file_iops;
		ino->fops = &ext4_file_fops;
	} else if (S_ISLNK(ino->mode)) {
		ino->iops = &ext4_link_iops;
		r = ext4_file_load_link(ino, raw.i_block);
	} else {
		/* a device number: old form in i_block[0], else the new one in i_block[1] */
		uint32_t old, new;

		memcpy(&old, raw.i_block, 4);
		memcpy(&new, raw.i_block + 4, 4);
		ino->rdev = old ? ((old >> 8) & 0xff) << 8 | (old & 0xff)
				: ((new & 0xfff00) >> 8) << 8 | (new & 0xff) | (new >> 20) << 20;
		ino->iops = &ext4_node_iops;
	}
	if (r) {
		vfs_inode_put(ino);
		return r;
	}
	*out = ino;
	return 0;
}

int ext4_iget(struct super *sb, uint32_t nr, struct inode **out)
{
	struct ext4_fs *fs = sb->priv;
	struct list *pos;
	int r;

	mutex_lock(&fs->ilock);
	list_for_each (pos, &fs->icache) {
		struct enode *en = list_entry(pos, struct enode, link);
		int refs = __atomic_load_n(&en->ino->refs, __ATOMIC_ACQUIRE);

		/* one whose last reference is going is left to go: the disk is up to date */
		while (en->nr == nr && refs > 0) {
			if (__atomic_compare_exchange_n(&en->ino->refs, &refs, refs + 1, false,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				mutex_unlock(&fs->ilock);
				*out = en->ino;
				return 0;
			}
		}
	}
	r = make_inode(sb, nr, out);
	if (!r)
		list_add_tail(&fs->icache, &((struct enode *)(*out)->priv)->link);
	mutex_unlock(&fs->ilock);
	return r;
}

/* Free what the orphan list holds: files a crash left without links (and, from Linux, files
 * a crash left half truncated: cut to their size). */
static void recover_orphans(struct super *sb)
{
	struct ext4_fs *fs = sb->priv;
	uint32_t nr, n = 0;

	for (; (nr = ext4_orphan_first(fs)) && n <= fs->inodes; n++) {
		struct inode *ino = NULL;
		int r = ext4_iget(sb, nr, &ino), e;

		if (!r && !ino->nlink) {
			kill(fs, ino);
			r = ((struct enode *)ino->priv)->dead ? 0 : -EIO;
		} else if (!r) {
			r = ext4_icut(ino, (ino->size + fs->block_size - 1) / fs->block_size);
			ext4_tx_begin(fs);
			e = ext4_orphan_remove(fs, nr);
			r = r ?: e;
			e = ext4_tx_end(fs);
			r = r ?: e;
		}
		if (!r && !ino->nlink)
			printk(LOG_INFO, "ext4: %s: orphan inode %u freed\n", fs->dev->name, nr);
		if (ino)
			vfs_inode_put(ino);
		if (r) {
			printk(LOG_ERR, "ext4: %s: cannot recover orphan inode %u (error %d)\n",
			       fs->dev->name, nr, r);
			break;
		}
	}
}

/* Can this writer keep the file system right? Else the mount is read-only, and why is said. */
static bool can_write(const struct ext4_fs *fs, const struct blk_dev *dev)
{
	const char *why = NULL;

	if (dev->ro)
		why = "the device is read-only";
	else if ((fs->ro_compat & ~RO_COMPAT_WRITABLE) || (fs->incompat & ~INCOMPAT_WRITABLE) ||
		 (fs->compat & COMPAT_SPARSE_SUPER2))
		why = "features this writer does not keep";
	else if ((fs->ro_compat & RO_COMPAT_GDT_CSUM) && !fs->csum)
		why = "uninit_bg without metadata_csum";
	else if (fs->desc_size > 32 && fs->desc_size != 64)
		why = "group descriptors of an unusual size";
	if (why)
		printk(LOG_INFO, "ext4: %s: read-only: %s\n", dev->name, why);
	return !why;
}

static int ext4_mount(struct super *sb, void *data)
{
	const struct ext4_mount_opts *o = data;
	struct blk_dev *dev = o->dev;
	struct ext4_fs *fs;
	struct inode *root;
	bool rw;
	int r = ext4_super_read(dev, &fs);

	if (r)
		return r;
	list_init(&fs->icache);
	mutex_init(&fs->ilock);
	rw = !o->ro && can_write(fs, dev);
	r = ext4_journal_mount(fs, rw);
	if (r) {
		ext4_super_free(fs);
		return r;
	}
	sb->priv = fs;
	sb->rdonly = !rw;
	r = ext4_iget(sb, EXT4_ROOT_INO, &root);
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
	if (rw)
		recover_orphans(sb);
	printk(LOG_INFO, "ext4: %s: %lu blocks of %u bytes, %u inodes, label \"%s\"%s, %s\n",
	       dev->name, fs->blocks, fs->block_size, fs->inodes, fs->label,
	       fs->csum ? ", metadata checksums" : "", rw ? "read-write" : "read-only");
	return 0;
err:
	if (ext4_journal_unmount(fs))
		printk(LOG_ERR, "ext4: %s: unmount failed\n", dev->name);
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
	st->flags = ST_VALID | (sb->rdonly ? ST_RDONLY : 0);
}

/* A live inode (a reference taken) with work left for the unmount: mapped pages to write
 * back, or no links left and not yet freed. NULL: none. The work is done outside ilock,
 * which a handle may take (wlock, then ilock). */
static struct inode *pending(struct ext4_fs *fs)
{
	struct inode *found = NULL;
	struct list *pos;

	mutex_lock(&fs->ilock);
	list_for_each (pos, &fs->icache) {
		struct enode *en = list_entry(pos, struct enode, link);
		int refs = __atomic_load_n(&en->ino->refs, __ATOMIC_ACQUIRE);

		if (!(en->map_write && en->ino->nlink) && (en->ino->nlink || en->dead))
			continue;
		while (refs > 0 && !found)
			if (__atomic_compare_exchange_n(&en->ino->refs, &refs, refs + 1, false,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				found = en->ino;
		if (found)
			break;
	}
	mutex_unlock(&fs->ilock);
	return found;
}

/* Commit; with last, also free the files unlinked while open (no one will close them now),
 * and leave the file system clean and read-only. */
static int ext4_sync(struct super *sb, bool last)
{
	struct ext4_fs *fs = sb->priv;
	int r, e;

	if (sb->rdonly || !fs->rw)
		return 0;
	for (struct inode *ino; last && (ino = pending(fs));) {
		struct enode *en = ino->priv;

		if (en->map_write && ino->nlink && ext4_file_flush_pages(ino))
			printk(LOG_ERR, "ext4: %s: inode %u: mapped pages not written back\n",
			       fs->dev->name, en->nr);
		en->map_write = false; /* nothing runs after this to change them */
		if (!ino->nlink && !en->dead)
			kill(fs, ino);
		vfs_inode_put(ino);
	}
	r = ext4_tx_commit(fs);
	if (!last)
		return r;
	sb->rdonly = true;
	e = ext4_journal_unmount(fs);
	r = r ? r : e;
	fs->rw = false;
	if (r)
		printk(LOG_ERR, "ext4: %s: unmount failed (error %d)\n", fs->dev->name, r);
	return r;
}

/* Unmounted, every inode gone (the VFS saw to it): commit, leave the journal clean (no
 * needs_recovery), free the state. After a last sync the journal is gone already. */
static int ext4_umount(struct super *sb)
{
	struct ext4_fs *fs = sb->priv;
	int r = ext4_journal_unmount(fs);

	if (r)
		printk(LOG_ERR, "ext4: %s: unmount failed (error %d)\n", fs->dev->name, r);
	else
		printk(LOG_INFO, "ext4: %s: unmounted\n", fs->dev->name);
	fs->rw = false;
	sb->priv = NULL;
	ext4_super_free(fs);
	return r;
}

/* Read-only (no file open for writing, so no writable mapping either): what mappings left
 * goes back to the files, the VFS's flag set (unless a writer came meanwhile), a commit, the
 * journal left clean as at unmount. A file unlinked while open would be freed at its close,
 * which read-only cannot do: -EBUSY then, as Linux refuses with unlinked files pending. A
 * failure of the journal leaves it read-only. Read-write again: the journal mounted again,
 * when this writer may write (as at mount), and the orphan list freed. */
static int ext4_remount(struct super *sb, bool ro)
{
	struct ext4_fs *fs = sb->priv;
	int r = 0;

	if (ro) {
		if (!fs->rw)
			return 0;
		for (struct inode *ino; !r && (ino = pending(fs));) {
			struct enode *en = ino->priv;

			if (!ino->nlink) {
				r = -EBUSY;
			} else {
				r = ext4_file_flush_pages(ino);
				en->map_write =
					false; /* no writable mapping is left to change them */
			}
			vfs_inode_put(ino);
		}
		r = r ?: vfs_make_rdonly(sb);
		if (r)
			return r;
		r = ext4_journal_unmount(fs); /* commits first */
		fs->rw = false;
		if (!r)
			r = ext4_journal_mount(fs, false); /* a read-only journal state again */
		if (r) /* read-only all the same: the journal is gone */
			printk(LOG_ERR, "ext4: %s: remount read-only failed (error %d)\n",
			       fs->dev->name, r);
		return r;
	}
	if (fs->dev->ro)
		return -EACCES;
	if (!can_write(fs, fs->dev) || (fs->incompat & INCOMPAT_RECOVER))
		return -EROFS;
	ext4_journal_free(fs);
	r = ext4_journal_mount(fs, true);
	if (r) {
		printk(LOG_ERR, "ext4: %s: remount read-write failed (error %d)\n", fs->dev->name,
		       r);
		if (ext4_journal_mount(fs, false))
			fs->rw = false;
		return r;
	}
	sb->rdonly = false;
	recover_orphans(sb); /* as a read-write mount does */
	return 0;
}

const struct fs_type ext4_type = {
	.name = "ext4",
	.magic = EXT4_SUPER_MAGIC,
	.mount = ext4_mount,
	.statfs = ext4_statfs,
	.sync = ext4_sync,
	.umount = ext4_umount,
	.remount = ext4_remount,
};
