/* open.c: open by path, creation of nodes, kernel reads. */
#include "fs/open.h"
#include "core/uaccess.h"
#include "fs/chrdev.h"
#include "fs/file.h"
#include "fs/fsctx.h"
#include "fs/notify.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"

int vfs_create(struct dentry *start, const char *path, uint32_t mode, uint64_t rdev,
	       const char *target, struct dentry **out)
{
	struct dentry *dir, *d;
	const char *name;
	size_t len;
	bool trailing;
	int r = path_parent_at(start, path, &dir, &name, &len, &trailing);
	const struct inode_ops *ops;

	if (r)
		return r;
	/* "/" (no last name), "." and "..": the directory itself, or its parent */
	if (!len || (len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.')) {
		vfs_dentry_put(dir);
		return -EEXIST;
	}
	if (trailing && !S_ISDIR(mode)) {
		vfs_dentry_put(dir);
		return S_ISREG(mode) ? -EISDIR : -ENOENT;
	}
	mutex_lock(&vfs_lock);
	if (!dir->inode->nlink) { /* a removed directory */
		r = -ENOENT;
		goto out;
	}
	r = path_lookup_child(dir, name, len, &d);
	if (!r) {
		vfs_dentry_put(d);
		r = -EEXIST;
		goto out;
	}
	if (r != -ENOENT)
		goto out;
	r = -EROFS;
	if (dir->inode->sb && dir->inode->sb->rdonly)
		goto out;
	ops = dir->inode->iops;
	d = vfs_alloc_dentry(dir, name, len, NULL);
	r = -ENOMEM;
	if (!d)
		goto out;
	r = -EPERM;
	switch (mode & S_IFMT) {
	case S_IFREG:
		if (ops && ops->create)
			r = ops->create(dir->inode, d, mode);
		break;
	case S_IFDIR:
		if (ops && ops->mkdir)
			r = ops->mkdir(dir->inode, d, mode);
		break;
	case S_IFLNK:
		if (ops && ops->symlink)
			r = ops->symlink(dir->inode, d, target);
		break;
	default:
		if (ops && ops->mknod)
			r = ops->mknod(dir->inode, d, mode, rdev);
		break;
	}
	if (r) {
		vfs_dentry_drop(d);
		goto out;
	}
	(void)fsctx_ids(&d->inode->uid, &d->inode->gid); /* the owner: the process's ids */
	if (d->inode->iops && d->inode->iops->setattr)
		(void)d->inode->iops->setattr(d->inode);
	notify_dir(dir->inode, d->name, NOTIFY_CREATE | (S_ISDIR(mode) ? NOTIFY_ISDIR : 0));
	if (out) {
		vfs_dentry_get(d);
		*out = d;
	}
out:
	mutex_unlock(&vfs_lock);
	vfs_dentry_put(dir);
	return r;
}

static int open_depth(struct dentry *start, const char *path, uint32_t flags, uint32_t mode,
		      struct file **out, int depth);

int vfs_open_dentry(struct dentry *d, uint32_t flags, struct file **out)
{
	struct inode *ino = d->inode;
	const struct file_ops *ops = ino->fops;
	uint32_t acc = flags & O_ACCMODE;
	struct file *f;
	int r;

	if (flags & O_PATH) {
		ops = NULL;
	} else {
		if (S_ISDIR(ino->mode) && acc != O_RDONLY)
			return -EISDIR;
		if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
			return -ENOTDIR;
		if (S_ISLNK(ino->mode))
			return -ELOOP;
		if (S_ISCHR(ino->mode) || S_ISFIFO(ino->mode)) {
			ops = chrdev_fops(ino);
			if (!ops)
				return -ENXIO;
		}
		if (!ops)
			return -ENXIO;
	}
	if (S_ISREG(ino->mode) && acc != O_RDONLY && !(flags & O_PATH) && ino->sb &&
	    ino->sb->rdonly)
		return -EROFS;
	if ((flags & O_TRUNC) && S_ISREG(ino->mode) && acc != O_RDONLY && ino->iops &&
	    ino->iops->truncate) {
		r = ino->iops->truncate(ino, 0);
		if (r)
			return r;
		fsctx_truncated(ino, 0); /* mapped pages of it now fault (SIGBUS) */
		notify_dentry(d, NOTIFY_MODIFY);
	}
	f = file_alloc(ino, d, ops, flags & ~(uint32_t)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC));
	if (!f)
		return -ENOMEM;
	if (S_ISREG(ino->mode) && acc != O_RDONLY && !(flags & O_PATH) && ino->sb) {
		/* counted first, then the read-only flag looked at (mount_remount's order) */
		__atomic_fetch_add(&ino->sb->writers, 1, __ATOMIC_SEQ_CST);
		f->writer = true;
		if (__atomic_load_n(&ino->sb->rdonly, __ATOMIC_SEQ_CST)) {
			file_put(f);
			return -EROFS;
		}
	}
	if (ops && ops->open) {
		r = ops->open(f);
		if (r) {
			file_put(f);
			return r;
		}
	}
	*out = f;
	return 0;
}

