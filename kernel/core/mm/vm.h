/* vm.h: page tables. The kernel's root maps the kernel half (the direct map, the kernel image)
 * and the first process's lower half; every other process's root (vm_pgd_new) shares the
 * kernel half's tables and has a lower half of its own. */
#ifndef MOTE_CORE_MM_VM_H
#define MOTE_CORE_MM_VM_H

#include "lib/types.h"

#define VM_WRITE 0x002

/* Page-table entry bits (for the application's mappings, linux/mm.c). */
#define PTE_P 0x001
#define PTE_W 0x002
#define PTE_ACCESSED_DIRTY 0x060 /* set by the CPU */
#define PTE_PS 0x080
#define PTE_SW_OWNED 0x200    /* software: the frame belongs to this mapping (freed with it) */
#define PTE_SW_PROTNONE 0x400 /* software: not present (PROT_NONE) but holds a frame */
#define PTE_ADDR 0x000ffffffffff000UL
#define VM_UNCACHED 0x018 /* PCD | PWT */

/* Build the kernel page table (direct map of the first MiB, RAM and ACPI memory, 2 MiB pages
 * where aligned; the kernel image) and switch to it. Boot CPU, after page_init. */
void vm_init(void);
/* Switch this CPU to the kernel page table. */
void vm_load(void);
/* The kernel's root (direct-map address): the first process's too. */
uint64_t *vm_kernel_pgd(void);
/* A new root: the kernel half shared, the lower half empty. NULL when out of memory. */
uint64_t *vm_pgd_new(void);
/* Free a root from vm_pgd_new and its lower half's tables (their leaves already cleared,
 * and no CPU running on it any more). */
void vm_pgd_free(uint64_t *root);
/* Physical address of the kernel page table's root (an AP's trampoline loads it). */
uint64_t vm_root(void);

/*
 * Map [va, va+size) to [pa, pa+size) with flags (VM_*); uses 2 MiB pages wherever va, pa
 * and the remaining size allow. Returns 0, -EINVAL (misaligned, or a range already mapped
 * differently) or -ENOMEM (a page table could not be allocated; what was mapped stays).
 */
int vm_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags) __must_check;
/* Unmap [va, va+size) (4 KiB aligned; a 2 MiB page must be unmapped whole) and shoot the
 * stale TLB entries down on every CPU. Returns 0 or -EINVAL. */
int vm_unmap(uint64_t va, uint64_t size) __must_check;
/*
 * The page-table entry of va under root at level (0: 4 KiB, 1: 2 MiB), allocating the
 * tables on the way if alloc; a 2 MiB page in the way of a level-0 request is split into
 * 4 KiB entries. NULL if a table is missing (!alloc) or cannot be allocated. For a process's
 * half, whose caller (linux/mm.c) serialises its changes and flushes TLBs itself.
 */
uint64_t *vm_entry(uint64_t *root, uint64_t va, int level, bool alloc);
/* Physical address va maps to in this CPU's address space, or -1 if it is not mapped. */
uint64_t vm_translate(uint64_t va);
/* Make sure [pa, pa+size) is in the direct map (cached: firmware tables, RAM outside the
 * memory map); returns its virtual address, or NULL if a page table could not be had. */
void *vm_map_phys(uint64_t pa, uint64_t size);
/* Map an MMIO range uncached in the direct map; returns its virtual address or NULL. */
void *vm_map_mmio(uint64_t pa, uint64_t size);
/* Number of 2 MiB and 4 KiB leaf entries the direct map uses (for the self-tests). */
void vm_stats(uint64_t *huge, uint64_t *small);

#endif /* MOTE_CORE_MM_VM_H */
