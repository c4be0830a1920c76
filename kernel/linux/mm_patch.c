/* mm_patch.c: changes to an address space's code on behalf of the kernel (mm.h): rewriting
 * system-call sites in a program's text (syscall_patch.c), and the stub pages it places
 * within a jump's reach. */
#include "linux/mm.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/smp.h"
#include "core/mm/page.h"
#include "core/mm/vm.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "linux/mm_pte.h"
#include "linux/vma.h"

/* Code mm_patch_text may change: a private, read-only, executable file mapping. */
static bool patchable(const struct vma *v)
{
	return v && v->file && !vma_is_shared(v) && !(v->prot & PROT_WRITE) &&
	       (v->prot & PROT_EXEC);
}

bool mm_text_patchable(uint64_t va)
{
	struct mm *mm = mm_current();
	bool ok;

	mutex_lock(&mm->lock);
	ok = patchable(vma_find(mm, va));
	mutex_unlock(&mm->lock);
	return ok;
}

/* Puts at *pte a copy of its page with the n bytes at off replaced, owned by this mapping; the
 * old frame goes to the caller, to release after the TLB shootdown. 0 or -ENOMEM. */
static int swap_in_copy(struct mm *mm, uint64_t *pte, uint64_t off, const void *bytes, size_t n)
{
	uint64_t was = *pte;
	uint8_t *copy = page_alloc(0);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, P2V(was & PTE_ADDR), PAGE_SIZE);
	memcpy(copy + off, bytes, n);
	*pte = V2P(copy) | (was & ~PTE_ADDR) | PTE_SW_OWNED;
	if (!(was & PTE_SW_OWNED))
		mm->pages++;
	return 0;
}

/* After swap_in_copy replaced entry WAS of page pg (mm->lock dropped): no CPU keeps the old
 * translation, and the old frame loses this owner. */
static void swapped(uint64_t pg, uint64_t was)
{
	smp_tlb_shootdown(pg, PAGE_SIZE);
	if (was & PTE_SW_OWNED)
		mm_pte_release(was & PTE_ADDR, 1);
}

int mm_patch_text(uint64_t va, const void *old, const void *new, size_t n)
{
	struct mm *mm = mm_current();
	uint64_t pg = ALIGN_DOWN(va, PAGE_SIZE), *pte, was = 0;
	int r = -EPERM;

	if (!n || ALIGN_DOWN(va + n - 1, PAGE_SIZE) != pg)
		return -EINVAL;
	mutex_lock(&mm->lock);
	if (!patchable(vma_find(mm, va)))
		goto out;
	pte = vm_entry(mm->pgd, pg, 0, false);
	if (!pte || !(*pte & PTE_P))
		goto out;
	was = *pte;
	r = -EAGAIN;
	if (memcmp((uint8_t *)P2V(was & PTE_ADDR) + (va - pg), old, n))
		goto out;
	/* A new page rather than a write in place: another CPU may be running this code; it
	 * sees the old page or the new one, never a half-written instruction. */
	r = swap_in_copy(mm, pte, va - pg, new, n);
out:
	mutex_unlock(&mm->lock);
	if (!r)
		swapped(pg, was);
	return r;
}

int mm_patch_stub(uint64_t va, const void *bytes, size_t n)
{
	struct mm *mm = mm_current();
	uint64_t pg = ALIGN_DOWN(va, PAGE_SIZE), *pte, was = 0;
	bool copied = false;
	struct vma *v;
	int r = -EPERM;

	if (!n || ALIGN_DOWN(va + n - 1, PAGE_SIZE) != pg)
		return -EINVAL;
	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	if (!v || v->file || vma_is_shared(v) || !(v->prot & PROT_EXEC))
		goto out;
	pte = vm_entry(mm->pgd, pg, 0, false);
	if (!pte || !(*pte & PTE_P) || !(*pte & PTE_SW_OWNED))
		goto out;
	was = *pte;
	r = 0;
	if (mm_pte_writable(v, was, false)) /* ours alone: nobody runs these bytes yet */
		memcpy((uint8_t *)P2V(was & PTE_ADDR) + (va - pg), bytes, n);
	else /* shared with a forked address space, which keeps the old frame */
		copied = !(r = swap_in_copy(mm, pte, va - pg, bytes, n));
out:
	mutex_unlock(&mm->lock);
	if (copied)
		swapped(pg, was);
	return r;
}

long mm_map_near(uint64_t near, uint64_t reach, uint64_t len, uint32_t prot, const char *name)
{
	struct mm *mm = mm_current();
	uint64_t limit = MIN(ALIGN_DOWN(near + reach - len, PAGE_SIZE), MM_MMAP_BASE), at;

	mutex_lock(&mm->lock);
	at = vma_find_gap(mm, len, limit);
	mutex_unlock(&mm->lock);
	if (!at || at + reach < near + len || (len & (PAGE_SIZE - 1)))
		return -ENOMEM;
	return mm_mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, NULL, 0,
		       name);
}
