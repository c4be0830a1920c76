/* xattr.h: ext4's extended attributes: user., trusted. and security. ones, read from and
 * written to the inode's spare bytes first and then one attribute block (shared between
 * inodes by a reference count; copied before a change when shared), with the entry and block
 * hashes and checksums e2fsck checks. system.* (POSIX ACLs, inline data) is neither listed
 * nor changed: as Linux mounted with noacl. Values in inodes of their own (ea_inode) are
 * listed, but not read or changed (-EOPNOTSUPP). */
#ifndef MOTE_FS_EXT4_XATTR_H
#define MOTE_FS_EXT4_XATTR_H

#include "lib/types.h"

struct inode;
struct ext4_fs;
struct ext4_inode;

/* inode_ops hooks (the contracts in fs/vfs.h); set and remove open a handle of their own. */
long ext4_xattr_get(struct inode *ino, const char *name, void *buf, size_t n);
long ext4_xattr_list(struct inode *ino, char *buf, size_t n);
int ext4_xattr_set(struct inode *ino, const char *name, const void *val, size_t n, int flags);
int ext4_xattr_remove(struct inode *ino, const char *name);

#define EXT4_XATTR_OPS                                                                        \
	.getxattr = ext4_xattr_get, .listxattr = ext4_xattr_list, .setxattr = ext4_xattr_set, \
	.removexattr = ext4_xattr_remove

/* Under an open handle, as inode raw is freed: let go of its attribute block (freed when no
 * other inode shares it, else its count lowered) and clear i_file_acl. 0 or -errno. */
int ext4_xattr_drop(struct ext4_fs *fs, struct ext4_inode *raw) __must_check;

#endif /* MOTE_FS_EXT4_XATTR_H */
