/* namei.c: ext4's directories in the VFS: lookup and listing, and every change of a name,
 * each under one handle: the new inode, its first block, the entry, the parent's inode. */
#include "fs/ext4/namei.h"
#include "fs/ext4/alloc.h"
#include "fs/ext4/dir.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/ext4.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/file.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "drivers/virtio/blk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define LINK_MAX 65000 /* a directory's links without dir_nlink */

static struct ext4_fs *fs_of(const struct inode *ino)
{
	return ino->sb->priv;
}

static uint8_t ft_of(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return EXT4_FT_REG;
	case S_IFDIR:
		return EXT4_FT_DIR;
	case S_IFCHR:
		return EXT4_FT_CHR;
	case S_IFBLK:
		return EXT4_FT_BLK;
	case S_IFIFO:
		return EXT4_FT_FIFO;
	case S_IFSOCK:
		return EXT4_FT_SOCK;
	default:
		return EXT4_FT_LNK;
	}
}

/* --- reading */

static int e_lookup(struct inode *dir, struct dentry *d)
{
	struct enode *en = dir->priv;
	struct ext4_etree t = { .nr = en->nr, .gen = en->gen, .root = en->iblock };
	struct ext4_dir ed = { .t = &t, .size = dir->size, .flags = en->flags };
	uint32_t nr;
	int r = ext4_dir_find(fs_of(dir), &ed, d->name, strlen(d->name), &nr);

	return r ? r : ext4_iget(dir->sb, nr, &d->inode);
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

	return ext4_dir_walk(fs_of(f->inode), en->nr, en->iblock, f->inode->size, ctx->pos,
			     emit_one, ctx);
}

