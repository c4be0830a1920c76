/* sys_dir.c: directories and names: getdents64, getcwd, chdir, mkdir, unlink, rmdir,
 * rename, link, symlink, mknod. */
#include "fs/file.h"
#include "fs/notify.h"
#include "fs/open.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2

struct dents {
	struct dir_ctx ctx;
	char *ubuf;
	size_t size, used;
	int err;
	bool full;
};

static bool emit(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino, unsigned type)
{
	struct dents *d = container_of(ctx, struct dents, ctx);
	size_t reclen = ALIGN_UP(19 + len + 1, 8);
	struct {
		uint64_t ino;
		int64_t off;
		uint16_t reclen;
		uint8_t type;
	} __attribute__((packed))
	h = { ino, (int64_t)ctx->pos + 1, (uint16_t)reclen, (uint8_t)type };
	char pad[8] = { 0 };

	if (d->used + reclen > d->size) {
		d->full = true;
		return false;
	}
	if (copy_to_user(d->ubuf + d->used, &h, 19) ||
	    copy_to_user(d->ubuf + d->used + 19, name, len) ||
	    copy_to_user(d->ubuf + d->used + 19 + len, pad, reclen - 19 - len)) {
		d->err = -EFAULT;
		return false;
	}
	d->used += reclen;
	return true;
}

SYSCALL_DEFINE3(getdents64, int, fd, void *, ubuf, size_t, n)
{
	struct file *f = fd_get(fd);
	struct dents d = { .ctx = { .emit = emit }, .ubuf = ubuf, .size = n };
	long r;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->iterate) {
		file_put(f);
		return -ENOTDIR;
	}
	mutex_lock(&f->pos_lock);
	d.ctx.pos = f->pos;
	r = f->ops->iterate(f, &d.ctx);
	f->pos = d.ctx.pos;
	mutex_unlock(&f->pos_lock);
	notify_file(f, NOTIFY_ACCESS); /* whatever came of it, as Linux's iterate_dir */
	file_put(f);
	if (r)
		return r;
	if (d.err)
		return d.err;
	if (!d.used && d.full)
		return -EINVAL;
	return (long)d.used;
}

SYSCALL_DEFINE2(getcwd, char *, ubuf, size_t, n)
{
	char *buf = kmalloc(PATH_MAX);
	struct dentry *d;
	long r;

	if (!buf)
		return -ENOMEM;
	mutex_lock(&current_process()->lock);
	d = current_process()->cwd;
	vfs_dentry_get(d);
	mutex_unlock(&current_process()->lock);
	r = d->inode->nlink ? vfs_path_of(d, buf, PATH_MAX) : -ENOENT;
	vfs_dentry_put(d);
	if (r >= 0 && (size_t)r + 1 > n)
		r = -ERANGE;
	if (r >= 0 && copy_to_user(ubuf, buf, (size_t)r + 1))
		r = -EFAULT;
	kfree(buf);
	return r < 0 ? r : r + 1;
}

static long set_cwd(struct dentry *d)
{
	struct dentry *old;

	if (!S_ISDIR(d->inode->mode)) {
		vfs_dentry_put(d);
		return -ENOTDIR;
	}
	mutex_lock(&current_process()->lock);
	old = current_process()->cwd;
	current_process()->cwd = d;
	mutex_unlock(&current_process()->lock);
	vfs_dentry_put(old);
	return 0;
}

SYSCALL_DEFINE1(chdir, const char *, upath)
{
	struct dentry *d;
	long r = path_lookup_user(AT_FDCWD, upath, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &d);

	return r ? r : set_cwd(d);
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fd_get(fd);
	struct dentry *d;

	if (!f)
		return -EBADF;
	d = f->dentry;
	if (d)
		vfs_dentry_get(d);
	file_put(f);
	return d ? set_cwd(d) : -ENOTDIR;
}

/* Create a node (mkdir, mknod, symlink) at (dirfd, upath). */
static long create_at(int dirfd, const char *upath, uint32_t mode, uint64_t rdev,
		      const char *target)
{
	struct dentry *start;
	char *path;
	long r = user_path_dup(upath, &path);

	if (r < 0)
		return r;
	r = path_start(dirfd, path, &start);
	if (!r) {
		r = vfs_create(start, path, mode, rdev, target, NULL);
		vfs_dentry_put(start);
	}
	kfree(path);
	return r;
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char *, upath, uint32_t, mode)
{
	return create_at(dirfd, upath, S_IFDIR | (mode & 07777 & ~current_process()->umask), 0,
			 NULL);
}

