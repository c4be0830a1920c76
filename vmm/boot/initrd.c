/* initrd.c: initrd placement (see initrd.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/x86_64/layout.h"
#include "boot/boot.h"
#include "boot/initrd.h"
#include "inherit.h"
#include "kvm/memory.h"
#include "log.h"

/*
 * Maps the initrd file over its place in guest RAM (private, copy-on-write) instead of copying
 * it: loading costs nothing whatever its size, and pages come in from the page cache as the
 * guest touches them (a 40 MiB Python image took ~25 ms to copy). Not for hugetlb RAM, which a
 * file mapping cannot replace piecemeal. Returns true if mapped.
 */
static bool map_file(const struct guest_mem *mem, uint64_t addr, int fd, uint64_t size)
{
	uint64_t len = (size + PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
	uint8_t *host = mem_ptr(mem, addr, len);

	if (mem->pages == MEM_PAGES_2M || !host || ((uintptr_t)host & (PAGE_SIZE_4K - 1)))
		return false;
	if (mmap(host, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
		log_debug("initrd: mmap over guest RAM failed (%s); copying", strerror(errno));
		return false;
	}
	return true;
}

int initrd_load(const struct guest_mem *mem, const char *path, const struct kernel_image *ki,
		struct boot_blobs *blobs)
{
	uint64_t top = mem_low_end(mem), addr;
	struct stat st;
	int fd, r;

	fd = inherit_open(path, O_RDONLY | O_CLOEXEC);
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
	r = map_file(mem, addr, fd, (uint64_t)st.st_size)
		    ? 0
		    : boot_read(fd, mem_ptr(mem, addr, st.st_size), st.st_size, 0);
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
