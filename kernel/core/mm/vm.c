/* vm.c: 4-level x86-64 page tables: build, map (2 MiB pages where possible), unmap with TLB
 * shootdown, translate. Every entry gets arch_pte_extra() (the U bit on kvm_pvm). */
#include "core/mm/vm.h"
#include "core/mm/page.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/smp.h"
#include "core/panic.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

static uint64_t *pml4; /* the kernel's root; also the first process's (pid 1) */
static uint64_t pml4_pa;
static bool roots_copied; /* vm_pgd_new has copied the kernel half: it may not grow */
static struct spinlock lock = SPINLOCK_INIT;
static uint64_t n_huge, n_small;
extern char _kernel_end[];

static unsigned idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

/* Find the entry for va at level (0 = PTE, 1 = PDE, 2 = PDPTE), allocating tables on the
 * way if alloc. Returns 0, -ENOENT (no table and !alloc), -ENOMEM, or -EINVAL (a huge page
 * is in the way). */
static int walk_err(uint64_t *root, uint64_t va, int level, bool alloc, uint64_t **out)
{
	uint64_t *t = root;

	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[idx(va, l)];

		if (!(*e & PTE_P)) {
			uint64_t *n;

			if (!alloc)
				return -ENOENT;
			/* the kernel half's top level is copied into every root: fixed once copied */
			BUG_ON(l == 3 && va >= KERNEL_HALF && roots_copied);
			n = page_alloc_zeroed(0);
			if (!n)
				return -ENOMEM;
			*e = V2P(n) | PTE_P | PTE_W | arch_pte_extra();
		} else if (*e & PTE_PS) {
			return -EINVAL;
		}
		t = P2V(*e & PTE_ADDR);
	}
	*out = &t[idx(va, level)];
	return 0;
}

static uint64_t *walk(uint64_t va, int level)
{
	uint64_t *e;

	return walk_err(pml4, va, level, false, &e) ? NULL : e;
}

static int map_locked(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	uint64_t bits = PTE_P | arch_pte_extra() | (flags & (VM_WRITE | VM_UNCACHED));

	if ((va | pa | size) & (PAGE_SIZE - 1))
		return -EINVAL;
	while (size) {
		bool huge = !((va | pa) & (HUGE_SIZE - 1)) && size >= HUGE_SIZE;
		uint64_t step, want, *e;
		int r = walk_err(pml4, va, huge ? 1 : 0, true, &e);

		/* A page table already there (4 KiB pages around): stay with 4 KiB pages. */
		if (!r && huge && (*e & PTE_P) && !(*e & PTE_PS)) {
			huge = false;
			r = walk_err(pml4, va, 0, true, &e);
		}
		if (r)
			return r;
		step = huge ? HUGE_SIZE : PAGE_SIZE;
		want = pa | bits | (huge ? PTE_PS : 0);
		/* the same mapping again is fine (the CPU may have set Accessed and Dirty) */
		if ((*e & PTE_P) && (*e & ~PTE_ACCESSED_DIRTY) != (want & ~PTE_ACCESSED_DIRTY))
			return -EINVAL;
		if (!(*e & PTE_P)) {
			*e = want;
			if (huge)
				n_huge++;
			else
				n_small++;
		}
		va += step;
		pa += step;
		size -= step;
	}
	return 0;
}

int vm_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	uint64_t f = spin_lock(&lock);
	int r = map_locked(va, pa, size, flags);

	spin_unlock(&lock, f);
	return r;
}

int vm_unmap(uint64_t va, uint64_t size)
{
	uint64_t f, start = va, len = size;
	int r = 0;

	if ((va | size) & (PAGE_SIZE - 1))
		return -EINVAL;
	f = spin_lock(&lock);
	while (size) {
		uint64_t *pde = walk(va, 1), *e;

		if (pde && (*pde & PTE_P) && (*pde & PTE_PS)) {
			if ((va & (HUGE_SIZE - 1)) || size < HUGE_SIZE) {
				r = -EINVAL;
				break;
			}
			*pde = 0;
			n_huge--;
			va += HUGE_SIZE;
			size -= HUGE_SIZE;
			continue;
		}
		e = walk(va, 0);
		if (e && (*e & PTE_P)) {
			*e = 0;
			n_small--;
		}
		va += PAGE_SIZE;
		size -= PAGE_SIZE;
	}
	spin_unlock(&lock, f);
	smp_tlb_shootdown(start, len);
	return r;
}

