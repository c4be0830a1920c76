/* cpio.h: the "newc" cpio format (cpio -H newc, Linux initramfs): a writer and a reader. */
#ifndef MOTE_TOOLS_CPIO_H
#define MOTE_TOOLS_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CPIO_TRAILER "TRAILER!!!"

/* A writer appends to a stdio stream and hashes everything it writes (XXH3-128). */
struct cpio_writer {
	FILE *out;
	uint64_t offset; /* bytes written so far */
	uint32_t next_ino;
	void *hash; /* XXH3_state_t */
	int error;  /* first write error (-errno), sticky */
};

struct cpio_meta {
	uint32_t mode; /* file type and permission bits, as st_mode */
	uint32_t uid, gid;
	uint32_t mtime;
};

int cpio_writer_init(struct cpio_writer *w, FILE *out) __attribute__((warn_unused_result));

/* Writes one entry's header and name. The caller then writes exactly `size` bytes of data. */
void cpio_write_header(struct cpio_writer *w, const char *name, const struct cpio_meta *m,
		       uint64_t size);
void cpio_write_data(struct cpio_writer *w, const void *buf, size_t len);
/* Pads the data just written to the format's 4-byte boundary. */
void cpio_end_data(struct cpio_writer *w, uint64_t size);

/* Offset the data of an entry named `name` would start at, if its header were written now. */
uint64_t cpio_data_offset(const struct cpio_writer *w, const char *name);

/* Writes the trailer; returns 0 or the first -errno; fills the 128-bit content hash. */
int cpio_writer_finish(struct cpio_writer *w, uint64_t hash[2]) __attribute__((warn_unused_result));

/* Frees the writer's state after a failure; the stream is left as it is. */
void cpio_writer_abort(struct cpio_writer *w);

/* One entry seen by the reader; name and data point into the archive's memory. */
struct cpio_entry {
	const char *name;
	uint32_t mode;
	uint32_t mtime;
	uint64_t size;
	const uint8_t *data;
	uint64_t data_offset;
};

/*
 * Walks an archive in memory, calling fn for each entry up to the trailer. Returns 0 if the
 * archive is well formed up to its trailer, -EINVAL (and stops) at the first malformed or
 * truncated entry, or the first non-zero value fn returns.
 */
int cpio_walk(const uint8_t *buf, size_t len, int (*fn)(const struct cpio_entry *e, void *arg),
	      void *arg);

#endif /* MOTE_TOOLS_CPIO_H */
