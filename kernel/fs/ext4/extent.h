/* extent.h: ext4's extent trees: which disk blocks hold a file's logical blocks; grown as a
 * file is written, cut as it is truncated. */
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

/* An extent tree being changed (under an open handle): the inode's number and generation
 * (the nodes' checksums start from them), its root (the inode's i_block, changed in place:
 * the caller writes the inode afterwards), where to allocate when nothing better is known,
 * and the count of blocks (data and nodes) the change allocated less those it freed, for
 * i_blocks. */
struct ext4_etree {
	uint32_t nr, gen;
	uint8_t *root;
	uint64_t goal;
	int64_t blocks;
};

/* An empty tree (a depth-0 root of no extents) in root (60 bytes). */
void ext4_extent_init(uint8_t *root);

/*
 * The disk blocks of logical blocks lblk.. (at most count of them), allocated if they are a
 * hole: 0 with *pblk (the first), *got (>= 1: contiguous, the same kind) and *fresh (just
 * allocated: their bytes are old, the caller writes them whole); -ENOSPC, -EIO (a corrupt
 * tree, or an unwritten extent in the way), -errno.
 */
int ext4_extent_alloc(struct ext4_fs *fs, struct ext4_etree *t, uint32_t lblk, uint32_t count,
		      uint64_t *pblk, uint32_t *got, bool *fresh) __must_check;

/* Free every block from logical block lblk on (and the nodes left empty). 0 or -errno. */
int ext4_extent_truncate(struct ext4_fs *fs, struct ext4_etree *t, uint32_t lblk) __must_check;

#endif /* MOTE_FS_EXT4_EXTENT_H */
