/* xattr.c: ext4's extended attributes: an inode's are copied out of its spare bytes and its
 * attribute block into a list, changed there, and laid out again: in the inode while they fit,
 * the rest in the block (sorted, hashed, checksummed), under one handle. */
#include "fs/ext4/xattr.h"
#include "fs/ext4/alloc.h"
#include "fs/ext4/disk.h"
#include "fs/ext4/ext4.h"
#include "fs/ext4/inode.h"
#include "fs/ext4/journal.h"
#include "fs/ext4/super.h"
#include "fs/bcache.h"
#include "fs/vfs.h"
#include "fs/xattr.h"
#include "core/mm/heap.h"
#include "drivers/virtio/blk.h"
#include "lib/crc32c.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define PAD4(n) (((uint32_t)(n) + 3u) & ~3u)
#define ENTRY_SIZE(nlen) PAD4(sizeof(struct ext4_xattr_entry) + (nlen))
#define HDR_SIZE ((uint32_t)sizeof(struct ext4_xattr_header))

static const struct {
	uint8_t index;
	const char *prefix;
} spaces[] = {
	{ EXT4_XATTR_INDEX_USER, "user." },
	{ EXT4_XATTR_INDEX_TRUSTED, "trusted." },
	{ EXT4_XATTR_INDEX_SECURITY, "security." },
};
#define NSPACES (sizeof(spaces) / sizeof(spaces[0]))

enum where { IN_INODE, IN_BLOCK, NEW };

struct xent {
	uint8_t index, nlen;
	uint8_t where;
	uint32_t vlen, inum;
	const char *name;
	const uint8_t *val;
};

/* An inode's attributes, copied out. */
struct xset {
	uint8_t *raw;	  /* the whole inode (at least sizeof(struct ext4_inode) bytes) */
	uint32_t ibody;	  /* where the in-inode entries start in raw (0: no room for any) */
	uint8_t *blk;	  /* a copy of the attribute block, or NULL */
	uint64_t blkno;	  /* i_file_acl */
	bool block_dirty; /* the block's entries have changed */
	struct xent *e;
	unsigned n, cap;
};

static struct ext4_fs *fs_of(const struct inode *ino)
{
	return ino->sb->priv;
}

static uint64_t file_acl(const struct ext4_fs *fs, const struct ext4_inode *raw)
{
	uint64_t hi = (fs->incompat & INCOMPAT_64BIT) ? (uint64_t)raw->i_file_acl_high << 32 : 0;

	return raw->i_file_acl_lo | hi;
}

static void set_file_acl(struct ext4_inode *raw, uint64_t blk)
{
	raw->i_file_acl_lo = (uint32_t)blk;
	raw->i_file_acl_high = (uint16_t)(blk >> 32);
}

/* name as its prefix's index and the rest: 0, or -EOPNOTSUPP (a namespace not kept here). */
static int split(const char *name, uint8_t *index, const char **rest, size_t *len)
{
	for (size_t i = 0; i < NSPACES; i++) {
		size_t pl = strlen(spaces[i].prefix);

		if (!strncmp(name, spaces[i].prefix, pl)) {
			*index = spaces[i].index;
			*rest = name + pl;
			*len = strlen(*rest);
			return 0;
		}
	}
	return -EOPNOTSUPP;
}

static const char *prefix_of(uint8_t index)
{
	for (size_t i = 0; i < NSPACES; i++)
		if (spaces[i].index == index)
			return spaces[i].prefix;
	return NULL;
}

static int bad(const struct ext4_fs *fs, uint32_t nr, const char *where)
{
	printk(LOG_ERR, "ext4: %s: inode %u: bad extended attributes %s\n", fs->dev->name, nr,
	       where);
	return -EUCLEAN;
}

static uint32_t entry_hash(const struct ext4_xattr_entry *e, const uint8_t *val)
{
	uint32_t h = 0;

	for (uint32_t i = 0; i < e->e_name_len; i++)
		h = (h << 5) ^ (h >> 27) ^ (uint8_t)e->e_name[i];
	for (uint32_t i = 0; i < PAD4(e->e_value_size); i += 4) {
		uint32_t w;

		memcpy(&w, val + i, 4);
		h = (h << 16) ^ (h >> 16) ^ w;
	}
	return h;
}

static uint32_t block_csum(const struct ext4_fs *fs, uint64_t blkno, const uint8_t *b)
{
	uint32_t at = offsetof(struct ext4_xattr_header, h_checksum), zero = 0;
	uint32_t c = crc32c_raw(fs->csum_seed, &blkno, 8);

	c = crc32c_raw(c, b, at);
	c = crc32c_raw(c, &zero, 4);
	return crc32c_raw(c, b + at + 4, fs->block_size - at - 4);
}

