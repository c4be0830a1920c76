/* page.c: binary buddy allocator. Free blocks are linked through their own first bytes (via
 * the direct map); a state byte per frame records which frames head free blocks. RAM starts
 * out as a few plain ranges, carved into blocks only when an allocation needs one: the first
 * touch of a guest page is a host fault, so the boot touches no free page. */
#include "core/mm/page.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/layout.h"
#include "lib/list.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define BOOT_MAP_LIMIT (1UL << 30) /* entry.S maps the first 1 GiB */
#define LOW_RESERVED 0x100000	   /* keep the first MiB: firmware tables, AP trampoline */

static struct spinlock lock = SPINLOCK_INIT;
static struct list free_lists[PAGE_MAX_ORDER + 1];
static uint8_t *meta;
static uint64_t nfree, ntotal, noom; /* nfree counts the blocks and the uncarved ranges */
static struct {
	uint64_t s, e;		   /* frame numbers, [s, e) */
} ranges[BOOT_MEMMAP_MAX * 2 + 4]; /* the memory map, split at 1 GiB, and the initrd */
static unsigned nranges;
static bool initrd_released;
uint64_t page_max_pfn;
extern char _kernel_end[];

static void block_add(uint64_t pfn, unsigned order)
{
	meta[pfn] = PG_FREE | order;
	list_add(&free_lists[order], (struct list *)P2V(pfn << PAGE_SHIFT));
}

static void block_del(uint64_t pfn, unsigned order)
{
	list_del((struct list *)P2V(pfn << PAGE_SHIFT));
	meta[pfn] = 0;
}

/* Hand [s, e) (frame numbers) to the allocator, as a range to carve later. */
static void range_add(uint64_t s, uint64_t e)
{
	if (nranges == ARRAY_SIZE(ranges)) {
		printk(LOG_WARN, "page: too many RAM ranges, %lu pages left out\n", e - s);
		return;
	}
	ranges[nranges].s = s;
	ranges[nranges].e = e;
	nranges++;
	nfree += e - s;
	ntotal += e - s;
}

/* Move the largest aligned block at the head of a range onto the free lists; false if no
 * range is left. Lock held. */
static bool carve(void)
{
	for (unsigned r = 0; r < nranges; r++) {
		uint64_t s = ranges[r].s, e = ranges[r].e;
		unsigned o = 0;

		if (s == e)
			continue;
		while (o < PAGE_MAX_ORDER && !(s & ((2UL << o) - 1)) && s + (2UL << o) <= e)
			o++;
		for (uint64_t i = 1; i < (1UL << o); i++)
			meta[s + i] = 0;
		block_add(s, o);
		ranges[r].s = s + (1UL << o);
		return true;
	}
	return false;
}

/* Is [s, e) (bytes) free of the kernel image, the initrd and the meta array? */
static uint64_t meta_pa, meta_size;

static void clip_add(uint64_t s, uint64_t e, uint64_t limit_lo, uint64_t limit_hi)
{
	const uint64_t cut[][2] = {
		{ 0, LOW_RESERVED },
		{ KERNEL_PHYS, KV2P(_kernel_end) },
		{ bootinfo.initrd_pa,
		  bootinfo.initrd_pa + (initrd_released ? 0 : bootinfo.initrd_size) },
		{ meta_pa, meta_pa + meta_size },
	};

	s = MAX(s, limit_lo);
	e = MIN(e, limit_hi);
	for (unsigned i = 0; i < ARRAY_SIZE(cut) && s < e; i++) {
		if (cut[i][1] <= s || cut[i][0] >= e || cut[i][0] == cut[i][1])
			continue;
		if (cut[i][0] > s)
			clip_add(s, cut[i][0], limit_lo, limit_hi);
		s = cut[i][1];
	}
	s = ALIGN_UP(s, PAGE_SIZE);
	e = ALIGN_DOWN(e, PAGE_SIZE);
	if (s < e)
		range_add(s >> PAGE_SHIFT, e >> PAGE_SHIFT);
}

static void add_ram(uint64_t lo, uint64_t hi)
{
	for (uint32_t i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == E820_RAM)
			clip_add(bootinfo.mem[i].addr, bootinfo.mem[i].addr + bootinfo.mem[i].size,
				 lo, hi);
}

void page_init(void)
{
	uint64_t top = 0;

	for (int o = 0; o <= PAGE_MAX_ORDER; o++)
		list_init(&free_lists[o]);
	for (uint32_t i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == E820_RAM)
			top = MAX(top, bootinfo.mem[i].addr + bootinfo.mem[i].size);
	page_max_pfn = top >> PAGE_SHIFT;
	/* The meta array goes right after the kernel image (RAM there is checked below). */
	meta_pa = ALIGN_UP(KV2P(_kernel_end), PAGE_SIZE);
	meta_size = ALIGN_UP(page_max_pfn, PAGE_SIZE);
	meta = P2V(meta_pa);
	memset(meta, PG_RESERVED, page_max_pfn);
	add_ram(0, BOOT_MAP_LIMIT);
}

