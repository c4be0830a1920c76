/* ext4_dx_test.c: host unit test of hashed directories' blocks in memory (kernel/fs/ext4/
 * dx.c): index blocks opened and refused (count, limit, order, root info), binary search,
 * entries inserted in order, checksums of index and leaf blocks set and checked; leaves:
 * names added until full, found again, then split by hash into two halves that keep every
 * name, ordered around the split hash with the collision bit right, and each half with room
 * for more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fs/ext4/disk.h"
#include "fs/ext4/dx.h"
#include "fs/ext4/hash.h"

#define EBADMSG_ 74 /* the kernel's errno values (lib/errno.h would clash with libc's) */
#define ENOENT_ 2
#define ENOSPC_ 28

static int fails, checks;

#define CHECK(cond)                                                            \
	do {                                                                   \
		checks++;                                                      \
		if (!(cond)) {                                                 \
			fails++;                                               \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                              \
	} while (0)

static const uint32_t seed[4] = { 1, 2, 3, 4 };

/* A root block as e2fsck -D writes one: ".", "..", the info, count/limit and n entries. */
static void make_root(uint8_t *b, uint32_t bs, bool csum, unsigned n, unsigned levels)
{
	struct ext4_dirent *dot = (void *)b, *dotdot = (void *)(b + 12);
	struct ext4_dx_root_info *info = (void *)(b + EXT4_DX_ROOT_INFO);
	struct ext4_dx_entry *e = (void *)(b + EXT4_DX_ROOT_ENTRIES);
	struct ext4_dx_countlimit *cl = (void *)e;

	memset(b, 0, bs);
	dot->inode = 12;
	dot->rec_len = 12;
	dot->name_len = 1;
	dot->name[0] = '.';
	dotdot->inode = 2;
	dotdot->rec_len = (uint16_t)(bs - 12);
	dotdot->name_len = 2;
	memcpy(dotdot->name, "..", 2);
	info->hash_version = EXT4_HASH_HALF_MD4;
	info->info_length = 8;
	info->indirect_levels = (uint8_t)levels;
	cl->limit = (uint16_t)ext4_dx_limit(bs, true, csum);
	cl->count = (uint16_t)n;
	e[0].block = 1;
	for (unsigned i = 1; i < n && i < cl->limit; i++) {
		e[i].hash = i * 0x1000000u;
		e[i].block = i + 1;
	}
}

static void test_index(uint32_t bs, bool csum)
{
	uint8_t *b = malloc(bs);
	struct ext4_dx_node n;
	unsigned limit = ext4_dx_limit(bs, true, csum);

	CHECK(limit == (bs - 32 - (csum ? 8 : 0)) / 8);
	CHECK(ext4_dx_limit(bs, false, csum) == (bs - 8 - (csum ? 8 : 0)) / 8);
	make_root(b, bs, csum, 10, 0);
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == 0 && n.count == 10 &&
	      n.limit == limit);
	CHECK(ext4_dx_node_search(&n, 0) == 0);
	CHECK(ext4_dx_node_search(&n, 0xffffff) == 0);
	CHECK(ext4_dx_node_search(&n, 0x1000000) == 1);
	CHECK(ext4_dx_node_search(&n, 0x4ffffff) == 4);
	CHECK(ext4_dx_node_search(&n, 0xfffffffe) == 9);
	CHECK(ext4_dx_node_block(&n, 4) == 5 && ext4_dx_node_hash(&n, 0) == 0);
	ext4_dx_node_insert(&n, 4, 0x4800001, 77);
	CHECK(n.count == 11 && ext4_dx_node_hash(&n, 5) == 0x4800001 &&
	      ext4_dx_node_block(&n, 5) == 77 && ext4_dx_node_block(&n, 6) == 6);
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == 0 && n.count == 11);
	CHECK(ext4_dx_node_search(&n, 0x4800002) == 5 && ext4_dx_node_search(&n, 0x4800000) == 4);
	ext4_dx_node_insert(&n, 10, 0xf0000000, 78); /* after the last */
	CHECK(n.count == 12 && ext4_dx_node_block(&n, 11) == 78);
	if (csum) {
		ext4_dx_node_csum_set(b, &n, 0x1234);
		CHECK(ext4_dx_node_csum_ok(b, bs, &n, 0x1234));
		CHECK(!ext4_dx_node_csum_ok(b, bs, &n, 0x1235));
		b[EXT4_DX_ROOT_ENTRIES + 8 * 3] ^= 1; /* a hash changed */
		CHECK(!ext4_dx_node_csum_ok(b, bs, &n, 0x1234));
		b[EXT4_DX_ROOT_ENTRIES + 8 * 3] ^= 1;
		b[bs - 20] ^= 1; /* past count, before the tail: not covered */
		CHECK(ext4_dx_node_csum_ok(b, bs, &n, 0x1234));
	}
	/* refused */
	make_root(b, bs, csum, 10, 3);
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == -EBADMSG_);
	CHECK(ext4_dx_node_open(b, bs, true, csum, 3, &n) == 0);
	make_root(b, bs, csum, 0, 0);
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == -EBADMSG_);
	make_root(b, bs, csum, limit + 1, 0);
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == -EBADMSG_);
	make_root(b, bs, !csum, 5, 0); /* the other limit */
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == -EBADMSG_);
	make_root(b, bs, csum, 5, 0);
	((struct ext4_dx_entry *)(b + EXT4_DX_ROOT_ENTRIES))[3].hash = 1; /* out of order */
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == -EBADMSG_);
	make_root(b, bs, csum, 5, 0);
	b[EXT4_DX_ROOT_INFO + 4] = 6; /* an unknown hash version */
	CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == -EBADMSG_);
	make_root(b, bs, csum, 5, 0);
	CHECK(ext4_dx_node_open(b, bs, false, csum, 2, &n) == -EBADMSG_); /* not a node */
	{ /* the root's entries 4..9 moved to a new node: a split */
		uint8_t *c = malloc(bs);
		struct ext4_dx_node m;

		make_root(b, bs, csum, 10, 0);
		CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == 0);
		ext4_dx_node_init(c, bs, csum, &m);
		CHECK(ext4_dx_node_move(&m, &n, 4) == 0x4000000);
		CHECK(n.count == 4 && m.count == 6 && ext4_dx_node_block(&m, 0) == 5 &&
		      ext4_dx_node_hash(&m, 1) == 0x5000000 && ext4_dx_node_block(&m, 5) == 10);
		CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == 0 && n.count == 4);
		CHECK(ext4_dx_node_open(c, bs, false, csum, 2, &m) == 0 && m.count == 6);
		/* all of them: what adding a level does to the root */
		ext4_dx_node_init(c, bs, csum, &m);
		CHECK(ext4_dx_node_move(&m, &n, 0) == 0 && m.count == 4 && n.count == 0);
		ext4_dx_node_reset(&n, 33);
		CHECK(ext4_dx_node_open(b, bs, true, csum, 2, &n) == 0 && n.count == 1 &&
		      ext4_dx_node_block(&n, 0) == 33);
		free(c);
	}
	free(b);
}