uint64_t *vm_entry(uint64_t *root, uint64_t va, int level, bool alloc)
{
	uint64_t *e;
	int r = walk_err(root, va, level, alloc, &e);

	if (r == -EINVAL && level == 0) {
		/* A 2 MiB page in the way: split it into 512 4 KiB entries with its bits. */
		uint64_t *pde, *pt, old;

		if (walk_err(root, va, 1, false, &pde))
			return NULL;
		pt = page_alloc_zeroed(0);
		if (!pt)
			return NULL;
		old = *pde;
		for (int i = 0; i < 512; i++)
			pt[i] = ((old & PTE_ADDR) + (uint64_t)i * PAGE_SIZE) |
				(old & ~PTE_ADDR & ~PTE_PS);
		*pde = V2P(pt) | PTE_P | PTE_W | arch_pte_extra();
		r = walk_err(root, va, 0, alloc, &e);
	}
	return r ? NULL : e;
}

uint64_t vm_translate(uint64_t va)
{
	uint64_t *t = this_cpu()->cr3 ? P2V(this_cpu()->cr3) : pml4;

	for (int l = 3; l >= 0; l--) {
		uint64_t e = t[idx(va, l)];

		if (!(e & PTE_P))
			return (uint64_t)-1;
		if (l == 0 || (l <= 2 && (e & PTE_PS))) {
			uint64_t mask = (1UL << (12 + 9 * l)) - 1;

			return ((e & PTE_ADDR) & ~mask) | (va & mask);
		}
		t = P2V(e & PTE_ADDR);
	}
	return (uint64_t)-1;
}

void *vm_map_mmio(uint64_t pa, uint64_t size)
{
	uint64_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	uint64_t len = ALIGN_UP(pa + size, PAGE_SIZE) - base;

	if (vm_map((uint64_t)P2V(base), base, len, VM_WRITE | VM_UNCACHED))
		return NULL;
	return P2V(pa);
}

void vm_stats(uint64_t *huge, uint64_t *small)
{
	*huge = n_huge;
	*small = n_small;
}

uint64_t vm_root(void)
{
	return pml4_pa;
}

void vm_load(void)
{
	this_cpu()->cr3 = pml4_pa;
	arch_set_cr3(pml4_pa);
}

uint64_t *vm_kernel_pgd(void)
{
	return pml4;
}

uint64_t *vm_pgd_new(void)
{
	uint64_t *root = page_alloc_zeroed(0);

	if (!root)
		return NULL;
	roots_copied = true;
	memcpy(root + 256, pml4 + 256, 256 * sizeof(*root));
	return root;
}

/* Free the tables under t (a table at level l: 2 = a PDPT, 1 = a PD, 0 = a PT). */
static void free_tables(uint64_t *t, int l)
{
	for (int i = 0; l > 0 && i < 512; i++)
		if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
			free_tables(P2V(t[i] & PTE_ADDR), l - 1);
	page_free(t, 0);
}

void vm_pgd_free(uint64_t *root)
{
	BUG_ON(root == pml4);
	for (int i = 0; i < 256; i++)
		if (root[i] & PTE_P)
			free_tables(P2V(root[i] & PTE_ADDR), 2);
	page_free(root, 0);
}

void *vm_map_phys(uint64_t pa, uint64_t size)
{
	uint64_t base = ALIGN_DOWN(pa, PAGE_SIZE), end = ALIGN_UP(pa + size, PAGE_SIZE);
	uint64_t f = spin_lock(&lock);
	int r = 0;

	for (uint64_t p = base; p < end && !r; p += PAGE_SIZE)
		if (vm_translate((uint64_t)P2V(p)) == (uint64_t)-1)
			r = map_locked((uint64_t)P2V(p), p, PAGE_SIZE, VM_WRITE);
	spin_unlock(&lock, f);
	return r ? NULL : P2V(pa);
}

/* Direct-map exactly [s, e) (page-aligned outward): nothing outside gets a cached mapping
 * that would block an uncached MMIO one. */
static void map_range(uint64_t s, uint64_t e)
{
	s = ALIGN_DOWN(s, PAGE_SIZE);
	e = ALIGN_UP(e, PAGE_SIZE);
	if (s < e && map_locked((uint64_t)P2V(s), s, e - s, VM_WRITE))
		panic("vm: cannot direct-map %#lx-%#lx (out of memory?)", s, e);
}

void vm_init(void)
{
	uint64_t kend = ALIGN_UP(KV2P(_kernel_end), HUGE_SIZE);

	pml4 = page_alloc_zeroed(0);
	BUG_ON(!pml4);
	pml4_pa = V2P(pml4);
	/* The direct map: the first MiB (firmware tables are looked for there), RAM and ACPI
	 * memory from the memory map; anything else is mapped when asked for. */
	map_range(0, 0x100000);
	for (uint32_t i = 0; i < bootinfo.nmem; i++) {
		const struct boot_mem *m = &bootinfo.mem[i];

		if (m->type == E820_RAM || m->type == E820_ACPI || m->type == E820_NVS)
			map_range(m->addr, m->addr + m->size);
	}
	if (map_locked(KERNEL_VBASE, 0, kend, VM_WRITE))
		panic("vm: out of memory building the kernel page table");
	vm_load();
}
