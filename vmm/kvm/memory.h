/* memory.h: guest RAM and the one checked accessor every guest-physical access goes through. */
#ifndef MOTE_VMM_KVM_MEMORY_H
#define MOTE_VMM_KVM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_MAX_REGIONS 2

/* What backs guest RAM: 4 KiB pages, hugetlbfs 2 MiB pages reserved up front, or 4 KiB pages
 * with transparent huge pages asked for (madvise). */
enum mem_pages { MEM_PAGES_4K, MEM_PAGES_2M, MEM_PAGES_THP };

struct mem_region {
	uint64_t gpa;  /* guest-physical start */
	uint64_t size; /* bytes */
	uint8_t *host; /* where motevm sees it */
};

struct guest_mem {
	uint8_t *host;	   /* one anonymous mapping holding every region */
	uint64_t size;	   /* total RAM bytes */
	uint64_t map_size; /* bytes mapped (size rounded up to the page size in use) */
	struct mem_region regions[MEM_MAX_REGIONS];
	int nr_regions;
	enum mem_pages pages;
};

/*
 * Maps SIZE bytes of guest RAM (anonymous, private, no swap reservation; 2 MiB hugetlb pages
 * if PAGES is MEM_PAGES_2M) and splits it around the 3-4 GiB MMIO hole. The memory is not
 * touched. 0, or -errno after logging (-ENOMEM with a hint when no huge pages are free).
 */
int mem_create(struct guest_mem *mem, uint64_t size, enum mem_pages pages);
/* Registers every region with the VM (KVM_SET_USER_MEMORY_REGION). 0 or -errno. */
int mem_register(const struct guest_mem *mem, int vm_fd);
void mem_destroy(struct guest_mem *mem);

/*
 * The checked accessor: a host pointer to [GPA, GPA + LEN) if that whole range is RAM inside
 * one region, else NULL. Overflow-safe for any GPA and LEN.
 */
void *mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);
/* Whether GPA is RAM. */
bool mem_is_ram(const struct guest_mem *mem, uint64_t gpa);
/* Copy into / out of guest RAM through mem_ptr. 0, or -EFAULT if the range is not RAM. */
int mem_write(const struct guest_mem *mem, uint64_t gpa, const void *src, uint64_t len)
	__attribute__((warn_unused_result));
int mem_read(const struct guest_mem *mem, uint64_t gpa, void *dst, uint64_t len)
	__attribute__((warn_unused_result));
/* End of RAM below the MMIO hole (the low region's end). */
uint64_t mem_low_end(const struct guest_mem *mem);

#endif /* MOTE_VMM_KVM_MEMORY_H */
