/* ramfs.c: the writable in-memory file system mounted at /. Directories are the dentry tree
 * itself; a regular file's data are pages, and for a file from the initrd its bytes stay in
 * the initrd (no copy at boot) until a page is written, which copies just that page. */
#include "fs/ramfs.h"
#include "fs/file.h"
#include "fs/pageidx.h"
#include "fs/vfs.h"
#include "fs/xattr.h"
#include "arch/x86_64/layout.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "core/uaccess.h"

#define RAMFS_MAGIC 0x858458f6

struct rfile {
	const uint8_t *idata; /* initrd bytes (direct map) or NULL */
	uint64_t isize;	      /* how many of them are still the file's contents */
	struct pageidx pages; /* the file's own copy of each page written (holes: none) */
	uint32_t seals;	      /* a memfd's F_SEAL_* (ramfs.h) */
};

static const struct inode_ops dir_iops, file_iops, link_iops, node_iops;
static const struct file_ops dir_fops, file_fops;
static uint64_t pages_in_use;

uint64_t ramfs_pages_in_use(void)
{
	return pages_in_use;
}

static struct inode *new_inode(struct super *sb, uint32_t mode)
{
	struct inode *ino = vfs_alloc_inode(sb, mode);

	if (!ino)
		return NULL;
	if (S_ISDIR(mode)) {
		ino->iops = &dir_iops;
		ino->fops = &dir_fops;
		ino->size = 4096;
	} else if (S_ISREG(mode)) {
		ino->priv = kzalloc(sizeof(struct rfile));
		if (!ino->priv) {
			vfs_inode_put(ino);
			return NULL;
		}
		ino->iops = &file_iops;
		ino->fops = &file_fops;
	} else if (S_ISLNK(mode)) {
		ino->iops = &link_iops;
	} else {
		ino->iops = &node_iops;
	}
	return ino;
}

/* The page of file data at index i, allocated (and filled from the initrd) if alloc. Out of
 * memory is the caller's error to report (ENOSPC, ENOMEM), not a console message. */
static uint8_t *page_of(struct rfile *rf, uint64_t i, bool alloc)
{
	void **slot = pageidx_slot(&rf->pages, i, alloc);
	uint8_t *p;

	if (!slot || *slot || !alloc)
		return slot ? *slot : NULL;
	p = page_try_alloc(0);
	if (!p)
		return NULL;
	memset(p, 0, PAGE_SIZE);
	if (i * PAGE_SIZE < rf->isize)
		memcpy(p, rf->idata + i * PAGE_SIZE, MIN(PAGE_SIZE, rf->isize - i * PAGE_SIZE));
	*slot = p;
	__atomic_fetch_add(&pages_in_use, 1, __ATOMIC_RELAXED);
	return p;
}

/* pageidx_each's: zero the page (a shared mapping may still use it), or free it. */
static void drop_page(void **slot, uint64_t i, void *keep_mapped)
{
	if (keep_mapped) {
		memset(*slot, 0, PAGE_SIZE);
		return;
	}
	page_free(*slot, 0);
	*slot = NULL;
	__atomic_fetch_sub(&pages_in_use, 1, __ATOMIC_RELAXED);
}

static ssize_t file_read(struct file *f, void *ubuf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct rfile *rf = ino->priv;
	size_t done = 0;
	int r = 0;

	mutex_lock(&ino->lock);
	if (*pos >= ino->size)
		n = 0;
	else
		n = MIN(n, ino->size - *pos);
	while (done < n && !r) {
		uint64_t off = *pos + done, i = off / PAGE_SIZE, po = off % PAGE_SIZE;
		size_t chunk = MIN(n - done, PAGE_SIZE - po);
		const uint8_t *src = page_of(rf, i, false);

		if (src)
			r = copy_to_user((char *)ubuf + done, src + po, chunk);
		else if (off < rf->isize)
			r = copy_to_user((char *)ubuf + done, rf->idata + off,
					 MIN(chunk, rf->isize - off));
		else
			r = clear_user((char *)ubuf + done, chunk);
		if (!src && off < rf->isize && rf->isize - off < chunk && !r)
			r = clear_user((char *)ubuf + done + (rf->isize - off),
				       chunk - (rf->isize - off));
		if (!r)
			done += chunk;
	}
	mutex_unlock(&ino->lock);
	if (r && !done)
		return r;
	*pos += done;
	return (ssize_t)done;
}

