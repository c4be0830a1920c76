/* super.h: one mounted ext4 file system: its superblock read and checked (magic, checksum,
 * the features this reader knows), its block groups' inode tables, its block cache. */
#ifndef MOTE_FS_EXT4_SUPER_H
#define MOTE_FS_EXT4_SUPER_H

#include "lib/types.h"
#include "core/sched/sync.h"
#include "lib/list.h"

struct blk_dev;
struct bcache;
struct bbuf;
struct ext4_journal;
struct ext4_super;
struct ext4_alloc;

struct ext4_fs {
	struct blk_dev *dev;
	struct bcache *cache;
	uint32_t block_size; /* 1024..4096 */
	uint32_t inodes_per_group, inode_size;
	uint32_t groups;
	uint32_t first_data_block; /* the superblock's block: 1 with 1 KiB blocks, else 0 */
	uint32_t blocks_per_group;
	uint32_t desc_size;    /* 32, or 64 with 64bit */
	uint32_t first_ino;    /* the first inode not reserved */
	uint16_t extra_isize;  /* i_extra_isize of new inodes */
	uint16_t reserved_gdt; /* s_reserved_gdt_blocks */
	uint64_t *inode_table; /* per group: the inode table's first block */
	uint32_t incompat, ro_compat, compat;
	uint32_t journal_inum; /* with has_journal: its inode (0: none, or external) */
	bool csum;	       /* metadata_csum: inodes and group descriptors carry crc32c */
	uint32_t csum_seed;    /* what every metadata checksum starts from */
	/* hashed directories (hash.h) */
	uint32_t hash_seed[4];	/* s_hash_seed (all zero: the default) */
	unsigned hash_unsigned; /* EXT4_HASH_UNSIGNED if s_flags says so, else 0 */
	/* statfs, from the superblock */
	uint64_t blocks, free_blocks, reserved_blocks, overhead;
	uint32_t inodes, free_inodes;
	char label[17];
	/* writing (journal.h) */
	bool rw;		  /* mounted read-write */
	struct mutex wlock;	  /* held by the open handle */
	struct ext4_journal *jnl; /* the running transaction and the journal */
	struct ext4_alloc *alloc; /* the allocators' state (alloc.c) */
	/* in the VFS (ext4.c) */
	struct list icache; /* the VFS inodes alive (struct enode), one per disk inode */
	struct mutex ilock; /* icache */
};

/*
 * Read dev's superblock and group descriptors into a new *out. Refuses, with one line on the
 * console saying why (prefixed "ext4: NAME: "): no ext4 magic (-EINVAL), a superblock or
 * group descriptor whose checksum does not match (-EBADMSG), a block size other than 1, 2 or
 * 4 KiB or smaller than the device's, incompatible features this reader does not implement
 * (-EOPNOTSUPP: compression, journal device, meta_bg, dirdata, inline_data, encrypt, casefold,
 * unknown bits). A journal that needs recovery is left to ext4_journal_mount. -EIO, -ENOMEM.
 */
int ext4_super_read(struct blk_dev *dev, struct ext4_fs **out) __must_check;
/* Read the superblock and group descriptors again into fs, through a new (empty) cache: after
 * the journal's replay has written blocks behind the cache's back. No block may be pinned.
 * Fails as ext4_super_read; fs is to be freed then. */
int ext4_super_reload(struct ext4_fs *fs) __must_check;
void ext4_super_free(struct ext4_fs *fs);

/* Set superblock s's crc32c (s_checksum) when it has metadata_csum; call after any change to
 * its bytes, before it is written. */
void ext4_super_set_csum(struct ext4_super *s);
/* The block holding the superblock and its byte offset in it. */
uint64_t ext4_super_block(const struct ext4_fs *fs, uint32_t *offset);
/* The block holding group g's descriptor and its byte offset in it. */
uint64_t ext4_super_desc_block(const struct ext4_fs *fs, uint32_t g, uint32_t *offset);

/* Pin file-system block blk through the cache (bcache_get); -EIO for a block past the end. */
int ext4_block_get(struct ext4_fs *fs, uint64_t blk, struct bbuf **out) __must_check;
void ext4_block_put(struct ext4_fs *fs, struct bbuf *b);

#endif /* MOTE_FS_EXT4_SUPER_H */
