/* extent.c: walking an extent tree from the inode's root down to the leaf that covers a
 * block; growing it (a full node is split, a full root pushed down a level) and cutting it. Every node's header is checked (magic, entry counts within the node, depth one less
 * than its parent's) before its entries are used. */
#include "fs/ext4/extent.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "fs/ext4/alloc.h"
#include "fs/ext4/journal.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/printf.h"

#define ROOT_SIZE 60 /* i_block */

static bool header_ok(const struct ext4_extent_header *h, size_t space, int depth)
{
	return h->eh_magic == EXT4_EXT_MAGIC && h->eh_entries <= h->eh_max &&
	       sizeof(*h) + (size_t)h->eh_max * sizeof(struct ext4_extent) <= space &&
	       h->eh_depth <= EXT4_EXT_MAX_DEPTH && (depth < 0 || h->eh_depth == depth);
}

/* In a leaf: the mapping of lblk; limit bounds a hole at the leaf's end (the next subtree's
 * first block). */
static int map_leaf(const struct ext4_extent_header *h, uint32_t lblk, uint64_t limit,
		    uint64_t *pblk, uint64_t *count)
{
	const struct ext4_extent *e = (const void *)(h + 1), *last = NULL;
	uint64_t next = limit;

	for (unsigned i = 0; i < h->eh_entries; i++) {
		if (e[i].ee_block > lblk) {
			next = e[i].ee_block;
			break;
		}
		last = &e[i];
	}
	if (last) {
		bool unwritten = last->ee_len > EXT4_EXT_INIT_MAX_LEN;
		uint32_t len = unwritten ? last->ee_len - EXT4_EXT_INIT_MAX_LEN : last->ee_len;

		if ((uint64_t)lblk < (uint64_t)last->ee_block + len) {
			uint64_t start = last->ee_start_lo | (uint64_t)last->ee_start_hi << 32;

			*pblk = unwritten ? 0 : start + (lblk - last->ee_block);
			*count = last->ee_block + len - lblk;
			return 0;
		}
	}
	*pblk = 0;
	*count = next > lblk ? next - lblk : 1;
	return 0;
}

int ext4_extent_map(struct ext4_fs *fs, uint32_t nr, const uint8_t *iblock, uint32_t lblk,
		    uint64_t *pblk, uint32_t *count)
{
	const struct ext4_extent_header *h = (const void *)iblock;
	uint64_t limit = 1ull << 32, n = 0;
	struct bbuf *b = NULL;
	size_t space = ROOT_SIZE;
	int depth = -1, r;

	for (;;) {
		const struct ext4_extent_idx *ix = (const void *)(h + 1);
		uint64_t child;
		unsigned i;

		if (!header_ok(h, space, depth))
			goto corrupt;
		depth = h->eh_depth;
		if (!depth) {
			r = map_leaf(h, lblk, limit, pblk, &n);
			break;
		}
		if (!h->eh_entries)
			goto corrupt;
		for (i = 0; i + 1 < h->eh_entries && ix[i + 1].ei_block <= lblk; i++)
			;
		if (ix[i].ei_block > lblk) { /* before the first subtree: a hole */
			*pblk = 0;
			n = ix[i].ei_block - lblk;
			r = 0;
			break;
		}
		if (i + 1 < h->eh_entries && ix[i + 1].ei_block < limit)
			limit = ix[i + 1].ei_block;
		child = ix[i].ei_leaf_lo | (uint64_t)ix[i].ei_leaf_hi << 32;
		if (b)
			ext4_block_put(fs, b);
		b = NULL;
		r = ext4_block_get(fs, child, &b);
		if (r)
			return r;
		h = (const void *)b->data;
		space = fs->block_size;
		depth--;
	}
	if (b)
		ext4_block_put(fs, b);
	if (!r && *pblk && (*pblk >= fs->blocks || n > fs->blocks - *pblk))
		goto corrupt_unpinned;
	*count = (uint32_t)MIN(n, 0xffffffffu);
	return r;
corrupt:
	if (b)
		ext4_block_put(fs, b);
corrupt_unpinned:
	printk(LOG_ERR, "ext4: %s: inode %u: corrupt extent tree (block %u)\n", fs->dev->name, nr,
	       lblk);
	return -EIO;
}

