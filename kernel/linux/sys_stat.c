/* sys_stat.c: file attributes: stat family, statx, statfs, access, readlink, utimensat,
 * chmod/chown family (extended attributes: sys_xattr.c). */
#include "fs/file.h"
#include "fs/notify.h"
#include "fs/path.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "linux/time.h"
#include "core/uaccess.h"

struct stat_k {
	uint64_t st_dev, st_ino, st_nlink;
	uint32_t st_mode, st_uid, st_gid, pad0;
	uint64_t st_rdev;
	int64_t st_size, st_blksize, st_blocks;
	struct timespec64 st_atim, st_mtim, st_ctim;
	int64_t reserved[3];
};

struct statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};

struct statx_k {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint32_t dio_mem_align, dio_offset_align;
	uint64_t spare[12];
};

struct statfs_k {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

#define STATX_BASIC_STATS 0x7ff
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* The inode a (dirfd, path, flags) names, with a reference; with d, also the dentry naming
 * it with a reference (NULL for an fd without one: AT_EMPTY_PATH on a pipe). */
static int resolve(int dirfd, const char *upath, int flags, struct dentry **d, struct inode **ino)
{
	char *path;
	struct dentry *start, *found;
	long r;

	if (d)
		*d = NULL;
	*ino = NULL;
	if (!upath) {
		if (!(flags & AT_EMPTY_PATH))
			return -EFAULT;
		path = kzalloc(1);
		if (!path)
			return -ENOMEM;
	} else {
		r = user_path_dup(upath, &path);
		if (r < 0)
			return (int)r;
	}
	if (!path[0]) {
		struct file *f;

		kfree(path);
		if (!(flags & AT_EMPTY_PATH))
			return -ENOENT;
		if (dirfd == AT_FDCWD) {
			*ino = current_process()->cwd->inode;
			vfs_inode_get(*ino);
			if (d) {
				*d = current_process()->cwd;
				vfs_dentry_get(*d);
			}
			return 0;
		}
		f = fd_get(dirfd);
		if (!f)
			return -EBADF;
		*ino = f->inode;
		vfs_inode_get(*ino);
		if (d && f->dentry) {
			*d = f->dentry;
			vfs_dentry_get(*d);
		}
		file_put(f);
		return 0;
	}
	r = path_start(dirfd, path, &start);
	if (!r) {
		r = path_lookup_at(start, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
				   &found);
		vfs_dentry_put(start);
	}
	kfree(path);
	if (r)
		return (int)r;
	*ino = found->inode;
	vfs_inode_get(*ino);
	if (d)
		*d = found;
	else
		vfs_dentry_put(found);
	return 0;
}

/* An attribute change of ino (named by d, if known) succeeded: watchers hear of it. Puts
 * the references resolve gave. */
static long changed(struct dentry *d, struct inode *ino, long r, uint32_t mask)
{
	if (!r && d && mask)
		notify_dentry(d, mask);
	vfs_dentry_put(d);
	vfs_inode_put(ino);
	return r;
}

static long stat_to_user(struct inode *ino, struct stat_k *u)
{
	struct kstat k;
	struct stat_k s;

	vfs_stat_inode(ino, &k);
	memset(&s, 0, sizeof(s));
	s.st_dev = k.dev;
	s.st_ino = k.ino;
	s.st_nlink = k.nlink;
	s.st_mode = k.mode;
	s.st_uid = k.uid;
	s.st_gid = k.gid;
	s.st_rdev = k.rdev;
	s.st_size = (int64_t)k.size;
	s.st_blksize = k.blksize;
	s.st_blocks = (int64_t)k.blocks;
	s.st_atim = k.atime;
	s.st_mtim = k.mtime;
	s.st_ctim = k.ctime;
	return copy_to_user(u, &s, sizeof(s));
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char *, upath, struct stat_k *, u, int, flags)
{
	struct inode *ino;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	r = resolve(dirfd, upath, flags, NULL, &ino);
	if (r)
		return r;
	r = stat_to_user(ino, u);
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE2(fstat, int, fd, struct stat_k *, u)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = stat_to_user(f->inode, u);
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(stat, const char *, upath, struct stat_k *, u)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, (uint64_t)u, 0 };

	return sys_newfstatat(a);
}

SYSCALL_DEFINE2(lstat, const char *, upath, struct stat_k *, u)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, (uint64_t)u, AT_SYMLINK_NOFOLLOW };

	return sys_newfstatat(a);
}

static struct statx_ts sx_ts(struct timespec64 t)
{
	return (struct statx_ts){ t.sec, (uint32_t)t.nsec, 0 };
}

SYSCALL_DEFINE5(statx, int, dirfd, const char *, upath, int, flags, uint32_t, mask,
		struct statx_k *, u)
{
	struct inode *ino;
	struct statx_k s;
	struct kstat k;
	long r;

