/* vma.h: the VMA list of an address space (linux/mm.c's struct mm): lookup, insertion, the
 * gaps between, splitting at boundaries and merging like neighbours. The caller holds mm->lock. */
#ifndef MOTE_LINUX_VMA_H
#define MOTE_LINUX_VMA_H

#include "lib/list.h"
#include "linux/mm.h"

static inline struct vma *vma_of(struct list *n)
{
	return list_entry(n, struct vma, node);
}

static inline bool vma_is_shared(const struct vma *v)
{
	return (v->flags & MAP_TYPE) == MAP_SHARED;
}

/* The VMA holding addr, or NULL. */
struct vma *vma_find(struct mm *mm, uint64_t addr);
/* True if no VMA overlaps [start, end). */
bool vma_range_free(struct mm *mm, uint64_t start, uint64_t end);
/* Insert n (not overlapping any) in address order. */
void vma_insert(struct mm *mm, struct vma *n);
/* The highest start below limit of a free range of len bytes, or 0. */
uint64_t vma_find_gap(struct mm *mm, uint64_t len, uint64_t limit);
/* Free a VMA taken off the list (drops its file reference). */
void vma_free(struct vma *v);
/* Make VMA boundaries fall on start and end (splitting those across them). 0 or -ENOMEM. */
int vma_split_around(struct mm *mm, uint64_t start, uint64_t end) __must_check;
/* Merge the VMAs touching [start, end) with like neighbours, as Linux does: an mprotect
 * undone, or a hole refilled, leaves one VMA that mremap can move whole. */
void vma_merge_around(struct mm *mm, uint64_t start, uint64_t end);

#endif /* MOTE_LINUX_VMA_H */
