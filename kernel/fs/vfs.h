/* vfs.h: the virtual file system: inodes, dentries, mounts, open files.
 *
 * The name space is a tree of dentries (the dentry cache is the tree: ramfs keeps nothing
 * else, like Linux's ramfs). A dentry names an inode under its parent; a dentry with
 * `mounted` set is covered by the root dentry of another file system (whose `covered` points
 * back, so ".." crosses the mount). A file system that generates its contents (procfs,
 * devfs) creates dentries on demand from inode_ops.lookup and may mark them
 * DENTRY_VOLATILE, which makes the walk drop them (they are looked up again next time).
 *
 * Adding a file system: a `struct fs_type` with a mount function that returns its root
 * dentry (vfs_alloc_inode + vfs_alloc_dentry), registered by vfs_mount(path, &type, args)
 * from fs/mounts.c. Its directories implement inode_ops, its files file_ops. Reference
 * counts: vfs_inode_get/put, vfs_dentry_get/put; an inode is freed (inode_ops.release) when
 * its last reference goes.
 *
 * Mounts: every super is mounted once, and vfs_mounts lists them in mount order. Who holds a
 * dentry: the tree (1, while it is in its parent's children), each child (1 on its parent,
 * until the child is freed), a mount on it (the `covered` link), and everyone else (open
 * files, the working directory, a walk in progress). An inode is held by each dentry naming
 * it and by anyone else (a bound socket, a stat in progress). vfs_umount counts the first
 * kinds and calls the file system busy when it finds anything more (vfs.c).
 *
 * Open files (fs/file.h) carry file_ops: read/write/... on a `struct file`. Objects that are
 * not in the name space (pipes, eventfd, epoll, sockets) are files with an anonymous inode
 * (vfs_anon_inode) and their own file_ops.
 *
 * Locking: one global mutex (vfs_lock) serialises changes to the tree and directory
 * operations; file data has the inode's mutex. Reads of the tree during a walk take vfs_lock.
 */
#ifndef MOTE_FS_VFS_H
#define MOTE_FS_VFS_H

#include "lib/types.h"
#include "lib/list.h"
#include "core/sched/sync.h"

struct file;
struct inode;
struct dentry;
struct kstat;
struct kstatfs;
struct pollq;
struct xattr_mem;
struct blk_dev;

#define PATH_MAX 4096
#define NAME_MAX 255

/* File types and permission bits (st_mode). */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

/* getdents64 d_type */
#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

struct timespec64 {
	int64_t sec;
	int64_t nsec;
};