static int add(struct xset *s, const struct xent *x)
{
	if (s->n == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 16;
		struct xent *e = kmalloc(cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		if (s->n)
			memcpy(e, s->e, s->n * sizeof(*e));
		kfree(s->e);
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n++] = *x;
	return 0;
}

static bool last_entry(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return !w;
}

/* The entries from first on, ending with 4 zero bytes before end; values at vbase + their
 * offset, inside vsize bytes. 0, -EUCLEAN (out of bounds), -ENOMEM. */
static int parse(struct xset *s, const uint8_t *first, const uint8_t *end, const uint8_t *vbase,
		 size_t vsize, enum where w)
{
	const uint8_t *p = first;

	while (p + 4 <= end && !last_entry(p)) {
		const struct ext4_xattr_entry *x = (const void *)p;
		struct xent e;
		int r;

		if (p + sizeof(*x) > end || p + ENTRY_SIZE(x->e_name_len) > end || !x->e_name_len)
			return -EUCLEAN;
		if (!x->e_value_inum && (size_t)x->e_value_offs + x->e_value_size > vsize)
			return -EUCLEAN;
		e = (struct xent){ x->e_name_index,	   x->e_name_len,   (uint8_t)w,
				   x->e_value_size,	   x->e_value_inum, x->e_name,
				   vbase + x->e_value_offs };
		r = add(s, &e);
		if (r)
			return r;
		p += ENTRY_SIZE(x->e_name_len);
	}
	return p + 4 <= end ? 0 : -EUCLEAN;
}

static int load_block(struct ext4_fs *fs, uint32_t nr, struct xset *s)
{
	const struct ext4_xattr_header *h;
	struct bbuf *b;
	int r;

	if (s->blkno < fs->first_data_block || s->blkno >= fs->blocks)
		return bad(fs, nr, "(block number)");
	s->blk = kmalloc(fs->block_size);
	if (!s->blk)
		return -ENOMEM;
	r = ext4_block_get(fs, s->blkno, &b);
	if (r)
		return r;
	memcpy(s->blk, b->data, fs->block_size);
	ext4_block_put(fs, b);
	h = (const void *)s->blk;
	if (h->h_magic != EXT4_XATTR_MAGIC || h->h_blocks != 1)
		return bad(fs, nr, "(block header)");
	if (fs->csum && h->h_checksum != block_csum(fs, s->blkno, s->blk)) {
		printk(LOG_ERR, "ext4: %s: inode %u: bad checksum of attribute block %lu\n",
		       fs->dev->name, nr, s->blkno);
		return -EBADMSG;
	}
	r = parse(s, s->blk + HDR_SIZE, s->blk + fs->block_size, s->blk, fs->block_size, IN_BLOCK);
	return r == -EUCLEAN ? bad(fs, nr, "in its block") : r;
}

/* Copy ino's attributes out (the writers' lock held: no handle is halfway through them). */
static int load(struct ext4_fs *fs, struct inode *ino, struct xset *s)
{
	struct enode *en = ino->priv;
	uint32_t isz = fs->inode_size;
	struct ext4_inode *raw;
	int r;

	memset(s, 0, sizeof(*s));
	s->raw = kzalloc(MAX(isz, (uint32_t)sizeof(struct ext4_inode)));
	if (!s->raw)
		return -ENOMEM;
	r = ext4_inode_read_whole(fs, en->nr, s->raw);
	if (r)
		return r;
	raw = (void *)s->raw;
	if (isz > EXT4_GOOD_OLD_INODE_SIZE) {
		uint32_t at = EXT4_GOOD_OLD_INODE_SIZE + raw->i_extra_isize;

		/* room for the magic, one entry and the end */
		if (!(at % 4) && at + 4 + ENTRY_SIZE(1) + 4 <= isz)
			s->ibody = at + 4;
		if (s->ibody && !last_entry(s->raw + at)) {
			uint32_t magic;

			memcpy(&magic, s->raw + at, 4);
			r = magic != EXT4_XATTR_MAGIC
				    ? 0
				    : parse(s, s->raw + s->ibody, s->raw + isz, s->raw + s->ibody,
					    isz - s->ibody, IN_INODE);
			if (r)
				return r == -EUCLEAN ? bad(fs, en->nr, "in the inode") : r;
		}
	}
	s->blkno = file_acl(fs, raw);
	return s->blkno ? load_block(fs, en->nr, s) : 0;
}

static void unload(struct xset *s)
{
	kfree(s->raw);
	kfree(s->blk);
	kfree(s->e);
}

static int find(const struct xset *s, uint8_t index, const char *name, size_t len)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->e[i].index == index && s->e[i].nlen == len &&
		    !memcmp(s->e[i].name, name, len))
			return (int)i;
	return -1;
}

