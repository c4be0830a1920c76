/* test_blk.c: the virtio-blk driver against a real device (QEMU's virtio-blk-device). Not a
 * default test: the VM must have the device (tests/e2e/virtio_blk.sh, which checks the disk
 * image on the host afterwards).
 *
 * On a writable vda (at least 8 MiB, 512-byte blocks) it writes, at each disk byte offset o
 * of these ranges (in 512-byte sectors), the byte PATTERN(o) = (o * 0x9e3779b1 >> 24) & 0xff,
 * and reads each range back:
 *   8192 + 512 t for t = 0..3 (256 KiB each, by 4 threads at once, in pieces of 1 to 128
 *   sectors, each read back); 0 (1 sector); 8 (4 KiB, page-aligned buffer); 2048 (1 MiB:
 *   256 page descriptors in several requests at once); 4097 (25 sectors from a buffer 100
 *   bytes into a page); the last sector.
 * Then, where the device has them, it zeroes sectors 2148..2163 with write-zeroes and
 * discards 12288..12351 (never written), and flushes. No other byte of the disk is written.
 * On a read-only vda: writes, write-zeroes and discards are -EROFS, and sector 0 must hold the
 * pattern (the script's image, written by a writable run). On any: a serial, out-of-range
 * and misaligned I/O -EINVAL; on vdb...: I/O in whole logical blocks only. */
#include "core/selftest.h"
#include "arch/x86_64/layout.h"
#include "core/mm/heap.h"
#include "core/sched/thread.h"
#include "core/time.h"
#include "drivers/virtio/blk.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PATTERN(o) ((uint8_t)(((uint64_t)(o)*0x9e3779b1ull) >> 24))
#define MIB (1024 * 1024)
#define NTHREADS 4
#define T_SECTOR 8192 /* thread t's range: T_SECTOR + T_SECTORS * t */
#define T_SECTORS 512
#define T_PIECE_MAX 128 /* sectors */
#define WZ_SECTOR 2148	/* write-zeroes, inside the 1 MiB range */
#define WZ_SECTORS 16
#define DISCARD_SECTOR 12288 /* never written */
#define DISCARD_SECTORS 64
#define MIN_SECTORS 16384

static void fill(uint8_t *p, uint64_t sector, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = PATTERN(sector * BLK_SECTOR_SIZE + i);
}

/* Whether p holds the pattern of n bytes from sector: -1 if so, else the first wrong byte. */
static long mismatch(const uint8_t *p, uint64_t sector, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != PATTERN(sector * BLK_SECTOR_SIZE + i))
			return (long)i;
	return -1;
}

/* Write the pattern of n bytes at sector from w, read it back into r, compare. */
static int write_check(struct st *st, struct blk_dev *b, uint64_t sector, uint8_t *w, uint8_t *r,
		       size_t n)
{
	int e;
	long bad;

	fill(w, sector, n);
	e = blk_write(b, sector, w, n);
	if (e)
		return st_fail(st, "write of %zu bytes at sector %lu: %d", n, sector, e);
	memset(r, 0xee, n);
	e = blk_read(b, sector, r, n);
	if (e)
		return st_fail(st, "read of %zu bytes at sector %lu: %d", n, sector, e);
	bad = mismatch(r, sector, n);
	if (bad >= 0)
		return st_fail(st, "%zu bytes at sector %lu: byte %ld read back wrong", n, sector,
			       bad);
	return 0;
}

/* Out-of-range and misaligned I/O refused before the device sees it. */
static int check_refused(struct st *st, struct blk_dev *b, uint8_t *buf)
{
	uint64_t end = b->sectors, per = b->block_size / BLK_SECTOR_SIZE;
	int w = b->ro ? -EROFS : -EINVAL, e;

	if ((e = blk_read(b, end, buf, b->block_size)) != -EINVAL)
		return st_fail(st, "%s: read past the end: %d", b->name, e);
	if ((e = blk_read(b, end - per, buf, 2 * b->block_size)) != -EINVAL)
		return st_fail(st, "%s: read across the end: %d", b->name, e);
	if ((e = blk_read(b, UINT64_MAX - per + 1, buf, b->block_size)) != -EINVAL)
		return st_fail(st, "%s: read at sector 2^64 - %lu: %d", b->name, per, e);
	if ((e = blk_write(b, end, buf, b->block_size)) != w)
		return st_fail(st, "%s: write past the end: %d, not %d", b->name, e, w);
	if ((e = blk_read(b, 0, buf, 100)) != -EINVAL)
		return st_fail(st, "%s: read of 100 bytes: %d", b->name, e);
	if (per > 1 && (e = blk_read(b, 1, buf, b->block_size)) != -EINVAL)
		return st_fail(st, "%s: read off a block boundary: %d", b->name, e);
	if (per > 1 && (e = blk_read(b, 0, buf, BLK_SECTOR_SIZE)) != -EINVAL)
		return st_fail(st, "%s: read of part of a block: %d", b->name, e);
	if ((e = blk_read(b, 0, buf, b->block_size)) != 0)
		return st_fail(st, "%s: read of block 0: %d", b->name, e);
	return 0;
}

