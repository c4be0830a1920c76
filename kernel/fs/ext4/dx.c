/* dx.c: hashed directories' index and leaf blocks in memory: checked, searched, checksummed,
 * and edited for an insert (an entry added to a leaf, a leaf split by hash, an index entry
 * added). */
#include "fs/ext4/dx.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/hash.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/string.h"

#define TAIL_SIZE sizeof(struct ext4_dirent_tail)

unsigned ext4_dx_limit(uint32_t bs, bool root, bool csum)
{
	uint32_t at = root ? EXT4_DX_ROOT_ENTRIES : EXT4_DX_NODE_ENTRIES;

	return (bs - at - (csum ? sizeof(struct ext4_dx_tail) : 0)) / sizeof(struct ext4_dx_entry);
}

int ext4_dx_node_open(uint8_t *buf, uint32_t bs, bool root, bool csum, unsigned max_levels,
		      struct ext4_dx_node *n)
{
	const struct ext4_dirent *d = (const void *)buf;
	const struct ext4_dx_countlimit *cl;

	if (root) {
		const struct ext4_dirent *dotdot = (const void *)(buf + 12);
		const struct ext4_dx_root_info *info = (const void *)(buf + EXT4_DX_ROOT_INFO);

		if (d->rec_len != 12 || d->name_len != 1 || dotdot->rec_len != bs - 12 ||
		    dotdot->name_len != 2 || info->reserved_zero || info->info_length != 8 ||
		    info->hash_version > EXT4_HASH_TEA || info->indirect_levels > max_levels)
			return -EBADMSG;
		n->at = EXT4_DX_ROOT_ENTRIES;
	} else {
		if (d->inode || d->rec_len != bs || d->name_len)
			return -EBADMSG;
		n->at = EXT4_DX_NODE_ENTRIES;
	}
	cl = (const void *)(buf + n->at);
	n->e = (void *)(buf + n->at);
	n->count = cl->count;
	n->limit = cl->limit;
	if (n->limit != ext4_dx_limit(bs, root, csum) || !n->count || n->count > n->limit)
		return -EBADMSG;
	for (unsigned i = 2; i < n->count; i++)
		if (n->e[i].hash < n->e[i - 1].hash)
			return -EBADMSG;
	return 0;
}

uint32_t ext4_dx_node_hash(const struct ext4_dx_node *n, unsigned i)
{
	return i ? n->e[i].hash : 0;
}

uint32_t ext4_dx_node_block(const struct ext4_dx_node *n, unsigned i)
{
	return n->e[i].block & EXT4_DX_BLOCK_MASK;
}

unsigned ext4_dx_node_search(const struct ext4_dx_node *n, uint32_t hash)
{
	unsigned lo = 1, hi = n->count; /* the answer is below lo; entries [lo, hi) unknown */

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (n->e[mid].hash > hash)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo - 1;
}

void ext4_dx_node_insert(struct ext4_dx_node *n, unsigned i, uint32_t hash, uint32_t block)
{
	struct ext4_dx_countlimit *cl = (void *)n->e;

	memmove(&n->e[i + 2], &n->e[i + 1], (n->count - i - 1) * sizeof(n->e[0]));
	n->e[i + 1].hash = hash;
	n->e[i + 1].block = block;
	cl->count = (uint16_t)++n->count;
}

uint32_t ext4_dx_node_move(struct ext4_dx_node *dst, struct ext4_dx_node *src, unsigned from)
{
	struct ext4_dx_countlimit *dcl = (void *)dst->e, *scl = (void *)src->e;
	uint32_t hash = ext4_dx_node_hash(src, from);
	unsigned n = src->count - from;

	dst->e[0].block = src->e[from].block;
	memcpy(&dst->e[1], &src->e[from + 1], (n - 1) * sizeof(src->e[0]));
	dcl->count = (uint16_t)(dst->count = n);
	scl->count = (uint16_t)(src->count = from);
	return hash;
}

void ext4_dx_node_reset(struct ext4_dx_node *n, uint32_t block)
{
	struct ext4_dx_countlimit *cl = (void *)n->e;

	n->e[0].block = block;
	cl->count = (uint16_t)(n->count = 1);
}

