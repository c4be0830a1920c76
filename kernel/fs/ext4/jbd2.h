/* jbd2.h: the jbd2 journal's on-disk format (the Linux kernel's
 * Documentation/filesystems/ext4/journal.rst), and access to an ext4 file system's internal
 * journal: its inode's blocks mapped once, its superblock read, checked and written, its
 * blocks' checksums. Unlike the rest of ext4, every journal field is big-endian.
 *
 * The journal is a ring of s_maxlen blocks; block 0 holds the journal superblock, the log
 * runs from s_first to s_maxlen - 1 and wraps. A transaction in the log is one or more
 * descriptor blocks (a tag per block: its home, flags, checksum), each followed by copies of
 * the blocks it tags, then revoke blocks (homes whose older copies must not be replayed),
 * then a commit block. Every log block starts with a header: the magic, its type and its
 * transaction's sequence number. A logged copy that would itself start with the magic has
 * its first four bytes zeroed, and its tag says so (JBD2_FLAG_ESCAPE).
 */
#ifndef MOTE_FS_EXT4_JBD2_H
#define MOTE_FS_EXT4_JBD2_H

#include "lib/types.h"

#define JBD2_MAGIC 0xc03b3998u
#define JBD2_MIN_BLOCKS 1024 /* a shorter journal is refused, as Linux does */

/* h_blocktype */
#define JBD2_DESCRIPTOR 1
#define JBD2_COMMIT 2
#define JBD2_SUPER_V1 3
#define JBD2_SUPER_V2 4
#define JBD2_REVOKE 5

/* s_feature_compat */
#define JBD2_COMPAT_CHECKSUM 0x1 /* v1: a crc32 of the transaction in its commit block */
/* s_feature_incompat */
#define JBD2_INCOMPAT_REVOKE 0x1
#define JBD2_INCOMPAT_64BIT 0x2 /* tags and revoke records hold 64-bit block numbers */
#define JBD2_INCOMPAT_ASYNC_COMMIT 0x4
#define JBD2_INCOMPAT_CSUM_V2 0x8
#define JBD2_INCOMPAT_CSUM_V3 0x10
#define JBD2_INCOMPAT_FAST_COMMIT 0x20
#define JBD2_INCOMPAT_KNOWN                                                        \
	(JBD2_INCOMPAT_REVOKE | JBD2_INCOMPAT_64BIT | JBD2_INCOMPAT_ASYNC_COMMIT | \
	 JBD2_INCOMPAT_CSUM_V2 | JBD2_INCOMPAT_CSUM_V3)

#define JBD2_CRC32C_CHKSUM 4 /* s_checksum_type with v2/v3 checksums */

/* t_flags */
#define JBD2_FLAG_ESCAPE 0x1	/* the copy's first 4 bytes were the magic: zeroed */
#define JBD2_FLAG_SAME_UUID 0x2 /* else 16 bytes of UUID follow the tag */
#define JBD2_FLAG_DELETED 0x4
#define JBD2_FLAG_LAST_TAG 0x8

static inline uint32_t be32(uint32_t x)
{
	return __builtin_bswap32(x);
}

static inline uint64_t be64(uint64_t x)
{
	return __builtin_bswap64(x);
}

static inline uint16_t be16(uint16_t x)
{
	return __builtin_bswap16(x);
}

/* Transaction ids compare modulo 2^32. */
static inline bool tid_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

struct jbd2_header {
	uint32_t h_magic, h_blocktype, h_sequence;
} __attribute__((packed));

struct jbd2_super {
	struct jbd2_header s_header;
	uint32_t s_blocksize; /* 0x0c */
	uint32_t s_maxlen;    /* 0x10: blocks in the journal, superblock included */
	uint32_t s_first;     /* 0x14: the log's first block */
	uint32_t s_sequence;  /* 0x18: the first transaction expected in the log */
	uint32_t s_start;     /* 0x1c: where the log starts; 0: empty (clean) */
	uint32_t s_errno;     /* 0x20 */
	/* v2 only: */
	uint32_t s_feature_compat, s_feature_incompat, s_feature_ro_compat; /* 0x24 */
	uint8_t s_uuid[16];						    /* 0x30 */
	uint32_t s_nr_users, s_dynsuper;				    /* 0x40 */
	uint32_t s_max_transaction, s_max_trans_data;			    /* 0x48 */
	uint8_t s_checksum_type;					    /* 0x50 */
	uint8_t s_padding2[3];
	uint32_t s_num_fc_blks, s_head; /* 0x54 */
	uint32_t s_padding[40];
	uint32_t s_checksum; /* 0xfc: crc32c(~0, these 1024 bytes with this field 0) */
	uint8_t s_users[16 * 48];
} __attribute__((packed));

_Static_assert(offsetof(struct jbd2_super, s_checksum_type) == 0x50, "s_checksum_type");
_Static_assert(offsetof(struct jbd2_super, s_checksum) == 0xfc, "s_checksum");
_Static_assert(sizeof(struct jbd2_super) == 1024, "journal superblock size");