SYSCALL_DEFINE2(mkdir, const char *, upath, uint32_t, mode)
{
	return create_at(AT_FDCWD, upath, S_IFDIR | (mode & 07777 & ~current_process()->umask), 0,
			 NULL);
}

SYSCALL_DEFINE4(mknodat, int, dirfd, const char *, upath, uint32_t, mode, uint32_t, dev)
{
	uint32_t type = mode & S_IFMT;

	if (!type)
		type = S_IFREG;
	if (type != S_IFREG && type != S_IFIFO && type != S_IFCHR && type != S_IFSOCK &&
	    type != S_IFBLK)
		return -EINVAL;
	return create_at(dirfd, upath, type | (mode & 07777 & ~current_process()->umask), dev,
			 NULL);
}

SYSCALL_DEFINE3(mknod, const char *, upath, uint32_t, mode, uint32_t, dev)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, mode, dev };

	return sys_mknodat(a);
}

SYSCALL_DEFINE3(symlinkat, const char *, utarget, int, dirfd, const char *, upath)
{
	char *target;
	long r = user_path_dup(utarget, &target);

	if (r < 0)
		return r;
	r = target[0] ? create_at(dirfd, upath, S_IFLNK | 0777, 0, target) : -ENOENT;
	kfree(target);
	return r;
}

SYSCALL_DEFINE2(symlink, const char *, utarget, const char *, upath)
{
	uint64_t a[3] = { (uint64_t)utarget, (uint64_t)AT_FDCWD, (uint64_t)upath };

	return sys_symlinkat(a);
}

/* Resolve (dirfd, upath) to its parent directory and last component. */
static long parent_of(int dirfd, const char *upath, char **path, struct dentry **dir,
		      const char **name, size_t *len, bool *trailing)
{
	struct dentry *start;
	long r = user_path_dup(upath, path);

	if (r < 0)
		return r;
	r = path_start(dirfd, *path, &start);
	if (!r) {
		r = path_parent_at(start, *path, dir, name, len, trailing);
		vfs_dentry_put(start);
	}
	if (r)
		kfree(*path);
	return r;
}

/* Also "/" (no last name at all). */
static bool dot_or_dotdot(const char *name, size_t len)
{
	return !len || (len == 1 && name[0] == '.') ||
	       (len == 2 && name[0] == '.' && name[1] == '.');
}

static long remove(int dirfd, const char *upath, bool dir_wanted)
{
	struct dentry *dir, *d;
	const char *name;
	size_t len;
	bool trailing;
	char *path;
	long r = parent_of(dirfd, upath, &path, &dir, &name, &len, &trailing);

	if (r)
		return r;
	if (dot_or_dotdot(name, len)) {
		r = dir_wanted ? (len == 1 ? -EINVAL : -ENOTEMPTY) : -EISDIR;
		goto out;
	}
	mutex_lock(&vfs_lock);
	r = path_lookup_child(dir, name, len, &d);
	if (r)
		goto unlock;
	if (d->covered || d->mounted) {
		r = -EBUSY;
	} else if (dir->inode->sb->rdonly) {
		r = -EROFS;
	} else if (dir_wanted && !S_ISDIR(d->inode->mode)) {
		r = -ENOTDIR;
	} else if (!dir_wanted && S_ISDIR(d->inode->mode)) {
		r = -EISDIR;
	} else if (!dir_wanted && trailing) {
		r = -ENOTDIR;
	} else if (dir_wanted && !list_empty(&d->children)) {
		r = -ENOTEMPTY;
	} else {
		const struct inode_ops *ops = dir->inode->iops;
		int (*fn)(struct inode *, struct dentry *) =
			ops ? (dir_wanted ? ops->rmdir : ops->unlink) : NULL;

		r = fn ? fn(dir->inode, d) : -EPERM;
		if (!r) {
			notify_dir(dir->inode, d->name,
				   NOTIFY_DELETE | (dir_wanted ? NOTIFY_ISDIR : 0));
			vfs_dentry_drop(d);
		}
	}
	vfs_dentry_put(d);
unlock:
	mutex_unlock(&vfs_lock);
out:
	vfs_dentry_put(dir);
	kfree(path);
	return r;
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char *, upath, int, flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return remove(dirfd, upath, flags & AT_REMOVEDIR);
}

