/* blk.c: the virtio block device (blk.h): features and configuration at probe, the checks
 * every call makes before anything reaches the device, the table of devices. The requests
 * themselves are blk_req.c's. */
#include "drivers/virtio/blk.h"
#include "core/mm/heap.h"
#include "drivers/virtio/blk_req.h"
#include "drivers/virtio/mmio.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

/* feature bits (5.2.3) */
#define BLK_F_SIZE_MAX (1ull << 1)
#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_BLK_SIZE (1ull << 6)
#define BLK_F_FLUSH (1ull << 9)
#define BLK_F_DISCARD (1ull << 13)
#define BLK_F_WRITE_ZEROES (1ull << 14)
/* struct virtio_blk_config's fields, by byte offset (5.2.4) */
#define C_CAPACITY 0
#define C_SIZE_MAX 8
#define C_SEG_MAX 12
#define C_BLK_SIZE 20
#define C_MAX_DISCARD_SECTORS 36
#define C_MAX_WRITE_ZEROES_SECTORS 48
#define BLOCK_MAX 65536 /* a larger logical block: the device is refused */
#define WZ_F_UNMAP 1

/* struct virtio_blk_discard_write_zeroes: a discard's or write-zeroes' data (5.2.6) */
struct range {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

static struct blk_dev *devs[BLK_MAX_DEVS]; /* filled at boot, in probe order */
static int ndevs;

int blk_count(void)
{
	return __atomic_load_n(&ndevs, __ATOMIC_ACQUIRE);
}

struct blk_dev *blk_get(int index)
{
	return index >= 0 && index < blk_count() ? devs[index] : NULL;
}

/* Whether count sectors from sector are on b, in whole logical blocks. */
static bool in_range(const struct blk_dev *b, uint64_t sector, uint64_t count)
{
	uint64_t per = b->block_size / BLK_SECTOR_SIZE;

	return sector <= b->sectors && count <= b->sectors - sector && sector % per == 0 &&
	       count % per == 0;
}

int blk_read(struct blk_dev *b, uint64_t sector, void *buf, size_t n)
{
	if (n % BLK_SECTOR_SIZE || !in_range(b, sector, n / BLK_SECTOR_SIZE))
		return -EINVAL;
	return n ? blk_req_rw(b->q, false, sector, buf, n, b->block_size) : 0;
}

int blk_write(struct blk_dev *b, uint64_t sector, const void *buf, size_t n)
{
	if (b->ro)
		return -EROFS;
	if (n % BLK_SECTOR_SIZE || !in_range(b, sector, n / BLK_SECTOR_SIZE))
		return -EINVAL;
	/* the device only reads buf */
	return n ? blk_req_rw(b->q, true, sector, (void *)buf, n, b->block_size) : 0;
}

int blk_flush(struct blk_dev *b)
{
	if (!(b->features & BLK_F_FLUSH))
		return 0;
	return blk_req_one(b->q, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false, NULL);
}

/* count sectors from sector as requests of type, max sectors each. */
static int ranges(struct blk_dev *b, uint32_t type, uint32_t max, uint64_t sector, uint64_t count,
		  uint32_t flags)
{
	if (b->ro)
		return -EROFS;
	if (!max)
		return -EOPNOTSUPP;
	if (!in_range(b, sector, count))
		return -EINVAL;
	while (count) {
		struct range rg = { .sector = sector,
				    .num_sectors = (uint32_t)MIN(count, (uint64_t)max),
				    .flags = flags };
		int r = blk_req_one(b->q, type, 0, &rg, sizeof(rg), false, NULL);

		if (r)
			return r;
		sector += rg.num_sectors;
		count -= rg.num_sectors;
	}
	return 0;
}

int blk_write_zeroes(struct blk_dev *b, uint64_t sector, uint64_t count, bool unmap)
{
	return ranges(b, VIRTIO_BLK_T_WRITE_ZEROES, b->max_write_zeroes, sector, count,
		      unmap ? WZ_F_UNMAP : 0);
}

int blk_discard(struct blk_dev *b, uint64_t sector, uint64_t count)
{
	return ranges(b, VIRTIO_BLK_T_DISCARD, b->max_discard, sector, count, 0);
}

int blk_inflight_max(const struct blk_dev *b)
{
	return blk_req_inflight_max(b->q);
}

static uint32_t config32(struct virtio_dev *d, uint32_t off)
{
	uint32_t v;

	virtio_config_read(d, off, &v, sizeof(v));
	return v;
}

/* A limit of count sectors from the configuration, in whole logical blocks (0: none). */
static uint32_t sectors_limit(const struct blk_dev *b, uint32_t count)
{
	return ALIGN_DOWN(count, b->block_size / BLK_SECTOR_SIZE);
}

/* The device's ID into b->serial (VIRTIO_BLK_T_GET_ID: 20 bytes, NUL-ended if shorter);
 * left "" if it has none. Bytes that would not print become '?'. */
static void read_serial(struct blk_dev *b)
{
	char id[VIRTIO_BLK_ID_BYTES];

	if (blk_req_one(b->q, VIRTIO_BLK_T_GET_ID, 0, id, sizeof(id), true, NULL))
		return;
	for (size_t i = 0; i < sizeof(id) && id[i]; i++)
		b->serial[i] = id[i] >= ' ' && id[i] <= '~' ? id[i] : '?';
}

int virtio_blk_probe(struct virtio_dev *d)
{
	uint32_t seg_max = 0, size_max = 0;
	struct blk_dev *b;
	int r;

	if (ndevs == BLK_MAX_DEVS)
		return -ENOSPC;
	r = virtio_negotiate(d, BLK_F_SIZE_MAX | BLK_F_SEG_MAX | BLK_F_RO | BLK_F_BLK_SIZE |
					BLK_F_FLUSH | BLK_F_DISCARD | BLK_F_WRITE_ZEROES |
					VIRTIO_F_EVENT_IDX);
	if (r)
		return r;
	b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->features = d->features;
	b->ro = (d->features & BLK_F_RO) != 0;
	virtio_config_read(d, C_CAPACITY, &b->sectors, sizeof(b->sectors));
	b->block_size = d->features & BLK_F_BLK_SIZE ? config32(d, C_BLK_SIZE) : BLK_SECTOR_SIZE;
	if (b->block_size < BLK_SECTOR_SIZE || b->block_size > BLOCK_MAX ||
	    (b->block_size & (b->block_size - 1))) {
		printk(LOG_WARN, "virtio-blk: logical block of %u bytes not supported\n",
		       b->block_size);
		r = -EOPNOTSUPP;
		goto err;
	}
	if (d->features & BLK_F_SEG_MAX)
		seg_max = config32(d, C_SEG_MAX);
	if (d->features & BLK_F_SIZE_MAX)
		size_max = config32(d, C_SIZE_MAX);
	if (d->features & BLK_F_DISCARD)
		b->max_discard = sectors_limit(b, config32(d, C_MAX_DISCARD_SECTORS));
	if (d->features & BLK_F_WRITE_ZEROES)
		b->max_write_zeroes = sectors_limit(b, config32(d, C_MAX_WRITE_ZEROES_SECTORS));
	r = blk_req_init(d, seg_max, size_max, &b->q);
	if (r)
		goto err;
	virtio_ready(d);
	snprintf(b->name, sizeof(b->name), "vd%c", 'a' + ndevs);
	read_serial(b);
	d->priv = b;
	devs[ndevs] = b;
	__atomic_store_n(&ndevs, ndevs + 1, __ATOMIC_RELEASE);
	printk(LOG_INFO, "virtio-blk: %s: %lu sectors (%lu MiB), %s, block %u, serial %s\n",
	       b->name, b->sectors, b->sectors / 2048, b->ro ? "ro" : "rw", b->block_size,
	       b->serial[0] ? b->serial : "(none)");
	return 0;
err:
	kfree(b);
	return r;
}