static bool count_one(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
		      uint64_t next)
{
	(void)ino;
	(void)type;
	(void)next;
	if (!(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.'))
		++*(int *)arg;
	return true;
}

/* -ENOTEMPTY unless directory ino has only "." and "..". */
static int empty(struct inode *ino)
{
	struct enode *en = ino->priv;
	int n = 0, r = ext4_dir_walk(fs_of(ino), en->nr, en->iblock, ino->size, 0, count_one, &n);

	return r ? r : n ? -ENOTEMPTY : 0;
}

/* --- changing: helpers run under the open handle */

/* A change of directory ino's entries. */
struct dchange {
	struct ext4_etree t;
	struct ext4_dir d;
};

static void dir_begin(struct inode *ino, struct dchange *c)
{
	ext4_etree_of(ino, &c->t);
	c->d.t = &c->t;
	c->d.size = ino->size;
	c->d.flags = ((struct enode *)ino->priv)->flags;
}

/* The directory's inode after the change: size, blocks, flags, times. */
static int dir_end(struct inode *ino, struct dchange *c)
{
	ext4_etree_done(ino, &c->t);
	ino->size = c->d.size;
	((struct enode *)ino->priv)->flags = c->d.flags;
	ino->mtime = ino->ctime = vfs_now();
	return ext4_iwrite(ino);
}

static uint32_t next_gen;

/* A new inode of mode (links: nlink) for a name in dir: on the disk, then in the VFS. */
static int new_inode(struct inode *dir, uint32_t mode, uint32_t nlink, struct inode **out)
{
	struct ext4_fs *fs = fs_of(dir);
	struct timespec64 now = vfs_now();
	struct ext4_inode raw;
	struct inode vi = { 0 };
	uint32_t nr;
	int r = ext4_ialloc(fs, ((struct enode *)dir->priv)->nr, S_ISDIR(mode), &nr);

	if (r)
		return r;
	memset(&raw, 0, sizeof(raw));
	raw.i_extra_isize = fs->extra_isize;
	vi.mode = mode;
	vi.nlink = nlink;
	vi.atime = vi.mtime = vi.ctime = now;
	ext4_inode_set_attrs(fs, &raw, &vi);
	if (fs->extra_isize >= 24) {
		raw.i_crtime = raw.i_ctime;
		raw.i_crtime_extra = raw.i_ctime_extra;
	}
	if (!next_gen)
		next_gen = (uint32_t)now.nsec ^ (uint32_t)now.sec;
	raw.i_generation = next_gen++;
	if ((S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)) &&
	    (fs->incompat & INCOMPAT_EXTENTS)) {
		raw.i_flags = EXT4_EXTENTS_FL;
		ext4_extent_init(raw.i_block);
	}
	r = ext4_inode_write(fs, nr, &raw, true);
	if (!r)
		r = ext4_iget(dir->sb, nr, out);
	if (r && ext4_ifree(fs, nr, S_ISDIR(mode)))
		return -EIO;
	return r;
}

/* A new inode that got no name (an error after new_inode): freed by its release. */
static void abandon(struct inode *ino)
{
	ino->nlink = 0;
	if (ext4_iwrite(ino) || ext4_iorphan(ino))
		ino->nlink = 0; /* its release frees it all the same */
}

/* Add name -> ino to directory dir (and write dir). */
static int add_entry(struct inode *dir, const char *name, struct inode *ino)
{
	struct dchange c;
	int r, e;

	dir_begin(dir, &c);
	r = ext4_dir_add(fs_of(dir), &c.d, name, strlen(name), (uint32_t)ino->ino,
			 ft_of(ino->mode));
	e = dir_end(dir, &c);
	return r ?: e;
}

/* The first block of new directory ino in dir: "." and "..". */
static int dir_block(struct inode *dir, struct inode *ino)
{
	struct ext4_fs *fs = fs_of(dir);
	struct ext4_etree t;
	struct ext4_dirent *e;
	struct bbuf *b;
	uint64_t pblk;
	uint32_t got;
	bool fresh;
	int r;

	ext4_etree_of(ino, &t);
	r = ext4_extent_alloc(fs, &t, 0, 1, &pblk, &got, &fresh);
	if (!r)
		r = ext4_tx_new(fs, pblk, &b);
	ext4_etree_done(ino, &t);
	if (r)
		return r;
	ext4_dir_block_init(fs, t.nr, t.gen, b->data);
	e = (void *)b->data;
	e->inode = t.nr;
	e->name_len = 1;
	e->rec_len = 12;
	e->file_type = (fs->incompat & INCOMPAT_FILETYPE) ? EXT4_FT_DIR : 0;
	e->name[0] = '.';
	e = (void *)(b->data + 12);
	e->inode = (uint32_t)dir->ino;
	e->name_len = 2;
	e->rec_len = (uint16_t)(ext4_dir_space(fs) - 12);
	e->file_type = (fs->incompat & INCOMPAT_FILETYPE) ? EXT4_FT_DIR : 0;
	e->name[0] = e->name[1] = '.';
	ext4_dir_set_csum(fs, t.nr, t.gen, b->data);
	ino->size = fs->block_size;
	return 0;
}

/* The body of every creation: set is what the kind of node needs done to its new inode. */
static int make(struct inode *dir, struct dentry *d, uint32_t mode, uint64_t rdev,
		const char *target)
{
	struct ext4_fs *fs = fs_of(dir);
	struct inode *ino = NULL;
	bool isdir = S_ISDIR(mode);
	int r = ext4_writable(dir), e;

	if (r)
		return r;
	if (isdir && dir->nlink >= LINK_MAX)
		return -EMLINK;
	if (strlen(d->name) > EXT4_NAME_LEN)
		return -ENAMETOOLONG;
	if (!d->name[0])
		return -EEXIST; /* no entry has an empty name */
	ext4_tx_begin(fs);
	r = new_inode(dir, mode, isdir ? 2 : 1, &ino);
	if (r)
		goto out;
	if (isdir) {
		r = dir_block(dir, ino);
	} else if (S_ISLNK(mode)) {
		r = ext4_file_set_link(ino, target);
	} else if (!S_ISREG(mode)) {
		/* rdev as glibc's makedev: the old form in i_block[0] when both numbers fit a
		 * byte, else the new one (minor's low byte, major, minor's high bits) in [1] */
		struct enode *en = ino->priv;
		uint32_t major = (uint32_t)((rdev >> 8) & 0xfff), w;
		uint32_t minor = (uint32_t)((rdev & 0xff) | ((rdev >> 12) & 0xfff00));

		if (major < 256 && minor < 256) {
			w = major << 8 | minor;
			memcpy(en->iblock, &w, 4);
		} else {
			w = (minor & 0xff) | major << 8 | (minor & ~0xffu) << 12;
			memcpy(en->iblock + 4, &w, 4);
		}
		ino->rdev = rdev;
	}
	if (!r)
		r = ext4_iwrite(ino);
	if (!r)
		r = add_entry(dir, d->name, ino);
	if (!r && isdir) {
		dir->nlink++;
		r = ext4_iwrite(dir);
	}
	if (r)
		abandon(ino);
out:
	e = ext4_tx_end(fs);
	if (r) {
		vfs_inode_put(ino);
		return r;
	}
	d->inode = ino;
	return e;
}

static int e_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return make(dir, d, S_IFREG | (mode & 07777), 0, NULL);
}

static int e_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return make(dir, d, S_IFDIR | (mode & 07777), 0, NULL);
}

static int e_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	if (strlen(target) >= fs_of(dir)->block_size)
		return -ENAMETOOLONG;
	return make(dir, d, S_IFLNK | 0777, 0, target);
}

static int e_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint64_t rdev)
{
	if (S_ISREG(mode) || !(mode & S_IFMT))
		return make(dir, d, S_IFREG | (mode & 07777), 0, NULL);
	return make(dir, d, mode, rdev, NULL);
}

static int e_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct ext4_fs *fs = fs_of(dir);
	struct inode *ino = old->inode;
	int r = ext4_writable(dir), e;

	if (r)
		return r;
	if (ino->nlink >= LINK_MAX)
		return -EMLINK;
	if (!ino->nlink)
		return -ENOENT; /* unlinked, only still open: as Linux, no new name for it */
	ext4_tx_begin(fs);
	r = add_entry(dir, d->name, ino);
	if (!r) {
		ino->nlink++;
		ino->ctime = vfs_now();
		r = ext4_iwrite(ino);
	}
	e = ext4_tx_end(fs);
	if (r)
		return r;
	vfs_inode_get(ino);
	d->inode = ino;
	return e;
}

