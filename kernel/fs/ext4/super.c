/* super.c: ext4's superblock and block group descriptors, read once at mount. */
#include "fs/ext4/super.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/hash.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/alloc.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* 1 MiB of metadata per mounted file system; a running transaction keeps what it changed
 * pinned here until it is written home (journal.c keeps it well under this) */
#define CACHE_BUFS 256

/* What this reader implements; any other incompatible feature refuses the mount. */
#define INCOMPAT_KNOWN                                                                             \
	(INCOMPAT_FILETYPE | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG | \
	 INCOMPAT_EA_INODE | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR | INCOMPAT_RECOVER)

static const struct {
	uint32_t bit;
	const char *name;
} incompat_names[] = {
	{ INCOMPAT_COMPRESSION, "compression" }, { INCOMPAT_JOURNAL_DEV, "journal_dev" },
	{ INCOMPAT_META_BG, "meta_bg" },	 { INCOMPAT_DIRDATA, "dirdata" },
	{ INCOMPAT_INLINE_DATA, "inline_data" }, { INCOMPAT_ENCRYPT, "encrypt" },
	{ INCOMPAT_CASEFOLD, "casefold" },
};

/* The unsupported features of incompat, named, into buf. */
static void name_features(uint32_t incompat, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(incompat_names); i++) {
		if (!(incompat & incompat_names[i].bit))
			continue;
		at += (size_t)snprintf(buf + MIN(at, n - 1), n - MIN(at, n - 1), "%s%s",
				       at ? " " : "", incompat_names[i].name);
		incompat &= ~incompat_names[i].bit;
	}
	if (incompat)
		snprintf(buf + MIN(at, n - 1), n - MIN(at, n - 1), "%sunknown 0x%x", at ? " " : "",
			 incompat);
}

static int check_super(struct blk_dev *dev, const struct ext4_super *s)
{
	uint32_t unknown = s->s_feature_incompat & ~INCOMPAT_KNOWN;
	char names[128];

	if (s->s_magic != EXT4_MAGIC) {
		printk(LOG_ERR, "ext4: %s: not an ext2/3/4 file system (magic 0x%x)\n", dev->name,
		       s->s_magic);
		return -EINVAL;
	}
	if ((s->s_feature_ro_compat & RO_COMPAT_METADATA_CSUM) &&
	    crc32c_raw(~0u, s, offsetof(struct ext4_super, s_checksum)) != s->s_checksum) {
		printk(LOG_ERR,
		       "ext4: %s: bad superblock checksum (0x%08x stored, 0x%08x computed)\n",
		       dev->name, s->s_checksum,
		       crc32c_raw(~0u, s, offsetof(struct ext4_super, s_checksum)));
		return -EBADMSG;
	}
	if (unknown) {
		name_features(unknown, names, sizeof(names));
		printk(LOG_ERR, "ext4: %s: unsupported feature(s): %s\n", dev->name, names);
		return -EOPNOTSUPP;
	}
	if (s->s_log_block_size > 2 || (1024u << s->s_log_block_size) < dev->block_size) {
		printk(LOG_ERR, "ext4: %s: unsupported block size %u (device blocks: %u)\n",
		       dev->name, 1024u << (s->s_log_block_size & 31), dev->block_size);
		return -EOPNOTSUPP;
	}
	if (!s->s_inodes_per_group || !s->s_blocks_per_group ||
	    (s->s_rev_level && (s->s_inode_size < EXT4_GOOD_OLD_INODE_SIZE ||
				s->s_inode_size > (1024u << s->s_log_block_size) ||
				(s->s_inode_size & (s->s_inode_size - 1))))) {
		printk(LOG_ERR, "ext4: %s: corrupt superblock (geometry)\n", dev->name);
		return -EINVAL;
	}
	return 0;
}

