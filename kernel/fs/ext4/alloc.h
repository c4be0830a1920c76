/* alloc.h: ext4's block and inode allocators: bitmaps, group descriptors and the
 * superblock's counts, each changed under a transaction (journal.h) with its checksum. */
#ifndef MOTE_FS_EXT4_ALLOC_H
#define MOTE_FS_EXT4_ALLOC_H

#include "lib/types.h"

struct ext4_fs;

/* Called by the journal as a transaction commits, under its last handle: give back the
 * blocks freed since the last commit. 0 or -errno. */
int ext4_alloc_commit(struct ext4_fs *fs) __must_check;

#endif /* MOTE_FS_EXT4_ALLOC_H */
