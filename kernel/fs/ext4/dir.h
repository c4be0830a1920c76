/* dir.h: ext4 directories read linearly, block by block. A hashed (htree) directory lists the
 * same way: its index nodes hide inside entries of inode 0 (as do metadata_csum's checksum
 * tails), which the walk skips; a name is found in it through its index (htree.h). */
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

struct ext4_dir;

/* The inode number of name (len bytes) in directory d (below; read only): 0 and *ino, or
 * -ENOENT. A hashed directory is searched through its index (the blocks that can hold name),
 * or linearly if the index is corrupt (said on the console). */
int ext4_dir_find(struct ext4_fs *fs, const struct ext4_dir *d, const char *name, size_t len,
		  uint32_t *ino) __must_check;

/* --- changing directories (under an open handle) */

struct ext4_etree;

/* A directory (being changed, or searched): its extent tree (extent.h: number, generation, root) and size;
 * flags is its i_flags (EXT4_INDEX_FL dropped here when the index is cleared). The caller
 * writes the inode afterwards (size, blocks, flags may have changed). */
struct ext4_dir {
	struct ext4_etree *t;
	uint64_t size;
	uint32_t flags;
};

/* Leaf block primitives (htree.c uses them too). Space for entries in a leaf block: all of it,
 * less the 12-byte checksum tail with metadata_csum. */
uint32_t ext4_dir_space(const struct ext4_fs *fs);
/* Make data an empty leaf block (one unused entry, the tail), its checksum set. */
void ext4_dir_block_init(const struct ext4_fs *fs, uint32_t nr, uint32_t gen, uint8_t *data);
/* Set a leaf block's checksum tail (directory nr of generation gen), after a change. */
void ext4_dir_set_csum(const struct ext4_fs *fs, uint32_t nr, uint32_t gen, uint8_t *data);
/* Add the entry name -> ino (file type ft: EXT4_FT_*) to leaf block data if there is room
 * (the checksum is not set): 0, or -ENOSPC. */
int ext4_dir_block_insert(const struct ext4_fs *fs, uint8_t *data, const char *name, size_t len,
			  uint32_t ino, uint8_t ft) __must_check;

/* Add name -> ino (ft) to directory d: into the first block with room, else a new block at
 * its end. A hashed directory loses its index first (clear_index). 0, -ENOSPC, -EIO. */
int ext4_dir_add(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len, uint32_t ino,
		 uint8_t ft) __must_check;
/* Remove name from d (its space joins the entry before it). 0, -ENOENT, -EIO. */
int ext4_dir_remove(struct ext4_fs *fs, struct ext4_dir *d, const char *name,
		    size_t len) __must_check;
/* Point the existing entry name of d at ino (ft). 0, -ENOENT, -EIO. */
int ext4_dir_set(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len, uint32_t ino,
		 uint8_t ft) __must_check;
/* Turn a hashed directory into a linear one: its index blocks become empty leaf blocks and
 * EXT4_INDEX_FL is dropped from d->flags. 0 or -errno. */
int ext4_dir_clear_index(struct ext4_fs *fs, struct ext4_dir *d) __must_check;

#endif /* MOTE_FS_EXT4_DIR_H */
