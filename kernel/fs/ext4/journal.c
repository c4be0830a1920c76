/* journal.c: transactions, and the jbd2 journal they go through: mounting it (replay after a
 * crash, needs_recovery while mounted read-write), the running transaction's blocks (pinned
 * in the cache, found by a small hash), and its commit: log, commit block, checkpoint.
 *
 * The checkpoint is synchronous: a commit writes its blocks home before it returns and marks
 * the journal empty again, so the log never holds more than one transaction and always
 * starts at s_first. That costs a flush per commit more than a lazy checkpoint would, and
 * needs no revoke records: a block freed by a transaction can only be reused after its
 * commit, which has written it home already, and the next commit's first flush makes the
 * journal's empty mark durable before its log overwrites the last one.
 */
#include "fs/ext4/journal.h"
#include "fs/ext4/alloc.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/jbd2.h"
#include "fs/ext4/replay.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "core/time.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* A transaction under EXT4_TX_LARGE blocks takes one more handle and ext4_alloc_commit. */
#define TX_MAX (EXT4_TX_LARGE + 2 * EXT4_TX_HANDLE_BLOCKS)
#define TX_BUCKETS 256		/* a power of two */
#define STAGE_BYTES (64 * 1024) /* the most one request writes */

struct ext4_journal {
	/* the running transaction */
	struct bbuf *bufs[TX_MAX];
	int16_t chain[TX_MAX];	     /* the next of the same bucket, -1 at the end */
	int16_t buckets[TX_BUCKETS]; /* -1: empty */
	unsigned n, handle_start;    /* blocks pinned; where the open handle started */
	unsigned large;		     /* commit at a handle's end from this many blocks */
	bool broken;		     /* a commit failed: nothing more is written */
	/* the journal, with has_journal and rw */
	bool logged;
	struct jbd2 j;
	uint32_t seq;	   /* the next transaction's sequence number */
	uint8_t *blk;	   /* one block: a descriptor or a commit block being made */
	uint8_t *stage;	   /* writes to consecutive disk blocks, gathered */
	uint32_t staged;   /* blocks in stage */
	uint64_t stage_at; /* the disk block of stage's first */
	int stage_err;
};

static unsigned bucket(uint64_t blk)
{
	return (unsigned)((blk * 0x9e3779b97f4a7c15ull) >> 40) & (TX_BUCKETS - 1);
}

static void tx_reset(struct ext4_journal *jn)
{
	jn->n = 0;
	jn->handle_start = 0;
	memset(jn->buckets, 0xff, sizeof(jn->buckets));
}

/* ---- the superblock's needs_recovery */

/* Set or clear needs_recovery in the superblock, through its cached block, and flush. */
static int set_recover(struct ext4_fs *fs, bool on)
{
	uint64_t blk = EXT4_SUPER_OFFSET / fs->block_size;
	struct ext4_super *s;
	struct bbuf *b;
	int r = ext4_block_get(fs, blk, &b);

	if (r)
		return r;
	s = (struct ext4_super *)(b->data + EXT4_SUPER_OFFSET % fs->block_size);
	if (on)
		s->s_feature_incompat |= INCOMPAT_RECOVER;
	else
		s->s_feature_incompat &= ~INCOMPAT_RECOVER;
	ext4_super_set_csum(s);
	fs->incompat = s->s_feature_incompat;
	r = blk_write(fs->dev, blk * (fs->block_size / BLK_SECTOR_SIZE), b->data, fs->block_size);
	ext4_block_put(fs, b);
	return r ? r : blk_flush(fs->dev);
}

/* ---- mounting */

/* Replay the log, mark the journal empty past it, clear needs_recovery, read the file system
 * again. */