void ext4_dx_node_init(uint8_t *buf, uint32_t bs, bool csum, struct ext4_dx_node *n)
{
	struct ext4_dirent *d = (void *)buf;
	struct ext4_dx_countlimit *cl = (void *)(buf + EXT4_DX_NODE_ENTRIES);

	memset(buf, 0, bs);
	d->rec_len = (uint16_t)bs; /* bs up to 4096 here: no big-block rec_len encoding */
	cl->limit = (uint16_t)ext4_dx_limit(bs, false, csum);
	cl->count = 0;
	n->e = (void *)cl;
	n->at = EXT4_DX_NODE_ENTRIES;
	n->count = 0;
	n->limit = cl->limit;
}

uint32_t ext4_dx_seed(uint32_t fs_seed, uint32_t nr, uint32_t gen)
{
	return crc32c_raw(crc32c_raw(fs_seed, &nr, 4), &gen, 4);
}

/* Over the block up to the count's last entry, then the tail with its checksum as zero. */
static uint32_t node_csum(const uint8_t *buf, const struct ext4_dx_node *n, uint32_t seed)
{
	const struct ext4_dx_tail *t = (const void *)&n->e[n->limit];
	uint32_t zero = 0, c;

	c = crc32c_raw(seed, buf, n->at + n->count * sizeof(struct ext4_dx_entry));
	c = crc32c_raw(c, &t->reserved, 4);
	return crc32c_raw(c, &zero, 4);
}

bool ext4_dx_node_csum_ok(const uint8_t *buf, uint32_t bs, const struct ext4_dx_node *n,
			  uint32_t seed)
{
	const struct ext4_dx_tail *t = (const void *)&n->e[n->limit];

	if (n->at + n->limit * sizeof(struct ext4_dx_entry) + sizeof(*t) > bs)
		return false;
	return t->csum == node_csum(buf, n, seed);
}

void ext4_dx_node_csum_set(uint8_t *buf, const struct ext4_dx_node *n, uint32_t seed)
{
	struct ext4_dx_tail *t = (void *)&n->e[n->limit];

	t->csum = node_csum(buf, n, seed);
}

bool ext4_dx_leaf_csum_ok(const uint8_t *buf, uint32_t bs, uint32_t seed)
{
	const struct ext4_dirent_tail *t = (const void *)(buf + bs - TAIL_SIZE);

	return !t->det_reserved_zero1 && t->det_rec_len == TAIL_SIZE && !t->det_reserved_zero2 &&
	       t->det_reserved_ft == EXT4_FT_DIR_CSUM &&
	       t->det_checksum == crc32c_raw(seed, buf, bs - TAIL_SIZE);
}

void ext4_dx_leaf_csum_set(uint8_t *buf, uint32_t bs, uint32_t seed)
{
	struct ext4_dirent_tail *t = (void *)(buf + bs - TAIL_SIZE);

	memset(t, 0, TAIL_SIZE);
	t->det_rec_len = TAIL_SIZE;
	t->det_reserved_ft = EXT4_FT_DIR_CSUM;
	t->det_checksum = crc32c_raw(seed, buf, bs - TAIL_SIZE);
}

void ext4_dx_leaf_init(uint8_t *buf, uint32_t bs, bool csum)
{
	struct ext4_dirent *d = (void *)buf;

	memset(buf, 0, bs);
	d->rec_len = (uint16_t)(bs - (csum ? TAIL_SIZE : 0));
	if (csum) {
		struct ext4_dirent_tail *t = (void *)(buf + bs - TAIL_SIZE);

		t->det_rec_len = TAIL_SIZE;
		t->det_reserved_ft = EXT4_FT_DIR_CSUM;
	}
}

/* The entry at off, if it fits in [off, end). */
static const struct ext4_dirent *entry_at(const uint8_t *buf, uint32_t off, uint32_t end)
{
	const struct ext4_dirent *d = (const void *)(buf + off);

	if (off + EXT4_DIRENT_MIN > end || d->rec_len < EXT4_DIRENT_MIN || d->rec_len % 4 ||
	    off + d->rec_len > end || d->name_len + 8u > d->rec_len)
		return NULL;
	return d;
}

int ext4_dx_leaf_find(const uint8_t *buf, uint32_t bs, const char *name, size_t len, uint32_t *ino,
		      uint32_t *bad)
{
	for (uint32_t off = 0; off < bs;) {
		const struct ext4_dirent *d = entry_at(buf, off, bs);

		if (!d) {
			*bad = off;
			return -EIO;
		}
		if (d->inode && d->name_len == len && !memcmp(d->name, name, len)) {
			*ino = d->inode;
			return 0;
		}
		off += d->rec_len;
	}
	return -ENOENT;
}

