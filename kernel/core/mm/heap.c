/* heap.c: size-class heap. Classes of 16..1024 bytes carve 4 KiB slab pages into objects kept
 * on a per-class free list (each class has its own lock, so CPUs rarely contend); larger
 * requests take 2^n whole pages from the buddy allocator, the order kept in the page meta. */
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "arch/x86_64/layout.h"
#include "core/panic.h"
#include "lib/spinlock.h"
#include "lib/string.h"

#define NCLASSES 7 /* 16 32 64 128 256 512 1024 */
#define MIN_SHIFT 4

struct free_obj {
	struct free_obj *next;
};

struct size_class {
	struct spinlock lock;
	struct free_obj *free;
	uint64_t in_use;
} __aligned(64);

static struct size_class classes[NCLASSES];

static int class_of(size_t size)
{
	int c = 0;

	while (((size_t)1 << (c + MIN_SHIFT)) < (size_t)size)
		c++;
	return c;
}

static bool refill(struct size_class *sc, int c)
{
	size_t sz = (size_t)1 << (c + MIN_SHIFT);
	char *page = page_alloc(0);

	if (!page)
		return false;
	*page_meta(page) = PG_SLAB | c;
	for (size_t off = 0; off + sz <= PAGE_SIZE; off += sz) {
		struct free_obj *o = (struct free_obj *)(page + off);

		o->next = sc->free;
		sc->free = o;
	}
	return true;
}

static unsigned order_of(size_t size)
{
	unsigned o = 0;

	while (((size_t)PAGE_SIZE << o) < size)
		o++;
	return o;
}

void *kmalloc(size_t size)
{
	struct size_class *sc;
	struct free_obj *o;
	uint64_t f;
	int c;

	if (!size)
		size = 1;
	if (size > ((size_t)1 << (NCLASSES - 1 + MIN_SHIFT))) {
		unsigned order = order_of(size);
		void *p = page_alloc(order);

		if (p)
			*page_meta(p) = PG_LARGE | order;
		return p;
	}
	c = class_of(size);
	sc = &classes[c];
	f = spin_lock(&sc->lock);
	if (!sc->free && !refill(sc, c)) {
		spin_unlock(&sc->lock, f);
		return NULL;
	}
	o = sc->free;
	sc->free = o->next;
	sc->in_use += (size_t)1 << (c + MIN_SHIFT);
	spin_unlock(&sc->lock, f);
	return o;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	uint8_t *m;
	struct size_class *sc;
	struct free_obj *o = p;
	uint64_t f;

	if (!p)
		return;
	m = page_meta((void *)ALIGN_DOWN((uint64_t)p, PAGE_SIZE));
	if ((*m & PG_KIND) == PG_LARGE) {
		unsigned order = *m & PG_ARG;

		*m = 0;
		page_free(p, order);
		return;
	}
	if ((*m & PG_KIND) != PG_SLAB || (*m & PG_ARG) >= NCLASSES)
		panic("kfree: %p was not allocated by kmalloc", p);
	sc = &classes[*m & PG_ARG];
	f = spin_lock(&sc->lock);
	o->next = sc->free;
	sc->free = o;
	sc->in_use -= (size_t)1 << ((*m & PG_ARG) + MIN_SHIFT);
	spin_unlock(&sc->lock, f);
}

uint64_t heap_in_use(void)
{
	uint64_t n = 0;

	for (int c = 0; c < NCLASSES; c++)
		n += READ_ONCE(classes[c].in_use);
	return n;
}
