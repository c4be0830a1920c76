/* mm.c: the application's address space: mmap and its kin, brk, the page-fault handler, code
 * patching. The VMA list is vma.c's, the page-table entries mm_pte.c's. See mm.h for the
 * mapping policy. */
#include "linux/mm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/smp.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/mm/vm.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "linux/mm_pte.h"
#include "linux/vma.h"

struct mm *current_mm;
static struct mm the_mm;

int mm_init(void)
{
	mutex_init(&the_mm.lock);
	list_init(&the_mm.vmas);
	current_mm = &the_mm;
	return 0;
}

/* Unmap [start, end) (page-aligned); returns true if the TLBs need flushing. */
static int unmap_locked(struct mm *mm, uint64_t start, uint64_t end, bool *flush)
{
	struct list *pos, *tmp;
	int r = vma_split_around(mm, start, end);

	if (r)
		return r;
	list_for_each_safe (pos, tmp, &mm->vmas) {
		struct vma *v = vma_of(pos);

		if (v->end <= start || v->start >= end)
			continue;
		list_del(&v->node);
		vma_free(v);
	}
	*flush |= mm_pte_clear(mm, start, end);
	return 0;
}

long mm_mmap(uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags, struct file *f,
	     uint64_t off, const char *name)
{
	struct mm *mm = current_mm;
	bool flush = false;
	struct vma *v;
	uint64_t end, eager;
	int r;

	if (!len || (off & (PAGE_SIZE - 1)) || len > MM_TASK_SIZE)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	mutex_lock(&mm->lock);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if ((addr & (PAGE_SIZE - 1)) || addr + len > MM_TASK_SIZE || addr + len < addr ||
		    addr < MM_MIN_ADDR) {
			r = (addr & (PAGE_SIZE - 1)) ? -EINVAL : -ENOMEM;
			goto err;
		}
		if (!vma_range_free(mm, addr, addr + len)) {
			r = -EEXIST;
			if (!(flags & MAP_FIXED))
				goto err;
			r = unmap_locked(mm, addr, addr + len, &flush);
			if (r)
				goto err;
		}
	} else {
		addr = ALIGN_DOWN(addr, PAGE_SIZE);
		if ((!addr || !vma_range_free(mm, addr, addr + len)) && !f && len >= HUGE_SIZE) {
			/* 2 MiB-aligned, as Linux places large anonymous mappings: whole blocks */
			addr = vma_find_gap(mm, len + HUGE_SIZE - PAGE_SIZE, MM_MMAP_BASE);
			addr = addr ? ALIGN_UP(addr, HUGE_SIZE) : 0;
		} else if (!addr || !vma_range_free(mm, addr, addr + len)) {
			addr = vma_find_gap(mm, len, MM_MMAP_BASE);
		}
		if (!addr) {
			r = -ENOMEM;
			goto err;
		}
	}
	end = addr + len;
	v->start = addr;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	v->off = off;
	v->name = name;
	if (f) {
		file_get(f);
		v->file = f;
		if (vma_is_shared(v))
			__atomic_fetch_add(&f->inode->mmaps, 1, __ATOMIC_RELAXED);
	}
	vma_insert(mm, v);
	eager = f ? ((!(prot & PROT_WRITE) || vma_is_shared(v) || len <= (16UL << 20)) ? len : 0)
		  : (len <= MM_EAGER_MAX || (flags & MAP_POPULATE) ? len : 0);
	r = mm_pte_populate(mm, v, addr, addr + eager);
	vma_merge_around(mm, addr, end);
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(addr, len);
	if (r == -ENOMEM) { /* nothing else can fail once the VMA is in */
		if (mm_munmap(addr, len))
			return -ENOMEM;
		return -ENOMEM;
	}
	return (long)addr;
err:
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(addr, len);
	kfree(v);
	return r;
}

int mm_munmap(uint64_t addr, uint64_t len)
{
	struct mm *mm = current_mm;
	bool flush = false;
	int r;

	if ((addr & (PAGE_SIZE - 1)) || !len || addr + len < addr || addr + len > MM_TASK_SIZE)
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&mm->lock);
	r = unmap_locked(mm, addr, addr + len, &flush);
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(addr, len);
	return r;
}

