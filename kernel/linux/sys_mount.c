/* sys_mount.c: mount and umount2: new mounts (ext4 from a disk, tmpfs/ramfs, proc, sysfs),
 * remounts between read-only and read-write, unmounts that refuse a file system in use. */
#include "fs/mount.h"
#include "fs/path.h"
#include "fs/vfs.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "linux/syscall.h"
#include "core/uaccess.h"

#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_SYNCHRONOUS 16
#define MS_REMOUNT 32
#define MS_DIRSYNC 128
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_BIND 4096
#define MS_MOVE 8192
#define MS_REC 16384
#define MS_SILENT 32768
#define MS_UNBINDABLE (1 << 17)
#define MS_PRIVATE (1 << 18)
#define MS_SLAVE (1 << 19)
#define MS_SHARED (1 << 20)
#define MS_STRICTATIME (1 << 24)
#define MS_RELATIME (1 << 21)
#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)
#define MS_PER_MOUNT                                                                   \
	(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)
#define MS_MGC_VAL 0xc0ed0000ul
#define MS_MGC_MSK 0xffff0000ul

#define MNT_FORCE 1
#define MNT_DETACH 2
#define MNT_EXPIRE 4
#define UMOUNT_NOFOLLOW 8

#define TYPE_MAX 64 /* longer than any type's name: -ENODEV */

/* The mount's MOUNT_* flags from mount(2)'s, as Linux's path_mount derives them: relatime
 * unless noatime or strictatime. */
static unsigned mount_flags(unsigned long f)
{
	unsigned m = 0;

	if (f & MS_RDONLY)
		m |= MOUNT_RDONLY;
	if (f & MS_NOSUID)
		m |= MOUNT_NOSUID;
	if (f & MS_NODEV)
		m |= MOUNT_NODEV;
	if (f & MS_NOEXEC)
		m |= MOUNT_NOEXEC;
	if (f & MS_SYNCHRONOUS)
		m |= MOUNT_SYNC;
	if (f & MS_DIRSYNC)
		m |= MOUNT_DIRSYNC;
	if (f & MS_NODIRATIME)
		m |= MOUNT_NODIRATIME;
	if (f & MS_NOATIME)
		m |= MOUNT_NOATIME;
	else if (!(f & MS_STRICTATIME))
		m |= MOUNT_RELATIME;
	return m;
}

/* A string argument, NULL allowed (mount's source and type may be). */
static long string_arg(const char *u, size_t max, char **out)
{
	long r;

	*out = NULL;
	if (!u)
		return 0;
	*out = kmalloc(max);
	if (!*out)
		return -ENOMEM;
	r = strncpy_from_user(*out, u, max);
	return r < 0 ? r : 0;
}

/* The data page is looked at for a fault only: options are not taken (docs/kernel.md). */
static long data_arg(const void *u)
{
	char c;

	return u && copy_from_user(&c, u, 1) ? -EFAULT : 0;
}

static long do_mount(const char *source, struct dentry *at, const char *type, unsigned long f)
{
	struct dentry *start;
	long r;

	if (f & MS_REMOUNT) /* with MS_BIND too: the mount's flags alone */
		return mount_remount(at, mount_flags(f));
	if (f & (MS_BIND | MS_MOVE))
		return -EINVAL; /* no bind mounts, no moves (docs/kernel.md) */
	if (f & MS_PROPAGATION) {
		/* every mount is private: making one private, a slave (of nothing) or
		 * unbindable changes nothing; shared cannot be had. As Linux, one kind a call,
		 * the per-mount flags ignored. */
		unsigned long kind = f & ~(MS_PER_MOUNT | MS_REC | MS_SILENT);

		if ((kind & (kind - 1)) || (kind & MS_SHARED))
			return -EINVAL;
		return at->covered || at == vfs_root ? 0 : -EINVAL;
	}
	if (!type)
		return -EINVAL;
	r = path_start(AT_FDCWD, source ? source : "", &start);
	if (r)
		return r;
	r = mount_new(start, source, at, type, mount_flags(f));
	vfs_dentry_put(start);
	return r;
}

SYSCALL_DEFINE5(mount, const char *, usource, const char *, utarget, const char *, utype,
		unsigned long, flags, const void *, udata)
{
	char *source = NULL, *type;
	struct dentry *at;
	long r;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	r = string_arg(utype, TYPE_MAX, &type);
	if (r == -ENAMETOOLONG)
		r = -ENODEV;
	if (!r)
		r = string_arg(usource, PATH_MAX, &source);
	if (r == -ENAMETOOLONG)
		r = -EINVAL;
	if (!r)
		r = data_arg(udata);
	if (!r)
		r = path_lookup_user(AT_FDCWD, utarget, LOOKUP_FOLLOW, &at);
	if (!r) {
		r = do_mount(source, at, type, flags);
		vfs_dentry_put(at);
	}
	kfree(source);
	kfree(type);
	return r;
}

SYSCALL_DEFINE2(umount2, const char *, utarget, int, flags)
{
	struct dentry *root;
	long r;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (flags & MNT_EXPIRE)
		return -EINVAL; /* no expiry marks (docs/kernel.md) */
	r = path_lookup_user(AT_FDCWD, utarget, (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			     &root);
	if (r)
		return r;
	/* MNT_FORCE: nothing here waits on a server, a plain unmount; MNT_DETACH: done now when
	 * nothing is in use, else refused, as a lazy detach is not done (docs/kernel.md) */
	r = vfs_umount(root);
	return r == -EBUSY && (flags & MNT_DETACH) ? -EINVAL : r;
}
