/* mount.h: mount(2)'s core (the types a program may mount, block devices by their node), and
 * the mount table as /proc/mounts and /proc/self/mountinfo show it. Unmounting is
 * vfs_umount (fs/vfs.h). */
#ifndef MOTE_FS_MOUNT_H
#define MOTE_FS_MOUNT_H

#include "lib/types.h"

struct dentry;

/*
 * Mount a new file system of type (by name) on directory at with flags (MOUNT_*, fs/vfs.h):
 * "ext4" from source, the path (from start) of a block node of a disk (devfs's /dev/vdX);
 * "tmpfs" or "ramfs": a new empty ramfs; "proc", "sysfs", "devpts": a new instance (devpts:
 * the same ptys); for those source
 * is only shown (NULL: "none"). 0, or -ENODEV (no such type), -EINVAL (ext4 without a
 * source, or no ext4 on the device), -ENOTBLK (source is no block node), -ENXIO (no such
 * disk), -EACCES (a read-only disk, mounted without MOUNT_RDONLY), -EBUSY (the disk is
 * mounted already; at is the root of the name space), -ENOTDIR, -ENOENT (at removed), the
 * walk's errors for source, the file system's (-EIO, -EBADMSG, -EOPNOTSUPP, -ENOMEM).
 */
int mount_new(struct dentry *start, const char *source, struct dentry *at, const char *type,
	      unsigned flags) __must_check;
/*
 * Change the mount whose root is root (the caller's reference stays the caller's) to flags
 * (MOUNT_*): read-only to read-write and back, and the options shown. -EINVAL when root is no
 * mount's root or the type cannot switch (only ext4 and the ramfs types can), -EBUSY going
 * read-only while a file of it is open for writing, -EACCES read-write on a read-only disk,
 * -EROFS read-write where the ext4 writer cannot keep the file system right, or a commit's
 * error (-EIO).
 */
int mount_remount(struct dentry *root, unsigned flags) __must_check;
/* The mounts, in mount order, as /proc/mounts lists them (info false) or as
 * /proc/self/mountinfo does (true), into buf (n bytes, NUL-ended when n > 0); returns the
 * full length. */
unsigned long mount_format(char *buf, unsigned long n, bool info);

#endif /* MOTE_FS_MOUNT_H */
