/* pvh.c: hvm_start_info for PVH kernels (see pvh.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86_64/e820.h"
#include "arch/x86_64/layout.h"
#include "boot/boot.h"
#include "boot/pvh.h"
#include "kvm/memory.h"

#define HVM_START_MAGIC 0x336ec578u
#define HVM_START_VERSION 1

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info v1 is 56 bytes");
_Static_assert(PVH_INFO_ADDR + sizeof(struct hvm_start_info) <= PVH_MODLIST_ADDR,
	       "start info and module list overlap");

int pvh_write_start_info(const struct guest_mem *mem, const struct boot_blobs *blobs)
{
	struct e820_entry map[E820_MAX_ENTRIES];
	struct hvm_memmap_table_entry mm[E820_MAX_ENTRIES];
	struct hvm_start_info si = {
		.magic = HVM_START_MAGIC,
		.version = HVM_START_VERSION,
		.cmdline_paddr = blobs->cmdline_addr,
		.memmap_paddr = PVH_MEMMAP_ADDR,
	};
	int n = e820_build(mem, map);

	for (int i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_table_entry){ map[i].addr, map[i].size, map[i].type, 0 };
	si.memmap_entries = (uint32_t)n;
	if (mem_write(mem, PVH_MEMMAP_ADDR, mm, n * sizeof(mm[0])))
		return -EFAULT;
	if (blobs->initrd_size) {
		struct hvm_modlist_entry mod = { .paddr = blobs->initrd_addr,
						 .size = blobs->initrd_size };

		if (mem_write(mem, PVH_MODLIST_ADDR, &mod, sizeof(mod)))
			return -EFAULT;
		si.nr_modules = 1;
		si.modlist_paddr = PVH_MODLIST_ADDR;
	}
	return mem_write(mem, PVH_INFO_ADDR, &si, sizeof(si));
}
