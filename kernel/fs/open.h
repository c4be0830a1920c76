/* open.h: opening files by path (openat's core, also used by exec), and kernel-side reads. */
#ifndef MOTE_FS_OPEN_H
#define MOTE_FS_OPEN_H

#include "lib/types.h"

struct dentry;
struct file;

/*
 * Open path (kernel memory) relative to start with O_* flags and a creation mode (umask
 * applied by the caller). *out is a new file (refs 1). Errors as openat.
 */
int vfs_open(struct dentry *start, const char *path, uint32_t flags, uint32_t mode,
	     struct file **out) __must_check;
/* Open an existing dentry (a reference is taken). */
int vfs_open_dentry(struct dentry *d, uint32_t flags, struct file **out) __must_check;
/* Read n bytes at off into a kernel buffer; returns bytes read or -errno. */
ssize_t kernel_read(struct file *f, void *buf, size_t n, uint64_t off);
/* Write n bytes at off from a kernel buffer; returns bytes written or -errno. */
ssize_t kernel_write(struct file *f, const void *buf, size_t n, uint64_t off);
/* Create a node at path (mknod/mkdir/symlink core): the new dentry's reference in *out if
 * out is not NULL. type: S_IFREG/S_IFDIR/S_IFLNK/S_IFCHR/S_IFIFO... target for symlinks. */
int vfs_create(struct dentry *start, const char *path, uint32_t mode, uint64_t rdev,
	       const char *target, struct dentry **out) __must_check;

#endif /* MOTE_FS_OPEN_H */