/* A descriptor's block tag, with csum_v3: 16 bytes. */
struct jbd2_tag3 {
	uint32_t t_blocknr, t_flags, t_blocknr_high, t_checksum;
} __attribute__((packed));

/* Without csum_v3: 8 bytes, 12 with 64bit (t_blocknr_high); csum_v2 adds 2 unused bytes
 * after those (its checksum is in t_checksum). */
struct jbd2_tag {
	uint32_t t_blocknr;
	uint16_t t_checksum; /* csum_v2: the low 16 bits of the copy's checksum */
	uint16_t t_flags;
	uint32_t t_blocknr_high; /* 64bit only */
} __attribute__((packed));

/* The last 4 bytes of a descriptor or revoke block with v2/v3 checksums: crc32c(seed, the
 * block with this field 0). */
struct jbd2_tail {
	uint32_t t_checksum;
} __attribute__((packed));

struct jbd2_commit {
	struct jbd2_header h;
	uint8_t h_chksum_type, h_chksum_size, h_padding[2];
	uint32_t h_chksum[8]; /* v2/v3: [0] = crc32c(seed, the block with it 0) */
	uint64_t h_commit_sec;
	uint32_t h_commit_nsec;
} __attribute__((packed));

_Static_assert(offsetof(struct jbd2_commit, h_commit_sec) == 0x30, "h_commit_sec");

struct jbd2_revoke {
	struct jbd2_header h;
	uint32_t r_count; /* bytes used, this header included */
} __attribute__((packed));

/* ---- the journal of a mounted file system */

struct ext4_fs;

/* A run of the journal inode's blocks, contiguous on disk. */
struct jbd2_run {
	uint32_t lblk, len;
	uint64_t pblk;
};

struct jbd2 {
	struct ext4_fs *fs;
	struct jbd2_run *runs;
	unsigned nruns;
	uint32_t maxlen, first; /* from the superblock, checked against the inode */
	uint32_t incompat, compat;
	bool csum;	      /* csum_v2 or csum_v3: descriptors, commits, revokes, tags */
	uint32_t seed;	      /* crc32c(~0, s_uuid): what block checksums start from */
	uint8_t *sb;	      /* journal block 0, one block_size buffer; kept up to date */
	struct jbd2_super *s; /* = sb */
};

/* Map the journal inode's blocks (extents only) and read and check its superblock (magic,
 * v1 or v2, block size equal to the file system's, s_first and s_maxlen within the inode and
 * s_maxlen >= JBD2_MIN_BLOCKS; with v2/v3 checksums its crc32c). One console line says why
 * it fails: -EOPNOTSUPP (no journal inode, an external journal, a block-mapped journal),
 * -EBADMSG (checksum), -EINVAL (corrupt), -EIO, -ENOMEM. jbd2_close frees what it holds. */
int jbd2_open(struct ext4_fs *fs, struct jbd2 *j) __must_check;
void jbd2_close(struct jbd2 *j);

/* The disk block of journal block lblk (< maxlen). */
uint64_t jbd2_phys(const struct jbd2 *j, uint32_t lblk);
/* The log's next block after lblk (wrapping to s_first). */
uint32_t jbd2_next(const struct jbd2 *j, uint32_t lblk);
/* Read journal block lblk into buf (block_size bytes). 0 or the device's error. */
int jbd2_read(const struct jbd2 *j, uint32_t lblk, void *buf) __must_check;
/* Write j->sb (its checksum set first when the journal has them). 0 or the device's error. */
int jbd2_write_super(struct jbd2 *j) __must_check;

/* Bytes of one tag in a descriptor block (the UUID after the first not counted). */
size_t jbd2_tag_size(const struct jbd2 *j);
/* Decode the tag at p: home block and flags. */
void jbd2_tag_read(const struct jbd2 *j, const uint8_t *p, uint64_t *blk, uint32_t *flags);
/* Encode a tag at p (jbd2_tag_size bytes) for a copy whose checksum (jbd2_copy_csum) is csum. */
void jbd2_tag_write(const struct jbd2 *j, uint8_t *p, uint64_t blk, uint32_t flags, uint32_t csum);
/* Whether the tag at p carries csum (csum_v3: all 32 bits; csum_v2: the low 16). */
bool jbd2_tag_csum_ok(const struct jbd2 *j, const uint8_t *p, uint32_t csum);

/* The checksum of a logged copy in transaction seq, crc32c(seed, be32(seq), the copy): of
 * data itself, or with escaped of data with its first 4 bytes zeroed. */
uint32_t jbd2_copy_csum(const struct jbd2 *j, uint32_t seq, const void *data, bool escaped);
/* Set and check the tail checksum of a descriptor or revoke block. */
void jbd2_tail_set(const struct jbd2 *j, void *blk);
bool jbd2_tail_ok(const struct jbd2 *j, const void *blk);
/* Set and check a commit block's checksum. */
void jbd2_commit_set(const struct jbd2 *j, void *blk);
bool jbd2_commit_ok(const struct jbd2 *j, const void *blk);

#endif /* MOTE_FS_EXT4_JBD2_H */
