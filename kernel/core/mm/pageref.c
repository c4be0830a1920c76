/* pageref.c: sharing counts of physical frames (pageref.h). */
#include "core/mm/pageref.h"
#include "arch/x86_64/layout.h"
#include "core/mm/page.h"
#include "lib/errno.h"
#include "lib/spinlock.h"

#define CHUNK_SHIFT 18 /* frames a table covers: 2^18 x 4 KiB = 1 GiB */
#define CHUNK_FRAMES (1UL << CHUNK_SHIFT)
#define CHUNK_ORDER 7 /* 2^18 counts of 2 bytes = 512 KiB = 2^7 pages */
#define MAX_CHUNKS 1024

static uint16_t *chunks[MAX_CHUNKS];
static struct spinlock lock = SPINLOCK_INIT;

/* The count of frame pa (beyond its first owner); NULL if it has no table (alloc false, or
 * none could be had). */
static uint16_t *count_of(uint64_t pa, bool alloc)
{
	uint64_t pfn = pa >> PAGE_SHIFT, c = pfn >> CHUNK_SHIFT;
	uint16_t *t;

	if (c >= MAX_CHUNKS)
		return NULL;
	t = __atomic_load_n(&chunks[c], __ATOMIC_ACQUIRE);
	if (!t && alloc) {
		uint16_t *n = page_alloc_zeroed(CHUNK_ORDER);
		uint64_t f;

		if (!n)
			return NULL;
		f = spin_lock(&lock);
		t = chunks[c];
		if (!t) {
			t = n;
			__atomic_store_n(&chunks[c], n, __ATOMIC_RELEASE);
			n = NULL;
		}
		spin_unlock(&lock, f);
		if (n)
			page_free(n, CHUNK_ORDER);
	}
	return t ? &t[pfn & (CHUNK_FRAMES - 1)] : NULL;
}

int pageref_get(uint64_t pa)
{
	uint16_t *n = count_of(pa, true);

	if (!n || __atomic_load_n(n, __ATOMIC_RELAXED) == 0xffff)
		return -ENOMEM;
	__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
	return 0;
}

bool pageref_put(uint64_t pa)
{
	uint16_t *n = count_of(pa, false), v;

	if (!n)
		return true;
	v = __atomic_load_n(n, __ATOMIC_ACQUIRE);
	while (v) {
		if (__atomic_compare_exchange_n(n, &v, v - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return false;
	}
	return true;
}

bool pageref_shared(uint64_t pa)
{
	uint16_t *n = count_of(pa, false);

	return n && __atomic_load_n(n, __ATOMIC_ACQUIRE);
}
