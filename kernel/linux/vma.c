/* vma.c: the VMA list of an address space (vma.h). */
#include "linux/vma.h"
#include "core/mm/heap.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "lib/errno.h"

/* The VMA holding addr, or NULL. */
struct vma *vma_find(struct mm *mm, uint64_t addr)
{
	struct list *pos;

	list_for_each (pos, &mm->vmas) {
		struct vma *v = vma_of(pos);

		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

bool vma_range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct list *pos;

	if (start < MM_MIN_ADDR || end > MM_TASK_SIZE || end <= start)
		return false;
	list_for_each (pos, &mm->vmas) {
		struct vma *v = vma_of(pos);

		if (v->start < end && start < v->end)
			return false;
	}
	return true;
}

void vma_insert(struct mm *mm, struct vma *n)
{
	struct list *pos;

	list_for_each (pos, &mm->vmas)
		if (vma_of(pos)->start > n->start)
			break;
	list_insert(pos->prev, pos, &n->node);
}

/* The highest free gap of len bytes below limit (top-down, like Linux), or 0. */
uint64_t vma_find_gap(struct mm *mm, uint64_t len, uint64_t limit)
{
	uint64_t top = limit;
	struct list *pos;

	for (pos = mm->vmas.prev; pos != &mm->vmas; pos = pos->prev) {
		struct vma *v = vma_of(pos);

		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = MIN(top, v->start);
	}
	return top >= MM_MIN_ADDR + len ? top - len : 0;
}

void vma_free(struct vma *v)
{
	if (v->file) {
		if (vma_is_shared(v))
			__atomic_fetch_sub(&v->file->inode->mmaps, 1, __ATOMIC_RELAXED);
		file_put(v->file);
	}
	kfree(v);
}

/* Can b (right after a in memory) join a? Same kind, protection, flags and name, and for a
 * file the same file at the next offset: what Linux's VMA merging asks. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	/* how a mapping was asked for, not what it is */
	const uint32_t how = MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE | MAP_NONBLOCK |
			     MAP_DENYWRITE | MAP_EXECUTABLE;

	return a->end == b->start && a->file == b->file && a->prot == b->prot &&
	       !((a->flags ^ b->flags) & ~how) && a->name == b->name && a->nohuge == b->nohuge &&
	       (!a->file || a->off + (a->end - a->start) == b->off);
}

/* Merge the VMAs touching [start, end) with their like neighbours, as Linux does: an
 * mprotect undone, or a hole refilled, leaves one VMA that mremap can move whole. */
void vma_merge_around(struct mm *mm, uint64_t start, uint64_t end)
{
	struct list *pos = mm->vmas.next;

	while (pos != &mm->vmas && pos->next != &mm->vmas) {
		struct vma *a = vma_of(pos), *b = vma_of(pos->next);

		if (b->start >= start && a->end <= end && mergeable(a, b)) {
			a->end = b->end;
			list_del(&b->node);
			vma_free(b);
			continue;
		}
		pos = pos->next;
	}
}

/* Split v at addr (inside it); the new upper half follows v in the list. */
static int split(struct vma *v, uint64_t addr)
{
	struct vma *n = kmalloc(sizeof(*n));

	if (!n)
		return -ENOMEM;
	*n = *v;
	n->start = addr;
	n->off = v->off + (addr - v->start);
	v->end = addr;
	if (n->file) {
		file_get(n->file);
		if (vma_is_shared(n))
			__atomic_fetch_add(&n->file->inode->mmaps, 1, __ATOMIC_RELAXED);
	}
	list_insert(&v->node, v->node.next, &n->node);
	return 0;
}

/* Make VMA boundaries fall on start and end. */
int vma_split_around(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find(mm, start);
	int r;

	if (v && v->start < start && (r = split(v, start)))
		return r;
	v = vma_find(mm, end - 1);
	if (v && v->end > end && (r = split(v, end)))
		return r;
	return 0;
}
