/* ramfs.h: the in-memory file system at / (the dentry tree is the directory structure; file
 * data are pages, or the initrd's own bytes until first written). */
#ifndef MOTE_FS_RAMFS_H
#define MOTE_FS_RAMFS_H

#include "lib/types.h"

struct dentry;
struct fs_type;

extern const struct fs_type ramfs_type;

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
/* Bytes of file data ramfs holds in its own pages (the rest is in the initrd). */
uint64_t ramfs_pages_in_use(void);

#endif /* MOTE_FS_RAMFS_H */
