/* mm_pte.c: the page-table side of the application's address space (mm_pte.h). */
#include "linux/mm_pte.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "core/mm/page.h"
#include "core/mm/pageref.h"
#include "core/mm/vm.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "linux/vma.h"

uint64_t mm_pte_bits(const struct vma *v, bool writable)
{
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	return PTE_P | arch_pte_extra() | (writable && (v->prot & PROT_WRITE) ? PTE_W : 0);
}

/* Fill the page at va of a file mapping (how: GET_PAGE_CACHED or 0); a write intent on a
 * private file page copies it. The page is asked for before any table is made, so that a
 * hole skipped by GET_PAGE_CACHED costs nothing. */
static int fill_file(struct mm *mm, struct vma *v, uint64_t va, unsigned how)
{
	uint64_t *pte = vm_entry(mm->pgd, va, 0, false), pa, off;
	bool shared = vma_is_shared(v);
	void *p;
	int r;

	if (pte && (*pte & (PTE_P | PTE_SW_PROTNONE)))
		return 0;
	off = v->off + (va - v->start);
	if (off >= ALIGN_UP(v->file->inode->size, PAGE_SIZE))
		return -EIO;
	if (shared && (v->prot & PROT_WRITE))
		how |= GET_PAGE_WRITE;
	r = v->file->ops->get_page(v->file, off, how, &pa);
	if (r)
		return r;
	pte = vm_entry(mm->pgd, va, 0, true);
	if (!pte)
		return -ENOMEM;
	if (shared) {
		*pte = pa | mm_pte_bits(v, true);
		return 0;
	}
	if (!(v->prot & PROT_WRITE)) {
		*pte = pa | mm_pte_bits(v, false);
		return 0;
	}
	p = page_alloc(0);
	if (!p)
		return -ENOMEM;
	memcpy(p, P2V(pa), PAGE_SIZE);
	*pte = V2P(p) | mm_pte_bits(v, true) | PTE_SW_OWNED;
	mm->pages++;
	return 0;
}

int mm_pte_fill(struct mm *mm, struct vma *v, uint64_t va)
{
	uint64_t *pte;
	void *p;

	if (v->file)
		return fill_file(mm, v, va, 0);
	pte = vm_entry(mm->pgd, va, 0, true);
	if (!pte)
		return -ENOMEM;
	if (*pte & (PTE_P | PTE_SW_PROTNONE))
		return 0;
	p = page_alloc_zeroed(0);
	if (!p)
		return -ENOMEM;
	*pte = V2P(p) | mm_pte_bits(v, true) | PTE_SW_OWNED;
	mm->pages++;
	return 0;
}

/* May the 2 MiB block at b (aligned) of v be one 2 MiB page? Anonymous private memory
 * (brk's heap included), not a stack (a thread's 8 MiB stack uses a few pages of it), the
 * whole block inside v, not refused by madvise(MADV_NOHUGEPAGE). */
static bool huge_ok(const struct vma *v, uint64_t b)
{
	if (v->file || vma_is_shared(v) || v->nohuge || !mm_pte_bits(v, false))
		return false;
	if ((v->flags & (MAP_STACK | MAP_GROWSDOWN)) || (v->name && strcmp(v->name, "[heap]")))
		return false;
	return b >= v->start && b + HUGE_SIZE <= v->end;
}

/*
 * Map the 2 MiB block around va with one zeroed 2 MiB page, if huge_ok, nothing of the block
 * is mapped yet and a 2 MiB run of memory is free: one fault (one VM exit where faults trap)
 * instead of 512. Returns true if it did; else the caller maps 4 KiB pages.
 */
bool mm_pte_fill_huge(struct mm *mm, struct vma *v, uint64_t va)
{
	uint64_t b = ALIGN_DOWN(va, HUGE_SIZE), *pde;
	void *p;

	if (!huge_ok(v, b))
		return false;
	pde = vm_entry(mm->pgd, b, 1, true);
	if (!pde || *pde)
		return false;
	p = page_try_alloc(HUGE_ORDER);
	if (!p)
		return false;
	memset(p, 0, HUGE_SIZE);
	*pde = V2P(p) | mm_pte_bits(v, true) | PTE_PS | PTE_SW_OWNED;
	mm->pages += HUGE_SIZE / PAGE_SIZE;
	return true;
}

/* Fill every missing page of [start, end) inside v (stops quietly at the end of a file);
 * whole 2 MiB blocks of anonymous memory as 2 MiB pages where fill_huge can. Of a file,
 * only the pages it holds unless MAP_POPULATE: holes wait for their faults. */
