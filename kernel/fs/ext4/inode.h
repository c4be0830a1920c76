/* inode.h: ext4 inodes: found, written back, in their group's inode table, checked, turned into VFS
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

/* Under an open handle: write raw as inode nr (its checksum set): its 128 bytes and the extra
 * fields i_extra_isize says it has; the bytes past them are kept (extended attributes), or
 * zeroed when fresh: a new inode.
 * 0 or -errno. */
int ext4_inode_write(struct ext4_fs *fs, uint32_t nr, struct ext4_inode *raw,
		     bool fresh) __must_check;

/* The whole inode nr (fs->inode_size bytes: the extended attributes after its extra fields
 * too) into buf, its checksum checked. 0 or -errno as ext4_inode_read. */
int ext4_inode_read_whole(struct ext4_fs *fs, uint32_t nr, uint8_t *buf) __must_check;
/* Under an open handle: buf (fs->inode_size bytes) as inode nr, its checksum set. */
int ext4_inode_write_whole(struct ext4_fs *fs, uint32_t nr, const uint8_t *buf) __must_check;

/* Set raw's mode, uid, gid, links, size, blocks and times from ino (the reverse of
 * ext4_inode_attrs); times keep their nanoseconds and epoch bits when the inode has room. */
void ext4_inode_set_attrs(const struct ext4_fs *fs, struct ext4_inode *raw,
			  const struct inode *ino);

/* Set ino's mode, uid, gid, nlink, size, blocks (512-byte units) and times from raw. */
void ext4_inode_attrs(const struct ext4_fs *fs, const struct ext4_inode *raw, struct inode *ino);

#endif /* MOTE_FS_EXT4_INODE_H */
