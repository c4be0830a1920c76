/* replay.c: journal recovery in three passes over the log, as jbd2 defines it: scan (where
 * do the committed transactions end?), revokes (which homes must not get which copies?),
 * replay (write the rest home). Each pass reads the log again; it is short. */
#include "fs/ext4/replay.h"
#include "fs/ext4/jbd2.h"
#include "fs/ext4/super.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

enum pass { SCAN, REVOKES, REPLAY };

/* A revoke record: block blk is not to be replayed from transactions up to seq. */
struct rec {
	uint64_t blk;
	uint32_t seq;
	bool used;
};

struct walk {
	struct jbd2 *j;
	enum pass pass;
	uint8_t *buf, *copy; /* a log block, a logged copy */
	uint32_t pos, seq;   /* where the walk is, the transaction it is in */
	uint32_t steps;	     /* blocks walked: never more than once around the ring */
	struct rec *revokes; /* open addressing by block number; cap a power of two */
	unsigned cap, nrevokes;
	struct replay_counts *out;
};

static unsigned slot(const struct walk *w, uint64_t blk)
{
	unsigned i = (unsigned)((blk * 0x9e3779b97f4a7c15ull) >> 32) & (w->cap - 1);

	while (w->revokes[i].used && w->revokes[i].blk != blk)
		i = (i + 1) & (w->cap - 1);
	return i;
}

static int revoke(struct walk *w, uint64_t blk, uint32_t seq)
{
	unsigned i;

	if ((w->nrevokes + 1) * 4 > w->cap * 3) {
		struct rec *old = w->revokes;
		unsigned ocap = w->cap;

		w->cap = ocap ? ocap * 2 : 64;
		w->revokes = kzalloc(w->cap * sizeof(*old));
		if (!w->revokes) {
			w->revokes = old;
			w->cap = ocap;
			return -ENOMEM;
		}
		for (unsigned k = 0; k < ocap; k++)
			if (old[k].used)
				w->revokes[slot(w, old[k].blk)] = old[k];
		kfree(old);
	}
	i = slot(w, blk);
	if (!w->revokes[i].used)
		w->nrevokes++;
	w->revokes[i] = (struct rec){ blk, seq, true }; /* the passes go in sequence order */
	return 0;
}

static bool revoked(const struct walk *w, uint64_t blk, uint32_t seq)
{
	const struct rec *r;

	if (!w->cap)
		return false;
	r = &w->revokes[slot(w, blk)];
	return r->used && !tid_before(r->seq, seq);
}

/* Step to the log's next block; false once the walk has gone all the way round. */
static bool step(struct walk *w)
{
	w->pos = jbd2_next(w->j, w->pos);
	return ++w->steps < w->j->maxlen - w->j->first;
}

/* The copies a descriptor block (in w->buf) tags. 1: the transaction is torn (scan). */
static int tags(struct walk *w)
{
	struct jbd2 *j = w->j;
	struct ext4_fs *fs = j->fs;
	uint32_t bs = fs->block_size, end = bs - (j->csum ? sizeof(struct jbd2_tail) : 0);
	size_t ts = jbd2_tag_size(j);
	uint32_t off = sizeof(struct jbd2_header);
	int r;

	while (off + ts <= end) {
		const uint8_t *tag = w->buf + off;
		uint64_t blk;
		uint32_t flags;

		jbd2_tag_read(j, tag, &blk, &flags);
		off += ts + (flags & JBD2_FLAG_SAME_UUID ? 0 : 16);
		if (!step(w))
			return 1;
		if (w->pass == SCAN) {
			if (blk >= fs->blocks)
				return 1;
			if (j->csum) {
				r = jbd2_read(j, w->pos, w->copy);
				if (r)
					return r;
				if (!jbd2_tag_csum_ok(j, tag,
						      jbd2_copy_csum(j, w->seq, w->copy, false)))
					return 1;
			}
		} else if (w->pass == REPLAY) {
			if (revoked(w, blk, w->seq)) {
				w->out->revoked++;
			} else {
				uint32_t magic = be32(JBD2_MAGIC);

				r = jbd2_read(j, w->pos, w->copy);
				if (r)
					return r;
				if (flags & JBD2_FLAG_ESCAPE)
					memcpy(w->copy, &magic, 4);
				r = blk_write(fs->dev, blk * (bs / BLK_SECTOR_SIZE), w->copy, bs);
				if (r)
					return r;
				w->out->blocks++;
			}
		}
		if (flags & JBD2_FLAG_LAST_TAG)
			break;
	}
	return 0;
}

