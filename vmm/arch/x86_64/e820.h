/* e820.h: the guest's physical memory map, as both the zero page and PVH report it. */
#ifndef MOTE_VMM_ARCH_X86_64_E820_H
#define MOTE_VMM_ARCH_X86_64_E820_H

#include <stdint.h>

struct guest_mem;

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_MAX_ENTRIES 8

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/*
 * Fills MAP (E820_MAX_ENTRIES) with RAM below the EBDA, the reserved EBDA/ROM window, RAM
 * from 1 MiB to the MMIO hole and RAM above 4 GiB. Returns the number of entries.
 */
int e820_build(const struct guest_mem *mem, struct e820_entry *map);

#endif /* MOTE_VMM_ARCH_X86_64_E820_H */
