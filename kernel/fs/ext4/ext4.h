/* ext4.h: the ext4 file system type, read-only: mounted from a block device (vfs_mount's data
 * is the struct blk_dev), regular files through extent trees, directories, symlinks, device
 * nodes, stat and statfs; every change is refused with -EROFS. */
#ifndef MOTE_FS_EXT4_EXT4_H
#define MOTE_FS_EXT4_EXT4_H

struct fs_type;

#define EXT4_SUPER_MAGIC 0xef53 /* statfs f_type */

extern const struct fs_type ext4_type;

#endif /* MOTE_FS_EXT4_EXT4_H */
