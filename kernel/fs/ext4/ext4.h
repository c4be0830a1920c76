/* ext4.h: the ext4 file system type: mounted from a block device (vfs_mount's data is a
 * struct ext4_mount_opts), read-write when the device and the options allow it, else
 * read-only (every change -EROFS). Regular files through extent trees, directories,
 * symlinks, device nodes and fifos, stat and statfs. This file's glue (ext4.c) keeps one VFS
 * inode per disk inode alive; file.c holds the regular files' operations, namei.c the
 * directories'. */
#ifndef MOTE_FS_EXT4_EXT4_H
#define MOTE_FS_EXT4_EXT4_H

#include "lib/types.h"
#include "lib/list.h"

struct fs_type;
struct blk_dev;
struct super;
struct inode;
struct ext4_etree;

#define EXT4_SUPER_MAGIC 0xef53 /* statfs f_type */

extern const struct fs_type ext4_type;

/* What vfs_mount's data points at for ext4_type. */
struct ext4_mount_opts {
	struct blk_dev *dev;
	bool ro; /* read-only even on a writable device */
};

/* --- for file.c and namei.c */

/* An inode's private part: where its data is. */
struct enode {
	uint32_t nr, gen;
	uint32_t flags;	    /* i_flags */
	uint8_t iblock[60]; /* the extent tree's root (or a fast symlink's target) */
	void **pages;	    /* mapped pages, read on first use */
	uint64_t npages;
	bool map_write;	   /* a shared writable mapping was made: pages go back to the file */
	bool dead;	   /* freed on disk */
	bool orphan;	   /* on the orphan list (no links left, still in use) */
	struct list link;  /* in the file system's icache */
	struct inode *ino; /* the VFS inode this is part of */
};

/* The VFS inode of disk inode nr (a reference): the live one, else read from the disk. */
int ext4_iget(struct super *sb, uint32_t nr, struct inode **out) __must_check;
/* Under an open handle: write ino back (attributes, extent root, flags). 0 or -errno. */
int ext4_iwrite(struct inode *ino) __must_check;
/* t for a change of ino's extent tree; after it, ext4_etree_done counts its blocks. */
void ext4_etree_of(struct inode *ino, struct ext4_etree *t);
void ext4_etree_done(struct inode *ino, const struct ext4_etree *t);
/* Free ino's blocks from logical block keep on, a handle for each slice of the file (one
 * transaction holds only so many bitmaps); no handle open. 0 or -errno. */
int ext4_icut(struct inode *ino, uint64_t keep) __must_check;
/* Under an open handle: ino has no links left; put it on the orphan list (once) so that a
 * crash before its last user lets go does not leak it. 0 or -errno. */
int ext4_iorphan(struct inode *ino) __must_check;
/* inode_ops.setattr: write ino back under a handle of its own. */
int ext4_setattr(struct inode *ino);
/* inode_ops.release: the last reference is gone; a file without links is freed on disk. */
void ext4_release(struct inode *ino);
/* 0 when the file system of ino may be changed, else -EROFS. */
int ext4_writable(const struct inode *ino) __must_check;

#endif /* MOTE_FS_EXT4_EXT4_H */
