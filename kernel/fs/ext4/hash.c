/* hash.c: ext4's directory hashes: legacy, half_md4 (MD4's compression function cut to three
 * rounds of eight steps) and tea (16 rounds of the Tiny Encryption Algorithm), as
 * Documentation/filesystems/ext4/directory.rst describes them. */
#include "fs/ext4/hash.h"
#include "lib/errno.h"

static const uint32_t default_seed[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };

/* A name's byte, as the hash reads it: sign-extended for the signed versions. */
static uint32_t byte_at(const char *name, size_t i, bool is_unsigned)
{
	uint8_t c = (uint8_t)name[i];

	return is_unsigned ? c : (uint32_t)(int32_t)(int8_t)c;
}

static uint32_t legacy(const char *name, size_t len, bool is_unsigned)
{
	uint32_t prev = 0x37abe8f9, cur = 0x12a3fe2d;

	for (size_t i = 0; i < len; i++) {
		uint32_t h = prev + (cur ^ (byte_at(name, i, is_unsigned) * 7152373u));

		if (h & 0x80000000u)
			h -= 0x7fffffff;
		prev = cur;
		cur = h;
	}
	return cur << 1;
}

/*
 * Fill words[0, n) from up to 4n bytes of name (len: what is left of it from here): four
 * bytes a word, the first one highest, shifted in over a pad made of len repeated in each
 * byte; words the name does not reach are the pad.
 */
static void pack(const char *name, size_t len, uint32_t *words, unsigned n, bool is_unsigned)
{
	uint32_t pad = (uint32_t)len * 0x01010101u;
	uint32_t w = pad;
	size_t take = MIN(len, (size_t)n * 4);
	unsigned filled = 0;

	for (size_t i = 0; i < take; i++) {
		w = (w << 8) + byte_at(name, i, is_unsigned);
		if (i % 4 == 3) {
			words[filled++] = w;
			w = pad;
		}
	}
	if (filled < n)
		words[filled++] = w; /* a partial word, or the pad when take was a multiple of 4 */
	while (filled < n)
		words[filled++] = pad;
}

static uint32_t rol(uint32_t x, unsigned s)
{
	return x << s | x >> (32 - s);
}

#define F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define G(x, y, z) (((x) & (y)) + (((x) ^ (y)) & (z)))
#define H(x, y, z) ((x) ^ (y) ^ (z))

/* The order MD4 reads the eight words in, and its shifts, per round. */
static const uint8_t md4_word[3][8] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7 },
	{ 1, 3, 5, 7, 0, 2, 4, 6 },
	{ 3, 7, 2, 6, 1, 5, 0, 4 },
};
static const uint8_t md4_shift[3][4] = { { 3, 7, 11, 19 }, { 3, 5, 9, 13 }, { 3, 9, 11, 15 } };
static const uint32_t md4_add[3] = { 0, 0x5a827999, 0x6ed9eba1 };

static void half_md4(uint32_t st[4], const uint32_t in[8])
{
	uint32_t v[4] = { st[0], st[1], st[2], st[3] };

	for (unsigned r = 0; r < 3; r++)
		for (unsigned s = 0; s < 8; s++) {
			/* steps rotate which of a, b, c, d is changed: a, d, c, b, a, ... */
			unsigned t = (4 - s % 4) % 4;
			uint32_t x = v[(t + 1) % 4], y = v[(t + 2) % 4], z = v[(t + 3) % 4];
			uint32_t f = r == 0 ? F(x, y, z) : r == 1 ? G(x, y, z) : H(x, y, z);

			v[t] = rol(v[t] + f + in[md4_word[r][s]] + md4_add[r], md4_shift[r][s % 4]);
		}
	for (unsigned i = 0; i < 4; i++)
		st[i] += v[i];
}

static void tea(uint32_t st[4], const uint32_t in[4])
{
	uint32_t x = st[0], y = st[1], sum = 0;

	for (unsigned i = 0; i < 16; i++) {
		sum += 0x9e3779b9;
		x += ((y << 4) + in[0]) ^ (y + sum) ^ ((y >> 5) + in[1]);
		y += ((x << 4) + in[2]) ^ (x + sum) ^ ((x >> 5) + in[3]);
	}
	st[0] += x;
	st[1] += y;
}

int ext4_hash(unsigned version, const uint32_t seed[4], const char *name, size_t len,
	      uint32_t *major, uint32_t *minor)
{
	bool is_unsigned = version >= EXT4_HASH_UNSIGNED;
	uint32_t st[4], in[8], h;

	if (version > EXT4_HASH_MAX)
		return -EINVAL;
	if (!seed || !(seed[0] | seed[1] | seed[2] | seed[3]))
		seed = default_seed;
	for (unsigned i = 0; i < 4; i++)
		st[i] = seed[i];
	*minor = 0;
	switch (version % EXT4_HASH_UNSIGNED) {
	case EXT4_HASH_LEGACY:
		h = legacy(name, len, is_unsigned);
		break;
	case EXT4_HASH_HALF_MD4: /* 32 bytes of the name at a time */
		for (size_t at = 0; at < len; at += 32) {
			pack(name + at, len - at, in, 8, is_unsigned);
			half_md4(st, in);
		}
		h = st[1];
		*minor = st[2];
		break;
	default: /* tea: 16 bytes at a time */
		for (size_t at = 0; at < len; at += 16) {
			pack(name + at, len - at, in, 4, is_unsigned);
			tea(st, in);
		}
		h = st[0];
		*minor = st[1];
		break;
	}
	h &= ~1u;
	*major = h == EXT4_HASH_EOF ? EXT4_HASH_EOF - 2 : h;
	return 0;
}