long ext4_xattr_get(struct inode *ino, const char *name, void *buf, size_t n)
{
	struct ext4_fs *fs = fs_of(ino);
	const char *rest;
	uint8_t index;
	struct xset s;
	size_t len;
	long r;
	int i = -1;

	if (split(name, &index, &rest, &len))
		return -ENODATA;
	mutex_lock(&fs->wlock);
	r = load(fs, ino, &s);
	if (!r)
		i = find(&s, index, rest, len);
	if (!r && i < 0)
		r = -ENODATA;
	else if (!r && s.e[i].inum)
		r = -EOPNOTSUPP;
	else if (!r && n && n < s.e[i].vlen)
		r = -ERANGE;
	else if (!r) {
		if (n)
			memcpy(buf, s.e[i].val, s.e[i].vlen);
		r = s.e[i].vlen;
	}
	mutex_unlock(&fs->wlock);
	unload(&s);
	return r;
}

long ext4_xattr_list(struct inode *ino, char *buf, size_t n)
{
	struct ext4_fs *fs = fs_of(ino);
	struct xset s;
	size_t len = 0;
	long r;

	mutex_lock(&fs->wlock);
	r = load(fs, ino, &s);
	for (unsigned i = 0; !r && i < s.n; i++) {
		const char *p = prefix_of(s.e[i].index);
		size_t pl = p ? strlen(p) : 0, l = pl + s.e[i].nlen + 1;

		if (!p)
			continue;
		if (n && len + l > n) {
			r = -ERANGE;
			break;
		}
		if (n) {
			memcpy(buf + len, p, pl);
			memcpy(buf + len + pl, s.e[i].name, s.e[i].nlen);
			buf[len + l - 1] = 0;
		}
		len += l;
	}
	mutex_unlock(&fs->wlock);
	unload(&s);
	return r ? r : (long)len;
}

/* --- changes */

/* Make the change in the list. 0, -EEXIST, -ENODATA, -EOPNOTSUPP (ea_inode values). */
static int edit(struct xset *s, uint8_t index, const char *name, size_t len, const void *val,
		size_t n, int flags, bool remove)
{
	int i = find(s, index, name, len);

	for (unsigned k = 0; k < s->n; k++)
		if (s->e[k].inum) /* kept in inodes of their own: not rewritten here */
			return -EOPNOTSUPP;
	if (i < 0 && (remove || (flags & XATTR_REPLACE)))
		return -ENODATA;
	if (i >= 0 && !remove && (flags & XATTR_CREATE))
		return -EEXIST;
	if (i >= 0) {
		if (s->e[i].where == IN_BLOCK)
			s->block_dirty = true;
		memmove(&s->e[i], &s->e[i + 1], (s->n - (unsigned)i - 1) * sizeof(s->e[0]));
		s->n--;
	}
	if (remove)
		return 0;
	return add(s, &(struct xent){ index, (uint8_t)len, NEW, (uint32_t)n, 0, name, val });
}

static uint32_t space_of(const struct xent *x)
{
	return ENTRY_SIZE(x->nlen) + PAD4(x->vlen);
}

/* Where the new entry goes: the inode while it has room, else the block. 0 or -ENOSPC. */
static int place(const struct ext4_fs *fs, struct xset *s)
{
	uint32_t iuse = 4, buse = HDR_SIZE + 4, ispace = s->ibody ? fs->inode_size - s->ibody : 0;

	for (unsigned i = 0; i < s->n; i++)
		if (s->e[i].where == IN_INODE)
			iuse += space_of(&s->e[i]);
		else if (s->e[i].where == IN_BLOCK)
			buse += space_of(&s->e[i]);
	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].where != NEW)
			continue;
		if (iuse + space_of(&s->e[i]) <= ispace) {
			s->e[i].where = IN_INODE;
			iuse += space_of(&s->e[i]);
		} else {
			s->e[i].where = IN_BLOCK;
			buse += space_of(&s->e[i]);
			s->block_dirty = true;
		}
	}
	return buse <= fs->block_size ? 0 : -ENOSPC;
}

/* A block's order: by index, name length, name (how Linux searches a block). */
static bool before(const struct xent *a, const struct xent *b)
{
	if (a->index != b->index)
		return a->index < b->index;
	if (a->nlen != b->nlen)
		return a->nlen < b->nlen;
	return memcmp(a->name, b->name, a->nlen) < 0;
}

