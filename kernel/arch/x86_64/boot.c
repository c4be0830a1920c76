/* boot.c: read the PVH start info or the Linux zero page into struct bootinfo. */
#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "core/panic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define HVM_START_MAGIC 0x336ec578

/* PVH (xen/include/public/arch-x86/hvm/start_info.h). */
struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

/* Linux boot_params offsets (Documentation/arch/x86/zero-page.rst, boot.rst). */
#define BP_ACPI_RSDP 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

struct bootinfo bootinfo;
extern uint64_t boot_tsc, boot_info_pa;
extern uint32_t boot_proto;

static void copy_cmdline(uint64_t pa)
{
	if (!pa)
		return;
	const char *s = P2V(pa);
	size_t n = strnlen(s, BOOT_CMDLINE_MAX - 1);

	memcpy(bootinfo.cmdline, s, n);
	bootinfo.cmdline[n] = 0;
}

static void add_mem(uint64_t addr, uint64_t size, uint32_t type)
{
	if (bootinfo.nmem < BOOT_MEMMAP_MAX)
		bootinfo.mem[bootinfo.nmem++] = (struct boot_mem){ addr, size, type };
}

static int parse_pvh(void)
{
	const struct hvm_start_info *si = P2V(boot_info_pa);

	if (si->magic != HVM_START_MAGIC)
		return -EINVAL;
	copy_cmdline(si->cmdline_paddr);
	bootinfo.rsdp_pa = si->rsdp_paddr;
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *m = P2V(si->modlist_paddr);

		bootinfo.initrd_pa = m->paddr;
		bootinfo.initrd_size = m->size;
	}
	if (si->version >= 1 && si->memmap_paddr) {
		const struct hvm_memmap_entry *e = P2V(si->memmap_paddr);

		for (uint32_t i = 0; i < si->memmap_entries; i++)
			add_mem(e[i].addr, e[i].size, e[i].type);
	}
	return bootinfo.nmem ? 0 : -EINVAL;
}

static int parse_linux(void)
{
	const uint8_t *bp = P2V(boot_info_pa);
	const struct e820_entry *e = (const void *)(bp + BP_E820_TABLE);
	uint32_t n = bp[BP_E820_ENTRIES];

	copy_cmdline(*(const uint32_t *)(bp + BP_CMD_LINE_PTR) |
		     (uint64_t) * (const uint32_t *)(bp + BP_EXT_CMD_LINE_PTR) << 32);
	bootinfo.initrd_pa = *(const uint32_t *)(bp + BP_RAMDISK_IMAGE) |
			     (uint64_t) * (const uint32_t *)(bp + BP_EXT_RAMDISK_IMAGE) << 32;
	bootinfo.initrd_size = *(const uint32_t *)(bp + BP_RAMDISK_SIZE) |
			       (uint64_t) * (const uint32_t *)(bp + BP_EXT_RAMDISK_SIZE) << 32;
	bootinfo.rsdp_pa = *(const uint64_t *)(bp + BP_ACPI_RSDP);
	for (uint32_t i = 0; i < n && i < BP_E820_MAX; i++)
		add_mem(e[i].addr, e[i].size, e[i].type);
	return bootinfo.nmem ? 0 : -EINVAL;
}

void boot_init(void)
{
	if (!boot_parse())
		return;
	printk(LOG_ERR, "mote: unrecognised boot information (protocol %u at %#lx)\n", boot_proto,
	       boot_info_pa);
	kernel_exit(EXIT_BOOT_FAIL);
}

int boot_parse(void)
{
	bootinfo.proto = boot_proto;
	bootinfo.tsc0 = boot_tsc;
	if (boot_proto == BOOT_PVH)
		return parse_pvh();
	if (boot_proto == BOOT_LINUX64)
		return parse_linux();
	return -EINVAL;
}
