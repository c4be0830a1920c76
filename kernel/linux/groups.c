/* groups.c: supplementary group lists: made from the application's array, shared by reference. */
#include "linux/groups.h"
#include "core/mm/heap.h"
#include "core/uaccess.h"
#include "lib/errno.h"

/* Heapsort (Linux's groups_sort is one too): lists may be 65536 long. */
static void sift_down(uint32_t *v, int at, int n)
{
	for (int child; (child = 2 * at + 1) < n; at = child) {
		uint32_t tmp;

		if (child + 1 < n && v[child + 1] > v[child])
			child++;
		if (v[at] >= v[child])
			return;
		tmp = v[at];
		v[at] = v[child];
		v[child] = tmp;
	}
}

static void sort(uint32_t *v, int n)
{
	for (int i = n / 2 - 1; i >= 0; i--)
		sift_down(v, i, n);
	for (int i = n - 1; i > 0; i--) {
		uint32_t tmp = v[0];

		v[0] = v[i];
		v[i] = tmp;
		sift_down(v, 0, i);
	}
}

struct groups *groups_from_user(const uint32_t *ugid, int n, int *err)
{
	struct groups *g;

	*err = 0;
	if (n == 0)
		return NULL;
	g = kmalloc(sizeof(*g) + (size_t)n * sizeof(g->gid[0]));
	if (!g) {
		*err = -ENOMEM;
		return NULL;
	}
	if (copy_from_user(g->gid, ugid, (size_t)n * sizeof(g->gid[0]))) {
		kfree(g);
		*err = -EFAULT;
		return NULL;
	}
	g->refs = 1;
	g->n = n;
	sort(g->gid, n);
	return g;
}

struct groups *groups_get(struct groups *g)
{
	if (g)
		__atomic_fetch_add(&g->refs, 1, __ATOMIC_RELAXED);
	return g;
}

void groups_put(struct groups *g)
{
	if (g && !__atomic_sub_fetch(&g->refs, 1, __ATOMIC_ACQ_REL))
		kfree(g);
}
