/* dx.h: the blocks of ext4's hashed (htree) directories, in memory (the kernel's
 * Documentation/filesystems/ext4/directory.rst): index blocks (the root, block 0 of the
 * directory, and interior nodes) and the leaf blocks they point at, each as a buffer of
 * block-size bytes. Pure code: checks, searches, checksums and the edits an insert makes,
 * with no disk, cache or transaction (htree.c does those). */
#ifndef MOTE_FS_EXT4_DX_H
#define MOTE_FS_EXT4_DX_H

#include "lib/types.h"

/* An index entry: the first hash of the block it points at (the low bit set when that
 * block continues a run of equal hashes from the block before) and its logical block. In
 * entry 0 the hash's place holds the count and limit instead: its hash is taken as 0. */
struct ext4_dx_entry {
	uint32_t hash;
	uint32_t block;
} __attribute__((packed));

struct ext4_dx_countlimit {
	uint16_t limit, count;
} __attribute__((packed));

/* The root's fields after "." and "..". */
struct ext4_dx_root_info {
	uint32_t reserved_zero;
	uint8_t hash_version; /* EXT4_HASH_LEGACY..TEA (hash.h) */
	uint8_t info_length;  /* 8 */
	uint8_t indirect_levels;
	uint8_t unused_flags;
} __attribute__((packed));

/* After the limit's last entry with metadata_csum. */
struct ext4_dx_tail {
	uint32_t reserved;
	uint32_t csum;
} __attribute__((packed));

#define EXT4_DX_ROOT_INFO 0x18	      /* the root's info: after "." and ".." (12 bytes each) */
#define EXT4_DX_ROOT_ENTRIES 0x20     /* the root's count/limit and entries */
#define EXT4_DX_NODE_ENTRIES 8	      /* a node's, after an empty entry spanning the block */
#define EXT4_DX_BLOCK_MASK 0x0fffffff /* an entry's block: the high bits are reserved */

/* An index block's entries as found in buf. */
struct ext4_dx_node {
	struct ext4_dx_entry *e; /* entries[0, count) */
	unsigned count, limit;
	unsigned at; /* the entries' offset in the block (EXT4_DX_ROOT_ENTRIES or _NODE_) */
};

/* How many entries an index block holds: root or not, with room for a tail or not. */
unsigned ext4_dx_limit(uint32_t bs, bool root, bool csum);

/*
 * Take buf (bs bytes) as an index block: the root (its info checked: reserved zero, length
 * 8, hash version <= 2, indirect_levels <= max_levels) or a node (an empty entry spanning
 * the block), its limit as ext4_dx_limit says, count 1..limit, and entries' hashes in
 * ascending order. 0 and *n, or -EBADMSG.
 */
int ext4_dx_node_open(uint8_t *buf, uint32_t bs, bool root, bool csum, unsigned max_levels,
		      struct ext4_dx_node *n) __must_check;

/* The entry whose block may hold hash: the last whose hash is <= hash (entry 0 for any). */
unsigned ext4_dx_node_search(const struct ext4_dx_node *n, uint32_t hash);

/* An entry's hash (0 for entry 0) and block. */
uint32_t ext4_dx_node_hash(const struct ext4_dx_node *n, unsigned i);
uint32_t ext4_dx_node_block(const struct ext4_dx_node *n, unsigned i);

/* Insert (hash, block) after entry i (count < limit). */
void ext4_dx_node_insert(struct ext4_dx_node *n, unsigned i, uint32_t hash, uint32_t block);

/* An index block's checksum as its tail holds it; seed: the directory's (ext4_dx_seed). The
 * tail lies after the limit's last entry; false if it does not fit in the block. */
bool ext4_dx_node_csum_ok(const uint8_t *buf, uint32_t bs, const struct ext4_dx_node *n,
			  uint32_t seed);
void ext4_dx_node_csum_set(uint8_t *buf, const struct ext4_dx_node *n, uint32_t seed);

/* Move entries [from, count) of src into dst (empty): src's entry from becomes dst's entry
 * 0 (its hash, which dst's count and limit replace, is returned: the index entry for dst
 * above), and src keeps [0, from). */
uint32_t ext4_dx_node_move(struct ext4_dx_node *dst, struct ext4_dx_node *src, unsigned from);

/* Make n's entries just one: entry 0, pointing at block. */
void ext4_dx_node_reset(struct ext4_dx_node *n, uint32_t block);

/* Make buf an empty interior node (fake entry, limit, count 0). */
void ext4_dx_node_init(uint8_t *buf, uint32_t bs, bool csum, struct ext4_dx_node *n);

/* The checksum seed of directory inode nr with generation gen, from the file system's. */
uint32_t ext4_dx_seed(uint32_t fs_seed, uint32_t nr, uint32_t gen);

/* A leaf block's checksum tail: in place with the right checksum? Set it (whole tail). */
bool ext4_dx_leaf_csum_ok(const uint8_t *buf, uint32_t bs, uint32_t seed);
void ext4_dx_leaf_csum_set(uint8_t *buf, uint32_t bs, uint32_t seed);

/*
 * Find name (len bytes) among buf's live entries: 0 and *ino, -ENOENT, or -EIO for an entry
 * whose rec_len or name_len does not fit (*bad: its offset).
 */
int ext4_dx_leaf_find(const uint8_t *buf, uint32_t bs, const char *name, size_t len, uint32_t *ino,
		      uint32_t *bad) __must_check;

/*
 * Add the entry (name, ino, file type ft) to leaf buf in the first place with room: an
 * unused entry, or the slack after a live one; with csum the tail's 12 bytes are left
 * alone (the caller sets the checksum). 0, -ENOSPC (no room), -EIO (a corrupt entry).
 */
int ext4_dx_leaf_add(uint8_t *buf, uint32_t bs, bool csum, const char *name, size_t len,
		     uint32_t ino, uint8_t ft) __must_check;

/*
 * Split full leaf buf: its live entries sorted by hash (version, seed as for ext4_hash), the
 * upper half by size packed into upper (bs bytes), the rest packed back into buf; both get
 * a tail with csum (its checksum still to be set). *split: the index entry's hash for upper:
 * its first hash, with the low bit set when buf holds names of that hash too (a lookup of
 * it then reads on into upper). scratch (scratch_size bytes, EXT4_DX_SPLIT_SCRATCH(bs) is
 * enough) is work space. 0, -EIO (a corrupt entry), -EINVAL (scratch too small, or fewer
 * than two entries).
 */
int ext4_dx_leaf_split(uint8_t *buf, uint8_t *upper, uint32_t bs, bool csum, unsigned version,
		       const uint32_t seed[4], void *scratch, size_t scratch_size,
		       uint32_t *split) __must_check;

#define EXT4_DX_SPLIT_SCRATCH(bs) ((bs) / 12 * 12 + (bs))

/* Make buf an empty leaf: one unused entry over the block (less the tail with csum). */
void ext4_dx_leaf_init(uint8_t *buf, uint32_t bs, bool csum);

#endif /* MOTE_FS_EXT4_DX_H */
