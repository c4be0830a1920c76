/* alloc.c: ext4's block and inode allocators: one bitmap block per group each, found through
 * the group descriptors, which count what is free; the superblock counts it all again. */
#include "fs/ext4/alloc.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Blocks freed under handles of the running transaction: free in the bitmaps already, but
 * not allocated again before that transaction commits (a crash before it would give them
 * back to their old owner). */
struct ext4_alloc {
	struct freed {
		uint64_t blk, count;
	} * freed;
	unsigned n, cap;
	bool counts_dirty; /* the superblock's free counts are behind */
};

/* --- group descriptors */

#define HI(d, f) (fs->desc_size >= 64 ? (uint32_t)(d)->f##_hi << 16 : 0)
#define SET(d, f, v)                                                          \
	do {                                                                  \
		uint32_t v_ = (v); /* once: v may read the field being set */ \
		(d)->f##_lo = (uint16_t)v_;                                   \
		if (fs->desc_size >= 64)                                      \
			(d)->f##_hi = (uint16_t)(v_ >> 16);                   \
	} while (0)

static uint32_t free_blocks(const struct ext4_fs *fs, const struct ext4_group_desc *d)
{
	return d->bg_free_blocks_count_lo | HI(d, bg_free_blocks_count);
}

static uint32_t free_inodes(const struct ext4_fs *fs, const struct ext4_group_desc *d)
{
	return d->bg_free_inodes_count_lo | HI(d, bg_free_inodes_count);
}

static uint64_t block_bitmap(const struct ext4_fs *fs, const struct ext4_group_desc *d)
{
	return d->bg_block_bitmap_lo |
	       (fs->desc_size >= 64 ? (uint64_t)d->bg_block_bitmap_hi << 32 : 0);
}

static uint64_t inode_bitmap(const struct ext4_fs *fs, const struct ext4_group_desc *d)
{
	return d->bg_inode_bitmap_lo |
	       (fs->desc_size >= 64 ? (uint64_t)d->bg_inode_bitmap_hi << 32 : 0);
}

static void desc_csum(const struct ext4_fs *fs, uint32_t g, struct ext4_group_desc *d)
{
	uint32_t c;

	if (!fs->csum)
		return;
	d->bg_checksum = 0;
	c = crc32c_raw(fs->csum_seed, &g, 4);
	d->bg_checksum = (uint16_t)crc32c_raw(c, d, fs->desc_size);
}

/* Group g's descriptor: pinned for a change (change) or only read. */
static int desc_get(struct ext4_fs *fs, uint32_t g, bool change, struct bbuf **b,
		    struct ext4_group_desc **d)
{
	uint32_t off;
	uint64_t blk = ext4_super_desc_block(fs, g, &off);
	int r = change ? ext4_tx_get(fs, blk, b) : ext4_block_get(fs, blk, b);

	if (!r)
		*d = (void *)((*b)->data + off);
	return r;
}

static void desc_put(struct ext4_fs *fs, struct bbuf *b, bool change)
{
	if (!change)
		ext4_block_put(fs, b);
}

/* --- bitmaps */

static bool test_bit(const uint8_t *map, uint32_t i)
{
	return map[i / 8] & (1u << (i % 8));
}

static void set_bits(uint8_t *map, uint32_t i, uint32_t n, bool on)
{
	for (; n; i++, n--) {
		if (on)
			map[i / 8] |= (uint8_t)(1u << (i % 8));
		else
			map[i / 8] &= (uint8_t) ~(1u << (i % 8));
	}
}

static uint32_t group_blocks(const struct ext4_fs *fs, uint32_t g)
{
	uint64_t start = fs->first_data_block + (uint64_t)g * fs->blocks_per_group;

	return (uint32_t)MIN((uint64_t)fs->blocks_per_group, fs->blocks - start);
}

static bool power_of(uint32_t g, uint32_t b)
{
	while (g > 1 && g % b == 0)
		g /= b;
	return g == 1;
}

