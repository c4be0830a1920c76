/* dir.h: ext4 directories read linearly, block by block. A hashed (htree) directory lists the
 * same way: its index nodes hide inside entries of inode 0 (as do metadata_csum's checksum
 * tails), which the walk skips; a name is found in it through its index (htree.h). */
#ifndef MOTE_FS_EXT4_DIR_H
#define MOTE_FS_EXT4_DIR_H

#include "lib/types.h"

struct ext4_fs;

/* A directory, as reading it needs its inode. */
struct ext4_dir {
	uint32_t nr;	       /* inode number */
	uint32_t flags;	       /* i_flags: EXT4_INDEX_FL for a hashed directory */
	uint32_t gen;	       /* i_generation, in its blocks' checksums */
	const uint8_t *iblock; /* the extent tree's root */
	uint64_t size;
};

/* One live entry: its name (not terminated), inode number, getdents type (DT_*), and the
 * directory position just past it. Return false to stop the walk. */
typedef bool (*ext4_dir_fn)(void *arg, const char *name, size_t len, uint32_t ino, unsigned type,
			    uint64_t next);

/*
 * Call fn for each live entry of directory nr (extent root iblock, size bytes) at or after
 * byte position pos, in on-disk order, until it returns false or the directory ends. 0, -EIO
 * (a corrupt block, reported on the console), or a read error.
 */
int ext4_dir_walk(struct ext4_fs *fs, uint32_t nr, const uint8_t *iblock, uint64_t size,
		  uint64_t pos, ext4_dir_fn fn, void *arg) __must_check;

/* The inode number of name (len bytes) in directory d: 0 and *ino, or -ENOENT. A hashed
 * directory is searched through its index (the blocks that can hold name), or linearly if
 * the index is corrupt (said on the console). */
int ext4_dir_find(struct ext4_fs *fs, const struct ext4_dir *d, const char *name, size_t len,
		  uint32_t *ino) __must_check;

#endif /* MOTE_FS_EXT4_DIR_H */