/* --- changing a tree */

#define MAX_LEN EXT4_EXT_INIT_MAX_LEN /* the longest initialised extent */

struct level {
	struct ext4_extent_header *h;
	struct bbuf *b; /* NULL: the root */
	unsigned i;	/* the index entry taken (an index node) */
};

static struct ext4_extent *ext(const struct ext4_extent_header *h)
{
	return (struct ext4_extent *)(h + 1);
}

static struct ext4_extent_idx *idx(const struct ext4_extent_header *h)
{
	return (struct ext4_extent_idx *)(h + 1);
}

static uint64_t e_start(const struct ext4_extent *e)
{
	return e->ee_start_lo | (uint64_t)e->ee_start_hi << 32;
}

static void e_set_start(struct ext4_extent *e, uint64_t b)
{
	e->ee_start_lo = (uint32_t)b;
	e->ee_start_hi = (uint16_t)(b >> 32);
}

static uint64_t i_leaf(const struct ext4_extent_idx *i)
{
	return i->ei_leaf_lo | (uint64_t)i->ei_leaf_hi << 32;
}

static uint32_t e_len(const struct ext4_extent *e)
{
	return e->ee_len > MAX_LEN ? e->ee_len - MAX_LEN : e->ee_len;
}

static uint16_t node_max(const struct ext4_fs *fs)
{
	return (uint16_t)((fs->block_size - sizeof(struct ext4_extent_header)) / 12);
}

void ext4_extent_init(uint8_t *root)
{
	struct ext4_extent_header *h = (void *)root;

	memset(root, 0, ROOT_SIZE);
	h->eh_magic = EXT4_EXT_MAGIC;
	h->eh_max = (ROOT_SIZE - sizeof(*h)) / 12;
}

/* Pin a node block for a change (before changing it). */
static int dirty(struct ext4_fs *fs, struct level *lv)
{
	struct bbuf *b;

	return lv->b ? ext4_tx_get(fs, lv->b->block, &b) : 0;
}

/* Set a node block's checksum (after changing it). */
static void seal(struct ext4_fs *fs, const struct ext4_etree *t, const struct ext4_extent_header *h)
{
	size_t at = sizeof(*h) + (size_t)h->eh_max * 12;
	uint32_t c;

	if (!fs->csum || (const uint8_t *)h == t->root)
		return;
	c = crc32c_raw(fs->csum_seed, &t->nr, 4);
	c = crc32c_raw(c, &t->gen, 4);
	c = crc32c_raw(c, h, at);
	memcpy((uint8_t *)h + at, &c, 4);
}

static void path_put(struct ext4_fs *fs, struct level *path, int n)
{
	for (int k = 0; k < n; k++)
		if (path[k].b)
			ext4_block_put(fs, path[k].b);
}

/* The nodes from the root down to the leaf where lblk belongs; returns the leaf's level. */
static int find_path(struct ext4_fs *fs, const struct ext4_etree *t, uint32_t lblk,
		     struct level *path)
{
	struct ext4_extent_header *h = (void *)t->root;
	int k = 0;

	for (;; k++) {
		if (!header_ok(h, k ? fs->block_size : ROOT_SIZE,
			       k ? (int)path[k - 1].h->eh_depth - 1 : -1) ||
		    (h->eh_depth && !h->eh_entries) || k > EXT4_EXT_MAX_DEPTH) {
			path_put(fs, path, k);
			printk(LOG_ERR, "ext4: %s: inode %u: corrupt extent tree\n", fs->dev->name,
			       t->nr);
			return -EIO;
		}
		path[k].h = h;
		if (!k)
			path[k].b = NULL;
		if (!h->eh_depth)
			return k;
		path[k].i = 0;
		while (path[k].i + 1u < h->eh_entries && idx(h)[path[k].i + 1].ei_block <= lblk)
			path[k].i++;
		if (ext4_block_get(fs, i_leaf(&idx(h)[path[k].i]), &path[k + 1].b)) {
			path_put(fs, path, k + 1);
			return -EIO;
		}
		h = (void *)path[k + 1].b->data;
	}
}

