/* extent.h: ext4's extent trees: which disk blocks hold a file's logical blocks. */
#ifndef MOTE_FS_EXT4_EXTENT_H
#define MOTE_FS_EXT4_EXTENT_H

#include "lib/types.h"

struct ext4_fs;

/*
 * Map logical block lblk of inode nr, whose extent tree's root is iblock (the inode's 60-byte
 * i_block): *pblk is the disk block holding it, or 0 for a hole or an unwritten extent (both
 * read as zeros); *count (>= 1) is how many blocks from lblk on continue the same way
 * (contiguous on disk, or zeros). The tree may be any depth up to 5; its nodes are read
 * through the block cache. 0, -EIO (a corrupt tree, reported on the console), or a read error.
 */
int ext4_extent_map(struct ext4_fs *fs, uint32_t nr, const uint8_t *iblock, uint32_t lblk,
		    uint64_t *pblk, uint32_t *count) __must_check;

#endif /* MOTE_FS_EXT4_EXTENT_H */
