/* disk.h: ext4's on-disk format, as far as reading and writing it need (the kernel's
 * Documentation/filesystems/ext4 describes every field). All fields are little-endian, as
 * x86-64 is: they are read in place. */
#ifndef MOTE_FS_EXT4_DISK_H
#define MOTE_FS_EXT4_DISK_H

#include "lib/types.h"

#define EXT4_SUPER_OFFSET 1024 /* bytes from the start of the device */
#define EXT4_SUPER_SIZE 1024
#define EXT4_MAGIC 0xef53
#define EXT4_ROOT_INO 2
#define EXT4_GOOD_OLD_INODE_SIZE 128u
#define EXT4_NAME_LEN 255

/* s_feature_compat */
#define COMPAT_HAS_JOURNAL 0x4
#define COMPAT_EXT_ATTR 0x8
#define COMPAT_DIR_INDEX 0x20
/* s_feature_ro_compat */
#define RO_COMPAT_HUGE_FILE 0x8
#define RO_COMPAT_GDT_CSUM 0x10
#define RO_COMPAT_METADATA_CSUM 0x400
/* s_feature_incompat */
#define INCOMPAT_COMPRESSION 0x1
#define INCOMPAT_FILETYPE 0x2
#define INCOMPAT_RECOVER 0x4
#define INCOMPAT_JOURNAL_DEV 0x8
#define INCOMPAT_META_BG 0x10
#define INCOMPAT_EXTENTS 0x40
#define INCOMPAT_64BIT 0x80
#define INCOMPAT_MMP 0x100
#define INCOMPAT_FLEX_BG 0x200
#define INCOMPAT_EA_INODE 0x400
#define INCOMPAT_DIRDATA 0x1000
#define INCOMPAT_CSUM_SEED 0x2000
#define INCOMPAT_LARGEDIR 0x4000
#define INCOMPAT_INLINE_DATA 0x8000
#define INCOMPAT_ENCRYPT 0x10000
#define INCOMPAT_CASEFOLD 0x20000

struct ext4_super {
	uint32_t s_inodes_count;	 /* 0x00 */
	uint32_t s_blocks_count_lo;	 /* 0x04 */
	uint32_t s_r_blocks_count_lo;	 /* 0x08 */
	uint32_t s_free_blocks_count_lo; /* 0x0c */
	uint32_t s_free_inodes_count;	 /* 0x10 */
	uint32_t s_first_data_block;	 /* 0x14 */
	uint32_t s_log_block_size;	 /* 0x18: block size = 1024 << this */
	uint32_t s_log_cluster_size;	 /* 0x1c */
	uint32_t s_blocks_per_group;	 /* 0x20 */
	uint32_t s_clusters_per_group;	 /* 0x24 */
	uint32_t s_inodes_per_group;	 /* 0x28 */
	uint32_t s_mtime, s_wtime;	 /* 0x2c */
	uint16_t s_mnt_count, s_max_mnt_count;
	uint16_t s_magic; /* 0x38 */
	uint16_t s_state, s_errors, s_minor_rev_level;
	uint32_t s_lastcheck, s_checkinterval, s_creator_os;
	uint32_t s_rev_level; /* 0x4c */
	uint16_t s_def_resuid, s_def_resgid;
	uint32_t s_first_ino;		   /* 0x54 */
	uint16_t s_inode_size;		   /* 0x58 */
	uint16_t s_block_group_nr;	   /* 0x5a */
	uint32_t s_feature_compat;	   /* 0x5c */
	uint32_t s_feature_incompat;	   /* 0x60 */
	uint32_t s_feature_ro_compat;	   /* 0x64 */
	uint8_t s_uuid[16];		   /* 0x68 */
	char s_volume_name[16];		   /* 0x78 */
	char s_last_mounted[64];	   /* 0x88 */
	uint32_t s_algorithm_usage_bitmap; /* 0xc8 */
	uint8_t s_prealloc_blocks, s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t s_journal_uuid[16]; /* 0xd0 */
	uint32_t s_journal_inum, s_journal_dev, s_last_orphan;
	uint32_t s_hash_seed[4]; /* 0xec */
	uint8_t s_def_hash_version, s_jnl_backup_type;
	uint16_t s_desc_size; /* 0xfe */
	uint32_t s_default_mount_opts, s_first_meta_bg, s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint32_t s_blocks_count_hi;	 /* 0x150 */
	uint32_t s_r_blocks_count_hi;	 /* 0x154 */
	uint32_t s_free_blocks_count_hi; /* 0x158 */
	uint16_t s_min_extra_isize, s_want_extra_isize;
	uint32_t s_flags;
	uint16_t s_raid_stride, s_mmp_interval;
	uint64_t s_mmp_block;
	uint32_t s_raid_stripe_width;
	uint8_t s_log_groups_per_flex, s_checksum_type;
	uint16_t s_reserved_pad;
	uint64_t s_kbytes_written; /* 0x178 */
	uint32_t s_snapshot_inum, s_snapshot_id;
	uint64_t s_snapshot_r_blocks_count;
	uint32_t s_snapshot_list, s_error_count;
	uint32_t s_first_error_time, s_first_error_ino;
	uint64_t s_first_error_block;
	uint8_t s_first_error_func[32];
	uint32_t s_first_error_line, s_last_error_time, s_last_error_ino, s_last_error_line;
	uint64_t s_last_error_block;
	uint8_t s_last_error_func[32];
	uint8_t s_mount_opts[64]; /* 0x200 */
	uint32_t s_usr_quota_inum, s_grp_quota_inum;
	uint32_t s_overhead_clusters; /* 0x248 */
	uint32_t s_backup_bgs[2];
	uint8_t s_encrypt_algos[4];
	uint8_t s_encrypt_pw_salt[16];
	uint32_t s_lpf_ino, s_prj_quota_inum;
	uint32_t s_checksum_seed; /* 0x270 */
	uint8_t s_rest[0x3fc - 0x274];
	uint32_t s_checksum; /* 0x3fc: crc32c of the 1020 bytes before */
} __attribute__((packed));

