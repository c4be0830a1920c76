/* htree.h: ext4's hashed (htree) directories on disk: a name found through the index (the
 * root in block 0, up to three levels of nodes, binary search by hash, then only the leaf
 * blocks that can hold it), and added to it (a leaf split when full, index nodes split or a
 * level added when they are). dx.h has the blocks' layout. */
#ifndef MOTE_FS_EXT4_HTREE_H
#define MOTE_FS_EXT4_HTREE_H

#include "lib/types.h"

struct ext4_fs;
struct ext4_dir;

/*
 * Find name (len bytes) in hashed directory d through its index. 0 and *ino, -ENOENT,
 * -EAGAIN when the index cannot be used (corrupt: an index block that fails its checks or
 * its checksum, an unknown hash version, a block past the directory's end; one console line
 * per directory) and the directory must be read linearly instead, -EIO (a corrupt leaf,
 * said on the console), or a read error.
 */
int ext4_htree_find(struct ext4_fs *fs, const struct ext4_dir *d, const char *name, size_t len,
		    uint32_t *ino) __must_check;

/*
 * Under an open handle (journal.h): add name -> ino (file type ft) to hashed directory d,
 * into the leaf its hash belongs to. A full leaf is split by hash, its upper half moved to a
 * new block at the directory's end (d->size grows; d->t counts the blocks); a full index
 * node is split, or the root pushed down a level, while the format allows (an index of 2
 * levels below the root with largedir, else 1). 0, -EAGAIN (the index is corrupt: nothing
 * has changed, and the caller makes the directory linear instead: ext4_dir_clear_index),
 * -ENOSPC (no free block, or the index full at its deepest level, as Linux: said on the
 * console), -EIO, -ENOMEM.
 */
int ext4_htree_add(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len,
		   uint32_t ino, uint8_t ft) __must_check;

#endif /* MOTE_FS_EXT4_HTREE_H */
