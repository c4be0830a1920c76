/* gzip.c: gzip members (RFC 1952) around the DEFLATE decoder: the header with its optional
 * fields, then the trailer's CRC-32 and ISIZE checked against what was decoded. */
#include "lib/gzip.h"
#include "lib/crc32.h"
#include "lib/errno.h"
#include "lib/inflate.h"

/* RFC 1952 2.3.1 */
#define FHCRC 0x02
#define FEXTRA 0x04
#define FNAME 0x08
#define FCOMMENT 0x10
#define FRESERVED 0xe0
#define CM_DEFLATE 8
#define HEADER 10 /* magic, CM, FLG, MTIME, XFL, OS */
#define TRAILER 8 /* CRC32, ISIZE */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool gzip_is(const uint8_t *buf, size_t size)
{
	return size >= 2 && buf[0] == 0x1f && buf[1] == 0x8b;
}

uint32_t gzip_size_hint(const uint8_t *buf, size_t size)
{
	return size >= 4 ? le32(buf + size - 4) : 0;
}

/* Skip a zero-terminated field of in[off, inlen); false if it runs off the end. */
static bool skip_string(const uint8_t *in, size_t inlen, size_t *off)
{
	while (*off < inlen)
		if (!in[(*off)++])
			return true;
	return false;
}

/* Parse the member header at in[0, inlen); its length in *len. Returns 0 or -EINVAL. */
static int header(const uint8_t *in, size_t inlen, size_t *len, const char **why)
{
	size_t off = HEADER;
	uint8_t flg;

	if (inlen < HEADER) {
		*why = "truncated header";
		return -EINVAL;
	}
	if (!gzip_is(in, inlen)) {
		*why = "not gzip data (bad magic)";
		return -EINVAL;
	}
	flg = in[3];
	if (in[2] != CM_DEFLATE || (flg & FRESERVED)) {
		*why = in[2] != CM_DEFLATE ? "unknown compression method"
					   : "reserved header flags set";
		return -EINVAL;
	}
	if (flg & FEXTRA) {
		if (inlen - off < 2 || inlen - off - 2 < (size_t)(in[off] | in[off + 1] << 8))
			goto truncated;
		off += 2 + (size_t)(in[off] | in[off + 1] << 8);
	}
	if ((flg & FNAME) && !skip_string(in, inlen, &off))
		goto truncated;
	if ((flg & FCOMMENT) && !skip_string(in, inlen, &off))
		goto truncated;
	if (flg & FHCRC) {
		if (inlen - off < 2)
			goto truncated;
		if ((crc32_update(0, in, off) & 0xffff) != (uint32_t)(in[off] | in[off + 1] << 8)) {
			*why = "bad header CRC";
			return -EINVAL;
		}
		off += 2;
	}
	*len = off;
	return 0;
truncated:
	*why = "truncated header";
	return -EINVAL;
}

int gzip_decompress(struct inflate *s, const uint8_t *in, size_t inlen, uint8_t *out, size_t cap,
		    size_t *outlen, const char **why)
{
	size_t off = 0, pos = 0;
	int r;

	do {
		size_t hlen, used, n;

		if (off && !gzip_is(in + off, inlen - off)) {
			*why = "data after the last member is not gzip";
			return -EINVAL;
		}
		r = header(in + off, inlen - off, &hlen, why);
		if (r)
			return r;
		off += hlen;
		r = inflate_run(s, in + off, inlen - off, &used, out + pos, cap - pos, &n);
		if (r) {
			*why = s->why;
			return r;
		}
		off += used;
		if (inlen - off < TRAILER) {
			*why = "truncated trailer";
			return -EINVAL;
		}
		if (crc32_update(0, out + pos, n) != le32(in + off)) {
			*why = "bad CRC-32 (corrupt data)";
			return -EINVAL;
		}
		if ((uint32_t)n != le32(in + off + 4)) {
			*why = "bad ISIZE (length does not match)";
			return -EINVAL;
		}
		off += TRAILER;
		pos += n;
		/* padding, as Linux initramfs allows between and after members */
		while (off < inlen && !in[off])
			off++;
	} while (off < inlen);
	*outlen = pos;
	return 0;
}
