/* initrd.c: initrd placement (see initrd.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/layout.h"
#include "boot/boot.h"
#include "boot/initrd.h"
#include "kvm/memory.h"
#include "log.h"

int initrd_load(const struct guest_mem *mem, const char *path, const struct kernel_image *ki,
		struct boot_blobs *blobs)
{
	uint64_t top = mem_low_end(mem), addr;
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_err("initrd %s: %s", path, strerror(errno));
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_err("initrd %s: not a regular file", path);
		r = -EINVAL;
		goto out;
	}
	if (ki->initrd_max && ki->initrd_max < top)
		top = ki->initrd_max;
	addr = ((uint64_t)st.st_size > top ? 0 : top - (uint64_t)st.st_size) & ~(PAGE_SIZE_4K - 1);
	if ((uint64_t)st.st_size > top || addr < ki->load_end) {
		log_err("initrd %s: %lld bytes do not fit in guest RAM between the kernel "
			"(ends at %#llx) and %#llx",
			path, (long long)st.st_size, (unsigned long long)ki->load_end,
			(unsigned long long)top);
		r = -EINVAL;
		goto out;
	}
	if (!mem_ptr(mem, addr, st.st_size)) {
		r = -EINVAL;
		goto out;
	}
	r = boot_read(fd, mem_ptr(mem, addr, st.st_size), st.st_size, 0);
	if (r) {
		log_err("initrd %s: %s", path, strerror(-r));
		r = r == -EIO ? -EINVAL : r;
		goto out;
	}
	blobs->initrd_addr = addr;
	blobs->initrd_size = st.st_size;
out:
	close(fd);
	return r;
}
