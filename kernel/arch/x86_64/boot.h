/* boot.h: what the loader handed over (PVH hvm_start_info or Linux boot_params), copied out. */
#ifndef MOTE_ARCH_X86_64_BOOT_H
#define MOTE_ARCH_X86_64_BOOT_H

#include "lib/types.h"

#define BOOT_MEMMAP_MAX 64
#define BOOT_CMDLINE_MAX 2048
#define E820_RAM 1
#define E820_ACPI 3
#define E820_NVS 4

struct boot_mem {
	uint64_t addr, size;
	uint32_t type;
};

struct bootinfo {
	uint32_t proto; /* BOOT_PVH or BOOT_LINUX64 */
	uint64_t tsc0;	/* TSC at the first kernel instruction */
	char cmdline[BOOT_CMDLINE_MAX];
	uint64_t initrd_pa, initrd_size;
	uint64_t rsdp_pa; /* 0 if the loader did not say */
	uint32_t nmem;
	struct boot_mem mem[BOOT_MEMMAP_MAX];
};

extern struct bootinfo bootinfo;

/* Copy the boot information out of the loader's structures (they live in RAM the page
 * allocator will reuse). Returns 0, or -EINVAL if the structure is not recognised. */
int boot_parse(void) __must_check;
/* boot_parse, or end the VM with EXIT_BOOT_FAIL and a message. */
void boot_init(void);

#endif /* MOTE_ARCH_X86_64_BOOT_H */