static int test_ro(struct st *st, struct blk_dev *b, uint8_t *buf)
{
	int e;

	if ((e = blk_write(b, 0, buf, BLK_SECTOR_SIZE)) != -EROFS)
		return st_fail(st, "write to read-only %s: %d, not -EROFS", b->name, e);
	if ((e = blk_write_zeroes(b, 0, 1, false)) != -EROFS)
		return st_fail(st, "write-zeroes to read-only %s: %d", b->name, e);
	if ((e = blk_discard(b, 0, 1)) != -EROFS)
		return st_fail(st, "discard on read-only %s: %d", b->name, e);
	if ((e = blk_flush(b)) != 0)
		return st_fail(st, "flush of read-only %s: %d", b->name, e);
	if ((e = blk_read(b, 0, buf, BLK_SECTOR_SIZE)) != 0)
		return st_fail(st, "read of read-only %s: %d", b->name, e);
	if (mismatch(buf, 0, BLK_SECTOR_SIZE) >= 0)
		return st_fail(st, "read-only %s: sector 0 does not hold the pattern", b->name);
	return st_ok(st, "%s: serial %s, read-only: writes -EROFS, sector 0 holds the pattern",
		     b->name, b->serial);
}

struct worker {
	struct blk_dev *b;
	int index;
	int err;      /* 0, or what failed (below) */
	struct st st; /* its own failure message */
};

/* Thread t: its range in pieces of 1 to T_PIECE_MAX sectors, each read back, then whole. */
static void worker(void *arg)
{
	static const uint32_t sizes[] = { 1, 8, 17, 64, 3, 128, 33, 2 };
	struct worker *wk = arg;
	uint64_t s = T_SECTOR + (uint64_t)T_SECTORS * wk->index, end = s + T_SECTORS;
	uint8_t *w = kmalloc(T_SECTORS * BLK_SECTOR_SIZE),
		*r = kmalloc(T_SECTORS * BLK_SECTOR_SIZE);
	long bad;

	if (!w || !r) {
		wk->err = st_fail(&wk->st, "out of memory");
		goto out;
	}
	for (int i = 0; s < end && !wk->err; i++) {
		uint64_t n = MIN((uint64_t)sizes[(i + wk->index) % ARRAY_SIZE(sizes)], end - s);

		/* odd pieces from a buffer off a page boundary */
		wk->err = write_check(&wk->st, wk->b, s, w + (i & 1) * 200, r + (i & 1) * 300,
				      n * BLK_SECTOR_SIZE);
		s += n;
	}
	s = T_SECTOR + (uint64_t)T_SECTORS * wk->index;
	if (!wk->err && blk_read(wk->b, s, r, T_SECTORS * BLK_SECTOR_SIZE))
		wk->err = st_fail(&wk->st, "read of thread %d's range", wk->index);
	bad = wk->err ? -1 : mismatch(r, s, T_SECTORS * BLK_SECTOR_SIZE);
	if (bad >= 0)
		wk->err = st_fail(&wk->st, "thread %d's range: byte %ld wrong", wk->index, bad);
out:
	kfree(w);
	kfree(r);
}

static int run_workers(struct st *st, struct blk_dev *b)
{
	struct worker wk[NTHREADS];
	struct thread *t[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		wk[i] = (struct worker){ .b = b, .index = i };
		t[i] = thread_create("blktest", worker, &wk[i], THREAD_ANY_CPU);
		if (!t[i])
			return st_fail(st, "thread_create failed");
	}
	for (int i = 0; i < NTHREADS; i++)
		thread_join(t[i]);
	for (int i = 0; i < NTHREADS; i++)
		if (wk[i].err)
			return st_fail(st, "thread %d: %s", i, wk[i].st.msg);
	return 0;
}

