/* image.h: Mote images — a kernel command line plus a cpio newc root filesystem (docs/image-format.md). */
#ifndef MOTE_TOOLS_IMAGE_H
#define MOTE_TOOLS_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fileset;

#define IMAGE_FORMAT "mote-image"
#define IMAGE_VERSION 1
#define IMAGE_MANIFEST ".mote/image.json" /* the first file, after the .mote directories */
#define IMAGE_PAD_DIR ".mote/pad/"	  /* padding entries (".mote/pad/N") page-align ELF data */

/* What the manifest records; strings are owned by the struct. */
struct image_manifest {
	int version;
	char *cmdline; /* the kernel command line that runs the program */
	char *program; /* guest path of the program */
	char *created_by;
	unsigned vcpu_count; /* defaults for `mote run --image` */
	unsigned mem_size_mib;
};

/*
 * Writes fs as an image to path, atomically: a temporary file in the same directory is renamed
 * over path only once complete (and fsync'ed if durable). Files whose data is ELF start on a
 * 4 KiB boundary so that the kernel can map them in place. Fills hash with the image's
 * XXH3-128. Returns 0 or -errno with the reason in err.
 */
int image_write(const struct fileset *fs, const struct image_manifest *m, const char *path,
		bool durable, uint64_t hash[2], char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* An image mapped for reading. */
struct image {
	const uint8_t *data;
	size_t size;
	struct image_manifest manifest;
};

/* Maps path and parses its manifest; returns 0 or -errno with the reason in err. */
int image_open(const char *path, struct image *im, char *err, size_t errlen)
	__attribute__((warn_unused_result));
void image_close(struct image *im);
void image_manifest_free(struct image_manifest *m);
/* The manifest as JSON text (malloc'd), NULL when out of memory. */
char *image_manifest_json(const struct image_manifest *m);
/* Parse len bytes of JSON text into *m; 0 or -EINVAL with the reason in err. */
int image_manifest_parse(const char *text, size_t len, struct image_manifest *m, char *err,
			 size_t errlen) __attribute__((warn_unused_result));

#endif /* MOTE_TOOLS_IMAGE_H */
