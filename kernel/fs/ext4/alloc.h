/* alloc.h: ext4's block and inode allocators: bitmaps, group descriptors and the
 * superblock's counts, each changed under a transaction (journal.h) with its checksum.
 * Groups that mkfs left uninitialised (BLOCK_UNINIT, INODE_UNINIT) get their bitmap built
 * the first time they are used. Every call but ext4_alloc_free runs under an open handle. */
#ifndef MOTE_FS_EXT4_ALLOC_H
#define MOTE_FS_EXT4_ALLOC_H

#include "lib/types.h"

struct ext4_fs;

/*
 * Allocate blocks: the first free one at or after goal (0: no preference; the search wraps
 * round the groups), and as many free ones after it as *count asks (a contiguous run).
 * 0 with *blk and *count (1 .. the count asked), -ENOSPC (none free), -EIO (a group whose
 * bitmap disagrees with its descriptor: reported, and not used), -errno.
 */
int ext4_balloc(struct ext4_fs *fs, uint64_t goal, uint32_t *count, uint64_t *blk) __must_check;
/* Free count blocks from blk (bitmaps and counts changed now, under the handle); they are not
 * allocated again until the running transaction commits (ext4_alloc_commit). 0, -EIO
 * (outside the file system's data), -ENOMEM. */
int ext4_bfree(struct ext4_fs *fs, uint64_t blk, uint64_t count) __must_check;
/* Allocate an inode for a new file (dir: a directory) made in directory parent: files in
 * the parent's group first, directories spread over the groups with the most free inodes.
 * 0 and *nr, -ENOSPC, -errno. */
int ext4_ialloc(struct ext4_fs *fs, uint32_t parent, bool dir, uint32_t *nr) __must_check;
/* Give inode nr back (dir: it was a directory). 0 or -errno. */
int ext4_ifree(struct ext4_fs *fs, uint32_t nr, bool dir) __must_check;

/* Are there blocks freed that only the next commit lets be used? (-ENOSPC may then go.) */
bool ext4_alloc_pending(const struct ext4_fs *fs);

/* Called by the journal as a transaction commits, under its last handle: write the free
 * counts into the superblock, and let the blocks freed since the last commit be used again.
 * 0 or -errno. */
int ext4_alloc_commit(struct ext4_fs *fs) __must_check;
/* Forget the allocators' state (at unmount, after the last commit). */
void ext4_alloc_free(struct ext4_fs *fs);

#endif /* MOTE_FS_EXT4_ALLOC_H */
