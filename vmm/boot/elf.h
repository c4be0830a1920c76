/* elf.h: ELF kernel loader, with the PVH entry note. */
#ifndef MOTE_VMM_BOOT_ELF_H
#define MOTE_VMM_BOOT_ELF_H

#include <stdbool.h>
#include <stdint.h>

struct guest_mem;
struct kernel_image;

/* Whether the first bytes of a file (at least 4) are the ELF magic. */
bool elf_is_elf(const uint8_t *head, uint64_t len);

/*
 * Loads the PT_LOAD segments of the ELF file FD (SIZE bytes) at their physical addresses
 * (all at or above 1 MiB, inside RAM) and fills KI: format KERNEL_ELF_PVH with the PVH
 * note's entry if there is one, else KERNEL_ELF_LINUX with e_entry. 0, or -EINVAL after
 * logging what is wrong with ki->path, or -errno on a read error.
 */
int elf_load(const struct guest_mem *mem, int fd, uint64_t size, struct kernel_image *ki);

#endif /* MOTE_VMM_BOOT_ELF_H */