static void name_of(char *buf, unsigned i)
{
	/* lengths 1..60, some names sharing a hash is unlikely: collisions are made below */
	int len = sprintf(buf, "name-%u-", i);

	for (unsigned k = 0; k < i % 50; k++)
		buf[len++] = (char)('a' + k % 26);
	buf[len] = 0;
}

static void test_leaf(uint32_t bs, bool csum)
{
	uint8_t *b = malloc(bs), *up = malloc(bs);
	size_t scratch_size = EXT4_DX_SPLIT_SCRATCH(bs);
	void *scratch = malloc(scratch_size);
	char name[300];
	unsigned n = 0;
	uint32_t ino, bad, split, h, minor;
	int r;

	ext4_dx_leaf_init(b, bs, csum);
	if (csum) {
		ext4_dx_leaf_csum_set(b, bs, 99);
		CHECK(ext4_dx_leaf_csum_ok(b, bs, 99) && !ext4_dx_leaf_csum_ok(b, bs, 98));
	}
	for (;; n++) {
		name_of(name, n);
		r = ext4_dx_leaf_add(b, bs, csum, name, strlen(name), 1000 + n, 1 /* regular */);
		if (r)
			break;
	}
	CHECK(r == -ENOSPC_ && n > 10);
	if (csum) {
		ext4_dx_leaf_csum_set(b, bs, 99);
		CHECK(ext4_dx_leaf_csum_ok(b, bs, 99));
	}
	for (unsigned i = 0; i < n; i++) {
		name_of(name, i);
		CHECK(ext4_dx_leaf_find(b, bs, name, strlen(name), &ino, &bad) == 0 &&
		      ino == 1000 + i);
	}
	CHECK(ext4_dx_leaf_find(b, bs, "name-", 5, &ino, &bad) == -ENOENT_);
	CHECK(ext4_dx_leaf_split(b, up, bs, csum, EXT4_HASH_TEA, seed, scratch, scratch_size - 1,
				 &split) < 0);
	CHECK(ext4_dx_leaf_split(b, up, bs, csum, EXT4_HASH_TEA, seed, scratch, scratch_size,
				 &split) == 0);
	if (csum) {
		ext4_dx_leaf_csum_set(b, bs, 7);
		ext4_dx_leaf_csum_set(up, bs, 7);
		CHECK(ext4_dx_leaf_csum_ok(b, bs, 7) && ext4_dx_leaf_csum_ok(up, bs, 7));
	}
	{
		unsigned lower = 0, upper = 0, wrong = 0;

		for (unsigned i = 0; i < n; i++) {
			bool in_low, in_up;

			name_of(name, i);
			in_low = !ext4_dx_leaf_find(b, bs, name, strlen(name), &ino, &bad);
			in_up = !ext4_dx_leaf_find(up, bs, name, strlen(name), &ino, &bad);
			CHECK(ext4_hash(EXT4_HASH_TEA, seed, name, strlen(name), &h, &minor) == 0);
			lower += in_low;
			upper += in_up;
			if (in_low == in_up || (in_low && h >= split) ||
			    (in_up && h < (split & ~1u)))
				wrong++;
		}
		CHECK(lower + upper == n && wrong == 0 && lower > n / 4 && upper > n / 4);
	}
	/* room again in both halves */
	CHECK(ext4_dx_leaf_add(b, bs, csum, "x", 1, 5, 1) == 0);
	CHECK(ext4_dx_leaf_add(up, bs, csum, "y", 1, 6, 1) == 0);
	CHECK(ext4_dx_leaf_find(up, bs, "y", 1, &ino, &bad) == 0 && ino == 6);
	/* a corrupt entry: rec_len past the block */
	((struct ext4_dirent *)b)->rec_len = (uint16_t)(bs + 4);
	CHECK(ext4_dx_leaf_find(b, bs, "x", 1, &ino, &bad) == -5 && bad == 0);
	CHECK(ext4_dx_leaf_add(b, bs, csum, "z", 1, 5, 1) == -5);
	free(b);
	free(up);
	free(scratch);
}

