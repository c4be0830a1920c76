/* dir.h: ext4 directories read linearly, block by block. A hashed (htree) directory reads the
 * same way: its index nodes hide inside entries of inode 0 (as do metadata_csum's checksum
 * tails), which the walk skips. */
#ifndef MOTE_FS_EXT4_DIR_H
#define MOTE_FS_EXT4_DIR_H

#include "lib/types.h"

struct ext4_fs;

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

/* The inode number of name (len bytes) in directory nr: 0 and *ino, or -ENOENT. */
int ext4_dir_find(struct ext4_fs *fs, uint32_t nr, const uint8_t *iblock, uint64_t size,
		  const char *name, size_t len, uint32_t *ino) __must_check;

#endif /* MOTE_FS_EXT4_DIR_H */