static int new_node(struct ext4_fs *fs, struct ext4_etree *t, uint16_t depth, uint64_t *blk,
		    struct bbuf **b)
{
	uint32_t one = 1;
	struct ext4_extent_header *h;
	int r = ext4_balloc(fs, t->goal, &one, blk);

	if (r)
		return r;
	r = ext4_tx_new(fs, *blk, b);
	if (r)
		return r;
	t->blocks++;
	h = (void *)(*b)->data;
	h->eh_magic = EXT4_EXT_MAGIC;
	h->eh_max = node_max(fs);
	h->eh_depth = depth;
	return 0;
}

static uint32_t first_key(const struct ext4_extent_header *h)
{
	return h->eh_depth ? idx(h)[0].ei_block : ext(h)[0].ee_block;
}

/* The root is full: move its entries to a new block below it, one level deeper. */
static int grow_root(struct ext4_fs *fs, struct ext4_etree *t)
{
	struct ext4_extent_header *root = (void *)t->root, *h;
	struct bbuf *b;
	uint64_t blk;
	int r = new_node(fs, t, root->eh_depth, &blk, &b);

	if (r)
		return r;
	h = (void *)b->data;
	h->eh_entries = root->eh_entries;
	memcpy(h + 1, root + 1, (size_t)root->eh_entries * 12);
	seal(fs, t, h);
	root->eh_depth++;
	root->eh_entries = 1;
	idx(root)[0].ei_block = first_key(h);
	idx(root)[0].ei_leaf_lo = (uint32_t)blk;
	idx(root)[0].ei_leaf_hi = (uint16_t)(blk >> 32);
	idx(root)[0].ei_unused = 0;
	return 0;
}

/* path[k] has room, path[k + 1] is full: move the upper entries of path[k + 1] into a new
 * node (only its last one when lblk goes past its end: files grow at their end). */
static int split(struct ext4_fs *fs, struct ext4_etree *t, struct level *path, int k, uint32_t lblk)
{
	struct level *p = &path[k], *c = &path[k + 1];
	struct ext4_extent_header *h;
	unsigned s = c->h->eh_entries / 2, j = p->i + 1;
	struct bbuf *b;
	uint64_t blk;
	int r;

	if (lblk > (c->h->eh_depth ? idx(c->h)[c->h->eh_entries - 1].ei_block
				   : ext(c->h)[c->h->eh_entries - 1].ee_block))
		s = c->h->eh_entries - 1u;
	r = new_node(fs, t, c->h->eh_depth, &blk, &b);
	if (!r)
		r = dirty(fs, c);
	if (!r)
		r = dirty(fs, p);
	if (r)
		return r;
	h = (void *)b->data;
	h->eh_entries = (uint16_t)(c->h->eh_entries - s);
	memcpy(h + 1, (uint8_t *)(c->h + 1) + s * 12, (size_t)h->eh_entries * 12);
	c->h->eh_entries = (uint16_t)s;
	seal(fs, t, h);
	seal(fs, t, c->h);
	memmove(&idx(p->h)[j + 1], &idx(p->h)[j], (size_t)(p->h->eh_entries - j) * 12);
	idx(p->h)[j].ei_block = first_key(h);
	idx(p->h)[j].ei_leaf_lo = (uint32_t)blk;
	idx(p->h)[j].ei_leaf_hi = (uint16_t)(blk >> 32);
	idx(p->h)[j].ei_unused = 0;
	p->h->eh_entries++;
	seal(fs, t, p->h);
	return 0;
}

/* A new first block under the path's index entries: lower their keys. */
static int lower_keys(struct ext4_fs *fs, struct ext4_etree *t, struct level *path, int leaf,
		      uint32_t lblk)
{
	for (int k = leaf - 1; k >= 0; k--) {
		struct ext4_extent_idx *ix = &idx(path[k].h)[path[k].i];
		int r;

		if (ix->ei_block <= lblk)
			continue;
		r = dirty(fs, &path[k]);
		if (r)
			return r;
		ix->ei_block = lblk;
		seal(fs, t, path[k].h);
	}
	return 0;
}

