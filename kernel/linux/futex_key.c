/* futex_key.c: futex keys (futex_key.h). */
#include "linux/futex_key.h"
#include "core/mm/vm.h"
#include "lib/errno.h"
#include "linux/mm.h"
#include "linux/vma.h"

#define KEY_SHARED (1ull << 63)
#define KEY_ID_SHIFT 47

/* Whether uaddr lies in a shared mapping of the calling process's mm. */
static bool in_shared(struct mm *mm, uint64_t uaddr)
{
	struct vma *v;
	bool shared;

	mutex_lock(&mm->lock);
	v = vma_find(mm, uaddr);
	shared = v && (v->flags & MAP_TYPE) != MAP_PRIVATE;
	mutex_unlock(&mm->lock);
	return shared;
}

int futex_key(uint64_t uaddr, bool private, uint64_t *key)
{
	struct mm *mm = mm_current();
	uint64_t pa;

	if (!mm || uaddr >= MM_TASK_SIZE)
		return -EFAULT;
	if (private || !in_shared(mm, uaddr)) {
		*key = ((uint64_t)mm->id << KEY_ID_SHIFT) | uaddr;
		return 0;
	}
	pa = vm_translate(uaddr);
	if (pa == (uint64_t)-1) {
		if (mm_fault(uaddr, false))
			return -EFAULT;
		pa = vm_translate(uaddr);
		if (pa == (uint64_t)-1)
			return -EFAULT;
	}
	*key = KEY_SHARED | pa;
	return 0;
}
