/* sys_file.c: system calls on file descriptors: open, read/write and their vector and
 * positioned forms, close, lseek, dup, fcntl, ioctl, pipes, memfd_create, truncate, sync
 * (sendfile and the splice family are linux/sys_splice.c's). */
#include "fs/file.h"
#include "fs/mounts.h"
#include "fs/notify.h"
#include "fs/open.h"
#include "fs/path.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/file_rw.h"
#include "linux/ifioctl.h"
#include "linux/mm.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
#define IOV_MAX 1024

struct iovec_k {
	void *base;
	size_t len;
};

SYSCALL_DEFINE4(openat, int, dirfd, const char *, upath, uint32_t, flags, uint32_t, mode)
{
	struct dentry *start;
	struct file *f;
	char *path;
	long r = user_path_dup(upath, &path);

	if (r < 0)
		return r;
	r = path_start(dirfd, path, &start);
	if (!r) {
		r = vfs_open(start, path, flags, mode & ~current_process()->umask, &f);
		vfs_dentry_put(start);
	}
	kfree(path);
	if (r)
		return r;
	r = fd_install(f, 0, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE3(open, const char *, upath, uint32_t, flags, uint32_t, mode)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, flags, mode };

	return sys_openat(a);
}

SYSCALL_DEFINE2(creat, const char *, upath, uint32_t, mode)
{
	uint64_t a[4] = { (uint64_t)AT_FDCWD, (uint64_t)upath, O_CREAT | O_WRONLY | O_TRUNC, mode };

	return sys_openat(a);
}

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(fd);
}

SYSCALL_DEFINE3(close_range, uint32_t, first, uint32_t, last, uint32_t, flags)
{
	for (uint64_t fd = first; fd <= last && fd < FD_MAX; fd++) {
		if (flags & 4) { /* CLOSE_RANGE_CLOEXEC */
			struct fdtable *t = current_process()->fdt;

			mutex_lock(&t->lock);
			if (t->files[fd])
				t->cloexec[fd] = 1;
			mutex_unlock(&t->lock);
		} else {
			(void)fd_close((int)fd);
		}
	}
	return 0;
}

/* Read or write with f's offset (or pos for the p* forms when pos >= 0), telling nobody. */
static ssize_t rw(struct file *f, bool write, void *ubuf, size_t n, int64_t pos)
{
	uint32_t acc = f->flags & O_ACCMODE;
	uint64_t off;
	ssize_t r;

	if (!f->ops || (write ? acc == O_RDONLY : acc == O_WRONLY))
		return -EBADF;
	if (write ? !f->ops->write : !f->ops->read)
		return S_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
	n = MIN(n, RW_MAX);
	if (pos >= 0) {
		if (!f->ops->seekable)
			return -ESPIPE;
		off = (uint64_t)pos;
		return write ? f->ops->write(f, ubuf, n, &off) : f->ops->read(f, ubuf, n, &off);
	}
	if (!f->ops->seekable) {
		off = 0;
		return write ? f->ops->write(f, ubuf, n, &off) : f->ops->read(f, ubuf, n, &off);
	}
	mutex_lock(&f->pos_lock);
	off = f->pos;
	r = write ? f->ops->write(f, ubuf, n, &off) : f->ops->read(f, ubuf, n, &off);
	if (r > 0)
		f->pos = off;
	mutex_unlock(&f->pos_lock);
	return r;
}

/* A transfer that moved something is an event on the file (Linux's fsnotify_access and
 * fsnotify_modify, once per call). */
static void rw_done(struct file *f, bool write, ssize_t r)
{
	if (r > 0)
		notify_file(f, write ? NOTIFY_MODIFY : NOTIFY_ACCESS);
}

ssize_t file_rw(struct file *f, bool write, void *ubuf, size_t n, int64_t pos)
{
	ssize_t r = rw(f, write, ubuf, n, pos);

	rw_done(f, write, r);
	return r;
}

static long fd_rw(int fd, bool write, void *ubuf, size_t n, int64_t pos)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (!user_range_ok(ubuf, n))
		r = -EFAULT;
	else
		r = file_rw(f, write, ubuf, n, pos);
	file_put(f);
	return r;
}

SYSCALL_DEFINE3(read, int, fd, void *, buf, size_t, n)
{
	return fd_rw(fd, false, buf, n, -1);
}

SYSCALL_DEFINE3(write, int, fd, const void *, buf, size_t, n)
{
	return fd_rw(fd, true, (void *)buf, n, -1);
}

SYSCALL_DEFINE4(pread64, int, fd, void *, buf, size_t, n, int64_t, pos)
{
	return pos < 0 ? -EINVAL : fd_rw(fd, false, buf, n, pos);
}

SYSCALL_DEFINE4(pwrite64, int, fd, const void *, buf, size_t, n, int64_t, pos)
{
	return pos < 0 ? -EINVAL : fd_rw(fd, true, (void *)buf, n, pos);
}

