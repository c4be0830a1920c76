/* page.h: the physical page allocator (a binary buddy over the boot memory map). */
#ifndef MOTE_CORE_MM_PAGE_H
#define MOTE_CORE_MM_PAGE_H

#include "lib/types.h"

#define PAGE_MAX_ORDER 10 /* largest block: 4 MiB */

/*
 * Per-frame state: one byte a frame (few pages to touch at boot, each first touch of a page
 * costs a host fault): a kind in the high nibble, an order or a size class in the low one.
 * 0 is an allocated page.
 */
#define PG_KIND 0xf0
#define PG_ARG 0x0f
#define PG_RESERVED 0x10 /* never handed out (firmware, kernel image, initrd, holes) */
#define PG_SLAB 0x20	 /* a heap slab page; arg = size class */
#define PG_LARGE 0x40	 /* a large heap allocation; arg = order */
#define PG_FREE 0x80	 /* heads a free block; arg = order */

/* Hand RAM below the boot page tables' reach to the allocator (boot CPU, before vm_init). */
void page_init(void);
/* Hand the rest of RAM over, once vm_init has mapped it all. */
void page_init_high(void);
/*
 * Allocate 2^order contiguous pages; returns their direct-map address, or NULL when no
 * block is left (reported on the console with the free count: out of memory is never
 * silent). SMP- and interrupt-safe.
 */
void *page_alloc(unsigned order) __must_check;
/* Same, but a failure is neither reported nor counted: for callers with a fallback (a 2 MiB
 * page for an application's memory, else 4 KiB pages). */
void *page_try_alloc(unsigned order) __must_check;
/* Same as page_alloc, zero-filled. */
void *page_alloc_zeroed(unsigned order) __must_check;
/*
 * Allocate n contiguous pages, any n (for buffers larger than a block: the decompressed
 * initrd). They come whole from RAM not yet carved into blocks, so this is for boot, before
 * the allocator has been through most of RAM. Returns their direct-map address, or NULL
 * (reported on the console).
 */
void *page_alloc_pages(uint64_t n) __must_check;
/* The largest n page_alloc_pages can serve now. */
uint64_t page_max_pages(void);
/* Free n pages at p (page-aligned, any n): what page_alloc_pages returned, or part of it. */
void page_free_pages(void *p, uint64_t n);
/* Hand the initrd's pages to the allocator once nothing points into it any more (its
 * contents were decompressed elsewhere). */
void page_release_initrd(void);
/* Free a block page_alloc returned, with the same order. */
void page_free(void *p, unsigned order);
/* The state byte of the frame holding direct-map address p. */
uint8_t *page_meta(const void *p);

uint64_t page_free_count(void);	 /* free pages now */
uint64_t page_total_count(void); /* pages the allocator manages */
uint64_t page_oom_count(void);	 /* failed allocations so far */
extern uint64_t page_max_pfn;	 /* one past the highest RAM frame */

#endif /* MOTE_CORE_MM_PAGE_H */
