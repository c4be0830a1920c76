/* htree.c: hashed directories through the block cache: lookups down the index, and (with
 * transactions) inserts that split leaves and index nodes. */
#include "fs/ext4/htree.h"
#include "fs/ext4/dir.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/dx.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/hash.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define MAX_DEPTH 4 /* the root and up to three levels below it (largedir) */

/* One index block on the way down: pinned, and which of its entries the path took. */
struct frame {
	struct bbuf *b;
	struct ext4_dx_node n;
	unsigned at;
};

struct path {
	struct frame f[MAX_DEPTH];
	unsigned levels; /* indirect_levels: f[0..levels] are index blocks */
	uint32_t hash;
};

/* Say once per directory (the last one said) that its index is not used. */
static int index_bad(struct ext4_fs *fs, const struct ext4_dir *d, uint32_t lblk, const char *why)
{
	static uint32_t said;

	if (said != d->t->nr) {
		said = d->t->nr;
		printk(LOG_ERR, "ext4: %s: directory %u: %s (block %u): read linearly\n",
		       fs->dev->name, d->t->nr, why, lblk);
	}
	return -EAGAIN;
}

/* Pin logical block lblk of d; -EAGAIN (said) past the directory's end or in a hole. */
static int get_lblock(struct ext4_fs *fs, const struct ext4_dir *d, uint32_t lblk,
		      struct bbuf **out)
{
	uint64_t pblk;
	uint32_t count;
	int r;

	if ((uint64_t)lblk * fs->block_size >= d->size)
		return index_bad(fs, d, lblk, "index points past the end");
	r = ext4_extent_map(fs, d->t->nr, d->t->root, lblk, &pblk, &count);
	if (r)
		return r;
	if (!pblk)
		return index_bad(fs, d, lblk, "index points at a hole");
	return ext4_block_get(fs, pblk, out);
}

static unsigned max_levels(const struct ext4_fs *fs)
{
	return (fs->incompat & INCOMPAT_LARGEDIR) ? 3 : 2;
}

/* Pin and check index block lblk as level lvl of p. */
static int open_index(struct ext4_fs *fs, const struct ext4_dir *d, struct path *p, unsigned lvl,
		      uint32_t lblk)
{
	struct frame *f = &p->f[lvl];
	int r = get_lblock(fs, d, lblk, &f->b);

	if (r)
		return r;
	r = ext4_dx_node_open(f->b->data, fs->block_size, lvl == 0, fs->csum, max_levels(fs),
			      &f->n);
	if (!r && fs->csum &&
	    !ext4_dx_node_csum_ok(f->b->data, fs->block_size, &f->n,
				  ext4_dx_seed(fs->csum_seed, d->t->nr, d->t->gen)))
		r = index_bad(fs, d, lblk, "index block fails its checksum");
	else if (r)
		r = index_bad(fs, d, lblk, lvl ? "corrupt index node" : "corrupt index root");
	if (r) {
		ext4_block_put(fs, f->b);
		f->b = NULL;
	}
	return r;
}

static void path_put(struct ext4_fs *fs, struct path *p)
{
	for (unsigned i = 0; i < MAX_DEPTH; i++)
		if (p->f[i].b) {
			ext4_block_put(fs, p->f[i].b);
			p->f[i].b = NULL;
		}
}

/* Descend from level lvl (pinned, its at chosen) to the leaf: each level below takes the
 * entry for p->hash (first) or its first entry (!first: reading on past a collision). */
static int descend(struct ext4_fs *fs, const struct ext4_dir *d, struct path *p, unsigned lvl,
		   bool first)
{
	for (unsigned i = lvl + 1; i <= p->levels; i++) {
		struct frame *up = &p->f[i - 1];
		int r;

		if (p->f[i].b) {
			ext4_block_put(fs, p->f[i].b);
			p->f[i].b = NULL;
		}
		r = open_index(fs, d, p, i, ext4_dx_node_block(&up->n, up->at));
		if (r)
			return r;
		p->f[i].at = first ? ext4_dx_node_search(&p->f[i].n, p->hash) : 0;
	}
	return 0;
}

/* Pin the root, hash name with its version, and walk down to the leaf for it. */
static int path_find(struct ext4_fs *fs, const struct ext4_dir *d, const char *name, size_t len,
		     struct path *p)
{
	const struct ext4_dx_root_info *info;
	uint32_t minor;
	int r = open_index(fs, d, p, 0, 0);

	if (r)
		return r;
	info = (const void *)(p->f[0].b->data + EXT4_DX_ROOT_INFO);
	p->levels = info->indirect_levels;
	if (ext4_hash(info->hash_version + fs->hash_unsigned, fs->hash_seed, name, len, &p->hash,
		      &minor))
		return index_bad(fs, d, 0, "unknown hash version");
	p->f[0].at = ext4_dx_node_search(&p->f[0].n, p->hash);
	return descend(fs, d, p, 0, true);
}

/* Move p to the next leaf if it may hold more names of p->hash (the next index entry's hash,
 * less its collision bit, is p->hash). 1 moved, 0 no such leaf, or -errno. */
static int next_leaf(struct ext4_fs *fs, const struct ext4_dir *d, struct path *p)
{
	int lvl = (int)p->levels, r;

	while (lvl >= 0 && p->f[lvl].at + 1 >= p->f[lvl].n.count)
		lvl--;
	if (lvl < 0)
		return 0;
	if ((ext4_dx_node_hash(&p->f[lvl].n, p->f[lvl].at + 1) & ~1u) != p->hash)
		return 0;
	p->f[lvl].at++;
	r = descend(fs, d, p, (unsigned)lvl, false);
	return r ? r : 1;
}

int ext4_htree_find(struct ext4_fs *fs, const struct ext4_dir *d, const char *name, size_t len,
		    uint32_t *ino)
{
	struct path p = { 0 };
	int r = path_find(fs, d, name, len, &p);

	while (!r) {
		const struct frame *f = &p.f[p.levels];
		uint32_t lblk = ext4_dx_node_block(&f->n, f->at), bad;
		struct bbuf *b;

		r = get_lblock(fs, d, lblk, &b);
		if (r)
			break;
		r = ext4_dx_leaf_find(b->data, fs->block_size, name, len, ino, &bad);
		ext4_block_put(fs, b);
		if (r == -EIO)
			printk(LOG_ERR, "ext4: %s: directory %u: corrupt entry at %lu\n",
			       fs->dev->name, d->t->nr, (uint64_t)lblk * fs->block_size + bad);
		if (r != -ENOENT)
			break;
		r = next_leaf(fs, d, &p);
		if (r == 0)
			r = -ENOENT;
		else if (r == 1)
			r = 0;
	}
	path_put(fs, &p);
	return r;
}