static int recover(struct ext4_fs *fs, struct jbd2 *j)
{
	struct replay_counts c;
	int r;

	if (fs->dev->ro) {
		printk(LOG_ERR,
		       "ext4: %s: the journal needs recovery, but the device is read-only\n",
		       fs->dev->name);
		return -EROFS;
	}
	r = replay_run(j, true, &c);
	if (!r) {
		j->s->s_start = 0;
		j->s->s_sequence = be32(c.end + 1); /* past a torn transaction's blocks */
		r = jbd2_write_super(j);
	}
	if (!r)
		r = blk_flush(fs->dev);
	if (r) {
		printk(LOG_ERR, "ext4: %s: journal recovery failed (error %d)\n", fs->dev->name, r);
		return r;
	}
	printk(LOG_INFO, "ext4: %s: journal replayed: %u transactions, %u blocks (%u revoked)\n",
	       fs->dev->name, c.transactions, c.blocks, c.revoked);
	return 0;
}

/* A log the file system does not ask to replay (needs_recovery clear) is not replayed, as
 * Linux does; a writer skips its sequence numbers. */
static int skip_log(struct jbd2 *j)
{
	struct replay_counts c;
	int r = replay_run(j, false, &c);

	if (r)
		return r;
	j->s->s_start = 0;
	j->s->s_sequence = be32(c.end + 1);
	return jbd2_write_super(j);
}

/* For writing: the features this writer's log has, the buffers, needs_recovery set. */
static int start_writing(struct ext4_fs *fs, struct ext4_journal *jn)
{
	struct jbd2 *j = &jn->j;
	uint32_t incompat = j->incompat & JBD2_INCOMPAT_REVOKE;
	int r;

	if (be32(j->s->s_header.h_blocktype) != JBD2_SUPER_V2) {
		printk(LOG_ERR, "ext4: %s: a version 1 journal is not written\n", fs->dev->name);
		return -EOPNOTSUPP;
	}
	if (fs->incompat & INCOMPAT_64BIT)
		incompat |= JBD2_INCOMPAT_64BIT;
	if (fs->csum)
		incompat |= JBD2_INCOMPAT_CSUM_V3;
	j->incompat = incompat;
	j->compat = 0;
	j->csum = fs->csum;
	j->s->s_feature_incompat = be32(incompat);
	j->s->s_feature_compat = 0;
	r = jbd2_write_super(j);
	if (!r)
		r = set_recover(fs, true);
	if (r)
		return r;
	jn->seq = be32(j->s->s_sequence);
	jn->large = MIN(EXT4_TX_LARGE, (j->maxlen - j->first) / 4);
	jn->logged = true;
	return 0;
}

/* With has_journal, when the journal matters: recovery, or writing. */
static int open_journal(struct ext4_fs *fs, struct ext4_journal *jn, bool rw)
{
	struct jbd2 *j = &jn->j;
	int r = jbd2_open(fs, j);

	if (r)
		return r;
	if (j->incompat & ~JBD2_INCOMPAT_KNOWN) {
		printk(LOG_ERR, "ext4: %s: unsupported journal feature(s) 0x%x\n", fs->dev->name,
		       j->incompat & ~JBD2_INCOMPAT_KNOWN);
		return -EOPNOTSUPP;
	}
	if (fs->incompat & INCOMPAT_RECOVER) {
		if (j->s->s_start) {
			r = recover(fs, j);
			if (!r)
				r = ext4_super_reload(fs);
		}
		if (!r && !fs->dev->ro)
			r = set_recover(fs, false);
	} else if (j->s->s_start && rw) {
		r = skip_log(j);
	}
	if (!r && rw)
		r = start_writing(fs, jn);
	return r;
}

/* What the file system's journal asks at mount, and what rw needs of it. */
static int mount_journal(struct ext4_fs *fs, struct ext4_journal *jn, bool rw)
{
	if (rw) {
		jn->blk = kmalloc(fs->block_size);
		jn->stage = kmalloc(STAGE_BYTES);
		if (!jn->blk || !jn->stage)
			return -ENOMEM;
		if (fs->dev->ro) {
			printk(LOG_ERR, "ext4: %s: the device is read-only\n", fs->dev->name);
			return -EROFS;
		}
	}
	if (fs->journal_inum || (fs->compat & COMPAT_HAS_JOURNAL))
		return rw || (fs->incompat & INCOMPAT_RECOVER) ? open_journal(fs, jn, rw) : 0;
	if (fs->incompat & INCOMPAT_RECOVER) {
		printk(LOG_ERR, "ext4: %s: needs_recovery is set, but there is no journal\n",
		       fs->dev->name);
		return -EINVAL;
	}
	return 0;
}