struct inode_ops {
	/* Find name in directory dir: set d->inode (a reference) or return -ENOENT. */
	int (*lookup)(struct inode *dir, struct dentry *d);
	/* Create a regular file / directory / symlink / device or fifo at d (negative). */
	int (*create)(struct inode *dir, struct dentry *d, uint32_t mode);
	int (*mkdir)(struct inode *dir, struct dentry *d, uint32_t mode);
	int (*symlink)(struct inode *dir, struct dentry *d, const char *target);
	int (*mknod)(struct inode *dir, struct dentry *d, uint32_t mode, uint64_t rdev);
	/* Add a hard link d to old's inode. */
	int (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
	/* Remove d (the VFS has checked the type and emptiness). */
	int (*unlink)(struct inode *dir, struct dentry *d);
	int (*rmdir)(struct inode *dir, struct dentry *d);
	/* Move old to new, a dentry under ndir: negative, or positive and then replaced (the
	 * file system unlinks or removes what it names). The VFS moves the dentry after. */
	int (*rename)(struct inode *odir, struct dentry *old, struct inode *ndir,
		      struct dentry *new);
	/* Copy the symlink target into buf (at most n bytes, not terminated); returns length. */
	long (*readlink)(struct inode *ino, char *buf, size_t n);
	/* A magic link (procfs fd/N): the dentry it leads to (a reference), which the walk
	 * takes instead of walking the text readlink gives. vfs_lock held. */
	int (*follow)(struct inode *ino, struct dentry **out);
	/* Change the size (truncate/extend with zeros). */
	int (*truncate)(struct inode *ino, uint64_t size);
	/* The VFS has changed ino's mode, owner or times (chmod, chown, utimes, a new node's
	 * owner): make the change persistent. 0 or -errno. NULL: nothing to do. */
	int (*setattr)(struct inode *ino);
	/* Extended attributes (fs/xattr.h), in kernel buffers; the VFS has checked the name
	 * (namespace, length), the value's size, the file type for user.* and a read-only
	 * mount. getxattr: name's value into buf (n bytes; n 0: only its length); its length,
	 * -ENODATA, -ERANGE (n too small). listxattr: every name NUL-terminated, one after the
	 * other, into buf (n 0: only their length); their length or -ERANGE. setxattr: flags
	 * XATTR_CREATE (-EEXIST if there) or XATTR_REPLACE (-ENODATA if not); 0, -ENOSPC,
	 * -EOPNOTSUPP (a namespace the fs does not keep). removexattr: 0 or -ENODATA. Both
	 * set the inode's ctime and keep it as setattr would. NULL: the
	 * file system keeps none (list empty, get, set and remove -EOPNOTSUPP). */
	long (*getxattr)(struct inode *ino, const char *name, void *buf, size_t n);
	long (*listxattr)(struct inode *ino, char *buf, size_t n);
	int (*setxattr)(struct inode *ino, const char *name, const void *val, size_t n, int flags);
	int (*removexattr)(struct inode *ino, const char *name);
	/* The last reference is gone: free the private data. */
	void (*release)(struct inode *ino);
};

struct inode {
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t ino;
	uint64_t size;
	uint64_t rdev;
	uint64_t blocks;
	struct timespec64 atime, mtime, ctime;
	int refs;
	struct mutex lock; /* the data */
	const struct inode_ops *iops;
	const struct file_ops *fops; /* installed on open */
	struct super *sb;
	void *priv; /* the file system's */
	char *link; /* symlink target, if the fs keeps it here (kmalloc'd, freed with the inode) */
	uint32_t mmaps;		  /* shared file mappings alive (ramfs keeps pages while > 0) */
	struct xattr_mem *xattrs; /* extended attributes kept in memory (ramfs; its release) */
	uint32_t umount_seen;	  /* vfs_umount's count of the dentries naming it (vfs_lock) */
};

#define DENTRY_VOLATILE 1 /* generated (procfs): dropped by the walk, looked up again */

struct dentry {
	char *name;
	struct inode *inode; /* NULL: negative (only while being created) */
	struct dentry *parent;
	struct list children; /* of a directory: cached child dentries */
	struct list sibling;
	struct dentry *mounted; /* the root of a file system mounted here */
	struct dentry *covered; /* of a root: the dentry it is mounted on */
	int refs;
	int flags;
};

struct super {
	const char *type; /* "ramfs", "proc"... (statfs, /proc/mounts) */
	uint64_t magic;	  /* statfs f_type */
	uint64_t next_ino;
	uint32_t dev;
	struct dentry *root;
	const struct fs_type *fs;
	bool rdonly; /* mounted read-only: attribute changes are -EROFS too */
	void *priv;  /* the file system's */
	int ninodes; /* its inodes alive (vfs_alloc_inode to the last vfs_inode_put) */
	int writers; /* its regular files open for writing (a remount to ro waits for none) */
	/* the mount (vfs_mounts, vfs_mounts_lock): */
	struct list mnt_node; /* in vfs_mounts */
	int mnt_id;	      /* /proc/self/mountinfo's, from 21 on in mount order */
	unsigned mnt_flags;   /* MOUNT_* */
	const char *mnt_type; /* the type's name as /proc/mounts shows it ("tmpfs") */
	char *source;	      /* the mount's source as given (kmalloc'd) */
	struct blk_dev *bdev; /* the device it is mounted from, or NULL */
};

/* A mount's flags, as /proc/mounts shows them (MOUNT_RDONLY makes sb->rdonly). */
#define MOUNT_RDONLY 0x001
#define MOUNT_NOSUID 0x002
#define MOUNT_NODEV 0x004
#define MOUNT_NOEXEC 0x008
#define MOUNT_SYNC 0x010
#define MOUNT_DIRSYNC 0x020
#define MOUNT_NOATIME 0x040
#define MOUNT_NODIRATIME 0x080
#define MOUNT_RELATIME 0x100

/* What a mount is made of besides its type. */
struct vfs_mount_args {
	const char *source;    /* "/dev/vdb", "proc", "none" (copied) */
	const char *type_name; /* as /proc/mounts shows it; NULL: the type's own */
	unsigned flags;	       /* MOUNT_* */
	struct blk_dev *bdev;  /* the device it comes from (one mount each), or NULL */
	void *data;	       /* the type's mount data */
};

struct fs_type {
	const char *name;
	uint64_t magic;
	/* Its options as /proc/mounts shows them after the mount's ("gid=5,mode=620"), or NULL. */
	const char *mnt_opts;
	/* Build the file system's root dentry in sb (data: type-specific). */
	int (*mount)(struct super *sb, void *data);
	/* Fill st's sizes and counts (NULL: the VFS reports the machine's memory, as tmpfs). */
	void (*statfs)(struct super *sb, struct kstatfs *st);
	/* Make every change so far durable (sync, syncfs); with last, also leave the file
	 * system clean and read-only for good (the VM is ending). NULL: nothing to do. */
	int (*sync)(struct super *sb, bool last);
	/* sb is unmounted and its dentries and inodes are gone: leave it clean and free its
	 * state. 0 or -errno (said on the console; the unmount is done all the same). NULL:
	 * nothing to free (ramfs: its tree was the dentries). */
	int (*umount)(struct super *sb);
	/* Switch sb to read-only (no file was open for writing a moment ago: vfs_make_rdonly
	 * once nothing more is to be written but the metadata, then commit, leave the disk
	 * clean) or back to read-write (the hook clears sb->rdonly). 0 or -errno, the mode
	 * unchanged unless the hook could not keep it writable. NULL: only the flag changes. */
	int (*remount)(struct super *sb, bool ro);
};

/* The root of the name space. */
extern struct dentry *vfs_root;
extern struct mutex vfs_lock;
/* The supers mounted (struct super.mnt_node), in mount order, under vfs_mounts_lock (taken
 * before vfs_lock; held across a sync, so that no super goes meanwhile). */
extern struct list vfs_mounts;
extern struct mutex vfs_mounts_lock;

/* Mount a new instance of type at path (an existing directory; "/" for the root). */
int vfs_mount(const char *path, const struct fs_type *type,
	      const struct vfs_mount_args *args) __must_check;
/* The same on directory at (the caller's reference stays the caller's): on top of whatever
 * is mounted there already. -ENOTDIR, -ENOENT (a removed directory), or the type's error. */
int vfs_mount_at(struct dentry *at, const struct fs_type *type,
		 const struct vfs_mount_args *args) __must_check;
/*
 * Unmount the file system whose root is root (the caller's reference, which this takes
 * over in every case): -EINVAL when root is no mount's root, -EBUSY when it is the root of
 * the name space or anything of it is in use: a dentry or inode held by anyone but the tree
 * (an open file, a working directory, a mapping, a bound socket, a walk), a mount on it.
 * Else it is detached, its dentries and inodes freed, then the type's umount hook runs, and
 * the super is freed: 0, or the hook's error (the unmount is done all the same).
 */
int vfs_umount(struct dentry *root) __must_check;
/* New inode of sb with mode (refs 1, times now). NULL when out of memory. */
struct inode *vfs_alloc_inode(struct super *sb, uint32_t mode);
/* An inode outside any file system (pipes, eventfd, epoll): refs 1. */
struct inode *vfs_anon_inode(uint32_t mode, const struct file_ops *fops);
/* A dentry named name under parent (NULL for a root), holding inode (ref taken over),
 * inserted in parent's children. refs 1 (the tree's). NULL when out of memory. */
struct dentry *vfs_alloc_dentry(struct dentry *parent, const char *name, size_t len,
				struct inode *inode);
/* Unlink d from its parent and drop the tree's reference. vfs_lock held. */
void vfs_dentry_drop(struct dentry *d);
void vfs_inode_get(struct inode *ino);
void vfs_inode_put(struct inode *ino);
void vfs_dentry_get(struct dentry *d);
void vfs_dentry_put(struct dentry *d);
/* The cached child of dir named name, or NULL (vfs_lock held). */
struct dentry *vfs_child(struct dentry *dir, const char *name, size_t len);
/* Absolute path of d into buf; returns the length or -ENAMETOOLONG. */
long vfs_path_of(struct dentry *d, char *buf, size_t n);
/* The same with vfs_lock held (procfs generates its links during a walk). */
long vfs_path_of_locked(struct dentry *d, char *buf, size_t n);
/* Set sb->rdonly unless a regular file of sb is open for writing: -EBUSY then. As Linux's
 * mnt_want_write, the other way round: an open for writing counts itself in sb->writers, then
 * looks at sb->rdonly (fs/open.c); this sets the flag, then looks at the count. */
int vfs_make_rdonly(struct super *sb) __must_check;
/* sb's fs_type sync (0 when it has none). */
int vfs_sync(struct super *sb, bool last);
/* Fill a stat structure from an inode. */
void vfs_stat_inode(struct inode *ino, struct kstat *st);
/* The current time as a timespec64. */
struct timespec64 vfs_now(void);
/* The boot-time mounts: ramfs at / from the initrd, devfs, procfs, sysfs. */
void vfs_init(void);

#endif /* MOTE_FS_VFS_H */