_Static_assert(offsetof(struct ext4_super, s_magic) == 0x38, "s_magic");
_Static_assert(offsetof(struct ext4_super, s_blocks_count_hi) == 0x150, "s_blocks_count_hi");
_Static_assert(offsetof(struct ext4_super, s_mount_opts) == 0x200, "s_mount_opts");
_Static_assert(offsetof(struct ext4_super, s_checksum_seed) == 0x270, "s_checksum_seed");
_Static_assert(sizeof(struct ext4_super) == EXT4_SUPER_SIZE, "superblock size");

/* A block group descriptor: 32 bytes, or s_desc_size (64) with the 64bit feature. */
struct ext4_group_desc {
	uint32_t bg_block_bitmap_lo, bg_inode_bitmap_lo, bg_inode_table_lo;
	uint16_t bg_free_blocks_count_lo, bg_free_inodes_count_lo, bg_used_dirs_count_lo;
	uint16_t bg_flags; /* BG_* */
	uint32_t bg_exclude_bitmap_lo;
	uint16_t bg_block_bitmap_csum_lo, bg_inode_bitmap_csum_lo, bg_itable_unused_lo;
	uint16_t bg_checksum; /* 0x1e */
	/* 64bit only: */
	uint32_t bg_block_bitmap_hi, bg_inode_bitmap_hi, bg_inode_table_hi; /* 0x20 */
	uint16_t bg_free_blocks_count_hi, bg_free_inodes_count_hi;	    /* 0x2c */
	uint16_t bg_used_dirs_count_hi, bg_itable_unused_hi;
	uint32_t bg_exclude_bitmap_hi;
	uint16_t bg_block_bitmap_csum_hi, bg_inode_bitmap_csum_hi; /* 0x38 */
	uint32_t bg_reserved;
} __attribute__((packed));

_Static_assert(offsetof(struct ext4_group_desc, bg_inode_table_hi) == 0x28, "bg_inode_table_hi");
_Static_assert(offsetof(struct ext4_group_desc, bg_block_bitmap_csum_hi) == 0x38, "csum_hi");
_Static_assert(sizeof(struct ext4_group_desc) == 64, "group descriptor size");

/* bg_flags */
#define BG_INODE_UNINIT 0x1 /* the inode bitmap is not initialised: all free */
#define BG_BLOCK_UNINIT 0x2 /* the block bitmap is not initialised: computed */
#define BG_INODE_ZEROED 0x4

/* s_feature_ro_compat, more */
#define RO_COMPAT_SPARSE_SUPER 0x1
#define RO_COMPAT_EXTRA_ISIZE 0x40

/* i_flags */
#define EXT4_INDEX_FL 0x1000 /* a hashed (htree) directory */
#define EXT4_HUGE_FILE_FL 0x40000
#define EXT4_EXTENTS_FL 0x80000
#define EXT4_EA_INODE_FL 0x200000
#define EXT4_INLINE_DATA_FL 0x10000000

struct ext4_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size_lo;
	uint32_t i_atime, i_ctime, i_mtime, i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks_lo;
	uint32_t i_flags; /* 0x20 */
	uint32_t i_version_lo;
	uint8_t i_block[60];   /* 0x28: the extent tree's root, or a fast symlink's target */
	uint32_t i_generation; /* 0x64 */
	uint32_t i_file_acl_lo;
	uint32_t i_size_high; /* 0x6c */
	uint32_t i_obso_faddr;
	uint16_t i_blocks_high; /* 0x74 */
	uint16_t i_file_acl_high;
	uint16_t i_uid_high, i_gid_high;
	uint16_t i_checksum_lo; /* 0x7c */
	uint16_t i_reserved;
	/* beyond the 128 bytes of the original format, as i_extra_isize says: */
	uint16_t i_extra_isize;				      /* 0x80 */
	uint16_t i_checksum_hi;				      /* 0x82 */
	uint32_t i_ctime_extra, i_mtime_extra, i_atime_extra; /* nsec << 2 | epoch bits */
	uint32_t i_crtime, i_crtime_extra, i_version_hi, i_projid;
} __attribute__((packed));