static void put_entry(struct ext4_dirent *d, uint16_t rec_len, const char *name, size_t len,
		      uint32_t ino, uint8_t ft)
{
	d->inode = ino;
	d->rec_len = rec_len;
	d->name_len = (uint8_t)len;
	d->file_type = ft;
	memcpy(d->name, name, len);
	/* the padding to 4 bytes stays whatever it was: e2fsck does not look at it */
}

int ext4_dx_leaf_add(uint8_t *buf, uint32_t bs, bool csum, const char *name, size_t len,
		     uint32_t ino, uint8_t ft)
{
	uint32_t end = bs - (csum ? TAIL_SIZE : 0), need = EXT4_DIRENT_LEN(len);

	for (uint32_t off = 0; off < end;) {
		struct ext4_dirent *d = (void *)entry_at(buf, off, end);
		uint32_t used;

		if (!d)
			return -EIO;
		used = d->inode ? EXT4_DIRENT_LEN(d->name_len) : 0;
		if (d->rec_len >= used + need) {
			uint16_t rest = (uint16_t)(d->rec_len - used);

			if (used) {
				d->rec_len = (uint16_t)used;
				d = (void *)(buf + off + used);
			}
			put_entry(d, rest, name, len, ino, ft);
			return 0;
		}
		off += d->rec_len;
	}
	return -ENOSPC;
}

struct slot {
	uint32_t hash;
	uint16_t off, size; /* in the block; the entry's own size (rec_len less slack) */
};

/* Sort by hash, then by place (insertion sort: a block holds a few hundred entries). */
static void sort_slots(struct slot *s, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct slot x = s[i];
		unsigned j = i;

		for (; j > 0 && s[j - 1].hash > x.hash; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
}

/* Pack slots [from, to) of src one after another into dst (an empty leaf), the last one
 * stretched to the block's (or the tail's) start. */
static void pack_slots(uint8_t *dst, const uint8_t *src, const struct slot *s, unsigned from,
		       unsigned to, uint32_t end)
{
	uint32_t off = 0;
	struct ext4_dirent *d = NULL;

	for (unsigned i = from; i < to; i++) {
		d = (void *)(dst + off);
		memcpy(d, src + s[i].off, s[i].size);
		d->rec_len = s[i].size;
		off += s[i].size;
	}
	if (d)
		d->rec_len = (uint16_t)(d->rec_len + end - off);
}

int ext4_dx_leaf_split(uint8_t *buf, uint8_t *upper, uint32_t bs, bool csum, unsigned version,
		       const uint32_t seed[4], void *scratch, size_t scratch_size, uint32_t *split)
{
	uint32_t end = bs - (csum ? TAIL_SIZE : 0), moved = 0;
	struct slot *s = scratch;
	uint8_t *copy = (uint8_t *)scratch + bs / 12 * sizeof(struct slot);
	unsigned n = 0, cut;

	if (scratch_size < EXT4_DX_SPLIT_SCRATCH(bs))
		return -EINVAL;
	for (uint32_t off = 0; off < end;) {
		const struct ext4_dirent *d = entry_at(buf, off, end);
		uint32_t minor;

		if (!d)
			return -EIO;
		if (d->inode) {
			if (ext4_hash(version, seed, d->name, d->name_len, &s[n].hash, &minor))
				return -EINVAL;
			s[n].off = (uint16_t)off;
			s[n++].size = (uint16_t)EXT4_DIRENT_LEN(d->name_len);
		}
		off += d->rec_len;
	}
	if (n < 2)
		return -EINVAL;
	sort_slots(s, n);
	/* from the top, while the upper block stays under half the block */
	for (cut = n; cut > 1 && moved + s[cut - 1].size / 2u <= bs / 2; cut--)
		moved += s[cut - 1].size;
	if (cut == n)
		cut = n - 1;
	*split = s[cut].hash | (s[cut - 1].hash == s[cut].hash);
	memcpy(copy, buf, bs);
	ext4_dx_leaf_init(upper, bs, csum);
	ext4_dx_leaf_init(buf, bs, csum);
	pack_slots(upper, copy, s, cut, n, end);
	pack_slots(buf, copy, s, 0, cut, end);
	return 0;
}