static void take_super(struct ext4_fs *fs, const struct ext4_super *s)
{
	bool is64 = s->s_feature_incompat & INCOMPAT_64BIT;

	fs->block_size = 1024u << s->s_log_block_size;
	fs->inodes_per_group = s->s_inodes_per_group;
	fs->first_data_block = s->s_first_data_block;
	fs->blocks_per_group = s->s_blocks_per_group;
	fs->desc_size = is64 ? s->s_desc_size : 32;
	fs->reserved_gdt = s->s_reserved_gdt_blocks;
	fs->first_ino = s->s_rev_level ? s->s_first_ino : 11;
	fs->inode_size = s->s_rev_level ? s->s_inode_size : EXT4_GOOD_OLD_INODE_SIZE;
	fs->extra_isize = fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE
				  ? (uint16_t)MIN(32u, fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE)
				  : 0;
	fs->incompat = s->s_feature_incompat;
	fs->ro_compat = s->s_feature_ro_compat;
	fs->compat = s->s_feature_compat;
	fs->blocks = s->s_blocks_count_lo | (is64 ? (uint64_t)s->s_blocks_count_hi << 32 : 0);
	fs->free_blocks =
		s->s_free_blocks_count_lo | (is64 ? (uint64_t)s->s_free_blocks_count_hi << 32 : 0);
	fs->reserved_blocks =
		s->s_r_blocks_count_lo | (is64 ? (uint64_t)s->s_r_blocks_count_hi << 32 : 0);
	fs->overhead = s->s_overhead_clusters;
	fs->inodes = s->s_inodes_count;
	fs->free_inodes = s->s_free_inodes_count;
	fs->groups = (uint32_t)((fs->blocks - s->s_first_data_block + s->s_blocks_per_group - 1) /
				s->s_blocks_per_group);
	fs->journal_inum = (s->s_feature_compat & COMPAT_HAS_JOURNAL) ? s->s_journal_inum : 0;
	fs->csum = s->s_feature_ro_compat & RO_COMPAT_METADATA_CSUM;
	fs->csum_seed = (s->s_feature_incompat & INCOMPAT_CSUM_SEED)
				? s->s_checksum_seed
				: crc32c_raw(~0u, s->s_uuid, sizeof(s->s_uuid));
	memcpy(fs->hash_seed, s->s_hash_seed, sizeof(fs->hash_seed));
	fs->hash_unsigned = (s->s_flags & EXT4_FLAGS_UNSIGNED_HASH) ? EXT4_HASH_UNSIGNED : 0;
	memcpy(fs->label, s->s_volume_name, 16);
	fs->label[16] = 0;
}

/* The descriptors follow the superblock's block; each group's inode table is kept. */
static int read_groups(struct ext4_fs *fs, const struct ext4_super *s)
{
	uint32_t dsize = (fs->incompat & INCOMPAT_64BIT) ? s->s_desc_size : 32;
	uint64_t first = s->s_first_data_block + 1;
	struct bbuf *b = NULL;
	int r;

	if (dsize < 32 || dsize > sizeof(struct ext4_group_desc) || (dsize & (dsize - 1))) {
		printk(LOG_ERR, "ext4: %s: bad group descriptor size %u\n", fs->dev->name, dsize);
		return -EINVAL;
	}
	fs->inode_table = kmalloc(fs->groups * sizeof(uint64_t));
	if (!fs->inode_table)
		return -ENOMEM;
	for (uint32_t g = 0; g < fs->groups; g++) {
		uint64_t off = (uint64_t)g * dsize;
		const struct ext4_group_desc *d;

		if (!b || b->block != first + off / fs->block_size) {
			if (b)
				ext4_block_put(fs, b);
			r = ext4_block_get(fs, first + off / fs->block_size, &b);
			if (r)
				return r;
		}
		d = (const void *)(b->data + off % fs->block_size);
		if (fs->csum) {
			struct ext4_group_desc copy;
			uint32_t le = g, c;

			memcpy(&copy, d, dsize);
			copy.bg_checksum = 0;
			c = crc32c_raw(fs->csum_seed, &le, 4);
			c = crc32c_raw(c, &copy, dsize) & 0xffff;
			if (c != d->bg_checksum) {
				printk(LOG_ERR, "ext4: %s: bad checksum of group descriptor %u\n",
				       fs->dev->name, g);
				ext4_block_put(fs, b);
				return -EBADMSG;
			}
		}
		fs->inode_table[g] = d->bg_inode_table_lo |
				     (dsize >= 64 ? (uint64_t)d->bg_inode_table_hi << 32 : 0);
	}
	if (b)
		ext4_block_put(fs, b);
	return 0;
}