static ssize_t file_write(struct file *f, const void *ubuf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct rfile *rf = ino->priv;
	size_t done = 0;
	int r = 0;

	mutex_lock(&ino->lock);
	if (f->flags & O_APPEND)
		*pos = ino->size;
	if ((rf->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ||
	    ((rf->seals & F_SEAL_GROW) && *pos + n > ino->size)) {
		mutex_unlock(&ino->lock);
		return -EPERM;
	}
	while (done < n) {
		uint64_t off = *pos + done, i = off / PAGE_SIZE, po = off % PAGE_SIZE;
		size_t chunk = MIN(n - done, PAGE_SIZE - po);
		uint8_t *dst = page_of(rf, i, true);

		if (!dst) {
			r = -ENOSPC;
			break;
		}
		r = copy_from_user(dst + po, (const char *)ubuf + done, chunk);
		if (r)
			break;
		done += chunk;
	}
	if (*pos + done > ino->size)
		ino->size = *pos + done;
	if (done)
		ino->mtime = ino->ctime = vfs_now();
	mutex_unlock(&ino->lock);
	if (r && !done)
		return r;
	*pos += done;
	return (ssize_t)done;
}

static int file_truncate(struct inode *ino, uint64_t size)
{
	struct rfile *rf = ino->priv;
	uint64_t keep = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;

	mutex_lock(&ino->lock);
	if ((size < ino->size && (rf->seals & F_SEAL_SHRINK)) ||
	    (size > ino->size && (rf->seals & F_SEAL_GROW))) {
		mutex_unlock(&ino->lock);
		return -EPERM;
	}
	if (size < ino->size) {
		uint8_t *p;

		/* A partial last page must read as zeros past the new end if extended again. */
		if (size % PAGE_SIZE && (p = page_of(rf, size / PAGE_SIZE, true)))
			memset(p + size % PAGE_SIZE, 0, PAGE_SIZE - size % PAGE_SIZE);
		/* Pages a shared mapping may still use are kept (zeroed) until the inode goes. */
		pageidx_each(&rf->pages, keep, drop_page, ino->mmaps ? ino : NULL);
		rf->isize = MIN(rf->isize, size);
	}
	ino->size = size;
	ino->mtime = ino->ctime = vfs_now();
	mutex_unlock(&ino->lock);
	return 0;
}

static int file_get_page(struct file *f, uint64_t off, unsigned how, uint64_t *pa)
{
	bool write = how & GET_PAGE_WRITE;
	struct inode *ino = f->inode;
	struct rfile *rf = ino->priv;
	uint64_t i = off / PAGE_SIZE;
	uint8_t *p;

	mutex_lock(&ino->lock);
	if (write && (rf->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
		mutex_unlock(&ino->lock);
		return -EPERM;
	}
	p = page_of(rf, i, false);
	if (!p && !write && !((uint64_t)rf->idata % PAGE_SIZE) &&
	    (i + 1) * PAGE_SIZE <= rf->isize) {
		*pa = V2P(rf->idata + i * PAGE_SIZE);
		mutex_unlock(&ino->lock);
		return 0;
	}
	if (!p && !(how & GET_PAGE_CACHED))
		p = page_of(rf, i, true);
	mutex_unlock(&ino->lock);
	if (!p)
		return how & GET_PAGE_CACHED ? -ENOENT : -ENOMEM;
	*pa = V2P(p);
	return 0;
}

static void file_release(struct inode *ino)
{
	struct rfile *rf = ino->priv;

	pageidx_each(&rf->pages, 0, drop_page, NULL);
	pageidx_free(&rf->pages);
	kfree(rf);
	xattr_mem_free(&ino->xattrs);
}

/* Extended attributes: a list in memory per inode, under the inode's lock. */
static long r_getxattr(struct inode *ino, const char *name, void *buf, size_t n)
{
	long r;

	mutex_lock(&ino->lock);
	r = xattr_mem_get(&ino->xattrs, name, buf, n);
	mutex_unlock(&ino->lock);
	return r;
}

static long r_listxattr(struct inode *ino, char *buf, size_t n)
{
	long r;

	mutex_lock(&ino->lock);
	r = xattr_mem_list(&ino->xattrs, buf, n);
	mutex_unlock(&ino->lock);
	return r;
}

static int r_setxattr(struct inode *ino, const char *name, const void *val, size_t n, int flags)
{
	int r;

	mutex_lock(&ino->lock);
	r = xattr_mem_set(&ino->xattrs, name, val, n, flags);
	if (!r)
		ino->ctime = vfs_now();
	mutex_unlock(&ino->lock);
	return r;
}

static int r_removexattr(struct inode *ino, const char *name)
{
	int r;

	mutex_lock(&ino->lock);
	r = xattr_mem_remove(&ino->xattrs, name);
	if (!r)
		ino->ctime = vfs_now();
	mutex_unlock(&ino->lock);
	return r;
}

static void r_release(struct inode *ino)
{
	xattr_mem_free(&ino->xattrs);
}

static int dir_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct dentry *d = f->dentry;
	struct list *pos;
	uint64_t n = 2;

	if (!dir_emit_dots(f, ctx))
		return 0;
	mutex_lock(&vfs_lock);
	list_for_each (pos, &d->children) {
		struct dentry *c = list_entry(pos, struct dentry, sibling);

		if (!c->inode)
			continue;
		if (n++ < ctx->pos)
			continue;
		if (!ctx->emit(ctx, c->name, strlen(c->name), c->inode->ino,
			       (c->inode->mode & S_IFMT) >> 12))
			break;
		ctx->pos++;
	}
	mutex_unlock(&vfs_lock);
	return 0;
}

static int attach(struct inode *dir, struct dentry *d, uint32_t mode)
{
	struct inode *ino = new_inode(dir->sb, mode);

	if (!ino)
		return -ENOSPC;
	d->inode = ino;
	if (S_ISDIR(mode))
		dir->nlink++;
	dir->mtime = dir->ctime = vfs_now();
	return 0;
}

static int r_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return attach(dir, d, S_IFREG | (mode & 07777));
}

