/* gdt.c: per-CPU GDT (flat segments in Linux's order) and TSS with the IST stacks. */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"

void gdt_init_cpu(struct cpu *c)
{
	uint64_t tss = (uint64_t)&c->tss;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(c->gdt) - 1, (uint64_t)c->gdt };

	memset(&c->tss, 0, sizeof(c->tss));
	for (int i = 0; i < IST_COUNT; i++)
		c->tss.ist[i] = c->ist_lo + (uint64_t)(i + 1) * IST_SIZE;
	c->tss.iomap_base = sizeof(c->tss);
	c->gdt[0] = 0;
	c->gdt[1] = 0x00cf9a000000ffff; /* SEL_KCODE32 */
	c->gdt[2] = 0x00af9a000000ffff; /* SEL_KCODE */
	c->gdt[3] = 0x00cf92000000ffff; /* SEL_KDATA */
	c->gdt[4] = 0x00cffa000000ffff; /* user code 32 */
	c->gdt[5] = 0x00cff2000000ffff; /* user data */
	c->gdt[6] = 0x00affa000000ffff; /* user code 64 */
	c->gdt[7] = 0;
	c->gdt[8] = (sizeof(c->tss) - 1) | (tss & 0xffffff) << 16 | 0x89ULL << 40 |
		    (tss >> 24 & 0xff) << 56;
	c->gdt[9] = tss >> 32;
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}
