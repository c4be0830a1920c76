/* gzip.h: gzip files (RFC 1952): members, each a header, a DEFLATE stream and a CRC-32/size
 * trailer. Pure (no allocation, no kernel services): also host-tested. */
#ifndef MOTE_LIB_GZIP_H
#define MOTE_LIB_GZIP_H

#include "lib/types.h"

struct inflate;

/* Does buf[0, size) start with the gzip magic (1f 8b)? */
bool gzip_is(const uint8_t *buf, size_t size);

/*
 * What the file's last 4 bytes claim the output size is: the last member's ISIZE (its size
 * mod 2^32), which is the whole output's for the usual single member with nothing after it.
 * Only a hint for sizing the output buffer: anything may be there. 0 if size < 4.
 */
uint32_t gzip_size_hint(const uint8_t *buf, size_t size);

/*
 * Decompress the gzip file in[0, inlen) into out[0, cap), with *s as scratch state: one or
 * more members back to back, with zero bytes (padding) allowed between and after them. Every
 * member's header, CRC-32 and ISIZE are checked. Returns 0 with *outlen the output size;
 * -EINVAL for a corrupt or truncated file, -ENOSPC if the output does not fit in cap; *why
 * then names the problem (a static string).
 */
int gzip_decompress(struct inflate *s, const uint8_t *in, size_t inlen, uint8_t *out, size_t cap,
		    size_t *outlen, const char **why) __must_check;

#endif /* MOTE_LIB_GZIP_H */
