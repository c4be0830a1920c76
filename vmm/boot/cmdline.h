/* cmdline.h: the kernel command line in guest memory. */
#ifndef MOTE_VMM_BOOT_CMDLINE_H
#define MOTE_VMM_BOOT_CMDLINE_H

#include <stdint.h>

struct guest_mem;
struct kernel_image;
struct boot_blobs;

/*
 * Writes ARGS, NUL-terminated, at CMDLINE_ADDR and records it in BLOBS. ARGS plus its NUL
 * must fit in ki->cmdline_max (the boot protocol's limit). 0, or -EINVAL after logging.
 */
int cmdline_write(const struct guest_mem *mem, const struct kernel_image *ki, const char *args,
		  struct boot_blobs *blobs);

#endif /* MOTE_VMM_BOOT_CMDLINE_H */