int mm_pte_populate(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	unsigned how = (v->flags & MAP_POPULATE) ? 0 : GET_PAGE_CACHED;

	if (!mm_pte_bits(v, false))
		return 0;
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		int r;

		if (!(va & (HUGE_SIZE - 1)) && va + HUGE_SIZE <= end &&
		    mm_pte_fill_huge(mm, v, va)) {
			va += HUGE_SIZE - PAGE_SIZE;
			continue;
		}
		r = v->file ? fill_file(mm, v, va, how) : mm_pte_fill(mm, v, va);
		if (r == -EIO)
			return 0;
		if (r && r != -ENOENT)
			return r;
	}
	return 0;
}

/* Is any of the n frames at pa shared with another address space? */
static bool any_shared(uint64_t pa, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (pageref_shared(pa + i * PAGE_SIZE))
			return true;
	return false;
}

void mm_pte_release(uint64_t pa, unsigned n)
{
	if (n == HUGE_SIZE / PAGE_SIZE && !any_shared(pa, n)) {
		page_free(P2V(pa), HUGE_ORDER);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (pageref_put(pa + i * PAGE_SIZE))
			page_free(P2V(pa + i * PAGE_SIZE), 0);
}

bool mm_pte_writable(const struct vma *v, uint64_t e, bool huge)
{
	if (vma_is_shared(v))
		return true;
	if (!(e & PTE_SW_OWNED))
		return !v->file;
	return !any_shared(e & PTE_ADDR, huge ? HUGE_SIZE / PAGE_SIZE : 1);
}

/* Count one more owner of the n frames at pa; all or none. 0 or -ENOMEM. */
static int share(uint64_t pa, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (pageref_get(pa + i * PAGE_SIZE)) {
			while (i--)
				(void)pageref_put(pa + i * PAGE_SIZE);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Give dst the entry e (at level: 0 or 1) of src's va, counted and, for private memory,
 * write-protected in both. 0 or -ENOMEM. */
static int fork_entry(struct mm *dst, const struct vma *v, uint64_t va, uint64_t *se, int level)
{
	unsigned n = level ? HUGE_SIZE / PAGE_SIZE : 1;
	uint64_t e = *se, *de;

	if (e & PTE_SW_OWNED) {
		if (share(e & PTE_ADDR, n))
			return -ENOMEM;
		if (!vma_is_shared(v))
			*se = e = e & ~(uint64_t)PTE_W;
	}
	de = vm_entry(dst->pgd, va, level, true);
	if (!de) {
		if (e & PTE_SW_OWNED)
			mm_pte_release(e & PTE_ADDR, n); /* (never the last owner: src has it) */
		return -ENOMEM;
	}
	*de = e;
	if (e & PTE_SW_OWNED)
		dst->pages += n;
	return 0;
}

/* The present page-directory entry for *va in root, or NULL with *va moved past the absent
 * table it would be in (512 GiB, 1 GiB or 2 MiB), for walks that skip absent tables whole. */
static uint64_t *present_pde(uint64_t *root, uint64_t *va)
{
	uint64_t *pdpte = vm_entry(root, *va, 2, false), *pde;

	if (!pdpte) {
		*va = ALIGN_DOWN(*va, 1UL << 39) + (1UL << 39);
		return NULL;
	}
	if (!(*pdpte & PTE_P)) {
		*va = ALIGN_DOWN(*va, 1UL << 30) + (1UL << 30);
		return NULL;
	}
	pde = vm_entry(root, *va, 1, false);
	if (!pde || !(*pde & PTE_P)) {
		*va = ALIGN_DOWN(*va, HUGE_SIZE) + HUGE_SIZE;
		return NULL;
	}
	return pde;
}

int mm_pte_fork(struct mm *dst, struct mm *src, const struct vma *v)
{
	for (uint64_t va = v->start; va < v->end;) {
		uint64_t *pde = present_pde(src->pgd, &va), *pte;
		int r;

		if (!pde)
			continue;
		if ((*pde & PTE_PS) && !(va & (HUGE_SIZE - 1)) && va + HUGE_SIZE <= v->end) {
			r = fork_entry(dst, v, va, pde, 1);
			if (r)
				return r;
			va += HUGE_SIZE;
			continue;
		}
		pte = vm_entry(src->pgd, va, 0, false); /* (splits a 2 MiB page not wholly in v) */
		if (!pte && (*pde & PTE_PS))
			return -ENOMEM;
		if (pte && (*pte & (PTE_P | PTE_SW_PROTNONE))) {
			r = fork_entry(dst, v, va, pte, 0);
			if (r)
				return r;
		}
		va += PAGE_SIZE;
	}
	return 0;
}

int mm_pte_cow(struct mm *mm, struct vma *v, uint64_t *pte)
{
	uint64_t old = *pte, pa = old & PTE_ADDR;
	void *p;

	if (mm_pte_writable(v, old, false)) {
		*pte = old | PTE_W;
		return 0;
	}
	p = page_alloc(0);
	if (!p)
		return -ENOMEM;
	memcpy(p, P2V(pa), PAGE_SIZE);
	*pte = V2P(p) | mm_pte_bits(v, true) | PTE_SW_OWNED;
	if (old & PTE_SW_OWNED)
		mm_pte_release(pa, 1); /* one owner fewer (maybe none left: then freed) */
	else
		mm->pages++;
	return 0;
}

bool mm_pte_huge_unshare(struct mm *mm, struct vma *v, uint64_t va)
{
	uint64_t *pde = vm_entry(mm->pgd, va, 1, false);

	if (!pde ||
	    (*pde & (PTE_P | PTE_PS | PTE_W | PTE_SW_OWNED)) != (PTE_P | PTE_PS | PTE_SW_OWNED) ||
	    !(v->prot & PROT_WRITE) || !mm_pte_writable(v, *pde, true))
		return false;
	*pde |= PTE_W;
	return true;
}

/* Clear the entries of [start, end), freeing owned frames. Returns true if any was present. */
bool mm_pte_clear(struct mm *mm, uint64_t start, uint64_t end)
{
	bool flush = false;

	for (uint64_t va = start; va < end;) {
		uint64_t *pde = present_pde(mm->pgd, &va), *pte;

		if (!pde) /* an absent table skipped whole */
			continue;
		if ((*pde & PTE_PS) && !(va & (HUGE_SIZE - 1)) && va + HUGE_SIZE <= end) {
			mm_pte_release(*pde & PTE_ADDR,
				       HUGE_SIZE / PAGE_SIZE); /* a whole 2 MiB page */
			mm->pages -= HUGE_SIZE / PAGE_SIZE;
			*pde = 0;
			flush = true;
			va += HUGE_SIZE;
			continue;
		}
		/* Part of a 2 MiB page: vm_entry splits it into 4 KiB entries first. */
		pte = vm_entry(mm->pgd, va, 0, false);
		if (!pte && (*pde & PTE_PS))
			printk(LOG_WARN, "mm: out of memory splitting a 2 MiB page at %#lx\n", va);
		if (pte && (*pte & (PTE_P | PTE_SW_PROTNONE))) {
			if (*pte & PTE_SW_OWNED) {
				mm_pte_release(*pte & PTE_ADDR, 1);
				mm->pages--;
			}
			flush |= *pte & PTE_P;
			*pte = 0;
		}
		va += PAGE_SIZE;
	}
	return flush;
}

/* Move the entries of [old, old+len) to new (not overlapping; new has no entries). */
int mm_pte_move(struct mm *mm, uint64_t old, uint64_t new, uint64_t len)
{
	for (uint64_t i = 0; i < len; i += PAGE_SIZE) {
		uint64_t *src = vm_entry(mm->pgd, old + i, 0, false), *dst;

		if (!src || !(*src & (PTE_P | PTE_SW_PROTNONE)))
			continue;
		dst = vm_entry(mm->pgd, new + i, 0, true);
		if (!dst)
			return -ENOMEM;
		*dst = *src;
		*src = 0;
	}
	return 0;
}

/* A 2 MiB page already maps va for this access (another CPU's fault got there first). */
bool mm_pte_huge_present(struct mm *mm, uint64_t va, bool write)
{
	uint64_t *pde = vm_entry(mm->pgd, va, 1, false);

	return pde && (*pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS) && (!write || (*pde & PTE_W));
}

uint64_t mm_pte_phys(struct mm *mm, uint64_t va)
{
	uint64_t *e = vm_entry(mm->pgd, va, 1, false);

	if (!e)
		return (uint64_t)-1;
	/* A 2 MiB page first: a level-0 look would split it. */
	if (*e & PTE_PS)
		return (*e & (PTE_P | PTE_SW_PROTNONE))
			       ? (*e & PTE_ADDR & ~(uint64_t)(HUGE_SIZE - 1)) |
					 (va & (HUGE_SIZE - 1))
			       : (uint64_t)-1;
	e = vm_entry(mm->pgd, va, 0, false);
	if (!e || !(*e & (PTE_P | PTE_SW_PROTNONE)))
		return (uint64_t)-1;
	return (*e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
}
