/* orphan.h: ext4's orphan list: the inodes whose last link is gone while the file is still
 * in use (open, mapped), chained from the superblock's s_last_orphan through their i_dtime,
 * so that a crash before their last user lets go does not leak them: the next read-write
 * mount (or e2fsck) frees what the list holds. Every call runs under an open handle. */
#ifndef MOTE_FS_EXT4_ORPHAN_H
#define MOTE_FS_EXT4_ORPHAN_H

#include "lib/types.h"

struct ext4_fs;

/* Put inode nr at the head of the list. 0 or -errno. */
int ext4_orphan_add(struct ext4_fs *fs, uint32_t nr) __must_check;
/* Take inode nr out of the list (wherever it is). 0, -ENOENT (not in it), -EIO (a list that
 * loops or leaves the inode table), -errno. */
int ext4_orphan_remove(struct ext4_fs *fs, uint32_t nr) __must_check;
/* The list's first inode (0: empty). No handle needed. */
uint32_t ext4_orphan_first(struct ext4_fs *fs);

#endif /* MOTE_FS_EXT4_ORPHAN_H */
