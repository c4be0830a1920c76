/* test_ext4.c: ext4's journal commit path (fs/ext4/journal.c) driven directly, on scratch
 * drives, until the VFS write path drives it. Not default tests: tests/e2e/ext4_commit.sh
 * makes the images (each with a 256-block file /log) and checks them on the host.
 *
 * ext4_commit, on every block device: mount read-write (needs_recovery must be set on disk
 * then, with a journal), and commit, writing whole blocks of /log through transactions
 * (journalled as metadata is) as records "TAG %010u \n" repeated (16 bytes each):
 *   T1: /log[0] "cnt 1", /log[1] "rec 1", and the superblock (s_kbytes_written + 1);
 *   T2: /log[2] starting with the jbd2 magic (escaped in the log), then bytes i & 0xff;
 *   T3: /log[3..82] "rec 3" in two handles: the second's end commits (64 blocks or more);
 *   T4: /log[83..] "rec 4" in one handle until it is refused (-ENOSPC) at 65 blocks;
 *   T5: /log[0] "cnt 5", /log[150..249] "rec 5", in two handles (4 descriptors with 1 KiB
 *       blocks); an empty commit after it writes nothing;
 * then unmount (needs_recovery cleared on disk). The file system must be clean then.
 * ext4_uncommit, on every device with a journal: as if the machine had stopped between T5's
 * commit block and its checkpoint: the journal superblock points at T5's log again (start,
 * sequence), its blocks' homes are zeroed, needs_recovery is set. A replay must restore them.
 * ext4_crash, on vda: forever, a transaction writes /log[0] "cnt i" and /log[1 + i % 255]
 * "rec i" and commits, then prints "ext4_crash: committed i" (i goes on from /log[0]): the
 * host kills the VM at some moment, replays, and finds every printed record.
 */
#include "core/selftest.h"
#include "fs/ext4/dir.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/extent.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/jbd2.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define LOG_BLOCKS 256
#define T5_FIRST 150
#define T5_COUNT 100

struct scratch {
	struct ext4_fs *fs;
	uint64_t log[LOG_BLOCKS]; /* /log's disk blocks */
};

/* Mount dev's ext4 (rw: through the journal) and find /log's blocks. */
static int open_scratch(struct st *st, struct blk_dev *dev, bool rw, struct scratch *sc)
{
	struct ext4_inode raw;
	uint32_t ino;
	int r = ext4_super_read(dev, &sc->fs);

	if (r)
		return st_fail(st, "%s: not ext4 (%d)", dev->name, r);
	r = ext4_journal_mount(sc->fs, rw);
	if (r) {
		ext4_super_free(sc->fs);
		return st_fail(st, "%s: journal mount (rw %d): %d", dev->name, rw, r);
	}
	r = ext4_inode_read(sc->fs, EXT4_ROOT_INO, &raw);
	if (!r) {
		struct ext4_etree t = { .nr = EXT4_ROOT_INO,
					.gen = raw.i_generation,
					.root = raw.i_block };
		struct ext4_dir d = { .t = &t, .size = raw.i_size_lo, .flags = raw.i_flags };

		r = ext4_dir_find(sc->fs, &d, "log", 3, &ino);
	}
	if (!r)
		r = ext4_inode_read(sc->fs, ino, &raw);
	for (uint32_t l = 0; !r && l < LOG_BLOCKS;) {
		uint64_t pblk;
		uint32_t count;

		r = ext4_extent_map(sc->fs, ino, raw.i_block, l, &pblk, &count);
		if (!r && !pblk)
			r = -ENOENT;
		for (uint32_t k = 0; !r && k < count && l < LOG_BLOCKS; k++)
			sc->log[l++] = pblk + k;
	}
	if (r) {
		ext4_journal_free(sc->fs);
		ext4_super_free(sc->fs);
		return st_fail(st, "%s: no /log of %u blocks (%d)", dev->name, LOG_BLOCKS, r);
	}
	return 0;
}

static int close_scratch(struct scratch *sc)
{
	int r = ext4_journal_unmount(sc->fs);

	ext4_super_free(sc->fs);
	return r;
}

