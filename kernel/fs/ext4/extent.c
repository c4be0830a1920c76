/* extent.c: walking an extent tree from the inode's root down to the leaf that covers a
 * block. Every node's header is checked (magic, entry counts within the node, depth one less
 * than its parent's) before its entries are used. */
#include "fs/ext4/extent.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "lib/errno.h"
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