/* Does group g hold a copy of the superblock and descriptors? */
static bool has_super(const struct ext4_fs *fs, uint32_t g)
{
	if (!(fs->ro_compat & RO_COMPAT_SPARSE_SUPER) || g <= 1)
		return true;
	return power_of(g, 3) || power_of(g, 5) || power_of(g, 7);
}

/* Mark in map (group g's, starting at block start) the blocks [b, b+n) that fall in it. */
static void mark_range(uint8_t *map, uint64_t start, uint32_t len, uint64_t b, uint64_t n)
{
	uint64_t lo = MAX(b, start), hi = MIN(b + n, start + len);

	if (lo < hi)
		set_bits(map, (uint32_t)(lo - start), (uint32_t)(hi - lo), true);
}

/* Build the block bitmap of a BLOCK_UNINIT group: its copy of the superblock and descriptors,
 * and the bitmaps and inode tables (of any group, with flex_bg) inside it. */
static int build_block_bitmap(struct ext4_fs *fs, uint32_t g, uint32_t want_free, uint8_t *map)
{
	uint64_t start = fs->first_data_block + (uint64_t)g * fs->blocks_per_group;
	uint32_t len = group_blocks(fs, g), used = 0;
	uint64_t itb = ((uint64_t)fs->inodes_per_group * fs->inode_size + fs->block_size - 1) /
		       fs->block_size;

	memset(map, 0, fs->block_size);
	if (has_super(fs, g)) {
		uint64_t gdt = ((uint64_t)fs->groups * fs->desc_size + fs->block_size - 1) /
			       fs->block_size;

		mark_range(map, start, len, start, 1 + gdt + fs->reserved_gdt);
	}
	for (uint32_t h = 0; h < fs->groups; h++) {
		struct ext4_group_desc *d;
		struct bbuf *b;
		int r = desc_get(fs, h, false, &b, &d);

		if (r)
			return r;
		mark_range(map, start, len, block_bitmap(fs, d), 1);
		mark_range(map, start, len, inode_bitmap(fs, d), 1);
		mark_range(map, start, len, fs->inode_table[h], itb);
		desc_put(fs, b, false);
	}
	for (uint32_t i = 0; i < len; i++)
		used += test_bit(map, i);
	set_bits(map, len, fs->block_size * 8 - len, true);
	if (len - used != want_free) {
		printk(LOG_ERR, "ext4: %s: group %u: uninitialised bitmap has %u free, not %u\n",
		       fs->dev->name, g, len - used, want_free);
		return -EIO;
	}
	return 0;
}

static void bitmap_csums(struct ext4_fs *fs, struct ext4_group_desc *d, const uint8_t *map,
			 bool inodes)
{
	uint32_t c;

	if (!fs->csum)
		return;
	if (inodes) {
		c = crc32c_raw(fs->csum_seed, map, fs->inodes_per_group / 8);
		SET(d, bg_inode_bitmap_csum, c);
	} else {
		c = crc32c_raw(fs->csum_seed, map, fs->blocks_per_group / 8);
		SET(d, bg_block_bitmap_csum, c);
	}
}

/* Pin group g's block or inode bitmap (d: its descriptor, pinned) for a change, built first
 * if the group has it uninitialised. */
static int bitmap_get(struct ext4_fs *fs, uint32_t g, struct ext4_group_desc *d, bool inodes,
		      struct bbuf **out)
{
	uint16_t flag = inodes ? BG_INODE_UNINIT : BG_BLOCK_UNINIT;
	uint64_t blk = inodes ? inode_bitmap(fs, d) : block_bitmap(fs, d);
	int r;

	if (!(d->bg_flags & flag))
		return ext4_tx_get(fs, blk, out);
	r = ext4_tx_new(fs, blk, out);
	if (r)
		return r;
	if (inodes) {
		set_bits((*out)->data, fs->inodes_per_group,
			 fs->block_size * 8 - fs->inodes_per_group, true);
	} else {
		r = build_block_bitmap(fs, g, free_blocks(fs, d), (*out)->data);
		if (r)
			return r;
	}
	d->bg_flags &= (uint16_t)~flag;
	bitmap_csums(fs, d, (*out)->data, inodes);
	return 0;
}