/* The entries at w into area: from first up, values from size down, their offsets counted
 * from base; hashed in a block. Returns how many. (place() has checked they fit.) */
static unsigned lay_out(const struct xset *s, enum where w, uint8_t *area, uint32_t first,
			uint32_t size, uint32_t base)
{
	uint32_t at = first, vend = size;
	unsigned count = 0;
	const struct xent *prev = NULL;

	memset(area + first, 0, size - first);
	for (;;) {
		const struct xent *x = NULL;
		struct ext4_xattr_entry *e = (void *)(area + at);

		/* the next after prev: in a block by name (a selection sort: a block holds few),
		 * in the inode in the list's order */
		for (unsigned i = 0; i < s->n; i++) {
			const struct xent *c = &s->e[i];

			if (c->where != w)
				continue;
			if (w == IN_INODE ? prev && c <= prev : prev && !before(prev, c))
				continue;
			if (!x || (w == IN_BLOCK ? before(c, x) : c < x))
				x = c;
		}
		if (!x)
			return count;
		e->e_name_len = x->nlen;
		e->e_name_index = x->index;
		e->e_value_size = x->vlen;
		memcpy(e->e_name, x->name, x->nlen);
		if (x->vlen) {
			vend -= PAD4(x->vlen);
			memcpy(area + vend, x->val, x->vlen);
			e->e_value_offs = (uint16_t)(vend - base);
		}
		if (w == IN_BLOCK)
			e->e_hash = entry_hash(e, area + vend);
		at += ENTRY_SIZE(x->nlen);
		prev = x;
		count++;
	}
}

/* The block's hash: of its entries' hashes (0 if one of them is 0). */
static uint32_t block_hash(const uint8_t *b)
{
	const uint8_t *p = b + HDR_SIZE;
	uint32_t h = 0;

	while (!last_entry(p)) {
		const struct ext4_xattr_entry *e = (const void *)p;

		if (!e->e_hash)
			return 0;
		h = (h << 16) ^ (h >> 16) ^ e->e_hash;
		p += ENTRY_SIZE(e->e_name_len);
	}
	return h;
}

/* Under the handle: img as attribute block blk (fresh: newly allocated). */
static int write_block(struct ext4_fs *fs, uint64_t blk, const uint8_t *img, bool fresh)
{
	struct ext4_xattr_header *h;
	struct bbuf *b;
	int r = fresh ? ext4_tx_new(fs, blk, &b) : ext4_tx_get(fs, blk, &b);

	if (r)
		return r;
	memcpy(b->data, img, fs->block_size);
	h = (void *)b->data;
	if (fs->csum)
		h->h_checksum = block_csum(fs, blk, b->data);
	return 0;
}

/* Under the handle: one inode less uses attribute block blk: freed when it was the last. */
static int release_block(struct ext4_fs *fs, uint64_t blk)
{
	struct ext4_xattr_header *h;
	struct bbuf *b;
	int r = ext4_tx_get(fs, blk, &b);

	if (r)
		return r;
	h = (void *)b->data;
	if (h->h_magic != EXT4_XATTR_MAGIC)
		return -EUCLEAN;
	if (h->h_refcount <= 1)
		return ext4_bfree(fs, blk, 1);
	h->h_refcount--;
	if (fs->csum)
		h->h_checksum = block_csum(fs, blk, b->data);
	return 0;
}

/* The superblock says ext_attr from the first attribute on (as Linux sets it). */
static int mark_feature(struct ext4_fs *fs)
{
	struct ext4_super *sup;
	struct bbuf *b;
	uint32_t off;
	int r;

	if (fs->compat & COMPAT_EXT_ATTR)
		return 0;
	r = ext4_tx_get(fs, ext4_super_block(fs, &off), &b);
	if (r)
		return r;
	sup = (void *)(b->data + off);
	sup->s_feature_compat |= COMPAT_EXT_ATTR;
	ext4_super_set_csum(sup);
	fs->compat |= COMPAT_EXT_ATTR;
	return 0;
}

/* The block's new contents (bimg, NULL: no entries left) reach the disk: in place when this
 * inode alone uses the block, else in a new one (a shared block is left to the others). */
static int store_block(struct ext4_fs *fs, struct inode *ino, struct xset *s, const uint8_t *bimg,
		       struct ext4_inode *raw)
{
	struct enode *en = ino->priv;
	uint64_t spb = fs->block_size / 512, nblk = 0;
	uint32_t refs = s->blk ? ((const struct ext4_xattr_header *)s->blk)->h_refcount : 0;
	int r;

