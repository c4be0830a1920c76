/* gdt.h: per-CPU GDT and TSS (the TSS carries the IST stacks). */
#ifndef MOTE_ARCH_X86_64_GDT_H
#define MOTE_ARCH_X86_64_GDT_H

struct cpu;

/* Fill c's GDT and TSS (IST pointers from c->ist_lo) and load them on this CPU. */
void gdt_init_cpu(struct cpu *c);

#endif /* MOTE_ARCH_X86_64_GDT_H */
