/* ramfs.h: the in-memory file system at / (the dentry tree is the directory structure; file
 * data are pages, or the initrd's own bytes until first written). */
#ifndef MOTE_FS_RAMFS_H
#define MOTE_FS_RAMFS_H

#include "lib/types.h"

struct dentry;
struct fs_type;

extern const struct fs_type ramfs_type;
/* The root's mode of a ramfs mounted as tmpfs (01777, as Linux's tmpfs), for its mount data. */
extern const uint32_t ramfs_tmpfs_mode;

/*
 * Add an entry under dir (vfs_lock held): a regular file whose contents are data (size
 * bytes, kept in place: not copied until written), a directory, or a symlink to target.
 * mode includes the type bits. Return the new dentry (the tree's reference) or NULL with
 * *err set (-EEXIST, -ENOMEM).
 */
struct dentry *ramfs_add_file(struct dentry *dir, const char *name, size_t len, uint32_t mode,
			      const void *data, uint64_t size, int64_t mtime, int *err);
struct dentry *ramfs_add_dir(struct dentry *dir, const char *name, size_t len, uint32_t mode,
			     int64_t mtime, int *err);
struct dentry *ramfs_add_symlink(struct dentry *dir, const char *name, size_t len,
				 const char *target, size_t tlen, int64_t mtime, int *err);
/* A memfd's seals (fcntl F_ADD_SEALS, F_GET_SEALS). */
#define F_SEAL_SEAL 0x0001	   /* no more seals */
#define F_SEAL_SHRINK 0x0002	   /* the size may not shrink */
#define F_SEAL_GROW 0x0004	   /* nor grow */
#define F_SEAL_WRITE 0x0008	   /* no writes (no writable shared mapping either) */
#define F_SEAL_FUTURE_WRITE 0x0010 /* the same from now on */
#define F_SEAL_ALL 0x001f
#define TMPFS_MAGIC 0x01021994

/* memfd_create's file: a regular file of mode 0777 in no directory (its link count 0), on a
 * tmpfs super of its own; sealing allows F_ADD_SEALS, else F_SEAL_SEAL is set. NULL: no
 * memory. The caller owns the one reference. */
struct inode *ramfs_memfd(bool sealing);
/* A memfd's seals; -EINVAL for any other inode. */
int ramfs_get_seals(struct inode *ino);
/* Add seals to a memfd open for writing (writable): 0, -EINVAL (another inode, not open for
 * writing, unknown seals), -EPERM (F_SEAL_SEAL set), -EBUSY (F_SEAL_WRITE while mapped). */
int ramfs_add_seals(struct inode *ino, uint32_t seals, bool writable);
/* Bytes of file data ramfs holds in its own pages (the rest is in the initrd). */
uint64_t ramfs_pages_in_use(void);

#endif /* MOTE_FS_RAMFS_H */