/* Take name out of dir and a link from its inode ino (a directory: all of them, and the
 * parent's ".." link). */
static int drop_name(struct inode *dir, const char *name, struct inode *ino)
{
	struct dchange c;
	int r, e;

	dir_begin(dir, &c);
	r = ext4_dir_remove(fs_of(dir), &c.d, name, strlen(name));
	e = dir_end(dir, &c);
	r = r ?: e;
	if (r)
		return r;
	if (S_ISDIR(ino->mode)) {
		ino->nlink = 0;
		dir->nlink--;
		r = ext4_iwrite(dir);
	} else if (ino->nlink) {
		ino->nlink--;
	}
	ino->ctime = vfs_now();
	if (!r)
		r = ext4_iwrite(ino);
	return r ?: ext4_iorphan(ino);
}

static int e_unlink(struct inode *dir, struct dentry *d)
{
	struct ext4_fs *fs = fs_of(dir);
	int r = ext4_writable(dir), e;

	if (r)
		return r;
	if (S_ISDIR(d->inode->mode) && (r = empty(d->inode)))
		return r;
	ext4_tx_begin(fs);
	r = drop_name(dir, d->name, d->inode);
	e = ext4_tx_end(fs);
	return r ?: e;
}

static int e_rename(struct inode *odir, struct dentry *old, struct inode *ndir, struct dentry *new)
{
	struct ext4_fs *fs = fs_of(odir);
	struct inode *ino = old->inode, *victim = new->inode;
	bool isdir = S_ISDIR(ino->mode);
	struct dchange c;
	int r = ext4_writable(odir), e;

	if (r)
		return r;
	if (strlen(new->name) > EXT4_NAME_LEN)
		return -ENAMETOOLONG;
	if (victim && S_ISDIR(victim->mode) && (r = empty(victim)))
		return r;
	if (isdir && odir != ndir && !victim && ndir->nlink >= LINK_MAX)
		return -EMLINK;
	ext4_tx_begin(fs);
	dir_begin(ndir, &c);
	if (victim)
		r = ext4_dir_set(fs, &c.d, new->name, strlen(new->name), (uint32_t)ino->ino,
				 ft_of(ino->mode));
	else
		r = ext4_dir_add(fs, &c.d, new->name, strlen(new->name), (uint32_t)ino->ino,
				 ft_of(ino->mode));
	e = dir_end(ndir, &c);
	r = r ?: e;
	if (!r && victim) {
		if (S_ISDIR(victim->mode)) {
			victim->nlink = 0;
			ndir->nlink--;
		} else if (victim->nlink) {
			victim->nlink--;
		}
		victim->ctime = vfs_now();
		r = ext4_iwrite(victim);
		if (!r)
			r = ext4_iorphan(victim);
	}
	if (!r) {
		dir_begin(odir, &c);
		r = ext4_dir_remove(fs, &c.d, old->name, strlen(old->name));
		e = dir_end(odir, &c);
		r = r ?: e;
	}
	if (!r && isdir && odir != ndir) {
		dir_begin(ino, &c);
		r = ext4_dir_set(fs, &c.d, "..", 2, (uint32_t)ndir->ino, EXT4_FT_DIR);
		e = dir_end(ino, &c);
		r = r ?: e;
		odir->nlink--;
		ndir->nlink++;
	}
	if (!r) {
		ino->ctime = vfs_now();
		r = ext4_iwrite(ino);
	}
	if (!r)
		r = ext4_iwrite(odir);
	if (!r && odir != ndir)
		r = ext4_iwrite(ndir);
	e = ext4_tx_end(fs);
	return r ?: e;
}

static long e_readlink(struct inode *ino, char *buf, size_t n)
{
	size_t len = MIN(n, ino->size);

	memcpy(buf, ino->link, len);
	return (long)len;
}

static int dir_fsync(struct file *f)
{
	return ext4_writable(f->inode) ? 0 : ext4_tx_commit(fs_of(f->inode));
}

const struct inode_ops ext4_dir_iops = {
	.lookup = e_lookup,
	.create = e_create,
	.mkdir = e_mkdir,
	.symlink = e_symlink,
	.mknod = e_mknod,
	.link = e_link,
	.unlink = e_unlink,
	.rmdir = e_unlink,
	.rename = e_rename,
	.setattr = ext4_setattr,
	.release = ext4_release,
};
const struct inode_ops ext4_link_iops = {
	.readlink = e_readlink,
	.setattr = ext4_setattr,
	.release = ext4_release,
};
const struct inode_ops ext4_node_iops = { .setattr = ext4_setattr, .release = ext4_release };
const struct file_ops ext4_dir_fops = {
	.iterate = dir_iterate,
	.fsync = dir_fsync,
	.seekable = true,
};
