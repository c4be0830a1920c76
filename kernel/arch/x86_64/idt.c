/* idt.c: 256 interrupt gates, each on an IST stack: IST_FATAL for NMI, #DF and #MC (handled
 * in place), IST_EXC for the other exceptions, IST_IRQ for interrupts and IPIs. */
#include "arch/x86_64/idt.h"
#include "arch/x86_64/layout.h"
#include "lib/types.h"

#define GATE_INTR 0x8e
#define STUB_SIZE 16

extern char isr_stubs[];
static uint64_t idt[256 * 2] __aligned(16);

static int ist_of(int v)
{
	if (v == 2 || v == 8 || v == 18)
		return IST_FATAL;
	return v < 32 ? IST_EXC : IST_IRQ;
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t h = (uint64_t)isr_stubs + (uint64_t)v * STUB_SIZE;

		idt[2 * v] = (h & 0xffff) | (uint64_t)SEL_KCODE << 16 | (uint64_t)ist_of(v) << 32 |
			     (uint64_t)GATE_INTR << 40 | (h >> 16 & 0xffff) << 48;
		idt[2 * v + 1] = h >> 32;
	}
	idt_load();
}