/* Pin /log[i] under the open handle and fill it with records. */
static int put(struct scratch *sc, unsigned i, const char *tag, uint32_t v)
{
	char rec[17];
	struct bbuf *b;
	int r = ext4_tx_get(sc->fs, sc->log[i], &b);

	if (r)
		return r;
	snprintf(rec, sizeof(rec), "%s %010u \n", tag, v);
	for (uint32_t at = 0; at < sc->fs->block_size; at += 16)
		memcpy(b->data + at, rec, 16);
	return 0;
}

/* The superblock, read from the device (not the cache). */
static int read_super(struct blk_dev *dev, uint8_t *buf, struct ext4_super **s)
{
	int r = blk_read(dev, 0, buf, 4096);

	*s = (struct ext4_super *)(buf + EXT4_SUPER_OFFSET);
	return r;
}

static bool on_disk_recover(struct blk_dev *dev, uint8_t *buf)
{
	struct ext4_super *s;

	return !read_super(dev, buf, &s) && (s->s_feature_incompat & INCOMPAT_RECOVER);
}

/* T1..T5 on one device. */
static int commits(struct st *st, struct blk_dev *dev, uint8_t *buf)
{
	struct scratch sc;
	struct bbuf *b;
	bool journal;
	int r = open_scratch(st, dev, true, &sc);
	unsigned i;

	if (r)
		return r;
	journal = sc.fs->journal_inum;
	if (journal != on_disk_recover(dev, buf))
		return st_fail(st, "%s: needs_recovery not set while mounted", dev->name);
	/* T1 */
	ext4_tx_begin(sc.fs);
	r = put(&sc, 0, "cnt", 1);
	if (!r)
		r = put(&sc, 1, "rec", 1);
	if (!r)
		r = ext4_tx_get(sc.fs, EXT4_SUPER_OFFSET / sc.fs->block_size, &b);
	if (!r) {
		struct ext4_super *s = (void *)(b->data + EXT4_SUPER_OFFSET % sc.fs->block_size);

		s->s_kbytes_written++;
		ext4_super_set_csum(s);
	}
	r = r ? r : ext4_tx_end(sc.fs);
	r = r ? r : ext4_tx_commit(sc.fs);
	if (r)
		return st_fail(st, "%s: T1: %d", dev->name, r);
	/* T2 */
	ext4_tx_begin(sc.fs);
	r = ext4_tx_new(sc.fs, sc.log[2], &b);
	if (!r) {
		uint32_t magic = be32(JBD2_MAGIC);

		for (i = 0; i < sc.fs->block_size; i++)
			b->data[i] = (uint8_t)i;
		memcpy(b->data, &magic, 4);
	}
	r = r ? r : ext4_tx_end(sc.fs);
	r = r ? r : ext4_tx_commit(sc.fs);
	if (r)
		return st_fail(st, "%s: T2: %d", dev->name, r);
	/* T3: two handles of 40 */
	for (unsigned h = 0; h < 2 && !r; h++) {
		ext4_tx_begin(sc.fs);
		for (i = 3 + 40 * h; i < 43 + 40 * h && !r; i++)
			r = put(&sc, i, "rec", 3);
		r = r ? r : ext4_tx_end(sc.fs);
	}
	r = r ? r : ext4_tx_commit(sc.fs);
	if (r)
		return st_fail(st, "%s: T3: %d", dev->name, r);
	/* T4: one handle too large */
	ext4_tx_begin(sc.fs);
	for (i = 83; i < 83 + EXT4_TX_HANDLE_BLOCKS && !r; i++)
		r = put(&sc, i, "rec", 4);
	if (!r && put(&sc, i, "rec", 4) != -ENOSPC)
		r = -EINVAL;
	r = r ? r : ext4_tx_end(sc.fs);
	if (r)
		return st_fail(st, "%s: T4 (a handle of %u blocks refused): %d", dev->name,
			       EXT4_TX_HANDLE_BLOCKS + 1, r);
	/* T5: two handles */
	for (unsigned h = 0; h < 2 && !r; h++) {
		ext4_tx_begin(sc.fs);
		if (!h)
			r = put(&sc, 0, "cnt", 5);
		for (i = T5_FIRST + h * T5_COUNT / 2; i < T5_FIRST + (h + 1) * T5_COUNT / 2 && !r;
		     i++)
			r = put(&sc, i, "rec", 5);
		r = r ? r : ext4_tx_end(sc.fs);
	}
	r = r ? r : ext4_tx_commit(sc.fs);
	r = r ? r : ext4_tx_commit(sc.fs);
	if (r)
		return st_fail(st, "%s: T5: %d", dev->name, r);
	r = close_scratch(&sc);
	if (r)
		return st_fail(st, "%s: unmount: %d", dev->name, r);
	if (on_disk_recover(dev, buf))
		return st_fail(st, "%s: needs_recovery still set after unmount", dev->name);
	return 0;
}

