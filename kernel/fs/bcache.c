/* bcache.c: the block cache: buffers on an LRU list, one mutex over the cache. A miss reads
 * the device with the mutex held (metadata is small and is mostly read once). */
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "core/sched/sync.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"

struct buf {
	struct bbuf pub;
	struct list lru; /* most recently used first */
	int pins;
	bool valid;
	uint8_t *mem;
};

struct bcache {
	struct blk_dev *dev;
	uint32_t block_size;
	unsigned nbufs;
	struct mutex lock;
	struct condvar unpinned;
	struct list lru;
	struct buf *bufs;
	uint64_t hits, misses;
};

struct bcache *bcache_create(struct blk_dev *dev, uint32_t block_size, unsigned nbufs)
{
	struct bcache *c = kzalloc(sizeof(*c));

	if (!c)
		return NULL;
	c->bufs = kzalloc(nbufs * sizeof(*c->bufs));
	if (!c->bufs)
		goto err_bufs;
	c->dev = dev;
	c->block_size = block_size;
	c->nbufs = nbufs;
	mutex_init(&c->lock);
	cond_init(&c->unpinned);
	list_init(&c->lru);
	for (unsigned i = 0; i < nbufs; i++) {
		c->bufs[i].mem = kmalloc(BCACHE_BUF_SIZE);
		if (!c->bufs[i].mem)
			goto err_mem;
		c->bufs[i].pub.data = c->bufs[i].mem;
		list_add_tail(&c->lru, &c->bufs[i].lru);
	}
	return c;
err_mem:
	for (unsigned i = 0; i < nbufs; i++)
		kfree(c->bufs[i].mem);
	kfree(c->bufs);
err_bufs:
	kfree(c);
	return NULL;
}

void bcache_destroy(struct bcache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->nbufs; i++)
		kfree(c->bufs[i].mem);
	kfree(c->bufs);
	kfree(c);
}

static struct buf *find(struct bcache *c, uint64_t block)
{
	struct list *pos;

	list_for_each (pos, &c->lru) {
		struct buf *b = list_entry(pos, struct buf, lru);

		if (b->valid && b->pub.block == block)
			return b;
	}
	return NULL;
}

/* The least recently used unpinned buffer, or NULL if all are pinned. */
static struct buf *victim(struct bcache *c)
{
	for (struct list *pos = c->lru.prev; pos != &c->lru; pos = pos->prev) {
		struct buf *b = list_entry(pos, struct buf, lru);

		if (!b->pins)
			return b;
	}
	return NULL;
}

/* Pin block; read it from the device on a miss unless fresh (then zero it, found or not). */
static int get(struct bcache *c, uint64_t block, bool fresh, struct bbuf **out)
{
	uint64_t sectors = c->block_size / BLK_SECTOR_SIZE;
	struct buf *b;
	int r = 0;

	mutex_lock(&c->lock);
	for (;;) {
		b = find(c, block);
		if (b) {
			c->hits++;
			if (fresh)
				memset(b->mem, 0, c->block_size);
			break;
		}
		b = victim(c);
		if (b) {
			c->misses++;
			b->valid = false;
			if (fresh)
				memset(b->mem, 0, c->block_size);
			else
				r = blk_read(c->dev, block * sectors, b->mem, c->block_size);
			if (!r) {
				b->valid = true;
				b->pub.block = block;
			}
			break;
		}
		cond_wait(&c->unpinned, &c->lock);
	}
	if (!r) {
		b->pins++;
		list_del(&b->lru);
		list_add(&c->lru, &b->lru);
		*out = &b->pub;
	}
	mutex_unlock(&c->lock);
	return r;
}

int bcache_get(struct bcache *c, uint64_t block, struct bbuf **out)
{
	return get(c, block, false, out);
}

int bcache_get_new(struct bcache *c, uint64_t block, struct bbuf **out)
{
	return get(c, block, true, out);
}

void bcache_put(struct bcache *c, struct bbuf *pub)
{
	struct buf *b = container_of(pub, struct buf, pub);

	mutex_lock(&c->lock);
	if (!--b->pins)
		cond_signal(&c->unpinned);
	mutex_unlock(&c->lock);
}

void bcache_counts(const struct bcache *c, uint64_t *hits, uint64_t *misses)
{
	*hits = c->hits;
	*misses = c->misses;
}