int ext4_journal_mount(struct ext4_fs *fs, bool rw)
{
	struct ext4_journal *jn = kzalloc(sizeof(*jn));
	int r;

	if (!jn)
		return -ENOMEM;
	tx_reset(jn);
	jn->large = EXT4_TX_LARGE;
	fs->rw = rw;
	fs->jnl = jn;
	mutex_init(&fs->wlock);
	r = mount_journal(fs, jn, rw);
	if (!jn->logged)
		jbd2_close(&jn->j); /* replayed, or not needed */
	if (r)
		ext4_journal_free(fs);
	return r;
}

void ext4_journal_free(struct ext4_fs *fs)
{
	struct ext4_journal *jn = fs->jnl;

	if (!jn)
		return;
	for (unsigned i = 0; i < jn->n; i++)
		bcache_put(fs->cache, jn->bufs[i]);
	jbd2_close(&jn->j);
	kfree(jn->blk);
	kfree(jn->stage);
	kfree(jn);
	fs->jnl = NULL;
}

/* ---- handles */

void ext4_tx_begin(struct ext4_fs *fs)
{
	mutex_lock(&fs->wlock);
	fs->jnl->handle_start = fs->jnl->n;
}

static int pin(struct ext4_fs *fs, uint64_t blk, bool fresh, struct bbuf **out)
{
	struct ext4_journal *jn = fs->jnl;
	unsigned h = bucket(blk);
	int r;

	if (jn->broken || !fs->rw)
		return -EROFS;
	if (blk >= fs->blocks)
		return -EIO;
	for (int i = jn->buckets[h]; i >= 0; i = jn->chain[i])
		if (jn->bufs[i]->block == blk) {
			if (fresh)
				memset(jn->bufs[i]->data, 0, fs->block_size);
			*out = jn->bufs[i];
			return 0;
		}
	if (jn->n - jn->handle_start >= EXT4_TX_HANDLE_BLOCKS || jn->n == TX_MAX)
		return -ENOSPC; /* a handle larger than a handle may be */
	r = fresh ? bcache_get_new(fs->cache, blk, out) : bcache_get(fs->cache, blk, out);
	if (r)
		return r;
	jn->bufs[jn->n] = *out;
	jn->chain[jn->n] = jn->buckets[h];
	jn->buckets[h] = (int16_t)jn->n++;
	return 0;
}

int ext4_tx_get(struct ext4_fs *fs, uint64_t blk, struct bbuf **out)
{
	return pin(fs, blk, false, out);
}

int ext4_tx_new(struct ext4_fs *fs, uint64_t blk, struct bbuf **out)
{
	return pin(fs, blk, true, out);
}

/* ---- commit */

static int stage_flush(struct ext4_fs *fs, struct ext4_journal *jn)
{
	uint32_t spb = fs->block_size / BLK_SECTOR_SIZE;

	if (jn->staged && !jn->stage_err)
		jn->stage_err = blk_write(fs->dev, jn->stage_at * spb, jn->stage,
					  (size_t)jn->staged * fs->block_size);
	jn->staged = 0;
	return jn->stage_err;
}

/* A copy of data for disk block pblk, written with its neighbours in one request; the
 * stage's slot is returned for changes before it goes. */
static uint8_t *stage_put(struct ext4_fs *fs, struct ext4_journal *jn, uint64_t pblk,
			  const void *data)
{
	uint8_t *slot;

	if (jn->staged &&
	    (pblk != jn->stage_at + jn->staged || (jn->staged + 1) * fs->block_size > STAGE_BYTES))
		stage_flush(fs, jn);
	if (!jn->staged)
		jn->stage_at = pblk;
	slot = jn->stage + (size_t)jn->staged++ * fs->block_size;
	memcpy(slot, data, fs->block_size);
	return slot;
}

