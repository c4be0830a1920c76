/* stat.h: the file attributes the VFS reports (converted to struct stat / statx by
 * linux/sys_stat.c). */
#ifndef MOTE_FS_STAT_H
#define MOTE_FS_STAT_H

#include "lib/types.h"
#include "fs/vfs.h"

struct kstat {
	uint64_t dev, ino, rdev, size, blocks;
	uint32_t mode, nlink, uid, gid, blksize;
	struct timespec64 atime, mtime, ctime;
};

/* What statfs reports of a file system (fs_type.statfs fills all but type). */
struct kstatfs {
	uint64_t type, bsize, frsize, blocks, bfree, bavail, files, ffree, namelen, flags;
};

#endif /* MOTE_FS_STAT_H */