int test_ext4_commit(struct st *st)
{
	uint8_t *buf = kmalloc(4096);
	int r = buf ? 0 : st_fail(st, "out of memory");

	for (int d = 0; !r && d < blk_count(); d++)
		r = commits(st, blk_get(d), buf);
	kfree(buf);
	return r ? r : st_ok(st, "%d devices", blk_count());
}

/* The journal back to its last transaction, T5's homes zeroed, needs_recovery set. */
static int uncommit(struct st *st, struct blk_dev *dev, uint8_t *buf)
{
	uint64_t spb;
	struct scratch sc;
	struct ext4_super *s;
	struct jbd2 j;
	uint32_t seq;
	int r = open_scratch(st, dev, false, &sc);

	if (r || !sc.fs->journal_inum)
		return r ? r : close_scratch(&sc);
	spb = sc.fs->block_size / BLK_SECTOR_SIZE;
	r = jbd2_open(sc.fs, &j);
	if (r)
		return st_fail(st, "%s: jbd2_open: %d", dev->name, r);
	seq = be32(j.s->s_sequence) - 1;
	j.s->s_start = be32(j.first);
	j.s->s_sequence = be32(seq);
	r = jbd2_write_super(&j);
	jbd2_close(&j);
	memset(buf, 0, 4096);
	for (unsigned i = T5_FIRST; !r && i < T5_FIRST + T5_COUNT; i++)
		r = blk_write(dev, sc.log[i] * spb, buf, sc.fs->block_size);
	if (!r)
		r = blk_write(dev, sc.log[0] * spb, buf, sc.fs->block_size);
	if (!r)
		r = read_super(dev, buf, &s);
	if (!r) {
		s->s_feature_incompat |= INCOMPAT_RECOVER;
		ext4_super_set_csum(s);
		r = blk_write(dev, 0, buf, 4096);
	}
	if (!r)
		r = blk_flush(dev);
	(void)close_scratch(&sc);
	if (r)
		return st_fail(st, "%s: %d", dev->name, r);
	printk(LOG_NOTICE, "ext4_uncommit: %s: transaction %u\n", dev->name, seq);
	return 0;
}

int test_ext4_uncommit(struct st *st)
{
	uint8_t *buf = kmalloc(4096);
	int r = buf ? 0 : st_fail(st, "out of memory");

	for (int d = 0; !r && d < blk_count(); d++)
		r = uncommit(st, blk_get(d), buf);
	kfree(buf);
	return r ? r : st_ok(st, "%d devices", blk_count());
}

int test_ext4_crash(struct st *st)
{
	struct scratch sc;
	struct bbuf *b;
	uint32_t i = 0;
	int r;

	if (!blk_count())
		return st_fail(st, "no block device");
	r = open_scratch(st, blk_get(0), true, &sc);
	if (r)
		return r;
	r = ext4_block_get(sc.fs, sc.log[0], &b);
	if (r)
		return st_fail(st, "read /log: %d", r);
	if (!memcmp(b->data, "cnt ", 4))
		for (unsigned k = 4; k < 14; k++)
			i = i * 10 + (uint32_t)(b->data[k] - '0');
	ext4_block_put(sc.fs, b);
	for (;;) {
		i++;
		ext4_tx_begin(sc.fs);
		r = put(&sc, 0, "cnt", i);
		r = r ? r : put(&sc, 1 + i % (LOG_BLOCKS - 1), "rec", i);
		r = r ? r : ext4_tx_end(sc.fs);
		r = r ? r : ext4_tx_commit(sc.fs);
		if (r)
			return st_fail(st, "commit %u: %d", i, r);
		printk(LOG_NOTICE, "ext4_crash: committed %u\n", i);
	}
}