	if (bimg && s->blkno && refs == 1)
		return write_block(fs, s->blkno, bimg, false);
	if (bimg) {
		uint32_t g = (en->nr - 1) / fs->inodes_per_group, count = 1;
		uint64_t goal = fs->first_data_block + (uint64_t)g * fs->blocks_per_group;

		r = ext4_balloc(fs, goal, &count, &nblk);
		if (r)
			return r;
		r = write_block(fs, nblk, bimg, true);
		if (r)
			return r;
		if (!s->blkno)
			ino->blocks += spb;
	}
	if (s->blkno) {
		r = release_block(fs, s->blkno);
		if (r)
			return r;
		if (!bimg)
			ino->blocks -= MIN(ino->blocks, spb);
	}
	set_file_acl(raw, nblk);
	return 0;
}

/* Write the list back: the inode's area, the block if its entries changed, the inode. */
static int store(struct ext4_fs *fs, struct inode *ino, struct xset *s)
{
	struct enode *en = ino->priv;
	uint32_t isz = fs->inode_size;
	struct ext4_xattr_header *h;
	struct ext4_inode *raw;
	uint8_t *img, *bimg = NULL;
	bool any;
	int r = place(fs, s);

	if (r)
		return r;
	img = kmalloc(MAX(isz, (uint32_t)sizeof(struct ext4_inode)));
	if (!img)
		return -ENOMEM;
	memcpy(img, s->raw, MAX(isz, (uint32_t)sizeof(struct ext4_inode)));
	raw = (void *)img;
	any = s->n > 0;
	if (s->ibody) {
		uint32_t magic = EXT4_XATTR_MAGIC;

		if (lay_out(s, IN_INODE, img, s->ibody, isz, s->ibody))
			memcpy(img + s->ibody - 4, &magic, 4);
		else
			memset(img + s->ibody - 4, 0, 4);
	}
	for (unsigned i = 0; s->block_dirty && !bimg && i < s->n; i++)
		if (s->e[i].where == IN_BLOCK) {
			bimg = kzalloc(fs->block_size);
			if (!bimg) {
				r = -ENOMEM;
				goto out;
			}
			h = (void *)bimg;
			h->h_magic = EXT4_XATTR_MAGIC;
			h->h_refcount = 1;
			h->h_blocks = 1;
			lay_out(s, IN_BLOCK, bimg, HDR_SIZE, fs->block_size, 0);
			h->h_hash = block_hash(bimg);
		}
	if (s->block_dirty)
		r = store_block(fs, ino, s, bimg, raw);
	if (!r && any)
		r = mark_feature(fs);
	if (r)
		goto out;
	ino->ctime = vfs_now();
	ext4_inode_set_attrs(fs, raw, ino);
	memcpy(raw->i_block, en->iblock, sizeof(raw->i_block));
	raw->i_flags = (raw->i_flags & EXT4_HUGE_FILE_FL) | (en->flags & ~EXT4_HUGE_FILE_FL);
	r = ext4_inode_write_whole(fs, en->nr, img);
out:
	kfree(bimg);
	kfree(img);
	return r;
}

static int change(struct inode *ino, const char *name, const void *val, size_t n, int flags,
		  bool remove)
{
	struct ext4_fs *fs = fs_of(ino);
	const char *rest;
	uint8_t index;
	struct xset s;
	size_t len;
	int r = split(name, &index, &rest, &len), e;

	if (r)
		return r;
	r = ext4_writable(ino);
	if (r)
		return r;
	ext4_tx_begin(fs);
	r = load(fs, ino, &s);
	if (!r)
		r = edit(&s, index, rest, len, val, n, flags, remove);
	if (!r)
		r = store(fs, ino, &s);
	e = ext4_tx_end(fs);
	unload(&s);
	return r ? r : e;
}

int ext4_xattr_set(struct inode *ino, const char *name, const void *val, size_t n, int flags)
{
	return change(ino, name, val, n, flags, false);
}

int ext4_xattr_remove(struct inode *ino, const char *name)
{
	return change(ino, name, NULL, 0, 0, true);
}

int ext4_xattr_drop(struct ext4_fs *fs, struct ext4_inode *raw)
{
	uint64_t blk = file_acl(fs, raw);
	int r;

	if (!blk)
		return 0;
	if (blk < fs->first_data_block || blk >= fs->blocks)
		return -EUCLEAN;
	r = release_block(fs, blk);
	if (!r)
		set_file_acl(raw, 0);
	return r;
}
