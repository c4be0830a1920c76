/* sys_fcntl.c: fcntl (descriptor and status flags, duplication, record locks, owners and
 * signals, directory notification) and flock. */
#include "fs/file.h"
#include "fs/lock.h"
#include "fs/pipe.h"
#include "fs/ramfs.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "linux/dnotify.h"
#include "linux/fown.h"
#include "linux/syscall.h"
#include "linux/task.h"
#include "core/uaccess.h"

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_SETOWN 8
#define F_GETOWN 9
#define F_SETSIG 10
#define F_GETSIG 11
#define F_SETOWN_EX 15
#define F_GETOWN_EX 16
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_NOTIFY 1026
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define FD_CLOEXEC 1
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

struct f_owner_ex {
	int32_t type;
	int32_t pid;
};

/* F_SETOWN: a process, or (negative) a process group. */
static long set_owner(struct file *f, int who)
{
	if (who == -2147483647 - 1) /* INT_MIN: no group to negate it into */
		return -EINVAL;
	return who < 0 ? fown_set(f, F_OWNER_PGRP, -who) : fown_set(f, F_OWNER_PID, who);
}

static long set_owner_ex(struct file *f, const void *uarg)
{
	struct f_owner_ex o;

	if (copy_from_user(&o, uarg, sizeof(o)))
		return -EFAULT;
	return fown_set(f, o.type, o.pid);
}

static long get_owner_ex(struct file *f, void *uarg)
{
	struct f_owner_ex o;

	fown_get_ex(f, &o.type, &o.pid);
	return copy_to_user(uarg, &o, sizeof(o)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, uint64_t, arg)
{
	struct fdtable *t = current_process()->fdt;
	struct file *f = fd_get(fd);
	struct flock_k fl;
	long r = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)arg < 0 || arg >= FD_MAX || arg >= current_process()->rlim[7].cur) {
			r = -EINVAL;
			break;
		}
		file_get(f);
		r = fd_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (r < 0)
			file_put(f);
		break;
	case F_GETFD:
		mutex_lock(&t->lock);
		r = t->cloexec[fd] ? FD_CLOEXEC : 0;
		mutex_unlock(&t->lock);
		break;
	case F_SETFD:
		mutex_lock(&t->lock);
		t->cloexec[fd] = arg & FD_CLOEXEC;
		mutex_unlock(&t->lock);
		break;
	case F_GETFL:
		r = f->flags;
		break;
	case F_SETFL:
		f->flags = (f->flags & ~(uint32_t)SETFL_MASK) | ((uint32_t)arg & SETFL_MASK);
		break;
	case F_GETLK:
	case F_OFD_GETLK:
		r = copy_from_user(&fl, (void *)arg, sizeof(fl));
		if (!r)
			r = lock_get(f, cmd == F_GETLK ? LOCK_POSIX : LOCK_OFD, &fl);
		if (!r)
			r = copy_to_user((void *)arg, &fl, sizeof(fl));
		break;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = copy_from_user(&fl, (void *)arg, sizeof(fl));
		if (!r)
			r = lock_set(f, cmd <= F_SETLKW ? LOCK_POSIX : LOCK_OFD, &fl,
				     cmd == F_SETLKW || cmd == F_OFD_SETLKW);
		break;
	case F_SETOWN:
		r = set_owner(f, (int)arg);
		break;
	case F_GETOWN:
		r = fown_get(f);
		break;
	case F_SETOWN_EX:
		r = set_owner_ex(f, (const void *)arg);
		break;
	case F_GETOWN_EX:
		r = get_owner_ex(f, (void *)arg);
		break;
	case F_SETSIG:
		r = fown_set_sig(f, (int)arg); /* (an int, as Linux reads it) */
		break;
	case F_GETSIG:
		r = fown_get_sig(f);
		break;
	case F_NOTIFY:
		r = dnotify_fcntl(f, fd, (uint32_t)arg);
		break;
	case F_GETPIPE_SZ:
		r = pipe_get_size(f);
		break;
	case F_SETPIPE_SZ:
		r = pipe_set_size(f, (uint32_t)arg); /* (an unsigned int, as Linux reads it) */
		break;
	case F_ADD_SEALS:
		r = ramfs_add_seals(f->inode, (uint32_t)arg, (f->flags & O_ACCMODE) != O_RDONLY);
		break;
	case F_GET_SEALS:
		r = ramfs_get_seals(f->inode);
		break;
	default:
		r = -EINVAL;
		break;
	}
	file_put(f);
	return r;
}

SYSCALL_DEFINE2(flock, int, fd, int, op)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = lock_flock(f, op);
	file_put(f);
	return r;
}
