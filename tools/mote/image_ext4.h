/* image_ext4.h: Mote images as ext4 root file systems (`mote build --format ext4`): the same
 * files and manifest as the cpio form, in an image mkfs.ext4 makes, that a VMM attaches as the
 * root drive (root=/dev/vda) instead of an initrd. */
#ifndef MOTE_TOOLS_IMAGE_EXT4_H
#define MOTE_TOOLS_IMAGE_EXT4_H

#include <stdbool.h>
#include <stddef.h>

struct fileset;
struct image_manifest;

/*
 * Writes fs, the manifest (at /.mote/image.json) and the kernel's mount points (/dev, /proc,
 * /sys, /tmp) as an ext4 image at path, atomically (built in a temporary file renamed over
 * path when complete), through a staging directory beside path and Debian's mkfs.ext4 -d.
 * Its size: the files' with a quarter more and 24 MiB of room. 0 or -errno, reason in err.
 */
int image_ext4_write(const struct fileset *fs, const struct image_manifest *m, const char *path,
		     char *err, size_t errlen) __attribute__((warn_unused_result));

/* Whether path holds an ext4 (or ext2/3) file system: the superblock's magic. */
bool image_ext4_is(const char *path);

/* The manifest of the ext4 image at path (read with debugfs). 0 or -errno, reason in err. */
int image_ext4_manifest(const char *path, struct image_manifest *m, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