int mm_mprotect(uint64_t addr, uint64_t len, uint32_t prot)
{
	struct mm *mm = current_mm;
	uint64_t end, va;
	struct list *pos;
	bool flush = false;
	int r;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	prot &= ~(uint32_t)(PROT_GROWSDOWN | PROT_GROWSUP);
	if (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	end = addr + len;
	if (!len)
		return 0;
	mutex_lock(&mm->lock);
	/* Every page of the range must be mapped. */
	for (va = addr; va < end;) {
		struct vma *v = vma_find(mm, va);

		if (!v) {
			mutex_unlock(&mm->lock);
			return -ENOMEM;
		}
		va = v->end;
	}
	r = vma_split_around(mm, addr, end);
	if (r)
		goto out;
	list_for_each (pos, &mm->vmas) {
		struct vma *v = vma_of(pos);

		if (v->end <= addr || v->start >= end)
			continue;
		v->prot = prot;
		for (va = v->start; va < v->end; va += PAGE_SIZE) {
			uint64_t *pte, pa, owned;

			if (!(va & (HUGE_SIZE - 1))) {
				uint64_t *pde = vm_entry(va, 1, false);

				if (!pde || !(*pde & PTE_P)) {
					va += HUGE_SIZE - PAGE_SIZE;
					continue;
				}
				/* A 2 MiB page wholly inside v keeps its size unless made PROT_NONE. */
				if ((*pde & PTE_PS) && va + HUGE_SIZE <= v->end &&
				    mm_pte_bits(v, false)) {
					*pde = (*pde & PTE_ADDR) | PTE_PS | PTE_SW_OWNED |
					       mm_pte_bits(v, true);
					flush = true;
					va += HUGE_SIZE - PAGE_SIZE;
					continue;
				}
			}
			pte = vm_entry(va, 0, false);
			if (!pte || !(*pte & (PTE_P | PTE_SW_PROTNONE)))
				continue;
			pa = *pte & PTE_ADDR;
			owned = *pte & PTE_SW_OWNED;
			flush |= *pte & PTE_P;
			if (!mm_pte_bits(v, false))
				*pte = pa | owned | PTE_SW_PROTNONE;
			else
				*pte = pa | owned |
				       mm_pte_bits(v, owned || vma_is_shared(v) || !v->file);
		}
		if (!v->file && v->end - v->start <= MM_EAGER_MAX)
			r = mm_pte_populate(mm, v, v->start, v->end);
		else if (v->file)
			r = mm_pte_populate(mm, v, v->start, v->end);
		if (r)
			break;
	}
	vma_merge_around(mm, addr, end);
out:
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(addr, len);
	return r;
}

long mm_mremap(uint64_t old, uint64_t olen, uint64_t nlen, uint32_t flags, uint64_t naddr)
{
	struct mm *mm = current_mm;
	struct vma *v;
	bool flush = false;
	uint64_t to;
	int r;

	if ((old & (PAGE_SIZE - 1)) || !nlen || (flags & ~7u) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
		return -EINVAL;
	olen = ALIGN_UP(olen, PAGE_SIZE);
	nlen = ALIGN_UP(nlen, PAGE_SIZE);
	if (!olen)
		return -EINVAL; /* duplicating shared mappings: not supported */
	mutex_lock(&mm->lock);
	v = vma_find(mm, old);
	r = -EFAULT;
	if (!v || old + olen > v->end)
		goto out;
	if (nlen <= olen && !(flags & MREMAP_FIXED)) {
		r = unmap_locked(mm, old + nlen, old + olen, &flush);
		mutex_unlock(&mm->lock);
		if (flush)
			smp_tlb_shootdown(old + nlen, olen - nlen);
		return r ? r : (long)old;
	}
	r = vma_split_around(mm, old, old + olen);
	if (r)
		goto out;
	v = vma_find(mm, old);
	if (!(flags & MREMAP_FIXED) && vma_range_free(mm, old + olen, old + nlen)) {
		v->end = old + nlen;
		if (!v->file && nlen - olen <= MM_EAGER_MAX)
			r = mm_pte_populate(mm, v, old + olen, old + nlen);
		mutex_unlock(&mm->lock);
		return r ? r : (long)old;
	}
	r = -ENOMEM;
	if (!(flags & MREMAP_MAYMOVE))
		goto out;
	if (flags & MREMAP_FIXED) {
		to = naddr;
		r = -EINVAL;
		if ((to & (PAGE_SIZE - 1)) || (to < old + olen && old < to + nlen))
			goto out;
		r = unmap_locked(mm, to, to + nlen, &flush);
		if (r)
			goto out;
		v = vma_find(mm, old);
	} else {
		to = vma_find_gap(mm, nlen, MM_MMAP_BASE);
		if (!to)
			goto out;
	}
	r = mm_pte_move(old, to, MIN(olen, nlen));
	if (r)
		goto out;
	if (nlen < olen)
		(void)mm_pte_clear(mm, old + nlen, old + olen);
	list_del(&v->node);
	v->start = to;
	v->end = to + nlen;
	vma_insert(mm, v);
	flush = true;
	if (!v->file && nlen > olen && nlen - olen <= MM_EAGER_MAX)
		r = mm_pte_populate(mm, v, to + olen, to + nlen);
	mutex_unlock(&mm->lock);
	smp_tlb_shootdown(old, olen);
	return r ? r : (long)to;
out:
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(old, olen);
	return r;
}

void mm_set_brk(uint64_t start)
{
	current_mm->brk_start = current_mm->brk = ALIGN_UP(start, PAGE_SIZE);
}

uint64_t mm_brk(uint64_t end)
{
	struct mm *mm = current_mm;
	uint64_t old, top, ntop;
	bool flush = false;
	struct vma *v;

	mutex_lock(&mm->lock);
	old = mm->brk;
	if (end < mm->brk_start)
		goto out;
	top = ALIGN_UP(old, PAGE_SIZE);
	ntop = ALIGN_UP(end, PAGE_SIZE);
	if (ntop > top) {
		if (!vma_range_free(mm, top, ntop))
			goto out;
		v = top > mm->brk_start ? vma_find(mm, top - 1) : NULL;
		if (v && v->name && !strcmp(v->name, "[heap]")) {
			v->end = ntop;
		} else {
			v = kzalloc(sizeof(*v));
			if (!v)
				goto out;
			v->start = top;
			v->end = ntop;
			v->prot = PROT_READ | PROT_WRITE;
			v->flags = MAP_PRIVATE | MAP_ANONYMOUS;
			v->name = "[heap]";
			vma_insert(mm, v);
		}
		if (mm_pte_populate(mm, v, top, ntop)) {
			v->end = top; /* out of memory: keep the old break */
			(void)mm_pte_clear(mm, top, ntop);
			if (v->start == v->end) {
				list_del(&v->node);
				vma_free(v);
			}
			goto out;
		}
	} else if (ntop < top) {
		if (unmap_locked(mm, ntop, top, &flush))
			goto out;
	}
	mm->brk = end;
out:
	end = mm->brk;
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(ALIGN_UP(end, PAGE_SIZE),
				  ALIGN_UP(old, PAGE_SIZE) - ALIGN_UP(end, PAGE_SIZE));
	return end;
}

void mm_clear(void)
{
	struct mm *mm = current_mm;
	bool flush = false;

	mutex_lock(&mm->lock);
	if (unmap_locked(mm, MM_MIN_ADDR, MM_TASK_SIZE, &flush))
		printk(LOG_WARN, "mm: out of memory clearing the address space\n");
	mm->brk = mm->brk_start = 0;
	mm->nstubs = 0; /* their pages went with the rest */
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(0, MM_TASK_SIZE);
}

int mm_fault(uint64_t addr, bool write)
{
	struct mm *mm = current_mm;
	uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE), *pte, old;
	bool flush = false;
	struct vma *v;
	int r = 0;

	if (!mm || addr >= MM_TASK_SIZE)
		return -EFAULT;
	mutex_lock(&mm->lock);
	v = vma_find(mm, addr);
	if (!v) {
		r = -EFAULT;
		goto out;
	}
	if (!mm_pte_bits(v, false) || (write && !(v->prot & PROT_WRITE))) {
		r = -EACCES;
		goto out;
	}
	if (mm_pte_huge_present(va, write) || (!v->file && mm_pte_fill_huge(mm, v, va)))
		goto out;
	pte = vm_entry(va, 0, true);
	if (!pte) {
		r = -ENOMEM;
		goto out;
	}
	old = *pte;
	if (!(old & PTE_P)) {
		uint64_t s =
			v->file ? va : MAX(v->start, ALIGN_DOWN(va, MM_FAULT_AROUND * PAGE_SIZE));
		uint64_t e =
			v->file ? va + PAGE_SIZE : MIN(v->end, s + MM_FAULT_AROUND * PAGE_SIZE);

		r = mm_pte_fill(mm, v, va);
		if (!r && s != e)
			r = mm_pte_populate(mm, v, s, e);
	} else if (write && !(old & PTE_W)) {
		if (vma_is_shared(v) || (old & PTE_SW_OWNED)) {
			*pte = old | PTE_W;
		} else { /* copy on write of a file page */
			void *p = page_alloc(0);

			if (!p) {
				r = -ENOMEM;
				goto out;
			}
			memcpy(p, P2V(old & PTE_ADDR), PAGE_SIZE);
			*pte = V2P(p) | mm_pte_bits(v, true) | PTE_SW_OWNED;
			mm->pages++;
		}
		flush = true;
	}
out:
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(va, PAGE_SIZE);
	return r;
}

int mm_dontneed(uint64_t addr, uint64_t len)
{
	struct mm *mm = current_mm;
	bool flush;

	len = ALIGN_UP(len, PAGE_SIZE);
	if (!mm_range_mapped(addr, len))
		return -ENOMEM;
	mutex_lock(&mm->lock);
	flush = mm_pte_clear(mm, addr, addr + len);
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(addr, len);
	return 0;
}

int mm_set_huge(uint64_t addr, uint64_t len, bool allow)
{
	struct mm *mm = current_mm;
	uint64_t end = addr + ALIGN_UP(len, PAGE_SIZE);
	struct list *pos;
	int r;

	if (!mm_range_mapped(addr, len))
		return -ENOMEM;
	mutex_lock(&mm->lock);
	r = vma_split_around(mm, addr, end);
	if (!r)
		list_for_each (pos, &mm->vmas) {
			struct vma *v = vma_of(pos);

			if (v->end > addr && v->start < end)
				v->nohuge = !allow;
		}
	vma_merge_around(mm, addr, end);
	mutex_unlock(&mm->lock);
	return r;
}

#define SYNC_FILES 16 /* the most files one msync reaches */

int mm_sync(uint64_t addr, uint64_t len)
{
	struct mm *mm = current_mm;
	struct file *files[SYNC_FILES];
	struct list *pos;
	int n = 0, r = 0;

	mutex_lock(&mm->lock);
	list_for_each (pos, &mm->vmas) {
		struct vma *v = vma_of(pos);

		if (v->end > addr && v->start < addr + len && v->file && vma_is_shared(v) &&
		    v->file->ops && v->file->ops->fsync && n < SYNC_FILES) {
			file_get(v->file);
			files[n++] = v->file;
		}
	}
	mutex_unlock(&mm->lock);
	for (int i = 0; i < n; i++) {
		int e = files[i]->ops->fsync(files[i]);

		r = r ? r : e;
		file_put(files[i]);
	}
	return r;
}

void mm_truncated(const struct inode *ino, uint64_t size)
{
	struct mm *mm = current_mm;
	uint64_t keep = ALIGN_UP(size, PAGE_SIZE), lo = ~0UL, hi = 0;
	struct list *pos;

	if (!mm)
		return;
	mutex_lock(&mm->lock);
	list_for_each (pos, &mm->vmas) {
		struct vma *v = vma_of(pos);
		uint64_t s = v->start;

		if (!v->file || v->file->inode != ino || v->off + (v->end - v->start) <= keep)
			continue;
		if (v->off < keep)
			s += keep - v->off;
		if (mm_pte_clear(mm, s, v->end)) {
			lo = MIN(lo, s);
			hi = MAX(hi, v->end);
		}
	}
	mutex_unlock(&mm->lock);
	if (hi)
		smp_tlb_shootdown(lo, hi - lo);
}

/* Code mm_patch_text may change: a private, read-only, executable file mapping. */
static bool patchable(const struct vma *v)
{
	return v && v->file && !vma_is_shared(v) && !(v->prot & PROT_WRITE) &&
	       (v->prot & PROT_EXEC);
}

bool mm_text_patchable(uint64_t va)
{
	struct mm *mm = current_mm;
	bool ok;

	mutex_lock(&mm->lock);
	ok = patchable(vma_find(mm, va));
	mutex_unlock(&mm->lock);
	return ok;
}

int mm_patch_text(uint64_t va, const void *old, const void *new, size_t n)
{
	struct mm *mm = current_mm;
	uint64_t pg = ALIGN_DOWN(va, PAGE_SIZE), *pte, was = 0;
	struct vma *v;
	uint8_t *copy;
	int r = -EPERM;

	if (!n || ALIGN_DOWN(va + n - 1, PAGE_SIZE) != pg)
		return -EINVAL;
	mutex_lock(&mm->lock);
	v = vma_find(mm, va);
	if (!patchable(v))
		goto out;
	pte = vm_entry(pg, 0, false);
	if (!pte || !(*pte & PTE_P))
		goto out;
	was = *pte;
	r = -EAGAIN;
	if (memcmp((uint8_t *)P2V(was & PTE_ADDR) + (va - pg), old, n))
		goto out;
	r = -ENOMEM;
	copy = page_alloc(0);
	if (!copy)
		goto out;
	/* A new page rather than a write in place: another CPU may be running this code; it
	 * sees the old page or the new one, never a half-written instruction. */
	memcpy(copy, P2V(was & PTE_ADDR), PAGE_SIZE);
	memcpy(copy + (va - pg), new, n);
	*pte = V2P(copy) | (was & ~PTE_ADDR) | PTE_SW_OWNED;
	if (!(was & PTE_SW_OWNED))
		mm->pages++;
	r = 0;
out:
	mutex_unlock(&mm->lock);
	if (!r) {
		smp_tlb_shootdown(pg, PAGE_SIZE);
		if (was & PTE_SW_OWNED)
			page_free(P2V(was & PTE_ADDR), 0);
	}
	return r;
}

long mm_map_near(uint64_t near, uint64_t reach, uint64_t len, uint32_t prot, const char *name)
{
	struct mm *mm = current_mm;
	uint64_t limit = MIN(ALIGN_DOWN(near + reach - len, PAGE_SIZE), MM_MMAP_BASE), at;

	mutex_lock(&mm->lock);
	at = vma_find_gap(mm, len, limit);
	mutex_unlock(&mm->lock);
	if (!at || at + reach < near + len || (len & (PAGE_SIZE - 1)))
		return -ENOMEM;
	return mm_mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, NULL, 0,
		       name);
}

bool mm_range_mapped(uint64_t addr, uint64_t len)
{
	struct mm *mm = current_mm;
	uint64_t end = addr + len;
	bool ok = true;

	mutex_lock(&mm->lock);
	while (addr < end) {
		struct vma *v = vma_find(mm, addr);

		if (!v) {
			ok = false;
			break;
		}
		addr = v->end;
	}
	mutex_unlock(&mm->lock);
	return ok;
}

uint64_t mm_resident_pages(void)
{
	return current_mm ? current_mm->pages : 0;
}

bool mm_vma_next(uint64_t addr, struct vma *out)
{
	struct mm *mm = current_mm;
	struct list *pos;
	bool found = false;

	mutex_lock(&mm->lock);
	list_for_each (pos, &mm->vmas) {
		struct vma *v = vma_of(pos);

		if (v->end > addr) {
			*out = *v;
			list_init(&out->node);
			if (out->file)
				file_get(out->file);
			found = true;
			break;
		}
	}
	mutex_unlock(&mm->lock);
	return found;
}
