/* inflate.c: the DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
 * Huffman codes decode through lookup tables (one lookup for most symbols, two for codes longer
 * than the first level), input comes 8 bytes at a time into a 64-bit bit buffer, and matches
 * copy 8 bytes at a time. Hostile input is expected: bits past the end of the input read as
 * zeros but are counted and refused, code lengths must form a complete prefix code, and every
 * symbol, back-reference and output byte is checked against its bounds. x86-64 only (unaligned
 * little-endian 64-bit loads). */
#include "lib/inflate.h"
#include "lib/errno.h"
#include "lib/string.h"

/*
 * A table entry: bits 0-3 the code length, 4-7 the extra bits that follow the code (a length's
 * or a distance's; for a LINK the index width of its second-level table), 8-15 the kind,
 * 16-31 the value (a literal, a base length or distance, a LINK's table offset). The zero entry
 * is BAD: the slots an incomplete code leaves unused decode to it.
 */
enum kind { BAD, LIT, BASE, END, LINK };
#define ENTRY(kind, extra, value) \
	((uint32_t)(value) << 16 | (uint32_t)(kind) << 8 | (uint32_t)(extra) << 4)
#define E_LEN(e) ((e)&0xf)
#define E_EXTRA(e) (((e) >> 4) & 0xf)
#define E_KIND(e) (((e) >> 8) & 0xff)
#define E_VAL(e) ((e) >> 16)

#define LBITS INFLATE_LITLEN_BITS
#define DBITS INFLATE_DIST_BITS
#define CLEN_BITS 7 /* code-length codes are at most 7 bits: a first level alone */