	r = resolve(dirfd, upath, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), NULL, &ino);
	if (r)
		return r;
	vfs_stat_inode(ino, &k);
	vfs_inode_put(ino);
	memset(&s, 0, sizeof(s));
	s.mask = STATX_BASIC_STATS;
	s.blksize = k.blksize;
	s.nlink = k.nlink;
	s.uid = k.uid;
	s.gid = k.gid;
	s.mode = (uint16_t)k.mode;
	s.ino = k.ino;
	s.size = k.size;
	s.blocks = k.blocks;
	s.atime = sx_ts(k.atime);
	s.mtime = sx_ts(k.mtime);
	s.ctime = sx_ts(k.ctime);
	s.rdev_major = (uint32_t)(k.rdev >> 8);
	s.rdev_minor = (uint32_t)(k.rdev & 0xff);
	s.dev_major = (uint32_t)(k.dev >> 8);
	s.dev_minor = (uint32_t)(k.dev & 0xff);
	return copy_to_user(u, &s, sizeof(s));
}

static long statfs_of(struct inode *ino, struct statfs_k *u)
{
	struct statfs_k s;

	memset(&s, 0, sizeof(s));
	s.f_type = (int64_t)(ino->sb ? ino->sb->magic : 0);
	s.f_fsid[0] = (int32_t)(ino->sb ? ino->sb->dev : 0);
	if (ino->sb && ino->sb->fs && ino->sb->fs->statfs) {
		struct kstatfs k = { 0 };

		ino->sb->fs->statfs(ino->sb, &k);
		s.f_bsize = (int64_t)k.bsize;
		s.f_frsize = (int64_t)k.frsize;
		s.f_blocks = k.blocks;
		s.f_bfree = k.bfree;
		s.f_bavail = k.bavail;
		s.f_files = k.files;
		s.f_ffree = k.ffree;
		s.f_namelen = (int64_t)k.namelen;
		s.f_flags = (int64_t)k.flags;
		return copy_to_user(u, &s, sizeof(s));
	}
	s.f_bsize = 4096;
	s.f_frsize = 4096;
	s.f_blocks = page_total_count();
	s.f_bfree = s.f_bavail = page_free_count();
	s.f_files = 1 << 20;
	s.f_ffree = 1 << 19;
	s.f_namelen = NAME_MAX;
	return copy_to_user(u, &s, sizeof(s));
}

SYSCALL_DEFINE2(statfs, const char *, upath, struct statfs_k *, u)
{
	struct inode *ino;
	long r = resolve(AT_FDCWD, upath, 0, NULL, &ino);

	if (r)
		return r;
	r = statfs_of(ino, u);
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE2(fstatfs, int, fd, struct statfs_k *, u)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = statfs_of(f->inode, u);
	file_put(f);
	return r;
}

/* The caller is root: read and write always pass; execute needs some x bit (or a dir). */
SYSCALL_DEFINE4(faccessat2, int, dirfd, const char *, upath, int, mode, int, flags)
{
	struct inode *ino;
	long r;

	if (mode & ~7)
		return -EINVAL;
	r = resolve(dirfd, upath, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), NULL, &ino);
	if (r)
		return r;
	if ((mode & 1) && !S_ISDIR(ino->mode) && !(ino->mode & 0111))
		r = -EACCES;
	vfs_inode_put(ino);
	return r;
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char *, upath, int, mode)
{
	uint64_t a[4] = { (uint64_t)dirfd, (uint64_t)upath, (uint64_t)mode, 0 };

	return sys_faccessat2(a);
}

SYSCALL_DEFINE2(access, const char *, upath, int, mode)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, (uint64_t)mode, 0 };

	return sys_faccessat2(a);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char *, upath, char *, ubuf, int, n)
{
	struct dentry *start, *d;
	char *path, *buf;
	long r;

	if (n <= 0)
		return -EINVAL;
	r = user_path_dup(upath, &path);
	if (r < 0)
		return r;
	r = path_start(dirfd, path, &start);
	if (!r) {
		r = path_lookup_at(start, path, LOOKUP_EMPTY, &d);
		vfs_dentry_put(start);
	}
	kfree(path);
	if (r)
		return r;
	if (!S_ISLNK(d->inode->mode) || !d->inode->iops || !d->inode->iops->readlink) {
		vfs_dentry_put(d);
		return -EINVAL;
	}
	buf = kmalloc(PATH_MAX);
	if (!buf) {
		vfs_dentry_put(d);
		return -ENOMEM;
	}
	r = d->inode->iops->readlink(d->inode, buf, MIN((size_t)n, PATH_MAX));
	vfs_dentry_put(d);
	if (r > 0 && copy_to_user(ubuf, buf, (size_t)r))
		r = -EFAULT;
	kfree(buf);
	return r;
}

SYSCALL_DEFINE3(readlink, const char *, upath, char *, ubuf, int, n)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, (uint64_t)ubuf, (uint64_t)n };

	return sys_readlinkat(a);
}

/* The file system keeps what the VFS changed (inode_ops.setattr). */
static long setattr(struct inode *ino)
{
	return ino->iops && ino->iops->setattr ? ino->iops->setattr(ino) : 0;
}

