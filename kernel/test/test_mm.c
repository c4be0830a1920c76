/* test_mm.c: self-tests of the page allocator, the heap and the page tables. */
#include "core/selftest.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pvm.h"
#include "arch/x86_64/traps.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/mm/vm.h"
#include "core/sched/sched.h"
#include "core/sched/sync.h"
#include "core/sched/thread.h"
#include "lib/errno.h"
#include "lib/list.h"
#include "lib/string.h"

struct block {
	struct list node;
	unsigned order;
	uint64_t tag;
};

int test_page(struct st *st)
{
	struct list blocks = LIST_INIT(blocks);
	uint64_t free0 = page_free_count(), oom0 = page_oom_count(), seed = 0x1234567, n = 0;
	struct list *pos, *tmp;
	void *big;

	/* Take everything in random orders until the allocator says no. */
	for (;;) {
		unsigned order = st_rand(&seed) % 5;
		struct block *b = page_alloc(order);

		if (!b) {
			if (order == 0)
				break;
			continue;
		}
		b->order = order;
		b->tag = (uint64_t)b ^ 0x5a5a5a5a5a5a5a5aUL;
		/* The last word of the block too: catches overlapping blocks. */
		*(uint64_t *)((char *)b + (PAGE_SIZE << order) - 8) = b->tag;
		list_add(&blocks, &b->node);
		n++;
	}
	if (page_free_count() != 0)
		return st_fail(st, "order-0 allocation failed with %lu pages free",
			       page_free_count());
	if (page_oom_count() <= oom0)
		return st_fail(st, "out of memory was not counted");
	list_for_each (pos, &blocks) {
		struct block *b = list_entry(pos, struct block, node);

		if (b->tag != ((uint64_t)b ^ 0x5a5a5a5a5a5a5a5aUL) ||
		    *(uint64_t *)((char *)b + (PAGE_SIZE << b->order) - 8) != b->tag)
			return st_fail(st, "block %p (order %u) was overwritten", b, b->order);
	}
	list_for_each_safe (pos, tmp, &blocks) {
		struct block *b = list_entry(pos, struct block, node);

		page_free(b, b->order);
	}
	if (page_free_count() != free0)
		return st_fail(st, "%lu pages free after freeing all, %lu before",
			       page_free_count(), free0);
	/* Freed buddies must have merged again: a large block is available. */
	big = page_alloc(PAGE_MAX_ORDER - 2);
	if (!big)
		return st_fail(st, "no order-%d block after freeing everything",
			       PAGE_MAX_ORDER - 2);
	page_free(big, PAGE_MAX_ORDER - 2);
	return st_ok(st, "%lu blocks, %lu pages, out of memory reported", n, free0);
}

#define HEAP_SLOTS 256
#define HEAP_ROUNDS 20000

struct heap_job {
	uint32_t seed;
	int errors;
	struct semaphore *done;
};

static void heap_worker(void *arg)
{
	struct heap_job *j = arg;
	void *slot[HEAP_SLOTS] = { 0 };
	size_t size[HEAP_SLOTS] = { 0 };
	uint64_t seed = j->seed;

	for (int r = 0; r < HEAP_ROUNDS; r++) {
		unsigned i = st_rand(&seed) % HEAP_SLOTS;

		if (slot[i]) {
			for (size_t k = 0; k < size[i]; k++)
				if (((uint8_t *)slot[i])[k] != (uint8_t)(i + k))
					j->errors++;
			kfree(slot[i]);
			slot[i] = NULL;
			continue;
		}
		size[i] = 1 + st_rand(&seed) % (st_rand(&seed) % 8 ? 512 : 9000);
		slot[i] = kmalloc(size[i]);
		if (!slot[i]) {
			j->errors++;
			continue;
		}
		if ((uint64_t)slot[i] & 15)
			j->errors++;
		for (size_t k = 0; k < size[i]; k++)
			((uint8_t *)slot[i])[k] = (uint8_t)(i + k);
	}
	for (int i = 0; i < HEAP_SLOTS; i++)
		kfree(slot[i]);
	sem_up(j->done);
}

int test_heap(struct st *st)
{
	uint32_t n = ncpus * 2;
	struct heap_job jobs[MAX_CPUS * 2];
	struct thread *t[MAX_CPUS * 2];
	struct semaphore done;
	uint64_t use0 = heap_in_use();
	int errors = 0;

	sem_init(&done, 0);
	for (uint32_t i = 0; i < n; i++) {
		jobs[i] = (struct heap_job){ .seed = 0x9e37 + i * 7919, .done = &done };
		t[i] = thread_create("heap", heap_worker, &jobs[i], (int)(i % ncpus));
		if (!t[i])
			return st_fail(st, "thread_create failed");
	}
	for (uint32_t i = 0; i < n; i++) {
		errors += (thread_join(t[i]), jobs[i].errors);
	}
	if (errors)
		return st_fail(st, "%d corrupted or failed allocations", errors);
	if (heap_in_use() != use0)
		return st_fail(st, "%lu bytes in use after freeing all, %lu before", heap_in_use(),
			       use0);
	if (kmalloc((size_t)1 << 40))
		return st_fail(st, "a 1 TiB kmalloc succeeded");
	return st_ok(st, "%u threads x %d operations", n, HEAP_ROUNDS);
}