static int r_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return attach(dir, d, S_IFDIR | (mode & 07777));
}

static int r_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint64_t rdev)
{
	int r = attach(dir, d, mode);

	if (!r)
		d->inode->rdev = rdev;
	return r;
}

static int r_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	size_t n = strlen(target);
	char *t = kmalloc(n + 1);
	int r;

	if (!t)
		return -ENOSPC;
	memcpy(t, target, n + 1);
	r = attach(dir, d, S_IFLNK | 0777);
	if (r) {
		kfree(t);
		return r;
	}
	d->inode->link = t;
	d->inode->size = n;
	return 0;
}

static int r_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	d->inode = old->inode;
	vfs_inode_get(d->inode);
	d->inode->nlink++;
	d->inode->ctime = dir->mtime = dir->ctime = vfs_now();
	return 0;
}

static int r_unlink(struct inode *dir, struct dentry *d)
{
	d->inode->nlink--;
	d->inode->ctime = dir->mtime = dir->ctime = vfs_now();
	return 0;
}

static int r_rmdir(struct inode *dir, struct dentry *d)
{
	d->inode->nlink = 0;
	dir->nlink--;
	dir->mtime = dir->ctime = vfs_now();
	return 0;
}

static int r_rename(struct inode *odir, struct dentry *old, struct inode *ndir, struct dentry *new)
{
	if (new->inode && S_ISDIR(new->inode->mode))
		(void)r_rmdir(ndir, new);
	else if (new->inode)
		(void)r_unlink(ndir, new);
	if (S_ISDIR(old->inode->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	odir->mtime = odir->ctime = ndir->mtime = ndir->ctime = vfs_now();
	return 0;
}

static long r_readlink(struct inode *ino, char *buf, size_t n)
{
	size_t len = MIN(n, ino->size);

	memcpy(buf, ino->link, len);
	return (long)len;
}

#define XATTR_OPS                                                                 \
	.getxattr = r_getxattr, .listxattr = r_listxattr, .setxattr = r_setxattr, \
	.removexattr = r_removexattr

static const struct inode_ops dir_iops = {
	XATTR_OPS,	    .release = r_release, .create = r_create,
	.mkdir = r_mkdir,   .symlink = r_symlink, .mknod = r_mknod,
	.link = r_link,	    .unlink = r_unlink,	  .rmdir = r_rmdir,
	.rename = r_rename,
};
static const struct inode_ops file_iops = {
	XATTR_OPS,
	.truncate = file_truncate,
	.release = file_release,
};
static const struct inode_ops link_iops = {
	XATTR_OPS,
	.readlink = r_readlink,
	.release = r_release,
};
static const struct inode_ops node_iops = { XATTR_OPS, .release = r_release };
static const struct file_ops dir_fops = { .iterate = dir_iterate, .seekable = true };
static const struct file_ops file_fops = {
	.read = file_read,
	.write = file_write,
	.get_page = file_get_page,
	.seekable = true,
};

static struct dentry *add(struct dentry *dir, const char *name, size_t len, uint32_t mode,
			  int64_t mtime, int *err)
{
	struct inode *ino;
	struct dentry *d;

	if (vfs_child(dir, name, len)) {
		*err = -EEXIST;
		return NULL;
	}
	ino = new_inode(dir->inode->sb, mode);
	if (!ino) {
		*err = -ENOMEM;
		return NULL;
	}
	ino->atime.sec = ino->mtime.sec = ino->ctime.sec = mtime;
	ino->atime.nsec = ino->mtime.nsec = ino->ctime.nsec = 0;
	d = vfs_alloc_dentry(dir, name, len, ino);
	if (!d) {
		vfs_inode_put(ino);
		*err = -ENOMEM;
		return NULL;
	}
	if (S_ISDIR(mode))
		dir->inode->nlink++;
	return d;
}

struct dentry *ramfs_add_file(struct dentry *dir, const char *name, size_t len, uint32_t mode,
			      const void *data, uint64_t size, int64_t mtime, int *err)
{
	struct dentry *d = add(dir, name, len, S_IFREG | (mode & 07777), mtime, err);

	if (d) {
		struct rfile *rf = d->inode->priv;

		rf->idata = data;
		rf->isize = size;
		d->inode->size = size;
	}
	return d;
}

struct dentry *ramfs_add_dir(struct dentry *dir, const char *name, size_t len, uint32_t mode,
			     int64_t mtime, int *err)
{
	return add(dir, name, len, S_IFDIR | (mode & 07777), mtime, err);
}

struct dentry *ramfs_add_symlink(struct dentry *dir, const char *name, size_t len,
				 const char *target, size_t tlen, int64_t mtime, int *err)
{
	struct dentry *d;
	char *t = kmalloc(tlen + 1);

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(t, target, tlen);
	t[tlen] = 0;
	d = add(dir, name, len, S_IFLNK | 0777, mtime, err);
	if (!d) {
		kfree(t);
		return NULL;
	}
	d->inode->link = t;
	d->inode->size = tlen;
	return d;
}

/* memfd_create's files live on a super of their own, as Linux's on its internal tmpfs. */
static struct super memfd_sb = { .type = "tmpfs", .magic = TMPFS_MAGIC, .next_ino = 1 };

struct inode *ramfs_memfd(bool sealing)
{
	struct inode *ino = new_inode(&memfd_sb, S_IFREG | 0777);

	if (ino) {
		ino->nlink = 0;
		((struct rfile *)ino->priv)->seals = sealing ? 0 : F_SEAL_SEAL;
	}
	return ino;
}

static struct rfile *memfd_of(struct inode *ino)
{
	return ino->sb == &memfd_sb ? ino->priv : NULL;
}

int ramfs_get_seals(struct inode *ino)
{
	struct rfile *rf = memfd_of(ino);

	return rf ? (int)READ_ONCE(rf->seals) : -EINVAL;
}

int ramfs_add_seals(struct inode *ino, uint32_t seals, bool writable)
{
	struct rfile *rf = memfd_of(ino);
	int r = 0;

	if (!rf || !writable || (seals & ~F_SEAL_ALL))
		return -EINVAL;
	mutex_lock(&ino->lock);
	if (rf->seals & F_SEAL_SEAL)
		r = -EPERM;
	else if ((seals & F_SEAL_WRITE) && ino->mmaps)
		r = -EBUSY; /* (any shared mapping: whether writable is not known here) */
	else
		rf->seals |= seals;
	mutex_unlock(&ino->lock);
	return r;
}

const uint32_t ramfs_tmpfs_mode = 01777;

/* data: the root's mode (a const uint32_t *, as tmpfs's mode= option), or NULL for 0755. */
static int ramfs_mount(struct super *sb, void *data)
{
	const uint32_t *mode = data;
	struct inode *ino = new_inode(sb, S_IFDIR | (mode ? *mode & 07777 : 0755));

	if (!ino)
		return -ENOMEM;
	sb->root = vfs_alloc_dentry(NULL, "/", 1, ino);
	if (!sb->root) {
		vfs_inode_put(ino);
		return -ENOMEM;
	}
	return 0;
}

const struct fs_type ramfs_type = { .name = "ramfs", .magic = RAMFS_MAGIC, .mount = ramfs_mount };
