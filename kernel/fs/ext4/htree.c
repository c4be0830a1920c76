/* htree.c: hashed directories through the block cache: lookups down the index, and (with
 * transactions) inserts that split leaves and index nodes. */
#include "fs/ext4/htree.h"
#include "fs/ext4/dir.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/dx.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/hash.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MAX_DEPTH 4 /* the root and up to three levels below it (largedir) */

/* One index block on the way down: pinned, and which of its entries the path took. */
struct frame {
	struct bbuf *b;
	struct ext4_dx_node n;
	unsigned at;
	bool changed; /* pinned for a change (ext4_tx_get): its checksum to be set */
};

struct path {
	struct frame f[MAX_DEPTH];
	unsigned levels; /* indirect_levels: f[0..levels] are index blocks */
	uint32_t hash;
	unsigned version; /* the hash version, unsigned added */
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
	p->version = info->hash_version + fs->hash_unsigned;
	if (ext4_hash(p->version, fs->hash_seed, name, len, &p->hash, &minor))
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

/* --- adding */

/* Index levels below the root an insert may make (Linux's limit: 2 with largedir, else 1). */
static unsigned write_levels(const struct ext4_fs *fs)
{
	return (fs->incompat & INCOMPAT_LARGEDIR) ? 2 : 1;
}

/* Pin frame lvl for a change: the same cached block, taken under the handle. */
static int change(struct ext4_fs *fs, struct path *p, unsigned lvl)
{
	struct frame *f = &p->f[lvl];
	struct bbuf *b;
	int r;

	if (f->changed)
		return 0;
	r = ext4_tx_get(fs, f->b->block, &b);
	if (r)
		return r;
	/* the handle's pin holds it: the lookup's is let go */
	ext4_block_put(fs, f->b);
	f->b = b;
	f->changed = true;
	r = ext4_dx_node_open(b->data, fs->block_size, lvl == 0, fs->csum, max_levels(fs), &f->n);
	return r ? -EIO : 0;
}

/* A new block at the directory's end, pinned (zeroed) under the handle: *lblk, *out. */
static int new_block(struct ext4_fs *fs, struct ext4_dir *d, uint32_t *lblk, struct bbuf **out)
{
	uint64_t pblk;
	uint32_t got;
	bool fresh;
	int r;

	*lblk = (uint32_t)(d->size / fs->block_size);
	r = ext4_extent_alloc(fs, d->t, *lblk, 1, &pblk, &got, &fresh);
	if (!r)
		r = ext4_tx_new(fs, pblk, out);
	if (!r)
		d->size += fs->block_size;
	return r;
}

/* The root is full: move its entries into a new node below it; the path gains a level. */
static int add_level(struct ext4_fs *fs, struct ext4_dir *d, struct path *p)
{
	struct ext4_dx_root_info *info;
	struct frame *root = &p->f[0];
	struct ext4_dx_node n;
	struct bbuf *b;
	uint32_t lblk;
	int r = change(fs, p, 0);

	if (!r)
		r = new_block(fs, d, &lblk, &b);
	if (r)
		return r;
	ext4_dx_node_init(b->data, fs->block_size, fs->csum, &n);
	(void)ext4_dx_node_move(&n, &root->n, 0);
	ext4_dx_node_reset(&root->n, lblk);
	info = (void *)(root->b->data + EXT4_DX_ROOT_INFO);
	info->indirect_levels++;
	memmove(&p->f[2], &p->f[1], (p->levels) * sizeof(p->f[0]));
	p->f[1] = (struct frame){ .b = b, .n = n, .at = root->at, .changed = true };
	root->at = 0;
	p->levels++;
	return 0;
}

/* Node lvl (> 0) is full, its parent is not: move its upper half to a new node, indexed in
 * the parent after it; the path follows its entry. */
static int split_node(struct ext4_fs *fs, struct ext4_dir *d, struct path *p, unsigned lvl)
{
	struct frame *f = &p->f[lvl], *up = &p->f[lvl - 1];
	unsigned half = f->n.count / 2;
	struct ext4_dx_node n;
	struct bbuf *b;
	uint32_t lblk, hash;
	int r = change(fs, p, lvl);

	if (!r)
		r = change(fs, p, lvl - 1);
	if (!r)
		r = new_block(fs, d, &lblk, &b);
	if (r)
		return r;
	ext4_dx_node_init(b->data, fs->block_size, fs->csum, &n);
	hash = ext4_dx_node_move(&n, &f->n, half);
	ext4_dx_node_insert(&up->n, up->at, hash, lblk);
	if (f->at >= half) { /* the path goes on in the new node */
		if (fs->csum)
			ext4_dx_node_csum_set(f->b->data, &f->n,
					      ext4_dx_seed(fs->csum_seed, d->t->nr, d->t->gen));
		up->at++;
		f->at -= half;
		f->b = b; /* the handle holds the old one: no put */
		f->n = n;
	} else if (fs->csum) {
		ext4_dx_node_csum_set(b->data, &n,
				      ext4_dx_seed(fs->csum_seed, d->t->nr, d->t->gen));
	}
	return 0;
}

/* Make room for one more entry in the lowest index node: split full nodes from the lowest
 * one with room down, or add a level when even the root is full. -ENOSPC: no room the
 * format allows (said on the console). */
static int make_room(struct ext4_fs *fs, struct ext4_dir *d, struct path *p)
{
	for (;;) {
		int k = (int)p->levels, r;

		while (k >= 0 && p->f[k].n.count == p->f[k].n.limit)
			k--;
		if (k == (int)p->levels)
			return 0;
		if (k < 0) {
			if (p->levels >= write_levels(fs)) {
				/* as Linux: the directory is full (largedir allows one level more) */
				printk(LOG_WARN,
				       "ext4: %s: directory %u: index full at %u levels%s\n",
				       fs->dev->name, d->t->nr, p->levels + 1,
				       (fs->incompat & INCOMPAT_LARGEDIR) ? "" : " (no largedir)");
				return -ENOSPC;
			}
			r = add_level(fs, d, p);
		} else {
			r = split_node(fs, d, p, (unsigned)k + 1);
		}
		if (r)
			return r;
	}
}

/* Set the checksums of the index blocks the path changed. */
static void path_csum(struct ext4_fs *fs, const struct ext4_dir *d, struct path *p)
{
	uint32_t seed = ext4_dx_seed(fs->csum_seed, d->t->nr, d->t->gen);

	for (unsigned i = 0; fs->csum && i <= p->levels; i++)
		if (p->f[i].changed)
			ext4_dx_node_csum_set(p->f[i].b->data, &p->f[i].n, seed);
}

/* Forget the path; changed frames are the handle's (no put). */
static void path_drop(struct ext4_fs *fs, struct path *p)
{
	for (unsigned i = 0; i < MAX_DEPTH; i++) {
		if (p->f[i].b && !p->f[i].changed)
			ext4_block_put(fs, p->f[i].b);
		p->f[i].b = NULL;
	}
}

/* Split full leaf b (logical block lblk, the path's) and add the entry to the half its hash
 * goes to. */
static int split_leaf(struct ext4_fs *fs, struct ext4_dir *d, struct path *p, struct bbuf *b,
		      const char *name, size_t len, uint32_t ino, uint8_t ft)
{
	size_t scratch_size = EXT4_DX_SPLIT_SCRATCH(fs->block_size);
	void *scratch = kmalloc(scratch_size);
	uint32_t seed = ext4_dx_seed(fs->csum_seed, d->t->nr, d->t->gen), lblk, split;
	struct frame *f;
	struct bbuf *nb;
	int r = scratch ? make_room(fs, d, p) : -ENOMEM;

	if (!r)
		r = change(fs, p, p->levels);
	if (!r)
		r = new_block(fs, d, &lblk, &nb);
	if (!r)
		r = ext4_dx_leaf_split(b->data, nb->data, fs->block_size, fs->csum, p->version,
				       fs->hash_seed, scratch, scratch_size, &split);
	kfree(scratch);
	if (r)
		return r == -EINVAL ? -EIO : r;
	f = &p->f[p->levels];
	ext4_dx_node_insert(&f->n, f->at, split, lblk);
	r = ext4_dx_leaf_add(p->hash >= (split & ~1u) ? nb->data : b->data, fs->block_size,
			     fs->csum, name, len, ino, ft);
	if (fs->csum) {
		ext4_dx_leaf_csum_set(b->data, fs->block_size, seed);
		ext4_dx_leaf_csum_set(nb->data, fs->block_size, seed);
	}
	return r;
}

int ext4_htree_add(struct ext4_fs *fs, struct ext4_dir *d, const char *name, size_t len,
		   uint32_t ino, uint8_t ft)
{
	struct path p = { 0 };
	struct frame *f;
	uint64_t pblk;
	uint32_t count, lblk;
	struct bbuf *b;
	int r = path_find(fs, d, name, len, &p);

	if (r)
		goto out;
	f = &p.f[p.levels];
	lblk = ext4_dx_node_block(&f->n, f->at);
	r = (uint64_t)lblk * fs->block_size < d->size
		    ? ext4_extent_map(fs, d->t->nr, d->t->root, lblk, &pblk, &count)
		    : -EAGAIN;
	if (!r && !pblk)
		r = -EAGAIN;
	if (!r)
		r = ext4_tx_get(fs, pblk, &b);
	if (r)
		goto out;
	r = ext4_dx_leaf_add(b->data, fs->block_size, fs->csum, name, len, ino, ft);
	if (r == -ENOSPC)
		r = split_leaf(fs, d, &p, b, name, len, ino, ft);
	else if (!r && fs->csum)
		ext4_dx_leaf_csum_set(b->data, fs->block_size,
				      ext4_dx_seed(fs->csum_seed, d->t->nr, d->t->gen));
	path_csum(fs, d, &p);
out:
	path_drop(fs, &p);
	return r;
}
