/* e820.c: the guest memory map (see e820.h). */
#include "arch/x86_64/e820.h"
#include "arch/x86_64/layout.h"
#include "kvm/memory.h"

int e820_build(const struct guest_mem *mem, struct e820_entry *map)
{
	int n = 0;

	map[n++] = (struct e820_entry){ 0, EBDA_START, E820_RAM };
	map[n++] = (struct e820_entry){ EBDA_START, SYSTEM_MEM_END - EBDA_START, E820_RESERVED };
	for (int i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];
		uint64_t start = r->gpa < HIMEM_START ? HIMEM_START : r->gpa;

		if (r->gpa + r->size > start)
			map[n++] = (struct e820_entry){ start, r->gpa + r->size - start, E820_RAM };
	}
	return n;
}
