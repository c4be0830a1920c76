/* initrd.h: the initial RAM disk, placed at the top of low guest RAM. */
#ifndef MOTE_VMM_BOOT_INITRD_H
#define MOTE_VMM_BOOT_INITRD_H

struct guest_mem;
struct kernel_image;
struct boot_blobs;

/*
 * Reads the file PATH into guest RAM, page-aligned, ending at or below the lower of the top
 * of low RAM and ki->initrd_max, above the kernel (ki->load_end). Records it in BLOBS.
 * 0, -EINVAL after logging (missing file, no room), or -errno.
 */
int initrd_load(const struct guest_mem *mem, const char *path, const struct kernel_image *ki,
		struct boot_blobs *blobs);

#endif /* MOTE_VMM_BOOT_INITRD_H */