SYSCALL_DEFINE1(unlink, const char *, upath)
{
	return remove(AT_FDCWD, upath, false);
}

SYSCALL_DEFINE1(rmdir, const char *, upath)
{
	return remove(AT_FDCWD, upath, true);
}

static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	for (; d; d = d->covered ? d->covered : d->parent)
		if (d == a)
			return true;
	return false;
}

/* Move dentry d under dir with name (vfs_lock held). */
static int move(struct dentry *d, struct dentry *dir, const char *name, size_t len)
{
	char *n = kmalloc(len + 1);
	struct dentry *old = d->parent;

	if (!n)
		return -ENOMEM;
	memcpy(n, name, len);
	n[len] = 0;
	kfree(d->name);
	d->name = n;
	list_del(&d->sibling);
	list_add_tail(&dir->children, &d->sibling);
	vfs_dentry_get(dir);
	d->parent = dir;
	vfs_dentry_put(old);
	return 0;
}

/* Name (name, len) of from moved to d's name in to (vfs_lock held): from's watchers see it
 * leave, to's see it arrive; a move within one directory is first a rename there (three
 * events, as Linux sends them since its FS_RENAME). */
static void notify_moved(struct dentry *from, struct dentry *to, const char *name, size_t len,
			 struct dentry *d)
{
	uint32_t isdir = S_ISDIR(d->inode->mode) ? NOTIFY_ISDIR : 0;
	char old[NAME_MAX + 1];

	len = MIN(len, (size_t)NAME_MAX);
	memcpy(old, name, len);
	old[len] = 0;
	if (from == to)
		notify_dir(from->inode, old, NOTIFY_RENAME | isdir);
	notify_dir(from->inode, old, NOTIFY_MOVED_FROM | isdir);
	notify_dir(to->inode, d->name, NOTIFY_MOVED_TO | isdir);
}

SYSCALL_DEFINE5(renameat2, int, odirfd, const char *, uold, int, ndirfd, const char *, unew,
		uint32_t, flags)
{
	struct dentry *odir, *ndir, *od = NULL, *nd = NULL;
	const char *oname, *nname;
	size_t olen, nlen;
	bool otr, ntr;
	char *opath, *npath;
	long r;

	if (flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE) ||
	    (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE))
		return -EINVAL;
	r = parent_of(odirfd, uold, &opath, &odir, &oname, &olen, &otr);
	if (r)
		return r;
	r = parent_of(ndirfd, unew, &npath, &ndir, &nname, &nlen, &ntr);
	if (r) {
		vfs_dentry_put(odir);
		kfree(opath);
		return r;
	}
	if (dot_or_dotdot(oname, olen) || dot_or_dotdot(nname, nlen)) {
		r = -EBUSY;
		goto out;
	}
	if (odir->inode->sb != ndir->inode->sb) {
		r = -EXDEV;
		goto out;
	}
	mutex_lock(&vfs_lock);
	r = path_lookup_child(odir, oname, olen, &od);
	if (r)
		goto unlock;
	if ((otr || ntr) && !S_ISDIR(od->inode->mode)) {
		r = -ENOTDIR;
		goto unlock;
	}
	r = path_lookup_child(ndir, nname, nlen, &nd);
	if (r == -ENOENT) {
		nd = NULL;
		r = flags & RENAME_EXCHANGE ? -ENOENT : 0;
	}
	if (r)
		goto unlock;
	if (od == nd)
		goto unlock;
	if (od->covered || od->mounted || (nd && (nd->covered || nd->mounted))) {
		r = -EBUSY;
		goto unlock;
	}
	if (is_ancestor(od, ndir) || (nd && (flags & RENAME_EXCHANGE) && is_ancestor(nd, odir))) {
		r = -EINVAL;
		goto unlock;
	}
	if (nd && (flags & RENAME_NOREPLACE)) {
		r = -EEXIST;
		goto unlock;
	}
	if (odir->inode->sb->rdonly) {
		r = -EROFS;
		goto unlock;
	}
	if ((flags & RENAME_EXCHANGE) && strcmp(odir->inode->sb->type, "ramfs")) {
		r = -EINVAL; /* only where the dentries are all there is to swap */
		goto unlock;
	}
	if (flags & RENAME_EXCHANGE) {
		char *tmp = kmalloc(olen + 1);

		r = -ENOMEM;
		if (!tmp)
			goto unlock;
		memcpy(tmp, oname, olen);
		r = move(nd, odir, tmp, olen);
		if (!r)
			r = move(od, ndir, nname, nlen);
		kfree(tmp);
		if (!r) { /* each name moved, as Linux reports an exchange */
			notify_moved(odir, ndir, oname, olen, od);
			notify_moved(ndir, odir, nname, nlen, nd);
		}
		goto unlock;
	}
	if (nd) {
		if (S_ISDIR(od->inode->mode) && !S_ISDIR(nd->inode->mode))
			r = -ENOTDIR;
		else if (!S_ISDIR(od->inode->mode) && S_ISDIR(nd->inode->mode))
			r = -EISDIR;
		else if (S_ISDIR(nd->inode->mode) && !list_empty(&nd->children))
			r = -ENOTEMPTY;
		if (r)
			goto unlock;
	}
	if (!nd) { /* the file system is given the new name as a negative dentry */
		nd = vfs_alloc_dentry(ndir, nname, nlen, NULL);
		r = -ENOMEM;
		if (!nd)
			goto unlock;
		vfs_dentry_get(nd);
	}
	if (odir->inode->iops && odir->inode->iops->rename)
		r = odir->inode->iops->rename(odir->inode, od, ndir->inode, nd);
	else
		r = -EPERM;
	if (!r || !nd->inode)
		vfs_dentry_drop(nd); /* replaced, or only the name */
	if (r)
		goto unlock;
	r = move(od, ndir, nname, nlen);
	if (!r)
		notify_moved(odir, ndir, oname, olen, od);
