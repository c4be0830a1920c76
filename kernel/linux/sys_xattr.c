/* sys_xattr.c: extended attributes: get, set, list and remove, each by path, by path without
 * following a last symlink, and by file descriptor (the rules are fs/xattr.c's). */
#include "fs/file.h"
#include "fs/notify.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "fs/xattr.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "linux/syscall.h"
#include "core/uaccess.h"

/* The application's attribute name: 1 to XATTR_NAME_MAX characters, else -ERANGE. */
static long name_dup(const char *uname, char *name)
{
	long r = strncpy_from_user(name, uname, XATTR_NAME_MAX + 1);

	if (r == -ENAMETOOLONG || !r)
		return -ERANGE;
	return r < 0 ? r : 0;
}

/* The inode a path (follow: through a last symlink) or, with no path, fd names: a reference;
 * with dout, also the dentry naming it (a reference, or NULL: an fd without one). */
static long named(const char *upath, bool follow, int fd, struct inode **out, struct dentry **dout)
{
	struct dentry *d;
	struct file *f;
	long r;

	if (upath) {
		r = path_lookup_user(AT_FDCWD, upath, follow ? LOOKUP_FOLLOW : 0, &d);
		if (r)
			return r;
		*out = d->inode;
		vfs_inode_get(*out);
	} else {
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		*out = f->inode;
		vfs_inode_get(*out);
		d = f->dentry;
		if (d)
			vfs_dentry_get(d);
		file_put(f);
	}
	if (dout)
		*dout = d;
	else
		vfs_dentry_put(d);
	return 0;
}

static long inode_of(const char *upath, bool follow, int fd, struct inode **out)
{
	return named(upath, follow, fd, out, NULL);
}

/* A set or removed attribute is an attribute change to watchers (Linux's fsnotify_xattr). */
static void changed(struct dentry *d, long r)
{
	if (!r && d)
		notify_dentry(d, NOTIFY_ATTRIB);
	vfs_dentry_put(d);
}

static long do_get(const char *upath, bool follow, int fd, const char *uname, void *uval, size_t n)
{
	char name[XATTR_NAME_MAX + 1];
	struct inode *ino;
	void *buf = NULL;
	long r = name_dup(uname, name);

	if (r)
		return r;
	r = inode_of(upath, follow, fd, &ino);
	if (r)
		return r;
	n = MIN(n, (size_t)XATTR_SIZE_MAX);
	if (n && !(buf = kmalloc(n))) {
		vfs_inode_put(ino);
		return -ENOMEM;
	}
	r = xattr_get(ino, name, buf, n);
	/* a value larger than any buffer could be */
	if (r == -ERANGE && n == XATTR_SIZE_MAX)
		r = -E2BIG;
	if (r > 0 && n && copy_to_user(uval, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	vfs_inode_put(ino);
	return r;
}

static long do_list(const char *upath, bool follow, int fd, char *ulist, size_t n)
{
	struct inode *ino;
	char *buf = NULL;
	long r = inode_of(upath, follow, fd, &ino);

	if (r)
		return r;
	n = MIN(n, (size_t)XATTR_LIST_MAX);
	if (n && !(buf = kmalloc(n))) {
		vfs_inode_put(ino);
		return -ENOMEM;
	}
	r = xattr_list(ino, buf, n);
	if (r == -ERANGE && n == XATTR_LIST_MAX)
		r = -E2BIG;
	if (r > 0 && n && copy_to_user(ulist, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	vfs_inode_put(ino);
	return r;
}

static long do_set(const char *upath, bool follow, int fd, const char *uname, const void *uval,
		   size_t n, int flags)
{
	char name[XATTR_NAME_MAX + 1];
	struct inode *ino;
	struct dentry *d;
	void *val = NULL;
	long r;

	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	r = name_dup(uname, name);
	if (r)
		return r;
	if (n > XATTR_SIZE_MAX)
		return -E2BIG;
	if (n) {
		val = kmalloc(n);
		if (!val)
			return -ENOMEM;
		if (copy_from_user(val, uval, n)) {
			kfree(val);
			return -EFAULT;
		}
	}
	r = named(upath, follow, fd, &ino, &d);
	if (!r) {
		r = xattr_set(ino, name, val, n, flags);
		changed(d, r);
		vfs_inode_put(ino);
	}
	kfree(val);
	return r;
}

static long do_remove(const char *upath, bool follow, int fd, const char *uname)
{
	char name[XATTR_NAME_MAX + 1];
	struct inode *ino;
	struct dentry *d;
	long r = name_dup(uname, name);

	if (r)
		return r;
	r = named(upath, follow, fd, &ino, &d);
	if (r)
		return r;
	r = xattr_remove(ino, name);
	changed(d, r);
	vfs_inode_put(ino);
	return r;
}

/* A NULL path is a bad address here (inode_of takes it for "by descriptor"). */
#define PATH_OK(p) ((p) ? 0 : -EFAULT)

SYSCALL_DEFINE4(getxattr, const char *, upath, const char *, name, void *, val, size_t, n)
{
	return PATH_OK(upath) ?: do_get(upath, true, -1, name, val, n);
}

SYSCALL_DEFINE4(lgetxattr, const char *, upath, const char *, name, void *, val, size_t, n)
{
	return PATH_OK(upath) ?: do_get(upath, false, -1, name, val, n);
}

SYSCALL_DEFINE4(fgetxattr, int, fd, const char *, name, void *, val, size_t, n)
{
	return do_get(NULL, false, fd, name, val, n);
}

SYSCALL_DEFINE3(listxattr, const char *, upath, char *, list, size_t, n)
{
	return PATH_OK(upath) ?: do_list(upath, true, -1, list, n);
}

SYSCALL_DEFINE3(llistxattr, const char *, upath, char *, list, size_t, n)
{
	return PATH_OK(upath) ?: do_list(upath, false, -1, list, n);
}

SYSCALL_DEFINE3(flistxattr, int, fd, char *, list, size_t, n)
{
	return do_list(NULL, false, fd, list, n);
}

SYSCALL_DEFINE5(setxattr, const char *, upath, const char *, name, const void *, val, size_t, n,
		int, flags)
{
	return PATH_OK(upath) ?: do_set(upath, true, -1, name, val, n, flags);
}

SYSCALL_DEFINE5(lsetxattr, const char *, upath, const char *, name, const void *, val, size_t, n,
		int, flags)
{
	return PATH_OK(upath) ?: do_set(upath, false, -1, name, val, n, flags);
}

SYSCALL_DEFINE5(fsetxattr, int, fd, const char *, name, const void *, val, size_t, n, int, flags)
{
	return do_set(NULL, false, fd, name, val, n, flags);
}

SYSCALL_DEFINE2(removexattr, const char *, upath, const char *, name)
{
	return PATH_OK(upath) ?: do_remove(upath, true, -1, name);
}

SYSCALL_DEFINE2(lremovexattr, const char *, upath, const char *, name)
{
	return PATH_OK(upath) ?: do_remove(upath, false, -1, name);
}

SYSCALL_DEFINE2(fremovexattr, int, fd, const char *, name)
{
	return do_remove(NULL, false, fd, name);
}
