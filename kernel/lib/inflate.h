/* inflate.h: a DEFLATE (RFC 1951) decoder: one raw stream from a buffer into a buffer.
 * Pure (no allocation, no kernel services): also host-tested. */
#ifndef MOTE_LIB_INFLATE_H
#define MOTE_LIB_INFLATE_H

#include "lib/types.h"

/*
 * Decoding tables: a first-level table indexed by the next LITLEN_BITS (DIST_BITS) input bits,
 * whose entries for longer codes point to second-level tables after it. The entry counts bound
 * what any valid code needs (see the comment at build() in inflate.c).
 */
#define INFLATE_LITLEN_BITS 10
#define INFLATE_DIST_BITS 8
#define INFLATE_LITLEN_ENTRIES (1024 + 1536)
#define INFLATE_DIST_ENTRIES (256 + 512)

/* The input side: a 64-bit buffer of the next bits, first bit lowest. */
struct inflate_bits {
	const uint8_t *next, *end; /* next input byte to load, end of input */
	uint64_t bits;		   /* the buffered bits */
	unsigned nbits;		   /* how many of them are valid */
	unsigned phantom; /* zero bytes fed in past end (only a truncated stream uses them) */
};

/* The decoder's state: about 14 KiB, so callers keep it off small stacks. */
struct inflate {
	struct inflate_bits in;
	uint8_t *out;		/* output buffer */
	size_t pos, cap;	/* bytes written, buffer size */
	const char *why;	/* what went wrong, for the caller's message */
	uint8_t lens[288 + 32]; /* code lengths of a dynamic block's two codes */
	uint16_t codes[288];	/* scratch for build(): each symbol's code */
	uint8_t sub_bits[1 << INFLATE_LITLEN_BITS]; /* scratch for build(): second-level sizes */
	uint32_t litlen[INFLATE_LITLEN_ENTRIES];
	uint32_t dist[INFLATE_DIST_ENTRIES];
};

/*
 * Decode the raw DEFLATE stream at in[0, inlen) into out[0, cap), using *s as the state.
 * Returns 0 once the final block is decoded, with *inused the bytes the stream took (up to and
 * including the byte holding its last bit) and *outlen the bytes written. Returns -EINVAL for
 * a corrupt or truncated stream, -ENOSPC when the output does not fit in cap (out[0, cap) may
 * have been written either way); s->why then names the problem. Never reads outside
 * in[0, inlen) nor writes outside out[0, cap).
 */
int inflate_run(struct inflate *s, const uint8_t *in, size_t inlen, size_t *inused, uint8_t *out,
		size_t cap, size_t *outlen) __must_check;

#endif /* MOTE_LIB_INFLATE_H */