long fd_rwv(int fd, bool write, const struct iovec_k *uiov, int cnt, int64_t pos)
{
	struct file *f;
	struct iovec_k *iov;
	long total = 0, r = 0;

	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	iov = kmalloc(sizeof(*iov) * (size_t)MAX(cnt, 1));
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, uiov, sizeof(*iov) * (size_t)cnt)) {
		kfree(iov);
		return -EFAULT;
	}
	f = fd_get(fd);
	if (!f) {
		kfree(iov);
		return -EBADF;
	}
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		if (!user_range_ok(iov[i].base, iov[i].len)) {
			r = -EFAULT;
			break;
		}
		r = rw(f, write, iov[i].base, iov[i].len, pos < 0 ? -1 : pos + total);
		if (r < 0)
			break;
		total += r;
		if ((size_t)r < iov[i].len)
			break;
	}
	rw_done(f, write, total);
	file_put(f);
	kfree(iov);
	return total ? total : r;
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec_k *, iov, int, cnt)
{
	return fd_rwv(fd, false, iov, cnt, -1);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec_k *, iov, int, cnt)
{
	return fd_rwv(fd, true, iov, cnt, -1);
}

SYSCALL_DEFINE4(preadv, int, fd, const struct iovec_k *, iov, int, cnt, int64_t, pos)
{
	return pos < 0 ? -EINVAL : fd_rwv(fd, false, iov, cnt, pos);
}

SYSCALL_DEFINE4(pwritev, int, fd, const struct iovec_k *, iov, int, cnt, int64_t, pos)
{
	return pos < 0 ? -EINVAL : fd_rwv(fd, true, iov, cnt, pos);
}

SYSCALL_DEFINE3(lseek, int, fd, int64_t, off, int, whence)
{
	struct file *f = fd_get(fd);
	int64_t base;
	long r;

	if (!f)
		return -EBADF;
	if (f->ops && f->ops->seek_zero) {
		file_put(f);
		return whence <= SEEK_END ? 0 : -EINVAL;
	}
	if (!f->ops || !f->ops->seekable) {
		file_put(f);
		return -ESPIPE;
	}
	mutex_lock(&f->pos_lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		base = 0;
		if ((uint64_t)off >= f->inode->size) {
			r = -ENXIO;
			goto out;
		}
		if (whence == SEEK_HOLE)
			off = (int64_t)f->inode->size;
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if (base + off < 0) {
		r = -EINVAL;
		goto out;
	}
	f->pos = (uint64_t)(base + off);
	r = (long)f->pos;
out:
	mutex_unlock(&f->pos_lock);
	file_put(f);
	return r;
}

static long dup_to(int oldfd, int newfd, int flags, bool dup2)
{
	struct file *f;
	long r;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	f = fd_get(oldfd);
	if (!f)
		return -EBADF;
	if (oldfd == newfd) {
		file_put(f);
		return dup2 ? newfd : -EINVAL;
	}
	if (newfd < 0 || newfd >= FD_MAX || (uint64_t)newfd >= current_process()->rlim[7].cur) {
		file_put(f);
		return -EBADF;
	}
	r = fd_install_at(f, newfd, flags & O_CLOEXEC);
	return r;
}

SYSCALL_DEFINE1(dup, int, fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = fd_install(f, 0, false);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	return dup_to(oldfd, newfd, 0, true);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	return dup_to(oldfd, newfd, flags, false);
}

SYSCALL_DEFINE2(pipe2, int *, ufds, uint32_t, flags)
{
	struct file *rd, *wr;
	int fds[2];
	long r;

	if (flags & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	r = pipe_create(flags, &rd, &wr);
	if (r)
		return r;
	fds[0] = fd_install(rd, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(wr, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		(void)fd_close(fds[0]);
		file_put(wr);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		(void)fd_close(fds[0]);
		(void)fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U
#define MFD_NAME_MAX 249 /* NAME_MAX less "memfd:" */

/* A file in memory in no directory (ramfs_memfd). Its name is not kept (/proc/self/fd shows
 * no "memfd:NAME" yet); MFD_NOEXEC_SEAL allows sealing, as it does on Linux, but no exec
 * seal; MFD_HUGETLB is not supported (EINVAL). */
SYSCALL_DEFINE2(memfd_create, const char *, uname, uint32_t, flags)
{
	char name[MFD_NAME_MAX + 1];
	struct inode *ino;
	struct file *f;
	long r;

	if ((flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC)) ||
	    ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL)))
		return -EINVAL;
	r = strncpy_from_user(name, uname, sizeof(name));
	if (r < 0)
		return r == -ENAMETOOLONG ? -EINVAL : r;
	ino = ramfs_memfd(flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL));
	if (!ino)
		return -ENOMEM;
	f = file_alloc(ino, NULL, ino->fops, O_RDWR | O_LARGEFILE);
	vfs_inode_put(ino); /* (the file's reference is the one that stays) */
	if (!f)
		return -ENOMEM;
	r = fd_install(f, 0, flags & MFD_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

SYSCALL_DEFINE1(pipe, int *, ufds)
{
	uint64_t a[2] = { (uint64_t)ufds, 0 };

	return sys_pipe2(a);
}

SYSCALL_DEFINE3(ioctl, int, fd, uint32_t, cmd, uint64_t, arg)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case 0x5451: /* FIOCLEX */
	case 0x5450: /* FIONCLEX */
		mutex_lock(&current_process()->fdt->lock);
		current_process()->fdt->cloexec[fd] = cmd == 0x5451;
		mutex_unlock(&current_process()->fdt->lock);
		r = 0;
		break;
	case 0x5421: { /* FIONBIO */
		int on;

		r = get_user(on, (int *)arg);
		if (!r) {
			if (on)
				f->flags |= O_NONBLOCK;
			else
				f->flags &= ~(uint32_t)O_NONBLOCK;
		}
		break;
	}
	default:
		r = f->ops && f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
		if (r == -ENOTTY && S_ISSOCK(f->inode->mode)) /* any socket: the interface ioctls */
			r = ifioctl(cmd, arg);
		break;
	}
	file_put(f);
	return r;
}

static long do_truncate(struct inode *ino, int64_t len)
{
	uint64_t old = ino->size;
	int r;

	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode) || !ino->iops || !ino->iops->truncate)
		return -EINVAL;
	if (ino->sb && ino->sb->rdonly)
		return -EROFS;
	r = ino->iops->truncate(ino, (uint64_t)len);
	if (!r && (uint64_t)len < old)
		mm_truncated(ino, (uint64_t)len);
	return r;
}

