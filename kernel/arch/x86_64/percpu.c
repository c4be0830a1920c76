/* percpu.c: the per-CPU blocks (boot CPU's in the image, the APs' from the page allocator). */
#include "arch/x86_64/percpu.h"
#include "core/mm/page.h"
#include "lib/string.h"

extern char cpu0_block[], boot_stack[], boot_stack_top[];
static char cpu0_ist[IST_COUNT * IST_SIZE] __aligned(16);

struct cpu *cpus[MAX_CPUS];
uint32_t ncpus = 1;

static void init_cpu(struct cpu *c, uint32_t id, uint32_t apic_id, uint64_t ist)
{
	c->self = c;
	c->id = id;
	c->apic_id = apic_id;
	c->ist_lo = ist;
	c->ist_hi = ist + IST_COUNT * IST_SIZE;
	c->icr_dest = ~0u;
	cpus[id] = c;
}

void percpu_init_boot(void)
{
	struct cpu *c = (struct cpu *)(cpu0_block + PERCPU_CPU_OFFSET);

	init_cpu(c, 0, 0, (uint64_t)cpu0_ist);
	c->kstack_lo = (uint64_t)boot_stack;
	c->kstack_hi = (uint64_t)boot_stack_top;
	c->online = 1;
}

void *percpu_alloc(uint32_t id, uint32_t apic_id)
{
	char *block, *ist;

	_Static_assert(IST_COUNT * IST_SIZE <= PAGE_SIZE << 2, "IST stacks fit in order 2");
	block = page_alloc(1);
	if (!block)
		goto err_block;
	ist = page_alloc(2);
	if (!ist)
		goto err_ist;
	memset(block, 0, 2 * PAGE_SIZE);
	init_cpu((struct cpu *)(block + PERCPU_CPU_OFFSET), id, apic_id, (uint64_t)ist);
	return block;
err_ist:
	page_free(block, 1);
err_block:
	return NULL;
}