/* Sort the transaction's buffers by block (insertion: they are few), so that neighbours
 * go home in one request. The hash is stale afterwards: the transaction is ending. */
static void sort_bufs(struct ext4_journal *jn)
{
	for (unsigned i = 1; i < jn->n; i++) {
		struct bbuf *b = jn->bufs[i];
		unsigned k = i;

		for (; k && jn->bufs[k - 1]->block > b->block; k--)
			jn->bufs[k] = jn->bufs[k - 1];
		jn->bufs[k] = b;
	}
}

/* Every buffer of the transaction home, then a flush. */
static int write_home(struct ext4_fs *fs, struct ext4_journal *jn)
{
	sort_bufs(jn);
	for (unsigned i = 0; i < jn->n; i++)
		stage_put(fs, jn, jn->bufs[i]->block, jn->bufs[i]->data);
	return stage_flush(fs, jn) ? jn->stage_err : blk_flush(fs->dev);
}

static bool needs_escape(const uint8_t *data)
{
	uint32_t magic = be32(JBD2_MAGIC);

	return !memcmp(data, &magic, 4);
}

/* The descriptor block for bufs[from, to) in jn->blk. */
static void make_descriptor(struct ext4_fs *fs, struct ext4_journal *jn, unsigned from, unsigned to)
{
	struct jbd2 *j = &jn->j;
	struct jbd2_header *h = (void *)jn->blk;
	size_t ts = jbd2_tag_size(j), off = sizeof(*h);

	memset(jn->blk, 0, fs->block_size);
	*h = (struct jbd2_header){ be32(JBD2_MAGIC), be32(JBD2_DESCRIPTOR), be32(jn->seq) };
	for (unsigned i = from; i < to; i++) {
		const uint8_t *data = jn->bufs[i]->data;
		bool esc = needs_escape(data);
		uint32_t flags = (i > from ? JBD2_FLAG_SAME_UUID : 0) |
				 (i + 1 == to ? JBD2_FLAG_LAST_TAG : 0) |
				 (esc ? JBD2_FLAG_ESCAPE : 0);

		jbd2_tag_write(j, jn->blk + off, jn->bufs[i]->block, flags,
			       j->csum ? jbd2_copy_csum(j, jn->seq, data, esc) : 0);
		off += ts;
		if (i == from) {
			memcpy(jn->blk + off, j->s->s_uuid, 16);
			off += 16;
		}
	}
	if (j->csum)
		jbd2_tail_set(j, jn->blk);
}

/* Descriptors and copies from s_first on, the journal superblock pointing at them; then
 * flush. *pos: where the commit block goes. */
static int write_log(struct ext4_fs *fs, struct ext4_journal *jn, uint32_t *pos)
{
	struct jbd2 *j = &jn->j;
	size_t ts = jbd2_tag_size(j);
	size_t room = fs->block_size - sizeof(struct jbd2_header) - 16 -
		      (j->csum ? sizeof(struct jbd2_tail) : 0);
	unsigned per = (unsigned)(room / ts);
	uint32_t at = j->first;
	int r;

	for (unsigned i = 0; i < jn->n; i += per) {
		unsigned to = MIN(jn->n, i + per);

		make_descriptor(fs, jn, i, to);
		stage_put(fs, jn, jbd2_phys(j, at), jn->blk);
		at = jbd2_next(j, at);
		for (unsigned k = i; k < to; k++) {
			uint8_t *copy = stage_put(fs, jn, jbd2_phys(j, at), jn->bufs[k]->data);

			if (needs_escape(copy))
				memset(copy, 0, 4);
			at = jbd2_next(j, at);
		}
	}
	r = stage_flush(fs, jn);
	if (r)
		return r;
	j->s->s_start = be32(j->first);
	j->s->s_sequence = be32(jn->seq);
	r = jbd2_write_super(j);
	*pos = at;
	return r ? r : blk_flush(fs->dev);
}