/* Read the superblock and the group descriptors into fs, through a new cache. */
static int load(struct ext4_fs *fs)
{
	struct blk_dev *dev = fs->dev;
	struct ext4_super *s = kmalloc(EXT4_SUPER_SIZE);
	/* bytes 0..2047 hold it, read in the device's own block size */
	size_t head = MAX(dev->block_size, EXT4_SUPER_OFFSET + EXT4_SUPER_SIZE);
	uint8_t *raw = kmalloc(head);
	int r = -ENOMEM;

	if (!s || !raw)
		goto out;
	r = blk_read(dev, 0, raw, head);
	if (r) {
		printk(LOG_ERR, "ext4: %s: cannot read the superblock (error %d)\n", dev->name, r);
		goto out;
	}
	memcpy(s, raw + EXT4_SUPER_OFFSET, EXT4_SUPER_SIZE);
	r = check_super(dev, s);
	if (r)
		goto out;
	take_super(fs, s);
	if (fs->blocks * (fs->block_size / BLK_SECTOR_SIZE) > dev->sectors) {
		printk(LOG_ERR,
		       "ext4: %s: the file system (%lu blocks) is larger than the device\n",
		       dev->name, fs->blocks);
		r = -EINVAL;
		goto out;
	}
	r = -ENOMEM;
	fs->cache = bcache_create(dev, fs->block_size, CACHE_BUFS);
	if (!fs->cache)
		goto out;
	r = read_groups(fs, s);
out:
	kfree(raw);
	kfree(s);
	return r;
}

int ext4_super_read(struct blk_dev *dev, struct ext4_fs **out)
{
	struct ext4_fs *fs = kzalloc(sizeof(*fs));
	int r = -ENOMEM;

	if (fs) {
		fs->dev = dev;
		r = load(fs);
	}
	if (r) {
		ext4_super_free(fs);
		return r;
	}
	*out = fs;
	return 0;
}

int ext4_super_reload(struct ext4_fs *fs)
{
	bcache_destroy(fs->cache);
	kfree(fs->inode_table);
	fs->cache = NULL;
	fs->inode_table = NULL;
	return load(fs);
}

void ext4_super_set_csum(struct ext4_super *s)
{
	if (s->s_feature_ro_compat & RO_COMPAT_METADATA_CSUM)
		s->s_checksum = crc32c_raw(~0u, s, offsetof(struct ext4_super, s_checksum));
}

void ext4_super_free(struct ext4_fs *fs)
{
	if (!fs)
		return;
	ext4_journal_free(fs);
	bcache_destroy(fs->cache);
	ext4_alloc_free(fs);
	kfree(fs->inode_table);
	kfree(fs);
}

uint64_t ext4_super_block(const struct ext4_fs *fs, uint32_t *offset)
{
	*offset = EXT4_SUPER_OFFSET % fs->block_size;
	return EXT4_SUPER_OFFSET / fs->block_size;
}

uint64_t ext4_super_desc_block(const struct ext4_fs *fs, uint32_t g, uint32_t *offset)
{
	uint64_t off = (uint64_t)g * fs->desc_size;

	*offset = (uint32_t)(off % fs->block_size);
	return fs->first_data_block + 1 + off / fs->block_size;
}

int ext4_block_get(struct ext4_fs *fs, uint64_t blk, struct bbuf **out)
{
	if (blk >= fs->blocks)
		return -EIO;
	return bcache_get(fs->cache, blk, out);
}

void ext4_block_put(struct ext4_fs *fs, struct bbuf *b)
{
	bcache_put(fs->cache, b);
}