/* RFC 1951 3.2.5: lengths 3..258 (symbols 257..285) and distances 1..32768 (symbols 0..29). */
static const uint16_t len_base[29] = { 3,  4,  5,  6,	7,   8,	  9,   10,  11, 13,
				       15, 17, 19, 23,	27,  31,  35,  43,  51, 59,
				       67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
				       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = { 1,    2,    3,	  4,	 5,	7,    9,    13,
					17,   25,   33,	  49,	 65,	97,   129,  193,
					257,  385,  513,  769,	 1025,	1537, 2049, 3073,
					4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2,	 3,  3,	 4,  4,	 5,  5,	 6,
					6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
/* RFC 1951 3.2.7: the order in which a dynamic block lists the code-length code's lengths. */
static const uint8_t clen_order[19] = { 16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
					11, 4,	12, 3, 13, 2, 14, 1, 15 };

enum alphabet { CLEN, LITLEN, DIST };

static int fail(struct inflate *s, int err, const char *why)
{
	s->why = why;
	return err;
}

/* ---- input bits ---- */

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline void store64(uint8_t *p, uint64_t v)
{
	__builtin_memcpy(p, &v, 8);
}

/* Near the end of the input: a byte at a time, then zero bytes (counted). Returns -1 once a
 * bit past the end has been used (a phantom byte is no longer wholly in the buffer). */
static int refill_slow(struct inflate_bits *b)
{
	while (b->nbits < 56) {
		if (b->next < b->end)
			b->bits |= (uint64_t)*b->next++ << b->nbits;
		else
			b->phantom++;
		b->nbits += 8;
	}
	return b->phantom * 8 > b->nbits ? -1 : 0;
}

/*
 * Top the buffer up to at least 56 bits (enough for a length and a distance with their extra
 * bits: 15 + 5 + 15 + 13). The fast path loads 8 bytes and keeps the whole ones that fit;
 * the bits of a partly kept byte land where that byte will be loaded again, with the same
 * values, so OR-ing it in twice is harmless.
 */
static inline int refill(struct inflate_bits *b)
{
	if (likely(b->end - b->next >= 8)) {
		b->bits |= load64(b->next) << b->nbits;
		b->next += (63 - b->nbits) >> 3;
		b->nbits |= 56;
		return 0;
	}
	return refill_slow(b);
}

/* Take n bits (n <= nbits, which the caller's refill ensured). */
static inline uint32_t take(struct inflate_bits *b, unsigned n)
{
	uint32_t v = (uint32_t)(b->bits & ((1UL << n) - 1));

	b->bits >>= n;
	b->nbits -= n;
	return v;
}

/* Go back to a byte boundary and hand the whole bytes still buffered back to the input.
 * Returns -1 if bits past the end were used. */
static int align_to_byte(struct inflate_bits *b)
{
	take(b, b->nbits & 7);
	if (b->phantom * 8 > b->nbits)
		return -1;
	b->next -= b->nbits / 8 - b->phantom;
	b->bits = 0;
	b->nbits = 0;
	b->phantom = 0;
	return 0;
}

/* ---- Huffman tables ---- */

static uint32_t sym_entry(enum alphabet a, unsigned sym)
{
	switch (a) {
	case CLEN:
		return ENTRY(LIT, 0, sym);
	case LITLEN:
		if (sym < 256)
			return ENTRY(LIT, 0, sym);
		if (sym == 256)
			return ENTRY(END, 0, 0);
		if (sym < 286)
			return ENTRY(BASE, len_extra[sym - 257], len_base[sym - 257]);
		return ENTRY(BAD, 0, 0); /* 286, 287: part of the fixed code, never valid */
	case DIST:
		if (sym < 30)
			return ENTRY(BASE, dist_extra[sym], dist_base[sym]);
		return ENTRY(BAD, 0, 0); /* 30, 31: likewise */
	}
	return ENTRY(BAD, 0, 0);
}

static unsigned reverse(unsigned code, unsigned len)
{
	unsigned r = 0;

	while (len--) {
		r = r << 1 | (code & 1);
		code >>= 1;
	}
	return r;
}

/*
 * Build the table of the canonical Huffman code (RFC 1951 3.2.2) in which symbol i of n has
 * code length lens[i] (0: unused). Codes are sent first bit first, so a table index is a code
 * bit-reversed. The first level has 2^bits entries; codes longer than that go to a second-level
 * table per first-level slot, of 2^k entries for the longest such code (bits + k long).
 *
 * Size bound: a complete subtree k levels deep holds at least k + 1 codes, and 2^k / (k + 1)
 * grows with k, so the worst case is the deepest second-level tables: for literals/lengths
 * (k <= 5, at most 288 codes) 48 tables of 32 entries, 1536; for distances (k <= 7, at most
 * 30 codes) 3 of 128 and one of 32, 416. cap is checked anyway.
 *
 * The code must be complete (no bit pattern unused) and not over-subscribed, except that
 * RFC 1951 allows a single code of length 1 (and no distance codes at all, for a block of
 * literals only). Returns 0, or -1 if the lengths do not form such a code.
 */
static int build(struct inflate *s, uint32_t *table, unsigned cap, unsigned bits,
		 const uint8_t *lens, unsigned n, enum alphabet a)
{
	unsigned count[16] = { 0 }, next[16], total = 0, size = 1U << bits, used = size;
	int left = 1;

	for (unsigned i = 0; i < n; i++)
		count[lens[i]]++;
	for (unsigned len = 1; len <= 15; len++) {
		left = left * 2 - (int)count[len];
		if (left < 0)
			return -1; /* over-subscribed */
		total += count[len];
	}
	if (left > 0 && !(a != CLEN && total == 1 && count[1] == 1) && !(a == DIST && total == 0))
		return -1; /* incomplete */

	next[1] = 0;
	for (unsigned len = 1; len < 15; len++)
		next[len + 1] = (next[len] + count[len]) << 1;
	memset(s->sub_bits, 0, size);
	for (unsigned i = 0; i < n; i++) {
		if (!lens[i])
			continue;
		s->codes[i] = (uint16_t)next[lens[i]]++;
		if (lens[i] > bits) {
			unsigned slot = reverse(s->codes[i], lens[i]) & (size - 1);

			s->sub_bits[slot] = (uint8_t)MAX(s->sub_bits[slot], lens[i] - bits);
		}
	}
	for (unsigned slot = 0; slot < size; slot++)
		if (s->sub_bits[slot])
			used += 1U << s->sub_bits[slot];
	if (used > cap)
		return -1;
	memset(table, 0, used * sizeof(*table));
	used = size;
	for (unsigned slot = 0; slot < size; slot++) {
		if (s->sub_bits[slot]) {
			table[slot] = ENTRY(LINK, s->sub_bits[slot], used);
			used += 1U << s->sub_bits[slot];
		}
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned len = lens[i], rev;
		uint32_t e;

		if (!len)
			continue;
		e = sym_entry(a, i) | len;
		rev = reverse(s->codes[i], len);
		if (len <= bits) {
			for (unsigned j = rev; j < size; j += 1U << len)
				table[j] = e;
		} else {
			uint32_t link = table[rev & (size - 1)];
			unsigned k = E_EXTRA(link);

			for (unsigned j = rev >> bits; j < 1U << k; j += 1U << (len - bits))
				table[E_VAL(link) + j] = e;
		}
	}
	return 0;
}

/* The entry the next bits b decode to (a second lookup for long codes); not yet consumed. */
static inline uint32_t decode(const uint32_t *table, unsigned bits, uint64_t b)
{
	uint32_t e = table[b & ((1U << bits) - 1)];

	if (E_KIND(e) == LINK)
		e = table[E_VAL(e) + ((b >> bits) & ((1U << E_EXTRA(e)) - 1))];
	return e;
}

/* RFC 1951 3.2.6: the fixed codes. */
static int fixed_tables(struct inflate *s)
{
	unsigned i = 0;

	while (i < 144)
		s->lens[i++] = 8;
	while (i < 256)
		s->lens[i++] = 9;
	while (i < 280)
		s->lens[i++] = 7;
	while (i < 288)
		s->lens[i++] = 8;
	while (i < 288 + 32)
		s->lens[i++] = 5;
	if (build(s, s->litlen, INFLATE_LITLEN_ENTRIES, LBITS, s->lens, 288, LITLEN) ||
	    build(s, s->dist, INFLATE_DIST_ENTRIES, DBITS, s->lens + 288, 32, DIST))
		return fail(s, -EINVAL, "cannot build the fixed codes"); /* cannot happen */
	return 0;
}

/* RFC 1951 3.2.7: a dynamic block's header: the code-length code, then the code lengths of
 * the literal/length and distance codes, run-length coded with it. */
static int dynamic_tables(struct inflate *s)
{
	struct inflate_bits *b = &s->in;
	unsigned hlit, hdist, hclen, n, i;
	uint8_t clens[19] = { 0 };

	if (refill(b))
		return fail(s, -EINVAL, "truncated");
	hlit = take(b, 5) + 257;
	hdist = take(b, 5) + 1;
	hclen = take(b, 4) + 4;
	if (hlit > 286 || hdist > 30)
		return fail(s, -EINVAL, "too many length or distance symbols");
	for (i = 0; i < hclen; i++) {
		if (refill(b))
			return fail(s, -EINVAL, "truncated");
		clens[clen_order[i]] = (uint8_t)take(b, 3);
	}
	/* the code-length code's table lives in litlen until the real one replaces it */
	if (build(s, s->litlen, INFLATE_LITLEN_ENTRIES, CLEN_BITS, clens, 19, CLEN))
		return fail(s, -EINVAL, "bad code-length code");
	n = hlit + hdist;
	for (i = 0; i < n;) {
		uint32_t e;
		unsigned sym, rep, val;

		if (refill(b))
			return fail(s, -EINVAL, "truncated");
		e = s->litlen[b->bits & ((1U << CLEN_BITS) - 1)];
		take(b, E_LEN(e));
		sym = E_VAL(e);
		if (sym < 16) {
			s->lens[i++] = (uint8_t)sym;
			continue;
		}
		if (sym == 16) { /* repeat the previous length 3..6 times */
			if (!i)
				return fail(s, -EINVAL,
					    "code-length repeat with nothing to repeat");
			val = s->lens[i - 1];
			rep = 3 + take(b, 2);
		} else if (sym == 17) { /* 3..10 zeros */
			val = 0;
			rep = 3 + take(b, 3);
		} else { /* 18: 11..138 zeros */
			val = 0;
			rep = 11 + take(b, 7);
		}
		if (rep > n - i)
			return fail(s, -EINVAL, "code lengths run past the last symbol");
		memset(s->lens + i, (int)val, rep);
		i += rep;
	}
	if (!s->lens[256])
		return fail(s, -EINVAL, "no end-of-block code");
	if (build(s, s->litlen, INFLATE_LITLEN_ENTRIES, LBITS, s->lens, hlit, LITLEN))
		return fail(s, -EINVAL, "bad literal/length code");
	if (build(s, s->dist, INFLATE_DIST_ENTRIES, DBITS, s->lens + hlit, hdist, DIST))
		return fail(s, -EINVAL, "bad distance code");
	return 0;
}

/* ---- blocks ---- */

/* RFC 1951 3.2.4: a stored block: LEN, its complement NLEN, LEN raw bytes. */
static int stored_block(struct inflate *s)
{
	struct inflate_bits *b = &s->in;
	unsigned len, nlen;

	if (align_to_byte(b) || b->end - b->next < 4)
		return fail(s, -EINVAL, "truncated");
	len = b->next[0] | (unsigned)b->next[1] << 8;
	nlen = b->next[2] | (unsigned)b->next[3] << 8;
	b->next += 4;
	if (len != (~nlen & 0xffff))
		return fail(s, -EINVAL, "stored block length does not match its complement");
	if ((size_t)(b->end - b->next) < len)
		return fail(s, -EINVAL, "truncated");
	if (len > s->cap - s->pos)
		return fail(s, -ENOSPC, "output larger than the buffer");
	memcpy(s->out + s->pos, b->next, len);
	s->pos += len;
	b->next += len;
	return 0;
}

/* Copy len bytes from dist back (dist <= what was written; len <= room, the space left). */
static inline void copy_match(uint8_t *dst, size_t dist, size_t len, size_t room)
{
	const uint8_t *src = dst - dist;

	if (dist >= 8 && room >= len + 8) {
		/* 8 bytes at a time, overshooting into the room after len: each chunk reads bytes
		 * at least 8 before those it writes, so earlier chunks are already in place */
		for (size_t i = 0; i < len; i += 8)
			store64(dst + i, load64(src + i));
	} else if (dist == 1 && room >= len + 8) {
		uint64_t v = src[0] * 0x0101010101010101UL;

		for (size_t i = 0; i < len; i += 8)
			store64(dst + i, v);
	} else {
		for (size_t i = 0; i < len; i++)
			dst[i] = src[i];
	}
}

/* The symbols of a fixed or dynamic block, up to its end-of-block code. The hot loop: the
 * state lives in locals (out's stores could alias s's fields). */
static int codes_block(struct inflate *s)
{
	struct inflate_bits b = s->in;
	const uint32_t *lt = s->litlen, *dt = s->dist;
	uint8_t *out = s->out;
	size_t pos = s->pos, cap = s->cap;
	const char *why = NULL;
	int err = 0;

	for (;;) {
		uint32_t e, len, dist;

		if (unlikely(refill(&b))) {
			why = "truncated";
			break;
		}
		e = decode(lt, LBITS, b.bits);
		take(&b, E_LEN(e));
		if (likely(E_KIND(e) == LIT)) {
			if (unlikely(pos == cap)) {
				err = -ENOSPC;
				break;
			}
			out[pos++] = (uint8_t)E_VAL(e);
			continue;
		}
		if (E_KIND(e) == END)
			break;
		if (unlikely(E_KIND(e) != BASE)) {
			why = "invalid literal/length symbol";
			break;
		}
		len = E_VAL(e) + take(&b, E_EXTRA(e));
		e = decode(dt, DBITS, b.bits);
		take(&b, E_LEN(e));
		if (unlikely(E_KIND(e) != BASE)) {
			why = "invalid distance symbol";
			break;
		}
		dist = E_VAL(e) + take(&b, E_EXTRA(e));
		if (unlikely(dist > pos)) {
			why = "distance too far back";
			break;
		}
		if (unlikely(len > cap - pos)) {
			err = -ENOSPC;
			break;
		}
		copy_match(out + pos, dist, len, cap - pos);
		pos += len;
	}
	s->in = b;
	s->pos = pos;
	if (err)
		return fail(s, err, "output larger than the buffer");
	return why ? fail(s, -EINVAL, why) : 0;
}

int inflate_run(struct inflate *s, const uint8_t *in, size_t inlen, size_t *inused, uint8_t *out,
		size_t cap, size_t *outlen)
{
	struct inflate_bits *b = &s->in;
	unsigned final;
	int r;

	*b = (struct inflate_bits){ .next = in, .end = in + inlen };
	s->out = out;
	s->pos = 0;
	s->cap = cap;
	s->why = NULL;
	do {
		if (refill(b))
			return fail(s, -EINVAL, "truncated");
		final = take(b, 1);
		switch (take(b, 2)) {
		case 0:
			r = stored_block(s);
			break;
		case 1:
			r = fixed_tables(s);
			if (!r)
				r = codes_block(s);
			break;
		case 2:
			r = dynamic_tables(s);
			if (!r)
				r = codes_block(s);
			break;
		default:
			r = fail(s, -EINVAL, "reserved block type");
		}
		if (r)
			return r;
	} while (!final);
	if (align_to_byte(b))
		return fail(s, -EINVAL, "truncated");
	*inused = (size_t)(b->next - in);
	*outlen = s->pos;
	return 0;
}