/* Write-zeroes inside the 1 MiB range, read back as zeros; a discard where nothing was
 * written. What the device does not have is skipped (and said). */
static int zeroes_discard(struct st *st, struct blk_dev *b, uint8_t *buf, const char **what)
{
	int e;

	*what = "no write-zeroes";
	if (b->max_write_zeroes) {
		if ((e = blk_write_zeroes(b, b->sectors, 1, false)) != -EINVAL)
			return st_fail(st, "write-zeroes past the end: %d", e);
		if ((e = blk_write_zeroes(b, WZ_SECTOR, WZ_SECTORS, false)) != 0)
			return st_fail(st, "write-zeroes: %d", e);
		memset(buf, 0xee, WZ_SECTORS * BLK_SECTOR_SIZE);
		if ((e = blk_read(b, WZ_SECTOR, buf, WZ_SECTORS * BLK_SECTOR_SIZE)) != 0)
			return st_fail(st, "read after write-zeroes: %d", e);
		for (int i = 0; i < WZ_SECTORS * BLK_SECTOR_SIZE; i++)
			if (buf[i])
				return st_fail(st, "write-zeroes: byte %d not zero", i);
		*what = "write-zeroes";
	}
	if (b->max_discard && (e = blk_discard(b, DISCARD_SECTOR, DISCARD_SECTORS)) != 0)
		return st_fail(st, "discard: %d", e);
	return 0;
}

int test_virtio_blk(struct st *st)
{
	struct blk_dev *b = blk_get(0);
	uint8_t *w = NULL, *r = NULL;
	const char *zeroed = "";
	uint64_t t0, mib_ms;
	int e = -1, overlap;

	if (!b)
		return st_fail(st,
			       "no virtio-blk device (virtio_mmio.device= on the command line)");
	w = kmalloc(MIB + PAGE_SIZE);
	r = kmalloc(MIB + PAGE_SIZE);
	if (!w || !r) {
		st_fail(st, "out of memory");
		goto out;
	}
	if (!b->serial[0]) {
		st_fail(st, "%s has no serial (VIRTIO_BLK_T_GET_ID)", b->name);
		goto out;
	}
	for (int i = 0; i < blk_count(); i++)
		if (check_refused(st, blk_get(i), r))
			goto out;
	if (b->ro) {
		e = test_ro(st, b, r);
		goto out;
	}
	if (b->sectors < MIN_SECTORS || b->block_size != BLK_SECTOR_SIZE) {
		st_fail(st, "%s: %lu sectors of %u bytes: 8 MiB of 512 wanted", b->name, b->sectors,
			b->block_size);
		goto out;
	}
	/* the threads first: each has one request in flight at a time, so the most in flight
	 * so far is the number of threads whose requests overlapped */
	if (run_workers(st, b))
		goto out;
	overlap = blk_inflight_max(b);
	if (write_check(st, b, 0, w, r, BLK_SECTOR_SIZE) || write_check(st, b, 8, w, r, PAGE_SIZE))
		goto out;
	t0 = time_ns();
	if (write_check(st, b, 2048, w, r, MIB))
		goto out;
	mib_ms = (time_ns() - t0) / NSEC_PER_MSEC;
	if (write_check(st, b, 4097, w + 100, r + 100, 25 * BLK_SECTOR_SIZE) ||
	    write_check(st, b, b->sectors - 1, w, r, BLK_SECTOR_SIZE) ||
	    zeroes_discard(st, b, r, &zeroed))
		goto out;
	if ((e = blk_flush(b)) != 0) {
		st_fail(st, "flush: %d", e);
		goto out;
	}
	e = st_ok(st,
		  "%s: %lu sectors, serial %s; %d threads (%d requests at once); 1 sector, 4 KiB, "
		  "1 MiB (%lu ms write+read, %d at once), unaligned, last sector; %s; flush",
		  b->name, b->sectors, b->serial, NTHREADS, overlap, mib_ms, blk_inflight_max(b),
		  zeroed);
out:
	kfree(w);
	kfree(r);
	return e ? -1 : 0;
}
