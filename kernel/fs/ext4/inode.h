/* inode.h: ext4 inodes: found in their group's inode table, checked, turned into VFS
 * attributes (mode, owner, links, size, blocks, times with nanoseconds). */
#ifndef MOTE_FS_EXT4_INODE_H
#define MOTE_FS_EXT4_INODE_H

#include "lib/types.h"
#include "fs/ext4/disk.h"

struct ext4_fs;
struct inode;

/* Read inode number nr into *out (the fields past the file system's inode size zeroed); with
 * metadata_csum its checksum is checked. 0, -EINVAL (no such number), -EBADMSG (checksum,
 * reported on the console), -EIO. */
int ext4_inode_read(struct ext4_fs *fs, uint32_t nr, struct ext4_inode *out) __must_check;

/* Set ino's mode, uid, gid, nlink, size, blocks (512-byte units) and times from raw. */
void ext4_inode_attrs(const struct ext4_fs *fs, const struct ext4_inode *raw, struct inode *ino);

#endif /* MOTE_FS_EXT4_INODE_H */
