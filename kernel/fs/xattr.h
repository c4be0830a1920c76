/* xattr.h: extended attributes in the VFS (xattr(7)): the rules every file system shares
 * (namespaces, sizes, flags, which files may have user.* ones), the calls into inode_ops, and
 * a list kept in memory for file systems without a disk (ramfs). */
#ifndef MOTE_FS_XATTR_H
#define MOTE_FS_XATTR_H

#include "lib/types.h"

struct inode;
struct xattr_mem;

#define XATTR_CREATE 0x1  /* set: fail with -EEXIST if the attribute is there */
#define XATTR_REPLACE 0x2 /* set: fail with -ENODATA if it is not */
#define XATTR_NAME_MAX 255
#define XATTR_SIZE_MAX 65536 /* a value's largest size */
#define XATTR_LIST_MAX 65536 /* the largest list of names */

/* Is name (a full name: "user.mime_type") in a namespace the VFS knows (user., trusted.,
 * security., system.)? 0, -EOPNOTSUPP (another one), -EINVAL (nothing after the prefix). */
int xattr_check_name(const char *name) __must_check;

/* name's value into buf (kernel memory, n bytes; n 0: only the length). The length, -ENODATA
 * (none, or user.* on a file that cannot have them), -ERANGE (n too small), -EOPNOTSUPP (an
 * unknown namespace, or a file system without attributes: procfs), -EINVAL, -errno. */
long xattr_get(struct inode *ino, const char *name, void *buf, size_t n);
/* The names, each NUL-terminated, into buf (n 0: only the length). The length (0 on a file
 * system without attributes) or -ERANGE. */
long xattr_list(struct inode *ino, char *buf, size_t n);
/* Set name to val (n bytes, at most XATTR_SIZE_MAX) with flags XATTR_CREATE/XATTR_REPLACE.
 * 0, -EINVAL (flags), -E2BIG, -EROFS, -EPERM (user.* on a file other than a regular file or
 * directory), -EOPNOTSUPP (namespace, or a file system without attributes), -EEXIST,
 * -ENODATA, -ENOSPC, -errno. */
int xattr_set(struct inode *ino, const char *name, const void *val, size_t n, int flags);
/* Remove name: 0, -ENODATA, -EROFS, -EPERM, -EOPNOTSUPP as xattr_set. */
int xattr_remove(struct inode *ino, const char *name);

/* --- attributes kept in memory, a list per inode (inode.xattrs); the caller serialises (the
 * inode's lock). The same contracts as inode_ops' hooks (vfs.h). */
long xattr_mem_get(struct xattr_mem *const *head, const char *name, void *buf, size_t n);
long xattr_mem_list(struct xattr_mem *const *head, char *buf, size_t n);
int xattr_mem_set(struct xattr_mem **head, const char *name, const void *val, size_t n, int flags);
int xattr_mem_remove(struct xattr_mem **head, const char *name);
/* Free the whole list (the inode is going). */
void xattr_mem_free(struct xattr_mem **head);

#endif /* MOTE_FS_XATTR_H */
