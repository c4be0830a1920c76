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
#include "core/mm/pageref.h"
#include "linux/mm_pte.h"
#include "linux/task.h"
#include "linux/vma.h"

static int unmap_locked(struct mm *mm, uint64_t start, uint64_t end, bool *flush);

/* Every address space, for what a file's truncation must reach in all of them. */
static struct mutex all_lock = MUTEX_INIT(all_lock);
static struct list all_mms = LIST_INIT(all_mms);
static uint64_t ids_used[MM_IDS / 64] = { 1 }; /* under all_lock; id 0 is never given */
static uint32_t id_next = 1;

/* Under all_lock: a free id, or 0 when every one is taken. */
static uint32_t id_alloc(void)
{
	for (uint32_t n = 0; n < MM_IDS; n++, id_next = (id_next + 1) % MM_IDS) {
		uint32_t id = id_next;

		if (!(ids_used[id / 64] & (1ull << (id % 64)))) {
			ids_used[id / 64] |= 1ull << (id % 64);
			return id;
		}
	}
	return 0;
}

struct mm *mm_current(void)
{
	struct task *t = current_task();

	return t ? t->proc->mm : NULL;
}

struct mm *mm_create(bool first)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->pgd = first ? vm_kernel_pgd() : vm_pgd_new();
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	mutex_init(&mm->lock);
	list_init(&mm->vmas);
	mm->users = 1;
	mutex_lock(&all_lock);
	mm->id = id_alloc();
	if (mm->id)
		list_add_tail(&all_mms, &mm->all);
	mutex_unlock(&all_lock);
	if (!mm->id) {
		if (!first)
			vm_pgd_free(mm->pgd);
		kfree(mm);
		return NULL;
	}
	return mm;
}

void mm_get(struct mm *mm)
{
	__atomic_fetch_add(&mm->users, 1, __ATOMIC_RELAXED);
}

void mm_put(struct mm *mm)
{
	bool flush = false;

	if (__atomic_sub_fetch(&mm->users, 1, __ATOMIC_ACQ_REL))
		return;
	mutex_lock(&all_lock);
	list_del(&mm->all);
	ids_used[mm->id / 64] &= ~(1ull << (mm->id % 64));
	mutex_unlock(&all_lock);
	/* No thread runs on it any more; a CPU may still hold it loaded while idle. */
	if (mm->pgd != vm_kernel_pgd())
		smp_drop_root(V2P(mm->pgd));
	mutex_lock(&mm->lock);
	if (unmap_locked(mm, 0, MM_TASK_SIZE, &flush))
		printk(LOG_WARN, "mm: out of memory tearing an address space down\n");
	mutex_unlock(&mm->lock);
	if (mm->pgd != vm_kernel_pgd())
		vm_pgd_free(mm->pgd);
	kfree(mm);
}

/* Copy src's VMA v into dst with its pages (copy on write); src's lock held. */
static int fork_vma(struct mm *dst, struct mm *src, struct vma *v)
{
	struct vma *n = kzalloc(sizeof(*n));
	int r = 0;

	if (!n)
		return -ENOMEM;
	*n = *v;
	list_init(&n->node);
	if (n->file) {
		file_get(n->file);
		if (vma_is_shared(n))
			__atomic_fetch_add(&n->file->inode->mmaps, 1, __ATOMIC_RELAXED);
	}
	list_add_tail(&dst->vmas, &n->node);
	/* Shared anonymous memory: every page now, so that both see the same frames. */
	if (vma_is_shared(v) && !v->file)
		r = mm_pte_populate(src, v, v->start, v->end);
	return r ? r : mm_pte_fork(dst, src, v);
}

struct mm *mm_fork(struct mm *src)
{
	struct mm *dst = mm_create(false);
	struct list *pos;
	int r = 0;

	if (!dst)
		return NULL;
	mutex_lock(&src->lock);
	dst->brk_start = src->brk_start;
	dst->brk = src->brk;
	dst->stack_start = src->stack_start;
	memcpy(dst->stub_page, src->stub_page, sizeof(dst->stub_page));
	memcpy(dst->stub_used, src->stub_used, sizeof(dst->stub_used));
	dst->nstubs = src->nstubs;
	list_for_each (pos, &src->vmas) {
		r = fork_vma(dst, src, vma_of(pos));
		if (r)
			break;
	}
	mutex_unlock(&src->lock);
	smp_tlb_shootdown(0, MM_TASK_SIZE); /* src's private pages are write-protected now */
	if (r) {
		mm_put(dst);
		return NULL;
	}
	return dst;
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
	struct mm *mm = mm_current();
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
	struct mm *mm = mm_current();
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
	struct mm *mm = mm_current();
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
				uint64_t *pde = vm_entry(mm->pgd, va, 1, false);

