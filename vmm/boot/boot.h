/* boot.h: loading a kernel, its initrd and command line, and the boot information it reads. */
#ifndef MOTE_VMM_BOOT_BOOT_H
#define MOTE_VMM_BOOT_BOOT_H

#include <stdint.h>

struct vmm;

enum kernel_format {
	KERNEL_ELF_PVH,	  /* ELF with a XEN_ELFNOTE_PHYS32_ENTRY note: PVH boot */
	KERNEL_ELF_LINUX, /* ELF vmlinux without it: Linux 64-bit boot protocol */
	KERNEL_BZIMAGE,	  /* bzImage: Linux 64-bit boot protocol at load + 0x200 */
};

#define SETUP_HEADER_MAX 0x100 /* bytes of a bzImage's setup header kept for the zero page */

/* What a loader learned about the kernel image. */
struct kernel_image {
	const char *path;
	enum kernel_format format;
	uint64_t entry;	      /* the boot vCPU's first instruction */
	uint64_t load_start;  /* lowest guest-physical byte loaded */
	uint64_t load_end;    /* one past the highest (memsz included) */
	uint32_t cmdline_max; /* command line bytes the kernel accepts, NUL included */
	uint64_t initrd_max;  /* highest address the initrd may end at */
	uint8_t setup_header[SETUP_HEADER_MAX]; /* bzImage: bytes 0x1f1.. of the file */
	uint32_t setup_header_len;
};

/* Where the loaders put the initrd and command line. */
struct boot_blobs {
	uint64_t cmdline_addr;
	uint32_t cmdline_len; /* without the NUL */
	uint64_t initrd_addr;
	uint64_t initrd_size; /* 0: no initrd */
};

/*
 * Loads the configured kernel (ELF with or without PVH note, or bzImage), initrd and
 * command line, writes the boot information (hvm_start_info or zero page, e820, MP table,
 * GDT, page tables) and sets the boot vCPU's registers. Every problem with an image is
 * logged naming the file. 0; -EINVAL for a bad image or configuration; other -errno for host
 * failures.
 */
int boot_load(struct vmm *vmm);

/* Reads exactly LEN bytes at OFF (retrying short reads). 0, -EIO at end of file, or -errno. */
int boot_read(int fd, void *buf, uint64_t len, uint64_t off) __attribute__((warn_unused_result));

#endif /* MOTE_VMM_BOOT_BOOT_H */
