/* cpio.c: the cpio newc reader: a 110-byte header ("070701" then 13 fields of 8 hex digits),
 * the name padded to 4 bytes, the data padded to 4 bytes. */
#include "fs/cpio.h"
#include "lib/errno.h"
#include "lib/string.h"

#define HDR 110

static int hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int cpio_next(const uint8_t *buf, size_t size, size_t *off, struct cpio_entry *e)
{
	uint32_t f[13];
	size_t o = *off, name_at, data_at;

	/* Trailing zero padding after the last entry is a clean end too. */
	while (o < size && buf[o] == 0)
		o++;
	if (o >= size)
		return 0;
	if (size - o < HDR || memcmp(buf + o, "070701", 6))
		return -EINVAL;
	for (int i = 0; i < 13; i++)
		if (hex8(buf + o + 6 + 8 * i, &f[i]))
			return -EINVAL;
	/* f: ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin namesize check */
	name_at = o + HDR;
	if (f[11] == 0 || f[11] > size - name_at || buf[name_at + f[11] - 1] != 0)
		return -EINVAL;
	data_at = ALIGN_UP(name_at + f[11], 4);
	if (data_at > size || f[6] > size - data_at)
		return -EINVAL;
	e->name = (const char *)buf + name_at;
	e->namelen = f[11] - 1;
	e->data = buf + data_at;
	e->size = f[6];
	e->ino = f[0];
	e->mode = f[1];
	e->uid = f[2];
	e->gid = f[3];
	e->nlink = f[4];
	e->mtime = f[5];
	e->rdevmajor = f[9];
	e->rdevminor = f[10];
	*off = ALIGN_UP(data_at + f[6], 4);
	if (e->namelen == 10 && !memcmp(e->name, "TRAILER!!!", 10))
		return 0;
	return 1;
}