/* --- blocks */

/* How many blocks from blk on were freed in the running transaction (0: blk was not): they
 * are not used again before it commits. */
static uint64_t held(const struct ext4_fs *fs, uint64_t blk)
{
	const struct ext4_alloc *a = fs->alloc;

	for (unsigned k = 0; k < a->n; k++)
		if (blk >= a->freed[k].blk && blk - a->freed[k].blk < a->freed[k].count)
			return a->freed[k].count - (blk - a->freed[k].blk);
	return 0;
}

/* The first bit in [i, end) of a group's block bitmap (its first block: start) free and not
 * held, or end. */
static uint32_t first_free(const struct ext4_fs *fs, const uint8_t *map, uint64_t start, uint32_t i,
			   uint32_t end)
{
	while (i < end) {
		uint64_t h;

		if (test_bit(map, i)) {
			i++;
		} else if ((h = held(fs, start + i))) {
			i = (uint32_t)MIN((uint64_t)end, i + h);
		} else {
			return i;
		}
	}
	return end;
}

/* In group g, from bit `from`: the first free block and the run after it (up to want). */
static int take_blocks(struct ext4_fs *fs, uint32_t g, uint32_t from, uint32_t want, uint64_t *blk,
		       uint32_t *got)
{
	uint64_t start = fs->first_data_block + (uint64_t)g * fs->blocks_per_group;
	uint32_t len = group_blocks(fs, g), i, n;
	struct ext4_group_desc *d;
	struct bbuf *db, *bb;
	int r = desc_get(fs, g, false, &db, &d);

	if (r)
		return r;
	n = free_blocks(fs, d);
	desc_put(fs, db, false);
	if (!n)
		return -ENOSPC;
	r = desc_get(fs, g, true, &db, &d);
	if (!r)
		r = bitmap_get(fs, g, d, false, &bb);
	if (r)
		return r;
	i = first_free(fs, bb->data, start, from < len ? from : 0, len);
	if (i == len && from && from < len) { /* wrap round to the group's start */
		i = first_free(fs, bb->data, start, 0, from);
		if (i == from)
			i = len;
	}
	if (i >= len)
		return -ENOSPC; /* held until the commit, or the count said otherwise */
	for (n = 1;
	     n < want && i + n < len && !test_bit(bb->data, i + n) && !held(fs, start + i + n); n++)
		;
	set_bits(bb->data, i, n, true);
	bitmap_csums(fs, d, bb->data, false);
	SET(d, bg_free_blocks_count, free_blocks(fs, d) - n);
	desc_csum(fs, g, d);
	fs->free_blocks -= n;
	fs->alloc->counts_dirty = true;
	*blk = start + i;
	*got = n;
	return 0;
}

static int state(struct ext4_fs *fs)
{
	if (!fs->alloc)
		fs->alloc = kzalloc(sizeof(*fs->alloc));
	return fs->alloc ? 0 : -ENOMEM;
}

int ext4_balloc(struct ext4_fs *fs, uint64_t goal, uint32_t *count, uint64_t *blk)
{
	uint32_t g0, from;
	int r = state(fs);

	if (r)
		return r;
	if (goal < fs->first_data_block || goal >= fs->blocks)
		goal = fs->first_data_block;
	g0 = (uint32_t)((goal - fs->first_data_block) / fs->blocks_per_group);
	from = (uint32_t)((goal - fs->first_data_block) % fs->blocks_per_group);
	for (uint32_t k = 0; k < fs->groups; k++) {
		uint32_t g = (g0 + k) % fs->groups;

		r = take_blocks(fs, g, k ? 0 : from, MAX(*count, 1u), blk, count);
		if (r != -ENOSPC && r != -EIO)
			return r;
	}
	return -ENOSPC;
}