/* The records of a revoke block (in w->buf). */
static int revokes(struct walk *w)
{
	const struct jbd2_revoke *rb = (const void *)w->buf;
	struct jbd2 *j = w->j;
	uint32_t end = j->fs->block_size - (j->csum ? sizeof(struct jbd2_tail) : 0);
	uint32_t size = j->incompat & JBD2_INCOMPAT_64BIT ? 8 : 4;

	end = MIN(end, be32(rb->r_count));
	for (uint32_t off = sizeof(*rb); off + size <= end; off += size) {
		uint64_t blk;
		uint32_t b32;
		int r;

		if (size == 8) {
			memcpy(&blk, w->buf + off, 8);
			blk = be64(blk);
		} else {
			memcpy(&b32, w->buf + off, 4);
			blk = be32(b32);
		}
		r = revoke(w, blk, w->seq);
		if (r)
			return r;
	}
	return 0;
}

/* One pass from the log's start; a scan sets out->end, the others stop there. */
static int walk(struct walk *w, enum pass pass)
{
	struct jbd2 *j = w->j;
	int r;

	w->pass = pass;
	w->pos = be32(j->s->s_start);
	w->seq = be32(j->s->s_sequence);
	w->steps = 0;
	for (;;) {
		const struct jbd2_header *h = (const void *)w->buf;

		if (pass != SCAN && w->seq == w->out->end)
			return 0;
		r = jbd2_read(j, w->pos, w->buf);
		if (r)
			return r;
		if (be32(h->h_magic) != JBD2_MAGIC || be32(h->h_sequence) != w->seq)
			break;
		switch (be32(h->h_blocktype)) {
		case JBD2_DESCRIPTOR:
			r = jbd2_tail_ok(j, w->buf) ? tags(w) : 1;
			break;
		case JBD2_COMMIT:
			r = jbd2_commit_ok(j, w->buf) ? 0 : 1;
			if (!r) {
				w->seq++;
				if (pass == SCAN)
					w->out->transactions++;
			}
			break;
		case JBD2_REVOKE:
			r = jbd2_tail_ok(j, w->buf) ? 0 : 1;
			if (!r && pass == REVOKES)
				r = revokes(w);
			break;
		default:
			r = 1;
		}
		if (r < 0)
			return r;
		if (r || !step(w))
			break;
	}
	if (pass == SCAN) {
		w->out->end = w->seq;
		return 0;
	}
	return -EIO; /* the log ended before what the scan found: it changed under us */
}

int replay_run(struct jbd2 *j, bool apply, struct replay_counts *out)
{
	struct walk w = { .j = j, .out = out };
	int r = -ENOMEM;

	memset(out, 0, sizeof(*out));
	out->end = be32(j->s->s_sequence);
	if (!j->s->s_start)
		return 0;
	if (be32(j->s->s_start) < j->first || be32(j->s->s_start) >= j->maxlen) {
		printk(LOG_ERR, "ext4: %s: corrupt journal superblock (log start %u)\n",
		       j->fs->dev->name, be32(j->s->s_start));
		return -EINVAL;
	}
	w.buf = kmalloc(j->fs->block_size);
	w.copy = kmalloc(j->fs->block_size);
	if (!w.buf || !w.copy)
		goto out;
	r = walk(&w, SCAN);
	if (!r && apply && out->transactions) {
		r = walk(&w, REVOKES);
		if (!r)
			r = walk(&w, REPLAY);
		if (!r)
			r = blk_flush(j->fs->dev);
	}
out:
	kfree(w.revokes);
	kfree(w.copy);
	kfree(w.buf);
	return r;
}
