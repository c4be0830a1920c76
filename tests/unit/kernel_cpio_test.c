/* kernel_cpio_test.c: host unit test of the kernel's cpio newc reader (kernel/fs/cpio.c):
 * entries, names and data with their padding, the trailer, trailing zeros, and every kind of
 * malformed archive it must refuse. */
#include "fs/cpio.h"
#include "check.h"
#include "lib/string.h"

int sprintf(char *s, const char *fmt, ...);

static unsigned char ar[4096];
static size_t len;

/* Append one newc entry. */
static void add(const char *name, unsigned mode, unsigned mtime, const char *data, size_t n)
{
	size_t nl = strlen(name) + 1;

	len += (size_t)sprintf(
		(char *)ar + len, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 7u,
		mode, 0u, 0u, 1u, mtime, (unsigned)n, 0u, 0u, 0u, 0u, (unsigned)nl, 0u);
	memcpy(ar + len, name, nl);
	len += nl;
	while (len % 4)
		ar[len++] = 0;
	memcpy(ar + len, data, n);
	len += n;
	while (len % 4)
		ar[len++] = 0;
}

int main(void)
{
	struct cpio_entry e;
	size_t off = 0;

	add(".", 040755, 5, "", 0);
	add("bin/sh", 0100755, 77, "#!hello", 7);
	add("lib", 0120777, 0, "usr/lib", 7);
	add("TRAILER!!!", 0, 0, "", 0);
	len += 16; /* zero padding after the trailer, as cpio writes to a block size */

	CHECK(cpio_next(ar, len, &off, &e) == 1 && e.namelen == 1 && !strcmp(e.name, ".") &&
	      e.mode == 040755 && e.mtime == 5 && e.size == 0);
	CHECK(cpio_next(ar, len, &off, &e) == 1 && !strcmp(e.name, "bin/sh") && e.size == 7 &&
	      !memcmp(e.data, "#!hello", 7) && e.mode == 0100755 && e.nlink == 1 && e.ino == 7);
	CHECK(cpio_next(ar, len, &off, &e) == 1 && !strcmp(e.name, "lib") && e.size == 7 &&
	      !memcmp(e.data, "usr/lib", 7));
	CHECK(cpio_next(ar, len, &off, &e) == 0); /* the trailer */
	off = len - 16;
	CHECK(cpio_next(ar, len, &off, &e) == 0); /* only zeros left: a clean end */

	/* malformed: bad magic, non-hex field, name or data past the end, unterminated name */
	off = 0;
	ar[1] = '8';
	CHECK(cpio_next(ar, len, &off, &e) < 0);
	ar[1] = '7';
	ar[6 + 8] = 'g'; /* first digit of the mode field */
	off = 0;
	CHECK(cpio_next(ar, len, &off, &e) < 0);
	ar[6 + 8] = '0';
	off = 0;
	CHECK(cpio_next(ar, 120, &off, &e) == 1); /* "." fits in 120 bytes */
	off = 0;
	CHECK(cpio_next(ar, 100, &off, &e) < 0); /* header cut short */
	len = 0;
	add("big", 0100644, 0, "abcd", 4);
	memcpy(ar + 6 + 6 * 8, "00001000", 8); /* filesize 4096: past the end */
	off = 0;
	CHECK(cpio_next(ar, len, &off, &e) < 0);
	len = 0;
	add("name", 0100644, 0, "", 0);
	ar[110 + 4] = 'x'; /* the name's NUL overwritten */
	off = 0;
	CHECK(cpio_next(ar, len, &off, &e) < 0);
	return check_done();
}