/* Clear [blk, blk+count) within one group in its bitmap and counts. */
static int give_back(struct ext4_fs *fs, uint64_t blk, uint32_t count)
{
	uint32_t g = (uint32_t)((blk - fs->first_data_block) / fs->blocks_per_group);
	uint32_t i = (uint32_t)((blk - fs->first_data_block) % fs->blocks_per_group), n = 0;
	struct ext4_group_desc *d;
	struct bbuf *db, *bb;
	int r = desc_get(fs, g, true, &db, &d);

	if (!r)
		r = bitmap_get(fs, g, d, false, &bb);
	if (r)
		return r;
	for (uint32_t k = 0; k < count; k++)
		if (test_bit(bb->data, i + k))
			n++;
	if (n != count)
		printk(LOG_ERR, "ext4: %s: blocks %lu+%u freed twice\n", fs->dev->name, blk, count);
	set_bits(bb->data, i, count, false);
	bitmap_csums(fs, d, bb->data, false);
	SET(d, bg_free_blocks_count, free_blocks(fs, d) + n);
	desc_csum(fs, g, d);
	fs->free_blocks += n;
	fs->alloc->counts_dirty = true;
	return 0;
}

/* Remember [blk, blk+count) as held until the commit. */
static int hold(struct ext4_alloc *a, uint64_t blk, uint64_t count)
{
	if (a->n && a->freed[a->n - 1].blk + a->freed[a->n - 1].count == blk) {
		a->freed[a->n - 1].count += count;
		return 0;
	}
	if (a->n == a->cap) {
		unsigned cap = a->cap ? a->cap * 2 : 64;
		struct freed *nf = kmalloc(cap * sizeof(*nf));

		if (!nf)
			return -ENOMEM;
		if (a->n)
			memcpy(nf, a->freed, a->n * sizeof(*nf));
		kfree(a->freed);
		a->freed = nf;
		a->cap = cap;
	}
	a->freed[a->n++] = (struct freed){ blk, count };
	return 0;
}

int ext4_bfree(struct ext4_fs *fs, uint64_t blk, uint64_t count)
{
	int r = state(fs);

	if (r)
		return r;
	if (blk <= fs->first_data_block || blk + count > fs->blocks || blk + count < blk) {
		printk(LOG_ERR, "ext4: %s: freeing blocks %lu+%lu outside the file system\n",
		       fs->dev->name, blk, count);
		return -EIO;
	}
	r = hold(fs->alloc, blk, count);
	while (count && !r) {
		uint64_t in = (blk - fs->first_data_block) % fs->blocks_per_group;
		uint32_t n = (uint32_t)MIN(count, fs->blocks_per_group - in);

		r = give_back(fs, blk, n);
		blk += n;
		count -= n;
	}
	return r;
}

/* --- inodes */

static int take_inode(struct ext4_fs *fs, uint32_t g, bool dir, uint32_t *nr)
{
	uint32_t i = g ? 0 : fs->first_ino - 1, unused;
	struct ext4_group_desc *d;
	struct bbuf *db, *ib, *bb;
	int r = desc_get(fs, g, true, &db, &d);

	if (r)
		return r;
	if (!free_inodes(fs, d))
		return -ENOSPC;
	r = bitmap_get(fs, g, d, true, &ib);
	if (!r && (d->bg_flags & BG_BLOCK_UNINIT)) /* as Linux: a group in use has its blocks' */
		r = bitmap_get(fs, g, d, false, &bb);
	if (r)
		return r;
	for (; i < fs->inodes_per_group && test_bit(ib->data, i); i++)
		;
	if (i == fs->inodes_per_group)
		return -ENOSPC;
	set_bits(ib->data, i, 1, true);
	bitmap_csums(fs, d, ib->data, true);
	SET(d, bg_free_inodes_count, free_inodes(fs, d) - 1);
	if (dir)
		SET(d, bg_used_dirs_count,
		    (d->bg_used_dirs_count_lo | HI(d, bg_used_dirs_count)) + 1);
	unused = d->bg_itable_unused_lo | HI(d, bg_itable_unused);
	if (i >= fs->inodes_per_group - unused)
		SET(d, bg_itable_unused, fs->inodes_per_group - i - 1);
	desc_csum(fs, g, d);
	fs->free_inodes--;
	fs->alloc->counts_dirty = true;
	*nr = g * fs->inodes_per_group + i + 1;
	return 0;
}

