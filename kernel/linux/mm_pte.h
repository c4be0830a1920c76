/* mm_pte.h: the page-table side of the application's address space: the entries a VMA's
 * pages get, filling them (4 KiB pages, 2 MiB pages for whole blocks of anonymous memory),
 * clearing and moving them. The caller holds mm->lock and shoots stale TLB entries down. */
#ifndef MOTE_LINUX_MM_PTE_H
#define MOTE_LINUX_MM_PTE_H

#include "lib/types.h"

struct mm;
struct vma;

/* The entry bits of a page of v (0 for PROT_NONE); writable only if asked and allowed. */
uint64_t mm_pte_bits(const struct vma *v, bool writable);
/* Fill the (not present) 4 KiB page at va of v; a write intent on a private file page copies
 * it. 0, -ENOMEM, -EIO (past the end of the file) or the file's error. */
int mm_pte_fill(struct mm *mm, struct vma *v, uint64_t va) __must_check;
/* Map the 2 MiB block around va with one zeroed 2 MiB page if v allows it (anonymous,
 * private, not a stack, the whole block inside v, not MADV_NOHUGEPAGE), nothing of the block
 * is mapped yet and a 2 MiB run of memory is free. True if it did. */
bool mm_pte_fill_huge(struct mm *mm, struct vma *v, uint64_t va);
/* Fill every missing page of [start, end) inside v (stops quietly at the end of a file),
 * whole 2 MiB blocks of anonymous memory as 2 MiB pages where it can. 0 or -ENOMEM. */
int mm_pte_populate(struct mm *mm, struct vma *v, uint64_t start, uint64_t end) __must_check;
/* Clear the entries of [start, end), freeing owned frames (a 2 MiB page partly inside is
 * split first). True if any was present (the TLBs need flushing). */
bool mm_pte_clear(struct mm *mm, uint64_t start, uint64_t end);
/* The physical address va maps to in mm (a PROT_NONE page's frame too), or -1 if no frame
 * is there. Never changes the tables. */
uint64_t mm_pte_phys(struct mm *mm, uint64_t va);
/* Move the entries of [old, old+len) to new (not overlapping; new has none). 0 or -ENOMEM. */
int mm_pte_move(struct mm *mm, uint64_t old, uint64_t new, uint64_t len) __must_check;
/* Drop one owner of the n owned frames at pa (1, or a 2 MiB page's 512): each frame left with
 * none is freed. */
void mm_pte_release(uint64_t pa, unsigned n);
/* May the page of entry e (a 2 MiB one if huge) of v be written in place: shared memory, or
 * a private frame no other address space shares (copy on write). */
bool mm_pte_writable(const struct vma *v, uint64_t e, bool huge);
/* fork: give dst the entries of v's range in src; owned frames are shared, counted, and
 * write-protected on both sides if v is private. 0 or -ENOMEM (dst holds what it got). */
int mm_pte_fork(struct mm *dst, struct mm *src, const struct vma *v) __must_check;
/* A write to the present, write-protected private page *pte of v: copy it (a file's page, or
 * a frame still shared), or just allow the write (the last owner). 0 or -ENOMEM. */
int mm_pte_cow(struct mm *mm, struct vma *v, uint64_t *pte) __must_check;
/* A write to a write-protected 2 MiB page at va that nobody shares any more: made writable
 * whole (true). False otherwise: the caller splits it and copies the one 4 KiB page. */
bool mm_pte_huge_unshare(struct mm *mm, struct vma *v, uint64_t va);
/* A 2 MiB page already maps va for this access (another CPU's fault got there first). */
bool mm_pte_huge_present(struct mm *mm, uint64_t va, bool write);

#endif /* MOTE_LINUX_MM_PTE_H */
