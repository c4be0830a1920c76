/* cpio.c: writing and walking "newc" cpio archives (magic 070701, hex fields, 4-byte padding). */
#include "cpio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define NEWC_MAGIC "070701"
#define HEADER_LEN 110 /* 6 magic + 13 fields of 8 hex digits */

static uint64_t pad4(uint64_t n)
{
	return (4 - (n & 3)) & 3;
}

int cpio_writer_init(struct cpio_writer *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->next_ino = 1;
	w->hash = XXH3_createState();
	if (!w->hash)
		return -ENOMEM;
	XXH3_128bits_reset(w->hash);
	return 0;
}

static void emit(struct cpio_writer *w, const void *buf, size_t len)
{
	if (w->error || len == 0)
		return;
	if (fwrite(buf, 1, len, w->out) != len) {
		w->error = errno ? -errno : -EIO;
		return;
	}
	XXH3_128bits_update(w->hash, buf, len);
	w->offset += len;
}

static void emit_zeros(struct cpio_writer *w, uint64_t n)
{
	static const char zeros[4096];

	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

		emit(w, zeros, k);
		n -= k;
	}
}

uint64_t cpio_data_offset(const struct cpio_writer *w, const char *name)
{
	uint64_t n = HEADER_LEN + strlen(name) + 1;

	return w->offset + n + pad4(w->offset + n);
}

void cpio_write_header(struct cpio_writer *w, const char *name, const struct cpio_meta *m,
		       uint64_t size)
{
	char hdr[HEADER_LEN + 1];
	size_t namesize = strlen(name) + 1;
	int is_dir = (m->mode & 0170000) == 0040000;

	if (size > 0xffffffffu) {
		w->error = w->error ? w->error : -EFBIG; /* newc sizes are 32-bit */
		return;
	}
	snprintf(hdr, sizeof(hdr), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 NEWC_MAGIC, w->next_ino++, m->mode, m->uid, m->gid, is_dir ? 2 : 1, m->mtime,
		 (unsigned)size, 0, 0, 0, 0, (unsigned)namesize, 0);
	emit(w, hdr, HEADER_LEN);
	emit(w, name, namesize);
	emit_zeros(w, pad4(w->offset));
}

void cpio_write_data(struct cpio_writer *w, const void *buf, size_t len)
{
	emit(w, buf, len);
}

void cpio_end_data(struct cpio_writer *w, uint64_t size)
{
	(void)size;
	emit_zeros(w, pad4(w->offset));
}

int cpio_writer_finish(struct cpio_writer *w, uint64_t hash[2])
{
	struct cpio_meta m = { 0 };
	XXH128_hash_t h;

	cpio_write_header(w, CPIO_TRAILER, &m, 0);
	if (fflush(w->out) != 0 && !w->error)
		w->error = -errno;
	h = XXH3_128bits_digest(w->hash);
	hash[0] = h.high64;
	hash[1] = h.low64;
	XXH3_freeState(w->hash);
	w->hash = NULL;
	return w->error;
}

void cpio_writer_abort(struct cpio_writer *w)
{
	XXH3_freeState(w->hash);
	w->hash = NULL;
}

static int hex_field(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

int cpio_walk(const uint8_t *buf, size_t len, int (*fn)(const struct cpio_entry *e, void *arg),
	      void *arg)
{
	uint64_t off = 0;

	for (;;) {
		uint32_t f[13];
		struct cpio_entry e;
		uint64_t name_off, data_off;
		int ret;

		if (len - off < HEADER_LEN || memcmp(buf + off, NEWC_MAGIC, 6) != 0)
			return -EINVAL;
		for (int i = 0; i < 13; i++)
			if (hex_field(buf + off + 6 + 8 * i, &f[i]) < 0)
				return -EINVAL;
		/* f: ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor
		 * namesize check */
		name_off = off + HEADER_LEN;
		if (f[11] == 0 || f[11] > len - name_off || buf[name_off + f[11] - 1] != '\0')
			return -EINVAL;
		data_off = name_off + f[11];
		data_off += pad4(data_off);
		if (data_off > len || f[6] > len - data_off)
			return -EINVAL;
		e.name = (const char *)buf + name_off;
		if (!strcmp(e.name, CPIO_TRAILER))
			return 0;
		e.mode = f[1];
		e.mtime = f[5];
		e.size = f[6];
		e.data = buf + data_off;
		e.data_offset = data_off;
		ret = fn(&e, arg);
		if (ret)
			return ret;
		off = data_off + f[6];
		off += pad4(off);
		if (off > len)
			return -EINVAL;
	}
}