#define TEST_VA 0x0000100000000000UL

struct vm_job {
	volatile uint64_t *va;
	volatile int phase;
	volatile int seen_before, fault_after;
};

static void vm_reader(void *arg)
{
	struct vm_job *j = arg;
	uint64_t v;

	while (j->phase == 0)
		sched_yield();
	j->seen_before = arch_probe_read((const void *)j->va, &v) == 0 && v == 0xfeedfacecafe;
	j->phase = 2;
	while (j->phase == 2)
		sched_yield();
	j->fault_after = arch_probe_read((const void *)j->va, &v) == -EFAULT;
	j->phase = 4;
}

int test_vm(struct st *st)
{
	uint8_t *small = page_alloc_zeroed(0), *huge = page_alloc(9);
	struct vm_job job = { .va = (volatile uint64_t *)TEST_VA };
	struct thread *t = NULL;
	uint64_t v, nh, ns, e;
	int r = -1;

	if (!small || !huge) {
		st_fail(st, "no memory for the test pages");
		goto out;
	}
	if (vm_map(TEST_VA, V2P(small), PAGE_SIZE, VM_WRITE) ||
	    vm_map(TEST_VA + HUGE_SIZE, V2P(huge), HUGE_SIZE, VM_WRITE)) {
		st_fail(st, "vm_map failed");
		goto out;
	}
	/* on kvm_pvm, entries are made with Accessed and Dirty set, before any access (the host's
	 * shadow MMU maps a writable page writable at once: an exit saved per page) */
	e = *vm_entry(vm_kernel_pgd(), TEST_VA, 0, false);
	if ((e & arch_pte_extra()) != arch_pte_extra() ||
	    (pvm_active && (e & PTE_ACCESSED_DIRTY) != PTE_ACCESSED_DIRTY)) {
		st_fail(st, "a new entry lacks the bits it should be born with: %#lx", e);
		goto unmap;
	}
	vm_stats(&nh, &ns);
	*(volatile uint64_t *)TEST_VA = 0xfeedfacecafe;
	*(volatile uint64_t *)(TEST_VA + HUGE_SIZE + 0x12340) = 0x1122334455;
	if (*(uint64_t *)small != 0xfeedfacecafe || *(uint64_t *)(huge + 0x12340) != 0x1122334455) {
		st_fail(st, "writes through the new mappings do not reach the pages");
		goto unmap;
	}
	if (vm_translate(TEST_VA + HUGE_SIZE + 0x12340) != V2P(huge) + 0x12340 ||
	    vm_translate(TEST_VA + 8) != V2P(small) + 8) {
		st_fail(st, "vm_translate disagrees");
		goto unmap;
	}
	if (vm_map(TEST_VA, V2P(huge), PAGE_SIZE, VM_WRITE) != -EINVAL) {
		st_fail(st, "remapping a mapped page to another frame was not refused");
		goto unmap;
	}
	/* Another CPU reads the page, then must fault once it is unmapped (shootdown). */
	t = thread_create("vmreader", vm_reader, &job, ncpus > 1 ? 1 : 0);
	if (!t) {
		st_fail(st, "thread_create failed");
		goto unmap;
	}
	job.phase = 1;
	while (job.phase != 2)
		sched_yield();
	if (vm_unmap(TEST_VA, PAGE_SIZE) || vm_unmap(TEST_VA + HUGE_SIZE, HUGE_SIZE)) {
		st_fail(st, "vm_unmap failed");
		goto join;
	}
	job.phase = 3;
	thread_join(t);
	t = NULL;
	if (!job.seen_before || !job.fault_after) {
		st_fail(st, "other CPU: mapping seen %d, fault after unmap %d", job.seen_before,
			job.fault_after);
		goto out;
	}
	if (arch_probe_read((const void *)TEST_VA, &v) != -EFAULT ||
	    vm_translate(TEST_VA) != (uint64_t)-1) {
		st_fail(st, "the unmapped page is still reachable");
		goto out;
	}
	vm_stats(&nh, &ns);
	r = st_ok(st, "4 KiB + 2 MiB pages, shootdown on %u CPUs, direct map %lu huge pages", ncpus,
		  nh);
	goto out;
join:
	job.phase = 3;
	thread_join(t);
unmap:
	if (vm_unmap(TEST_VA, PAGE_SIZE) || vm_unmap(TEST_VA + HUGE_SIZE, HUGE_SIZE))
		st_fail(st, "vm_unmap failed");
out:
	if (small)
		page_free(small, 0);
	if (huge)
		page_free(huge, 9);
	return r;
}