void page_init_high(void)
{
	uint64_t f = spin_lock(&lock);

	add_ram(BOOT_MAP_LIMIT, UINT64_MAX);
	spin_unlock(&lock, f);
}

static void *alloc_block(unsigned order, bool report)
{
	uint64_t f, pfn;
	unsigned o;

	f = spin_lock(&lock);
	for (;;) {
		for (o = order; o <= PAGE_MAX_ORDER && list_empty(&free_lists[o]); o++)
			;
		if (o <= PAGE_MAX_ORDER || order > PAGE_MAX_ORDER || !carve())
			break;
	}
	if (o > PAGE_MAX_ORDER) { /* nothing left that big (or larger than any block) */
		uint64_t n = report ? ++noom : 0, free = nfree;

		spin_unlock(&lock, f);
		if (!report)
			return NULL;
		/* Reported, never hidden; rate-limited to powers of two for allocation storms. */
		if (!(n & (n - 1)))
			printk(LOG_WARN,
			       "page: out of memory: order %u failed, %lu pages free (%lu "
			       "failures so far)\n",
			       order, free, n);
		return NULL;
	}
	pfn = V2P(free_lists[o].next) >> PAGE_SHIFT;
	block_del(pfn, o);
	while (o > order) {
		o--;
		block_add(pfn + (1UL << o), o);
	}
	nfree -= 1UL << order;
	spin_unlock(&lock, f);
	return P2V(pfn << PAGE_SHIFT);
}

void *page_alloc(unsigned order)
{
	return alloc_block(order, true);
}

void *page_try_alloc(unsigned order)
{
	return alloc_block(order, false);
}

void *page_alloc_pages(uint64_t n)
{
	uint64_t f = spin_lock(&lock), s, free;

	/* the tail of a range, so that its head stays aligned for carve() */
	for (unsigned r = 0; r < nranges; r++) {
		if (ranges[r].e - ranges[r].s < n)
			continue;
		s = ranges[r].e - n;
		ranges[r].e = s;
		memset(&meta[s], 0, n);
		nfree -= n;
		spin_unlock(&lock, f);
		return P2V(s << PAGE_SHIFT);
	}
	noom++;
	free = nfree;
	spin_unlock(&lock, f);
	printk(LOG_WARN, "page: out of memory: no run of %lu free pages (%lu pages free)\n", n,
	       free);
	return NULL;
}

uint64_t page_max_pages(void)
{
	uint64_t f = spin_lock(&lock), most = 0;

	for (unsigned r = 0; r < nranges; r++)
		most = MAX(most, ranges[r].e - ranges[r].s);
	spin_unlock(&lock, f);
	return most;
}

void page_free_pages(void *p, uint64_t n)
{
	uint64_t pfn = V2P(p) >> PAGE_SHIFT, end = pfn + n, f = spin_lock(&lock);

	/* right where a range was cut (a whole page_alloc_pages run): back to it, in one piece */
	for (unsigned r = 0; r < nranges; r++) {
		if (ranges[r].e == pfn) {
			ranges[r].e = end;
			memset(&meta[pfn], PG_RESERVED, n);
			nfree += n;
			spin_unlock(&lock, f);
			return;
		}
	}
	spin_unlock(&lock, f);
	/* else as the largest aligned blocks that fit, so the buddies can merge */
	while (pfn < end) {
		unsigned o = 0;

		while (o < PAGE_MAX_ORDER && !(pfn & ((2UL << o) - 1)) && pfn + (2UL << o) <= end)
			o++;
		page_free(P2V(pfn << PAGE_SHIFT), o);
		pfn += 1UL << o;
	}
}

void page_release_initrd(void)
{
	uint64_t f = spin_lock(&lock);

	initrd_released = true;
	add_ram(bootinfo.initrd_pa, bootinfo.initrd_pa + bootinfo.initrd_size);
	spin_unlock(&lock, f);
}

void *page_alloc_zeroed(unsigned order)
{
	void *p = page_alloc(order);

	if (p)
		memset(p, 0, PAGE_SIZE << order);
	return p;
}

void page_free(void *p, unsigned order)
{
	uint64_t pfn = V2P(p) >> PAGE_SHIFT, f;

	f = spin_lock(&lock);
	meta[pfn] = 0;
	nfree += 1UL << order;
	while (order < PAGE_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1UL << order);

		if (buddy >= page_max_pfn || meta[buddy] != (PG_FREE | order))
			break;
		block_del(buddy, order);
		pfn &= ~(1UL << order);
		order++;
	}
	block_add(pfn, order);
	spin_unlock(&lock, f);
}

uint8_t *page_meta(const void *p)
{
	return &meta[V2P(p) >> PAGE_SHIFT];
}

uint64_t page_free_count(void)
{
	return READ_ONCE(nfree);
}

uint64_t page_total_count(void)
{
	return ntotal;
}

uint64_t page_oom_count(void)
{
	return READ_ONCE(noom);
}