unlock:
	mutex_unlock(&vfs_lock);
	vfs_dentry_put(od);
	vfs_dentry_put(nd);
out:
	vfs_dentry_put(odir);
	vfs_dentry_put(ndir);
	kfree(opath);
	kfree(npath);
	return r;
}

SYSCALL_DEFINE4(renameat, int, odirfd, const char *, uold, int, ndirfd, const char *, unew)
{
	uint64_t a[5] = { (uint64_t)odirfd, (uint64_t)uold, (uint64_t)ndirfd, (uint64_t)unew, 0 };

	return sys_renameat2(a);
}

SYSCALL_DEFINE2(rename, const char *, uold, const char *, unew)
{
	uint64_t a[5] = { (uint64_t)AT_FDCWD, (uint64_t)uold, (uint64_t)AT_FDCWD, (uint64_t)unew,
			  0 };

	return sys_renameat2(a);
}

SYSCALL_DEFINE5(linkat, int, odirfd, const char *, uold, int, ndirfd, const char *, unew, int,
		flags)
{
	struct dentry *od, *ndir, *nd;
	const char *name;
	size_t len;
	bool trailing;
	char *npath;
	long r;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = path_lookup_user(odirfd, uold, (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0, &od);
	if (r)
		return r;
	if (S_ISDIR(od->inode->mode)) {
		vfs_dentry_put(od);
		return -EPERM;
	}
	r = parent_of(ndirfd, unew, &npath, &ndir, &name, &len, &trailing);
	if (r) {
		vfs_dentry_put(od);
		return r;
	}
	if (od->inode->sb != ndir->inode->sb) {
		r = -EXDEV;
		goto out;
	}
	mutex_lock(&vfs_lock);
	r = path_lookup_child(ndir, name, len, &nd);
	if (!r) {
		vfs_dentry_put(nd);
		r = -EEXIST;
	} else if (r == -ENOENT && ndir->inode->sb->rdonly) {
		r = -EROFS;
	} else if (r == -ENOENT) {
		nd = vfs_alloc_dentry(ndir, name, len, NULL);
		r = -ENOMEM;
		if (nd) {
			r = ndir->inode->iops && ndir->inode->iops->link
				    ? ndir->inode->iops->link(od, ndir->inode, nd)
				    : -EPERM;
			if (r)
				vfs_dentry_drop(nd);
			else
				notify_dir(ndir->inode, nd->name, NOTIFY_CREATE);
		}
	}
	mutex_unlock(&vfs_lock);
out:
	vfs_dentry_put(od);
	vfs_dentry_put(ndir);
	kfree(npath);
	return r;
}

SYSCALL_DEFINE2(link, const char *, uold, const char *, unew)
{
	uint64_t a[5] = { (uint64_t)AT_FDCWD, (uint64_t)uold, (uint64_t)AT_FDCWD, (uint64_t)unew,
			  0 };

	return sys_linkat(a);
}
