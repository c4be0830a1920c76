/* linux.c: Linux x86 boot protocol: bzImage and the zero page (see linux.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arch/x86_64/e820.h"
#include "arch/x86_64/layout.h"
#include "boot/boot.h"
#include "boot/linux.h"
#include "kvm/memory.h"
#include "log.h"

#define SETUP_HDR_OFFSET 0x1f1
#define HDRS_MAGIC 0x53726448u /* "HdrS" */
#define BOOT_FLAG 0xaa55
#define MIN_PROTOCOL 0x020c /* 2.12: xloadflags, 64-bit entry */
#define XLF_KERNEL_64 (1u << 0)
#define LOADED_HIGH (1u << 0)
#define LOADER_UNDEFINED 0xff
#define KERNEL_64_ENTRY 0x200

/* Documentation/arch/x86/boot.rst, "The real-mode kernel header". */
struct setup_header {
	uint8_t setup_sects;
	uint16_t root_flags;
	uint32_t syssize;
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag;
	uint16_t jump;
	uint32_t header;
	uint16_t version;
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version;
	uint8_t type_of_loader;
	uint8_t loadflags;
	uint16_t setup_move_size;
	uint32_t code32_start;
	uint32_t ramdisk_image;
	uint32_t ramdisk_size;
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr;
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t relocatable_kernel;
	uint8_t min_alignment;
	uint16_t xloadflags;
	uint32_t cmdline_size;
	uint32_t hardware_subarch;
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;
	uint64_t pref_address;
	uint32_t init_size;
	uint32_t handover_offset;
	uint32_t kernel_info_offset;
} __attribute__((packed));

/* Documentation/arch/x86/zero-page.rst; only the fields motevm fills are named. */
struct boot_params {
	uint8_t pad0[0x70];
	uint64_t acpi_rsdp_addr; /* 0x070 */
	uint8_t pad1[0xc0 - 0x78];
	uint32_t ext_ramdisk_image; /* 0x0c0 */
	uint32_t ext_ramdisk_size;  /* 0x0c4 */
	uint32_t ext_cmd_line_ptr;  /* 0x0c8 */
	uint8_t pad2[0x1e8 - 0xcc];
	uint8_t e820_entries; /* 0x1e8 */
	uint8_t pad3[SETUP_HDR_OFFSET - 0x1e9];
	struct setup_header hdr; /* 0x1f1 */
	uint8_t pad4[0x2d0 - SETUP_HDR_OFFSET - sizeof(struct setup_header)];
	struct {
		uint64_t addr;
		uint64_t size;
		uint32_t type;
	} __attribute__((packed)) e820_table[128]; /* 0x2d0 */
	uint8_t pad5[0x1000 - 0x2d0 - 128 * 20];
} __attribute__((packed));

_Static_assert(offsetof(struct setup_header, jump) == 0x200 - SETUP_HDR_OFFSET, "hdr.jump");
_Static_assert(offsetof(struct setup_header, cmdline_size) == 0x238 - SETUP_HDR_OFFSET,
	       "hdr.cmdline_size");
_Static_assert(offsetof(struct setup_header, kernel_info_offset) == 0x268 - SETUP_HDR_OFFSET,
	       "hdr.kernel_info_offset");
_Static_assert(offsetof(struct boot_params, hdr) == SETUP_HDR_OFFSET, "boot_params.hdr");
_Static_assert(offsetof(struct boot_params, e820_table) == 0x2d0, "boot_params.e820_table");
_Static_assert(sizeof(struct boot_params) == 0x1000, "boot_params is one page");

bool linux_is_bzimage(const uint8_t *head, uint64_t len)
{
	uint32_t magic;

	if (len < 0x206)
		return false;
	memcpy(&magic, head + 0x202, 4);
	return magic == HDRS_MAGIC;
}

static int bad(const struct kernel_image *ki, const char *what)
{
	log_err("kernel image %s: %s", ki->path, what);
	return -EINVAL;
}