_Static_assert(offsetof(struct ext4_inode, i_checksum_lo) == 0x7c, "i_checksum_lo");
_Static_assert(offsetof(struct ext4_inode, i_atime_extra) == 0x8c, "i_atime_extra");

/* The extent tree: a header, then entries (index entries above the leaves). */
#define EXT4_EXT_MAGIC 0xf30a
#define EXT4_EXT_MAX_DEPTH 5
#define EXT4_EXT_INIT_MAX_LEN 32768 /* ee_len above this: unwritten, reads as zeros */

struct ext4_extent_header {
	uint16_t eh_magic, eh_entries, eh_max, eh_depth;
	uint32_t eh_generation;
} __attribute__((packed));

struct ext4_extent { /* a leaf's entry */
	uint32_t ee_block;
	uint16_t ee_len;
	uint16_t ee_start_hi;
	uint32_t ee_start_lo;
} __attribute__((packed));

struct ext4_extent_idx { /* an index entry: the block of the next level */
	uint32_t ei_block;
	uint32_t ei_leaf_lo;
	uint16_t ei_leaf_hi;
	uint16_t ei_unused;
} __attribute__((packed));

/* A directory entry (ext4_dir_entry_2); rec_len takes it to the next one in the block. */
struct ext4_dirent {
	uint32_t inode; /* 0: unused, or a checksum tail / htree node */
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type; /* with the filetype feature: EXT4_FT_* */
	char name[];
} __attribute__((packed));

#define EXT4_DIRENT_MIN 12 /* the smallest rec_len: 8 bytes and a name rounded to 4 */
#define EXT4_DIRENT_LEN(n) ((8u + (n) + 3u) & ~3u) /* rec_len a name of n bytes needs */
#define EXT4_FT_DIR_CSUM 0xde			   /* file_type of a dirent tail */

/* metadata_csum's last 12 bytes of a leaf directory block: an entry of inode 0 */
struct ext4_dirent_tail {
	uint32_t det_reserved_zero1; /* 0 */
	uint16_t det_rec_len;	     /* 12 */
	uint8_t det_reserved_zero2;  /* 0 */
	uint8_t det_reserved_ft;     /* EXT4_FT_DIR_CSUM */
	uint32_t det_checksum;	     /* crc32c(seed, inode, generation, the block before) */
} __attribute__((packed));

/* metadata_csum's tail of an extent tree block, after eh_max entries */
struct ext4_extent_tail {
	uint32_t et_checksum;
} __attribute__((packed));

/* file_type */
#define EXT4_FT_REG 1
#define EXT4_FT_DIR 2
#define EXT4_FT_CHR 3
#define EXT4_FT_BLK 4
#define EXT4_FT_FIFO 5
#define EXT4_FT_SOCK 6
#define EXT4_FT_LNK 7

/* Extended attributes (Documentation/filesystems/ext4/attributes.rst): in the inode after its
 * extra fields (a 4-byte magic, then entries; value offsets count from the first entry), and
 * in one block named by i_file_acl (a header, then entries; offsets count from the block's
 * start). Entries are 4-byte aligned, end with 4 zero bytes; values are packed at the end of
 * the space, each padded to 4 bytes. */
#define EXT4_XATTR_MAGIC 0xea020000u

struct ext4_xattr_header {   /* of an attribute block */
	uint32_t h_magic;    /* EXT4_XATTR_MAGIC */
	uint32_t h_refcount; /* inodes sharing the block */
	uint32_t h_blocks;   /* 1 */
	uint32_t h_hash;     /* of the entries' hashes */
	uint32_t h_checksum; /* metadata_csum: crc32c(seed, block number (64 bits), block) */
	uint32_t h_reserved[3];
} __attribute__((packed));

struct ext4_xattr_entry {
	uint8_t e_name_len;
	uint8_t e_name_index; /* the prefix: EXT4_XATTR_INDEX_* */
	uint16_t e_value_offs;
	uint32_t e_value_inum; /* ea_inode: the inode holding the value (else 0) */
	uint32_t e_value_size;
	uint32_t e_hash; /* of the name and the value (0 in an inode) */
	char e_name[];	 /* e_name_len bytes, no NUL, without the prefix */
} __attribute__((packed));

_Static_assert(sizeof(struct ext4_xattr_header) == 32, "xattr header size");
_Static_assert(sizeof(struct ext4_xattr_entry) == 16, "xattr entry size");

#define EXT4_XATTR_INDEX_USER 1
#define EXT4_XATTR_INDEX_POSIX_ACL_ACCESS 2
#define EXT4_XATTR_INDEX_POSIX_ACL_DEFAULT 3
#define EXT4_XATTR_INDEX_TRUSTED 4
#define EXT4_XATTR_INDEX_SECURITY 6
#define EXT4_XATTR_INDEX_SYSTEM 7

#endif /* MOTE_FS_EXT4_DISK_H */