/* Every name in a leaf of one hash: the split's hash says the run goes on (low bit). */
static void test_collisions(uint32_t bs)
{
	uint8_t *b = malloc(bs), *up = malloc(bs);
	size_t scratch_size = EXT4_DX_SPLIT_SCRATCH(bs);
	void *scratch = malloc(scratch_size);
	uint32_t split, h, minor;

	/* duplicates of one name stand for names that share a hash */
	ext4_dx_leaf_init(b, bs, true);
	for (unsigned i = 0; i < 200; i++)
		if (ext4_dx_leaf_add(b, bs, true, "same", 4, 10 + i, 1))
			break;
	CHECK(ext4_dx_leaf_split(b, up, bs, true, EXT4_HASH_HALF_MD4, seed, scratch, scratch_size,
				 &split) == 0);
	CHECK(ext4_hash(EXT4_HASH_HALF_MD4, seed, "same", 4, &h, &minor) == 0);
	CHECK(split == (h | 1));
	free(b);
	free(up);
	free(scratch);
}

int main(void)
{
	for (uint32_t bs = 1024; bs <= 4096; bs *= 2) {
		test_index(bs, false);
		test_index(bs, true);
		test_leaf(bs, false);
		test_leaf(bs, true);
		test_collisions(bs);
	}
	printf("%d/%d checks passed\n", checks - fails, checks);
	return fails != 0;
}
