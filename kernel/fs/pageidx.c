/* pageidx.c: the sparse page map of pageidx.h. */
#include "fs/pageidx.h"
#include "arch/x86_64/layout.h"
#include "core/mm/page.h"
#include "lib/string.h"

#define SHIFT 9
#define SLOTS (1u << SHIFT) /* a page of pointers */

/* A zeroed node; a failure is the caller's to report (ENOSPC), not the console's. */
static void **new_node(void)
{
	void **n = page_try_alloc(0);

	if (n)
		memset(n, 0, PAGE_SIZE);
	return n;
}

/* Pages the tree of n levels covers: 512^n (n <= 7 fits the 64-bit page numbers). */
static uint64_t span(unsigned levels)
{
	return levels >= 7 ? UINT64_MAX : 1ull << (SHIFT * levels);
}

void **pageidx_slot(struct pageidx *px, uint64_t i, bool alloc)
{
	void **node;

	while (!px->levels || i >= span(px->levels)) {
		void **top;

		if (!alloc)
			return NULL;
		top = new_node();
		if (!top)
			return NULL;
		top[0] = px->root; /* the old tree is the new root's first child */
		px->root = top;
		px->levels++;
	}
	node = px->root;
	for (unsigned l = px->levels; l > 1; l--) {
		void **child = &node[(i >> (SHIFT * (l - 1))) & (SLOTS - 1)];

		if (!*child) {
			if (!alloc)
				return NULL;
			*child = new_node();
			if (!*child)
				return NULL;
		}
		node = *child;
	}
	return &node[i & (SLOTS - 1)];
}

static void each(void **node, unsigned level, uint64_t base, uint64_t from,
		 void (*fn)(void **slot, uint64_t i, void *arg), void *arg)
{
	uint64_t step = span(level - 1);

	for (unsigned k = 0; k < SLOTS; k++) {
		uint64_t first = base + k * step;

		if (!node[k] || first + step <= from)
			continue;
		if (level == 1)
			fn(&node[k], first, arg);
		else
			each(node[k], level - 1, first, from, fn, arg);
	}
}

void pageidx_each(struct pageidx *px, uint64_t from, void (*fn)(void **slot, uint64_t i, void *arg),
		  void *arg)
{
	if (px->root)
		each(px->root, px->levels, 0, from, fn, arg);
}

static void free_node(void **node, unsigned level)
{
	for (unsigned k = 0; level > 1 && k < SLOTS; k++)
		if (node[k])
			free_node(node[k], level - 1);
	page_free(node, 0);
}

void pageidx_free(struct pageidx *px)
{
	if (px->root)
		free_node(px->root, px->levels);
	px->root = NULL;
	px->levels = 0;
}