static void set_time(struct timespec64 *t, const struct timespec_k *u, struct timespec64 now)
{
	if (u->tv_nsec == UTIME_OMIT)
		return;
	if (u->tv_nsec == UTIME_NOW)
		*t = now;
	else
		*t = (struct timespec64){ u->tv_sec, u->tv_nsec };
}

/* What setting the times says to watchers (Linux's fsnotify_change): both times an attribute
 * change, the access time alone an access, the modification time alone a modification. */
static uint32_t times_event(const struct timespec_k ts[2])
{
	bool a = ts[0].tv_nsec != UTIME_OMIT, m = ts[1].tv_nsec != UTIME_OMIT;

	return a && m ? NOTIFY_ATTRIB : a ? NOTIFY_ACCESS : m ? NOTIFY_MODIFY : 0;
}

SYSCALL_DEFINE4(utimensat, int, dirfd, const char *, upath, const struct timespec_k *, utimes, int,
		flags)
{
	struct timespec_k ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct dentry *d;
	struct inode *ino;
	struct timespec64 now = vfs_now();
	long r;

	if (utimes && copy_from_user(ts, utimes, sizeof(ts)))
		return -EFAULT;
	for (int i = 0; i < 2; i++)
		if (ts[i].tv_nsec != UTIME_NOW && ts[i].tv_nsec != UTIME_OMIT &&
		    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000))
			return -EINVAL;
	r = resolve(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) | (upath ? 0 : AT_EMPTY_PATH), &d,
		    &ino);
	if (r)
		return r;
	if (ino->sb && ino->sb->rdonly)
		return changed(d, ino, -EROFS, 0);
	set_time(&ino->atime, &ts[0], now);
	set_time(&ino->mtime, &ts[1], now);
	ino->ctime = now;
	r = setattr(ino);
	return changed(d, ino, r, times_event(ts));
}

static long chmod_ino(struct inode *ino, uint32_t mode)
{
	if (ino->sb && ino->sb->rdonly)
		return -EROFS;
	ino->mode = (ino->mode & S_IFMT) | (mode & 07777);
	ino->ctime = vfs_now();
	return setattr(ino);
}

static long chown_ino(struct inode *ino, uint32_t uid, uint32_t gid)
{
	if (ino->sb && ino->sb->rdonly)
		return -EROFS;
	if (uid != 0xffffffffu)
		ino->uid = uid;
	if (gid != 0xffffffffu)
		ino->gid = gid;
	ino->ctime = vfs_now();
	return setattr(ino);
}

/* A chown that names an owner or a group changes an attribute; chown(-1, -1) none. */
static uint32_t chown_event(uint32_t uid, uint32_t gid)
{
	return uid != 0xffffffffu || gid != 0xffffffffu ? NOTIFY_ATTRIB : 0;
}

SYSCALL_DEFINE4(fchmodat, int, dirfd, const char *, upath, uint32_t, mode, int, flags)
{
	struct dentry *d;
	struct inode *ino;
	long r = resolve(dirfd, upath, flags & AT_SYMLINK_NOFOLLOW, &d, &ino);

	if (r)
		return r;
	return changed(d, ino, chmod_ino(ino, mode), NOTIFY_ATTRIB);
}

SYSCALL_DEFINE2(chmod, const char *, upath, uint32_t, mode)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, mode, 0 };

	return sys_fchmodat(a);
}

SYSCALL_DEFINE2(fchmod, int, fd, uint32_t, mode)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = chmod_ino(f->inode, mode);
	if (!r)
		notify_file(f, NOTIFY_ATTRIB);
	file_put(f);
	return r;
}

SYSCALL_DEFINE5(fchownat, int, dirfd, const char *, upath, uint32_t, uid, uint32_t, gid, int, flags)
{
	struct dentry *d;
	struct inode *ino;
	long r = resolve(dirfd, upath, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), &d, &ino);

	if (r)
		return r;
	return changed(d, ino, chown_ino(ino, uid, gid), chown_event(uid, gid));
}

SYSCALL_DEFINE3(chown, const char *, upath, uint32_t, uid, uint32_t, gid)
{
	uint64_t a[5] = { (uint64_t)AT_FDCWD, (uint64_t)upath, uid, gid, 0 };

	return sys_fchownat(a);
}

SYSCALL_DEFINE3(lchown, const char *, upath, uint32_t, uid, uint32_t, gid)
{
	uint64_t a[5] = { (uint64_t)AT_FDCWD, (uint64_t)upath, uid, gid, AT_SYMLINK_NOFOLLOW };

	return sys_fchownat(a);
}

SYSCALL_DEFINE3(fchown, int, fd, uint32_t, uid, uint32_t, gid)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = chown_ino(f->inode, uid, gid);
	if (!r && chown_event(uid, gid))
		notify_file(f, NOTIFY_ATTRIB);
	file_put(f);
	return r;
}