/* Put the extent [lblk, lblk + len) -> pblk into the leaf that has room for it: 1 done,
 * 0 full. */
static int put_extent(struct ext4_fs *fs, struct ext4_etree *t, struct level *path, int leaf,
		      uint32_t lblk, uint32_t len, uint64_t pblk)
{
	struct ext4_extent_header *h = path[leaf].h;
	struct ext4_extent *e = ext(h);
	unsigned i = 0;
	int r;

	while (i < h->eh_entries && e[i].ee_block <= lblk)
		i++;
	if ((i && e[i - 1].ee_block + e_len(&e[i - 1]) > lblk) ||
	    (i < h->eh_entries && (uint64_t)lblk + len > e[i].ee_block))
		return -EIO; /* overlaps: an unwritten extent mapped as a hole */
	if (i && e[i - 1].ee_len <= MAX_LEN && e[i - 1].ee_block + e[i - 1].ee_len == lblk &&
	    e_start(&e[i - 1]) + e[i - 1].ee_len == pblk && e[i - 1].ee_len + len <= MAX_LEN) {
		r = dirty(fs, &path[leaf]);
		if (r)
			return r;
		e[i - 1].ee_len = (uint16_t)(e[i - 1].ee_len + len);
		seal(fs, t, h);
		return 1;
	}
	if (i < h->eh_entries && e[i].ee_len <= MAX_LEN && lblk + len == e[i].ee_block &&
	    pblk + len == e_start(&e[i]) && e[i].ee_len + len <= MAX_LEN) {
		r = dirty(fs, &path[leaf]);
		if (r)
			return r;
		e[i].ee_block = lblk;
		e[i].ee_len = (uint16_t)(e[i].ee_len + len);
		e_set_start(&e[i], pblk);
		seal(fs, t, h);
		return i ? 1 : (lower_keys(fs, t, path, leaf, lblk) ?: 1);
	}
	if (h->eh_entries == h->eh_max)
		return 0;
	r = dirty(fs, &path[leaf]);
	if (r)
		return r;
	memmove(&e[i + 1], &e[i], (size_t)(h->eh_entries - i) * 12);
	e[i].ee_block = lblk;
	e[i].ee_len = (uint16_t)len;
	e_set_start(&e[i], pblk);
	h->eh_entries++;
	seal(fs, t, h);
	return i ? 1 : (lower_keys(fs, t, path, leaf, lblk) ?: 1);
}

static int insert(struct ext4_fs *fs, struct ext4_etree *t, uint32_t lblk, uint32_t len,
		  uint64_t pblk)
{
	struct level path[EXT4_EXT_MAX_DEPTH + 2];

	for (int tries = 0; tries < 4 * (EXT4_EXT_MAX_DEPTH + 1); tries++) {
		int leaf = find_path(fs, t, lblk, path), k, r;

		if (leaf < 0)
			return leaf;
		r = put_extent(fs, t, path, leaf, lblk, len, pblk);
		if (r) {
			path_put(fs, path, leaf + 1);
			return r < 0 ? r : 0;
		}
		for (k = leaf - 1; k >= 0 && path[k].h->eh_entries == path[k].h->eh_max; k--)
			;
		if (k < 0)
			r = leaf >= EXT4_EXT_MAX_DEPTH ? -ENOSPC : grow_root(fs, t);
		else
			r = split(fs, t, path, k, lblk);
		path_put(fs, path, leaf + 1);
		if (r)
			return r;
	}
	return -EIO;
}

