/* cpio.h: a reader of cpio "newc" archives (the initrd format). Pure: also host-tested. */
#ifndef MOTE_FS_CPIO_H
#define MOTE_FS_CPIO_H

#include "lib/types.h"

struct cpio_entry {
	const char *name; /* NUL-terminated, inside the archive */
	size_t namelen;	  /* without the NUL */
	const uint8_t *data;
	uint64_t size;
	uint32_t mode, uid, gid, nlink;
	uint32_t ino;
	int64_t mtime;
	uint32_t rdevmajor, rdevminor;
};

/*
 * Read the entry at *off of the archive buf[0, size) and advance *off past it.
 * Returns 1 for an entry, 0 at the TRAILER!!! (or a clean end of data), or -EINVAL for a
 * malformed archive (bad magic, a field that is not hex, a name or data past the end).
 */
int cpio_next(const uint8_t *buf, size_t size, size_t *off, struct cpio_entry *e) __must_check;

#endif /* MOTE_FS_CPIO_H */