				if (!pde || !(*pde & PTE_P)) {
					va += HUGE_SIZE - PAGE_SIZE;
					continue;
				}
				/* A 2 MiB page wholly inside v keeps its size unless made PROT_NONE. */
				if ((*pde & PTE_PS) && va + HUGE_SIZE <= v->end &&
				    mm_pte_bits(v, false)) {
					*pde = (*pde & PTE_ADDR) | PTE_PS | PTE_SW_OWNED |
					       mm_pte_bits(v, mm_pte_writable(v, *pde, true));
					flush = true;
					va += HUGE_SIZE - PAGE_SIZE;
					continue;
				}
			}
			pte = vm_entry(mm->pgd, va, 0, false);
			if (!pte || !(*pte & (PTE_P | PTE_SW_PROTNONE)))
				continue;
			pa = *pte & PTE_ADDR;
			owned = *pte & PTE_SW_OWNED;
			flush |= *pte & PTE_P;
			if (!mm_pte_bits(v, false))
				*pte = pa | owned | PTE_SW_PROTNONE;
			else
				*pte = pa | owned | mm_pte_bits(v, mm_pte_writable(v, *pte, false));
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
	struct mm *mm = mm_current();
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
	r = mm_pte_move(mm, old, to, MIN(olen, nlen));
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
	struct mm *mm = mm_current();

	mm->brk_start = mm->brk = ALIGN_UP(start, PAGE_SIZE);
}

uint64_t mm_brk(uint64_t end)
{
	struct mm *mm = mm_current();
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
	struct mm *mm = mm_current();
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
	struct mm *mm = mm_current();
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
	if (mm_pte_huge_present(mm, va, write) || (!v->file && mm_pte_fill_huge(mm, v, va)))
		goto out;
	if (write && mm_pte_huge_unshare(mm, v, va)) {
		flush = true; /* (any address of a 2 MiB page drops its TLB entry) */
		goto out;
	}
	pte = vm_entry(mm->pgd, va, 0, true);
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
		r = mm_pte_cow(mm, v, pte);
		flush = !r;
	}
out:
	mutex_unlock(&mm->lock);
	if (flush)
		smp_tlb_shootdown(va, PAGE_SIZE);
	return r;
}

int mm_dontneed(uint64_t addr, uint64_t len)
{
	struct mm *mm = mm_current();
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
	struct mm *mm = mm_current();
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
	struct mm *mm = mm_current();
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

/* mm_truncated in one address space: the range of entries cleared, widened into lo, hi. */
static void truncated_in(struct mm *mm, const struct inode *ino, uint64_t keep, uint64_t *lo,
			 uint64_t *hi)
{
	struct list *pos;

	mutex_lock(&mm->lock);
	list_for_each (pos, &mm->vmas) {
		struct vma *v = vma_of(pos);
		uint64_t s = v->start;

		if (!v->file || v->file->inode != ino || v->off + (v->end - v->start) <= keep)
			continue;
		if (v->off < keep)
			s += keep - v->off;
		if (mm_pte_clear(mm, s, v->end)) {
			*lo = MIN(*lo, s);
			*hi = MAX(*hi, v->end);
		}
	}
	mutex_unlock(&mm->lock);
}

void mm_truncated(const struct inode *ino, uint64_t size)
{
	uint64_t keep = ALIGN_UP(size, PAGE_SIZE), lo = ~0UL, hi = 0;
	struct list *pos;

	mutex_lock(&all_lock);
	list_for_each (pos, &all_mms) {
		truncated_in(list_entry(pos, struct mm, all), ino, keep, &lo, &hi);
	}
	mutex_unlock(&all_lock);
	if (hi)
		smp_tlb_shootdown(lo, hi - lo);
}

bool mm_range_mapped(uint64_t addr, uint64_t len)
{
	struct mm *mm = mm_current();
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

uint64_t mm_resident_pages(const struct mm *mm)
{
	return mm ? mm->pages : 0;
}

size_t mm_read(struct mm *mm, uint64_t addr, void *buf, size_t n)
{
	size_t done = 0;

	mutex_lock(&mm->lock);
	while (done < n && addr + done < MM_TASK_SIZE && addr + done >= addr) {
		uint64_t va = addr + done, pa = mm_pte_phys(mm, va);
		size_t chunk = MIN(n - done, PAGE_SIZE - (va & (PAGE_SIZE - 1)));

		if (pa == (uint64_t)-1)
			break;
		memcpy((char *)buf + done, P2V(pa), chunk);
		done += chunk;
	}
	mutex_unlock(&mm->lock);
	return done;
}

bool mm_vma_next(struct mm *mm, uint64_t addr, struct vma *out)
{
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