int ext4_extent_alloc(struct ext4_fs *fs, struct ext4_etree *t, uint32_t lblk, uint32_t count,
		      uint64_t *pblk, uint32_t *got, bool *fresh)
{
	uint64_t b, goal = t->goal;
	uint32_t n;
	int r = ext4_extent_map(fs, t->nr, t->root, lblk, &b, &n);

	if (r)
		return r;
	if (b) {
		*pblk = b;
		*got = MIN(n, count);
		*fresh = false;
		return 0;
	}
	if (lblk) {
		uint64_t prev;
		uint32_t pn;

		r = ext4_extent_map(fs, t->nr, t->root, lblk - 1, &prev, &pn);
		if (r)
			return r;
		if (prev)
			goal = prev + 1;
	}
	n = MIN(MIN(n, count), (uint32_t)MAX_LEN);
	r = ext4_balloc(fs, goal, &n, &b);
	if (r)
		return r;
	r = insert(fs, t, lblk, n, b);
	if (r) {
		if (ext4_bfree(fs, b, n))
			printk(LOG_ERR, "ext4: %s: blocks %lu+%u lost\n", fs->dev->name, b, n);
		return r;
	}
	t->blocks += n;
	t->goal = b + n;
	*pblk = b;
	*got = n;
	*fresh = true;
	return 0;
}

/* Free every block of the subtree under node h (depth levels). */
static int free_subtree(struct ext4_fs *fs, struct ext4_etree *t,
			const struct ext4_extent_header *h)
{
	int r = 0;

	for (unsigned i = 0; i < h->eh_entries && !r; i++) {
		struct bbuf *b;

		if (!h->eh_depth) {
			if (e_len(&ext(h)[i]))
				r = ext4_bfree(fs, e_start(&ext(h)[i]), e_len(&ext(h)[i]));
			t->blocks -= e_len(&ext(h)[i]);
			continue;
		}
		r = ext4_block_get(fs, i_leaf(&idx(h)[i]), &b);
		if (r)
			break;
		if (header_ok((void *)b->data, fs->block_size, h->eh_depth - 1))
			r = free_subtree(fs, t, (void *)b->data);
		else
			r = -EIO;
		ext4_block_put(fs, b);
		if (!r)
			r = ext4_bfree(fs, i_leaf(&idx(h)[i]), 1);
		t->blocks--;
	}
	return r;
}

/* Cut node lv (pinned by the caller when a block) at lblk; *empty: nothing is left in it. */
static int cut(struct ext4_fs *fs, struct ext4_etree *t, struct level *lv, uint32_t lblk,
	       bool *empty)
{
	struct ext4_extent_header *h = lv->h;
	int r = 0;

	while (h->eh_entries && !r) {
		unsigned i = h->eh_entries - 1u;

		if (!h->eh_depth) {
			struct ext4_extent *e = &ext(h)[i];
			uint32_t len = e_len(e), keep;

			if (e->ee_block + len <= lblk)
				break;
			keep = e->ee_block >= lblk ? 0 : lblk - e->ee_block;
			r = dirty(fs, lv);
			if (!r)
				r = ext4_bfree(fs, e_start(e) + keep, len - keep);
			if (r)
				break;
			t->blocks -= len - keep;
			if (keep)
				e->ee_len = (uint16_t)(e->ee_len - (len - keep));
			else
				h->eh_entries--;
			seal(fs, t, h);
			if (keep)
				break;
		} else {
			struct ext4_extent_idx *ix = &idx(h)[i];
			struct level child = { NULL, NULL, 0 };
			bool gone = ix->ei_block >= lblk;

			r = ext4_block_get(fs, i_leaf(ix), &child.b);
			if (r)
				break;
			child.h = (void *)child.b->data;
			if (!header_ok(child.h, fs->block_size, h->eh_depth - 1))
				r = -EIO;
			else if (gone)
				r = free_subtree(fs, t, child.h);
			else
				r = cut(fs, t, &child, lblk, &gone);
			ext4_block_put(fs, child.b);
			if (r || !gone)
				break;
			r = dirty(fs, lv);
			if (!r)
				r = ext4_bfree(fs, i_leaf(ix), 1);
			t->blocks--;
			h->eh_entries--;
			seal(fs, t, h);
		}
	}
	*empty = !h->eh_entries;
	return r;
}

int ext4_extent_truncate(struct ext4_fs *fs, struct ext4_etree *t, uint32_t lblk)
{
	struct level root = { (void *)t->root, NULL, 0 };
	bool empty;
	int r;

	if (!header_ok(root.h, ROOT_SIZE, -1))
		return -EIO;
	r = cut(fs, t, &root, lblk, &empty);
	if (!r && empty)
		root.h->eh_depth = 0;
	return r;
}