/* A directory's group: the one with the most free inodes (ties: the first). */
static uint32_t spread_group(struct ext4_fs *fs, uint32_t dflt)
{
	uint32_t best = dflt, most = 0;

	for (uint32_t g = 0; g < fs->groups; g++) {
		struct ext4_group_desc *d;
		struct bbuf *b;

		if (desc_get(fs, g, false, &b, &d))
			continue;
		if (free_inodes(fs, d) > most && free_blocks(fs, d)) {
			most = free_inodes(fs, d);
			best = g;
		}
		desc_put(fs, b, false);
	}
	return best;
}

int ext4_ialloc(struct ext4_fs *fs, uint32_t parent, bool dir, uint32_t *nr)
{
	uint32_t g0 = parent ? (parent - 1) / fs->inodes_per_group : 0;
	int r = state(fs);

	if (r)
		return r;
	if (dir)
		g0 = spread_group(fs, g0);
	for (uint32_t k = 0; k < fs->groups; k++) {
		r = take_inode(fs, (g0 + k) % fs->groups, dir, nr);
		if (r != -ENOSPC)
			return r;
	}
	return -ENOSPC;
}

int ext4_ifree(struct ext4_fs *fs, uint32_t nr, bool dir)
{
	uint32_t g = (nr - 1) / fs->inodes_per_group, i = (nr - 1) % fs->inodes_per_group;
	struct ext4_group_desc *d;
	struct bbuf *db, *ib;
	int r = state(fs);

	if (!r)
		r = desc_get(fs, g, true, &db, &d);
	if (!r)
		r = bitmap_get(fs, g, d, true, &ib);
	if (r)
		return r;
	if (!test_bit(ib->data, i)) {
		printk(LOG_ERR, "ext4: %s: inode %u freed twice\n", fs->dev->name, nr);
		return -EIO;
	}
	set_bits(ib->data, i, 1, false);
	bitmap_csums(fs, d, ib->data, true);
	SET(d, bg_free_inodes_count, free_inodes(fs, d) + 1);
	if (dir)
		SET(d, bg_used_dirs_count,
		    (d->bg_used_dirs_count_lo | HI(d, bg_used_dirs_count)) - 1);
	desc_csum(fs, g, d);
	fs->free_inodes++;
	fs->alloc->counts_dirty = true;
	return 0;
}

/* --- commit */

bool ext4_alloc_pending(const struct ext4_fs *fs)
{
	return fs->alloc && fs->alloc->n;
}

static int write_counts(struct ext4_fs *fs)
{
	struct ext4_super *s;
	struct bbuf *b;
	uint32_t off;
	int r = ext4_tx_get(fs, ext4_super_block(fs, &off), &b);

	if (r)
		return r;
	s = (void *)(b->data + off);
	s->s_free_blocks_count_lo = (uint32_t)fs->free_blocks;
	if (fs->incompat & INCOMPAT_64BIT)
		s->s_free_blocks_count_hi = (uint32_t)(fs->free_blocks >> 32);
	s->s_free_inodes_count = fs->free_inodes;
	ext4_super_set_csum(s);
	fs->alloc->counts_dirty = false;
	return 0;
}

int ext4_alloc_commit(struct ext4_fs *fs)
{
	struct ext4_alloc *a = fs->alloc;

	if (!a)
		return 0;
	a->n = 0; /* what was freed may be used again once this commit is down */
	return a->counts_dirty ? write_counts(fs) : 0;
}

void ext4_alloc_free(struct ext4_fs *fs)
{
	if (!fs->alloc)
		return;
	kfree(fs->alloc->freed);
	kfree(fs->alloc);
	fs->alloc = NULL;
}
