/* file.h: ext4's regular files in the VFS: read, write (ordered: data reaches its blocks
 * before the transaction that points at them commits), truncate, mappings kept coherent
 * with write, fsync; and symlinks' targets. */
#ifndef MOTE_FS_EXT4_FILE_H
#define MOTE_FS_EXT4_FILE_H

#include "lib/types.h"

struct inode;
struct ext4_fs;
struct enode;

extern const struct inode_ops ext4_file_iops;
extern const struct file_ops ext4_file_fops;

/* Read nblocks whole blocks of en's file from logical block lb into kbuf (holes as zeros).
 * 0 or -errno. */
int ext4_file_read_blocks(struct ext4_fs *fs, const struct enode *en, uint64_t lb, uint64_t nblocks,
			  uint8_t *kbuf) __must_check;
/* Write n bytes of kbuf at off into ino's file (allocating, extending), as write(2) does;
 * ino->lock held. Returns the count written (short only on an error after some) or -errno. */
ssize_t ext4_file_write_kernel(struct inode *ino, const void *kbuf, size_t n, uint64_t off);
/* Write the pages of ino's shared writable mappings back into the file. 0 or -errno. */
int ext4_file_flush_pages(struct inode *ino);
/* Set symlink ino's target (ino->link) from raw's i_block or its first block. */
int ext4_file_load_link(struct inode *ino, const uint8_t *iblock) __must_check;

/* Under an open handle: make new symlink ino's target: in i_block when shorter than 60 bytes
 * (a "fast" symlink), else in a block of its own. Sets ino->size and ino->link; the caller
 * writes the inode. 0 or -errno. */
int ext4_file_set_link(struct inode *ino, const char *target) __must_check;

#endif /* MOTE_FS_EXT4_FILE_H */
