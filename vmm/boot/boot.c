/* boot.c: kernel, initrd and command line in, boot information out (see boot.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/mptable.h"
#include "boot/boot.h"
#include "boot/cmdline.h"
#include "boot/elf.h"
#include "boot/initrd.h"
#include "boot/linux.h"
#include "boot/pvh.h"
#include "inherit.h"
#include "devices/virtio/virtio_devices.h"
#include "log.h"
#include "vmm.h"

int boot_read(int fd, void *buf, uint64_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len > (1u << 30) ? (1u << 30) : len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n, off += (uint64_t)n, len -= (uint64_t)n;
	}
	return 0;
}

static int load_kernel(struct vmm *vmm, struct kernel_image *ki)
{
	uint8_t head[0x400];
	struct stat st;
	uint64_t n;
	int fd, r;

	fd = inherit_open(ki->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_err("kernel image %s: %s", ki->path, strerror(errno));
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_err("kernel image %s: not a regular file", ki->path);
		r = -EINVAL;
		goto out;
	}
	if (st.st_size == 0) {
		log_err("kernel image %s: empty file", ki->path);
		r = -EINVAL;
		goto out;
	}
	n = (uint64_t)st.st_size < sizeof(head) ? (uint64_t)st.st_size : sizeof(head);
	r = boot_read(fd, head, n, 0);
	if (r)
		goto out;
	if (elf_is_elf(head, n)) {
		r = elf_load(&vmm->mem, fd, st.st_size, ki);
	} else if (linux_is_bzimage(head, n)) {
		r = linux_load_bzimage(&vmm->mem, fd, st.st_size, ki);
	} else {
		log_err("kernel image %s: neither an ELF file nor a bzImage (no ELF magic, no "
			"\"HdrS\" setup header)",
			ki->path);
		r = -EINVAL;
	}
out:
	if (r && r != -EINVAL)
		log_err("kernel image %s: %s", ki->path, strerror(-r));
	close(fd);
	return r;
}

static const char *const format_names[] = {
	[KERNEL_ELF_PVH] = "ELF (PVH)",
	[KERNEL_ELF_LINUX] = "ELF vmlinux (Linux 64-bit boot)",
	[KERNEL_BZIMAGE] = "bzImage (Linux 64-bit boot)",
};

/* A root drive's words, as Firecracker appends them after boot_args: root=/dev/vda (the root
 * drive is the first) or root=PARTUUID=..., then ro or rw. */
static int append_root(const struct vm_config *cfg, char *buf, size_t size)
{
	const struct drive_config *d = cfg->nr_drives ? &cfg->drives[0] : NULL;
	size_t len = strlen(buf);
	int n;

	if (!d || !d->is_root_device)
		return 0;
	n = d->partuuid ? snprintf(buf + len, size - len, " root=PARTUUID=%s %s", d->partuuid,
				   d->is_read_only ? "ro" : "rw")
			: snprintf(buf + len, size - len, " root=/dev/vda %s",
				   d->is_read_only ? "ro" : "rw");
	return n < 0 || (size_t)n >= size - len ? -EINVAL : 0;
}

int boot_load(struct vmm *vmm)
{
	const struct boot_source_config *bs = &vmm->cfg->boot_source;
	struct kernel_image ki = {
		.path = bs->kernel_image_path,
		.cmdline_max = CMDLINE_MAX,
		.initrd_max = MMIO_HOLE_START,
	};
	struct boot_blobs blobs = { 0 };
	enum cpu_boot_mode mode;
	char cmdline[2 * CMDLINE_MAX];
	int r;

	/* the user's arguments, then the root drive and where the virtio devices are (as
	 * Firecracker adds them) */
	snprintf(cmdline, sizeof(cmdline), "%s",
		 bs->boot_args ? bs->boot_args : CONFIG_DEFAULT_BOOT_ARGS);
	if (append_root(vmm->cfg, cmdline, sizeof(cmdline)) ||
	    virtio_devices_cmdline(&vmm->devices, cmdline, sizeof(cmdline))) {
		log_err("boot-source: boot_args and the virtio devices do not fit the command line");
		return -EINVAL;
	}

	r = load_kernel(vmm, &ki);
	if (r)
		return r;
	log_debug("kernel %s: %s, [%#llx, %#llx), entry %#llx", ki.path, format_names[ki.format],
		  (unsigned long long)ki.load_start, (unsigned long long)ki.load_end,
		  (unsigned long long)ki.entry);
	if (bs->initrd_path && (r = initrd_load(&vmm->mem, bs->initrd_path, &ki, &blobs)))
		return r;
	r = cmdline_write(&vmm->mem, &ki, cmdline, &blobs);
	if (r)
		return r;

	mode = ki.format == KERNEL_ELF_PVH ? CPU_BOOT_PVH : CPU_BOOT_LINUX;
	if (mode == CPU_BOOT_PVH)
		r = pvh_write_start_info(&vmm->mem, &blobs);
	else
		r = linux_write_zero_page(&vmm->mem, &ki, &blobs);
	if (!r)
		r = mptable_write(&vmm->mem, vmm->nr_vcpus);
	if (!r)
		r = cpu_write_gdt(&vmm->mem, mode);
	if (!r && mode == CPU_BOOT_LINUX)
		r = cpu_write_page_tables(&vmm->mem, vmm->pvm);
	if (r) {
		log_err("guest memory (%llu MiB) too small for the boot structures",
			(unsigned long long)(vmm->mem.size >> 20));
		return -EINVAL;
	}
	/* A refused register set-up is KVM's failure, not the image's. */
	return cpu_set_boot_regs(vmm->vcpus[0].fd, mode, ki.entry) ? -EIO : 0;
}