int linux_load_bzimage(const struct guest_mem *mem, int fd, uint64_t size, struct kernel_image *ki)
{
	uint8_t head[0x1000] = { 0 };
	struct setup_header h;
	uint64_t setup_size, kernel_size, load;
	uint32_t hdr_len;
	void *dst;
	int r;

	r = boot_read(fd, head, size < sizeof(head) ? size : sizeof(head), 0);
	if (r)
		return r;
	memcpy(&h, head + SETUP_HDR_OFFSET, sizeof(h));
	if (h.boot_flag != BOOT_FLAG)
		return bad(ki, "bzImage boot flag is not 0xaa55");
	if (h.version < MIN_PROTOCOL) {
		log_err("kernel image %s: boot protocol %u.%02u is too old (2.12 or later needed)",
			ki->path, h.version >> 8, h.version & 0xff);
		return -EINVAL;
	}
	if (!(h.xloadflags & XLF_KERNEL_64))
		return bad(ki, "bzImage has no 64-bit entry point (XLF_KERNEL_64 clear)");
	if (!(h.loadflags & LOADED_HIGH))
		return bad(ki, "bzImage is not loaded high (zImage)");
	setup_size = ((uint64_t)(h.setup_sects ? h.setup_sects : 4) + 1) * 512;
	if (setup_size >= size)
		return bad(ki, "truncated: no protected-mode kernel after the setup sectors");
	kernel_size = size - setup_size;
	if ((uint64_t)h.syssize * 16 > kernel_size)
		return bad(ki, "truncated: shorter than the size its header declares");
	/* A relocatable kernel runs where it is put; others must sit at their preferred address. */
	load = h.relocatable_kernel ? HIMEM_START : h.pref_address;
	if (load < HIMEM_START)
		return bad(ki, "bzImage wants to load below 1 MiB");
	dst = mem_ptr(mem, load, kernel_size);
	if (!dst || !mem_ptr(mem, load, h.init_size ? h.init_size : kernel_size)) {
		log_err("kernel image %s: needs [%#llx, +%#llx) but guest RAM is %llu MiB",
			ki->path, (unsigned long long)load,
			(unsigned long long)(h.init_size > kernel_size ? h.init_size : kernel_size),
			(unsigned long long)(mem->size >> 20));
		return -EINVAL;
	}
	r = boot_read(fd, dst, kernel_size, setup_size);
	if (r)
		return r;

	/* The header ends at 0x202 + the jump's offset byte (boot.rst). */
	hdr_len = 0x202 + head[0x201] - SETUP_HDR_OFFSET;
	if (hdr_len > sizeof(h))
		hdr_len = sizeof(h);
	memcpy(ki->setup_header, head + SETUP_HDR_OFFSET, hdr_len);
	ki->setup_header_len = hdr_len;
	ki->format = KERNEL_BZIMAGE;
	ki->entry = load + KERNEL_64_ENTRY;
	ki->load_start = load;
	ki->load_end = load + (h.init_size > kernel_size ? h.init_size : kernel_size);
	if (h.version >= 0x0206 && h.cmdline_size + 1 < ki->cmdline_max)
		ki->cmdline_max = h.cmdline_size + 1;
	if (h.initrd_addr_max)
		ki->initrd_max = (uint64_t)h.initrd_addr_max + 1;
	return 0;
}

int linux_write_zero_page(const struct guest_mem *mem, const struct kernel_image *ki,
			  const struct boot_blobs *blobs)
{
	struct boot_params *bp = mem_ptr(mem, ZERO_PAGE_ADDR, sizeof(*bp));
	struct e820_entry map[E820_MAX_ENTRIES];
	int n;

	if (!bp)
		return -EFAULT;
	memset(bp, 0, sizeof(*bp));
	if (ki->format == KERNEL_BZIMAGE) {
		memcpy(&bp->hdr, ki->setup_header, ki->setup_header_len);
	} else {
		/* vmlinux has no header: describe a protocol-2.12-like loader's view. */
		bp->hdr.boot_flag = BOOT_FLAG;
		bp->hdr.header = HDRS_MAGIC;
		bp->hdr.kernel_alignment = 0x1000000;
		bp->hdr.cmdline_size = ki->cmdline_max - 1;
	}
	bp->hdr.type_of_loader = LOADER_UNDEFINED;
	bp->hdr.cmd_line_ptr = (uint32_t)blobs->cmdline_addr;
	bp->ext_cmd_line_ptr = (uint32_t)(blobs->cmdline_addr >> 32);
	if (blobs->initrd_size) {
		bp->hdr.ramdisk_image = (uint32_t)blobs->initrd_addr;
		bp->hdr.ramdisk_size = (uint32_t)blobs->initrd_size;
		bp->ext_ramdisk_image = (uint32_t)(blobs->initrd_addr >> 32);
		bp->ext_ramdisk_size = (uint32_t)(blobs->initrd_size >> 32);
	}
	n = e820_build(mem, map);
	for (int i = 0; i < n; i++) {
		bp->e820_table[i].addr = map[i].addr;
		bp->e820_table[i].size = map[i].size;
		bp->e820_table[i].type = map[i].type;
	}
	bp->e820_entries = (uint8_t)n;
	log_debug("zero page at %#llx: cmdline %#llx, initrd %#llx+%#llx, %d e820 entries",
		  ZERO_PAGE_ADDR, (unsigned long long)blobs->cmdline_addr,
		  (unsigned long long)blobs->initrd_addr, (unsigned long long)blobs->initrd_size,
		  n);
	return 0;
}