SYSCALL_DEFINE2(ftruncate, int, fd, int64_t, len)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = (f->flags & O_ACCMODE) == O_RDONLY || !f->ops ? -EINVAL : do_truncate(f->inode, len);
	if (!r)
		notify_file(f, NOTIFY_MODIFY);
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(truncate, const char *, upath, int64_t, len)
{
	struct dentry *d;
	long r = path_lookup_user(AT_FDCWD, upath, LOOKUP_FOLLOW, &d);

	if (r)
		return r;
	r = do_truncate(d->inode, len);
	if (!r)
		notify_dentry(d, NOTIFY_MODIFY);
	vfs_dentry_put(d);
	return r;
}

static long fd_sync(int fd)
{
	struct file *f = fd_get(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (f->ops && f->ops->fsync)
		r = f->ops->fsync(f);
	file_put(f);
	return r;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	return fd_sync(fd);
}

SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return fd_sync(fd);
}

#define RWF_HIPRI 0x01
#define RWF_DSYNC 0x02
#define RWF_SYNC 0x04

/* preadv2/pwritev2: offset -1 is the file's own. RWF_HIPRI (polled I/O) changes nothing here;
 * RWF_DSYNC and RWF_SYNC sync the file after a write; the others (RWF_NOWAIT, RWF_APPEND...)
 * are not supported: EOPNOTSUPP, as Linux answers for flags a file does not support. */
static long rwv2(int fd, bool write, const struct iovec_k *iov, int cnt, int64_t pos, int flags)
{
	long r, s;

	if (flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC))
		return -EOPNOTSUPP;
	if (pos < -1)
		return -EINVAL;
	r = fd_rwv(fd, write, iov, cnt, pos);
	if (r > 0 && write && (flags & (RWF_DSYNC | RWF_SYNC))) {
		s = fd_sync(fd);
		if (s)
			return s;
	}
	return r;
}

/* (the offset's high half, for 32-bit callers, means nothing on x86-64) */
SYSCALL_DEFINE6(preadv2, int, fd, const struct iovec_k *, iov, int, cnt, int64_t, pos, uint64_t,
		pos_high, int, flags)
{
	return rwv2(fd, false, iov, cnt, pos, flags);
}

SYSCALL_DEFINE6(pwritev2, int, fd, const struct iovec_k *, iov, int, cnt, int64_t, pos, uint64_t,
		pos_high, int, flags)
{
	return rwv2(fd, true, iov, cnt, pos, flags);
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = vfs_sync(f->inode->sb, false);
	file_put(f);
	return r;
}

SYSCALL_DEFINE0(sync)
{
	(void)mounts_sync(false);
	return 0;
}

SYSCALL_DEFINE4(fallocate, int, fd, int, mode, int64_t, off, int64_t, len)
{
	struct file *f = fd_get(fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (mode)
		r = -EOPNOTSUPP;
	else if (off < 0 || len <= 0)
		r = -EINVAL;
	else if ((uint64_t)(off + len) > f->inode->size)
		r = do_truncate(f->inode, off + len);
	if (!r)
		notify_file(f, NOTIFY_MODIFY);
	file_put(f);
	return r;
}
