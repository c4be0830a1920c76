/* memory.c: guest RAM and the checked guest-physical accessor (see memory.h). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "arch/x86_64/layout.h"
#include "kvm/memory.h"
#include "log.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

int mem_create(struct guest_mem *mem, uint64_t size, enum mem_pages pages)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	uint64_t low;

	memset(mem, 0, sizeof(*mem));
	mem->size = size;
	mem->map_size = size;
	mem->pages = pages;
	if (pages == MEM_PAGES_2M) {
		/* Reserve the huge pages now: without it a shortage is a SIGBUS at run time. */
		flags &= ~MAP_NORESERVE;
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
		mem->map_size = (size + PAGE_SIZE_2M - 1) & ~(PAGE_SIZE_2M - 1);
	}
	mem->host = mmap(NULL, mem->map_size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (mem->host == MAP_FAILED) {
		int r = -errno;

		mem->host = NULL;
		if (pages == MEM_PAGES_2M)
			log_err("cannot map %llu MiB of guest memory in 2 MiB huge pages: %s "
				"(free huge pages: see HugePages_Free in /proc/meminfo; add some "
				"with `sysctl vm.nr_hugepages=N`)",
				(unsigned long long)(size >> 20), strerror(-r));
		else
			log_err("cannot map %llu MiB of guest memory: %s",
				(unsigned long long)(size >> 20), strerror(-r));
		return r;
	}
	if (pages == MEM_PAGES_THP)
		madvise(mem->host, mem->map_size, MADV_HUGEPAGE);
	/* Guest RAM never needs to be in a core dump of motevm, nor in a child. */
	madvise(mem->host, mem->map_size, MADV_DONTDUMP);
	madvise(mem->host, mem->map_size, MADV_DONTFORK);

	low = size < MMIO_HOLE_START ? size : MMIO_HOLE_START;
	mem->regions[0] = (struct mem_region){ .gpa = 0, .size = low, .host = mem->host };
	mem->nr_regions = 1;
	if (size > low) {
		mem->regions[1] = (struct mem_region){ .gpa = MMIO_HOLE_END,
						       .size = size - low,
						       .host = mem->host + low };
		mem->nr_regions = 2;
	}
	return 0;
}

int mem_register(const struct guest_mem *mem, int vm_fd)
{
	for (int i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];
		struct kvm_userspace_memory_region kr = {
			.slot = (unsigned)i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uintptr_t)r->host,
		};

		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &kr) < 0) {
			int e = -errno;

			log_err("KVM_SET_USER_MEMORY_REGION (slot %d, %llu MiB): %s", i,
				(unsigned long long)(r->size >> 20), strerror(errno));
			return e;
		}
	}
	return 0;
}

void mem_destroy(struct guest_mem *mem)
{
	if (mem->host)
		munmap(mem->host, mem->map_size);
	memset(mem, 0, sizeof(*mem));
}

void *mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	for (int i = 0; i < mem->nr_regions; i++) {
		const struct mem_region *r = &mem->regions[i];

		/* gpa - r->gpa cannot wrap once gpa >= r->gpa; no sum is formed. */
		if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len)
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

bool mem_is_ram(const struct guest_mem *mem, uint64_t gpa)
{
	return mem_ptr(mem, gpa, 1) != NULL;
}

int mem_write(const struct guest_mem *mem, uint64_t gpa, const void *src, uint64_t len)
{
	void *p = mem_ptr(mem, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst, uint64_t len)
{
	const void *p = mem_ptr(mem, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

uint64_t mem_low_end(const struct guest_mem *mem)
{
	return mem->regions[0].gpa + mem->regions[0].size;
}