static int write_commit(struct ext4_fs *fs, struct ext4_journal *jn, uint32_t pos)
{
	struct jbd2 *j = &jn->j;
	struct jbd2_commit *c = (void *)jn->blk;
	uint64_t now = time_realtime_ns();
	int r;

	memset(jn->blk, 0, fs->block_size);
	c->h = (struct jbd2_header){ be32(JBD2_MAGIC), be32(JBD2_COMMIT), be32(jn->seq) };
	c->h_commit_sec = be64(now / NSEC_PER_SEC);
	c->h_commit_nsec = be32((uint32_t)(now % NSEC_PER_SEC));
	jbd2_commit_set(j, jn->blk);
	r = blk_write(fs->dev, jbd2_phys(j, pos) * (fs->block_size / BLK_SECTOR_SIZE), jn->blk,
		      fs->block_size);
	return r ? r : blk_flush(fs->dev);
}

/* Without a journal: the data the metadata points at, first; then the metadata home. */
static int write_through(struct ext4_fs *fs, struct ext4_journal *jn)
{
	int r = blk_flush(fs->dev);

	return r ? r : write_home(fs, jn);
}

/* The transaction through the journal: the data before it (ordered mode, and the last
 * commit's empty mark before its log is overwritten), the log, the commit block, the homes,
 * the empty mark (made durable by the next commit's first flush, or unmount's). */
static int log_commit(struct ext4_fs *fs, struct ext4_journal *jn)
{
	uint32_t pos;
	int r = blk_flush(fs->dev);

	if (!r)
		r = write_log(fs, jn, &pos);
	if (!r)
		r = write_commit(fs, jn, pos);
	if (!r)
		r = write_home(fs, jn);
	if (r)
		return r;
	jn->seq++;
	jn->j.s->s_start = 0;
	jn->j.s->s_sequence = be32(jn->seq);
	return jbd2_write_super(&jn->j);
}

/* Commit the running transaction; called with the write lock held. */
static int commit(struct ext4_fs *fs)
{
	struct ext4_journal *jn = fs->jnl;
	int r = jn->broken ? -EIO : 0;

	if (!r && jn->n) {
		jn->handle_start = jn->n; /* ext4_alloc_commit has a handle's budget */
		r = ext4_alloc_commit(fs);
	}
	jn->stage_err = 0;
	if (!r && jn->n && jn->logged)
		r = log_commit(fs, jn);
	else if (!r && jn->n)
		r = write_through(fs, jn);
	else if (!r && fs->rw)
		r = blk_flush(fs->dev); /* file data written in place, with no metadata changed */
	for (unsigned i = 0; i < jn->n; i++)
		bcache_put(fs->cache, jn->bufs[i]);
	tx_reset(jn);
	if (r && !jn->broken) {
		jn->broken = true;
		printk(LOG_ERR, "ext4: %s: cannot write metadata (error %d): read-only now\n",
		       fs->dev->name, r);
	}
	return r;
}

int ext4_tx_end(struct ext4_fs *fs)
{
	int r = fs->jnl->n >= fs->jnl->large ? commit(fs) : 0;

	mutex_unlock(&fs->wlock);
	return r;
}

int ext4_tx_commit(struct ext4_fs *fs)
{
	int r;

	mutex_lock(&fs->wlock);
	r = commit(fs);
	mutex_unlock(&fs->wlock);
	return r;
}

int ext4_journal_unmount(struct ext4_fs *fs)
{
	int r = 0;

	if (fs->rw) {
		r = ext4_tx_commit(fs);
		mutex_lock(&fs->wlock);
		if (!r && fs->jnl->logged)
			r = set_recover(fs, false); /* its flush covers the empty mark too */
		mutex_unlock(&fs->wlock);
	}
	ext4_journal_free(fs);
	return r;
}
