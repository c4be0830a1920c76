/* namei.h: ext4's directories in the VFS: lookup, listing, and the changes of names: create,
 * mkdir, symlink, mknod, link, unlink, rmdir, rename; symlinks' and nodes' operations. */
#ifndef MOTE_FS_EXT4_NAMEI_H
#define MOTE_FS_EXT4_NAMEI_H

extern const struct inode_ops ext4_dir_iops, ext4_link_iops, ext4_node_iops;
extern const struct file_ops ext4_dir_fops;

#endif /* MOTE_FS_EXT4_NAMEI_H */