static int open_depth(struct dentry *start, const char *path, uint32_t flags, uint32_t mode,
		      struct file **out, int depth)
{
	int lf = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;
	struct dentry *d;
	int r;

	if (flags & O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	r = path_lookup_at(start, path, lf, &d);
	if (r == -ENOENT && (flags & O_CREAT) && !(flags & (O_EXCL | O_NOFOLLOW)) && depth < 8) {
		/* The last component may be a dangling symlink: create its target. */
		struct dentry *l;

		if (!path_lookup_at(start, path, 0, &l)) {
			if (S_ISLNK(l->inode->mode) && l->inode->iops && l->inode->iops->readlink) {
				char *t = kmalloc(PATH_MAX);
				long n = t ? l->inode->iops->readlink(l->inode, t, PATH_MAX - 1)
					   : -ENOMEM;
				struct dentry *dir = l->parent;

				if (n >= 0) {
					t[n] = 0;
					vfs_dentry_get(dir);
					vfs_dentry_put(l);
					r = open_depth(dir, t, flags, mode, out, depth + 1);
					vfs_dentry_put(dir);
					kfree(t);
					return r;
				}
				kfree(t);
			}
			vfs_dentry_put(l);
		}
	}
	if (r == -ENOENT && (flags & O_CREAT)) {
		r = vfs_create(start, path, S_IFREG | (mode & 07777), 0, NULL, &d);
		if (r == -EEXIST && !(flags & O_EXCL)) /* lost a race with another creator */
			r = path_lookup_at(start, path, lf, &d);
		else if (!r)
			flags &= ~(uint32_t)O_TRUNC;
	} else if (!r && (flags & O_CREAT) && (flags & O_EXCL)) {
		vfs_dentry_put(d);
		return -EEXIST;
	}
	if (r)
		return r;
	if ((flags & O_NOFOLLOW) && S_ISLNK(d->inode->mode) && !(flags & O_PATH)) {
		vfs_dentry_put(d);
		return -ELOOP;
	}
	r = vfs_open_dentry(d, flags, out);
	vfs_dentry_put(d);
	return r;
}

int vfs_open(struct dentry *start, const char *path, uint32_t flags, uint32_t mode,
	     struct file **out)
{
	return open_depth(start, path, flags, mode, out, 0);
}

/* A read or write of f at off with a kernel buffer. */
static ssize_t kernel_rw(struct file *f, void *buf, size_t n, uint64_t off, bool write)
{
	bool old;
	ssize_t r;

	if (!f->ops || (write ? !f->ops->write : !f->ops->read))
		return -EINVAL;
	old = uaccess_kernel_begin();
	r = write ? f->ops->write(f, buf, n, &off) : f->ops->read(f, buf, n, &off);
	uaccess_kernel_end(old);
	return r;
}

ssize_t kernel_read(struct file *f, void *buf, size_t n, uint64_t off)
{
	return kernel_rw(f, buf, n, off, false);
}

ssize_t kernel_write(struct file *f, const void *buf, size_t n, uint64_t off)
{
	return kernel_rw(f, (void *)buf, n, off, true);
}
