/* linux.h: the Linux x86 boot protocol: bzImage loading and the zero page (boot_params). */
#ifndef MOTE_VMM_BOOT_LINUX_H
#define MOTE_VMM_BOOT_LINUX_H

#include <stdbool.h>
#include <stdint.h>

struct guest_mem;
struct kernel_image;
struct boot_blobs;

/* Whether the first bytes of a file (at least 0x206) carry a bzImage setup header. */
bool linux_is_bzimage(const uint8_t *head, uint64_t len);

/*
 * Loads the protected-mode part of the bzImage FD (SIZE bytes) and fills KI (entry at the
 * 64-bit entry point, the setup header for the zero page, the command line and initrd
 * limits it declares). Needs boot protocol 2.12+ with XLF_KERNEL_64. 0, -EINVAL after
 * logging what is wrong with ki->path, or -errno.
 */
int linux_load_bzimage(const struct guest_mem *mem, int fd, uint64_t size, struct kernel_image *ki);

/*
 * Writes the zero page at ZERO_PAGE_ADDR for KI: the image's setup header (bzImage) or a
 * built one (vmlinux), loader type, command line, initrd, e820 map. 0 or -EFAULT.
 */
int linux_write_zero_page(const struct guest_mem *mem, const struct kernel_image *ki,
			  const struct boot_blobs *blobs);

#endif /* MOTE_VMM_BOOT_LINUX_H */
