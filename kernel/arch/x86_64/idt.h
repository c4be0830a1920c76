/* idt.h: the interrupt descriptor table (one for all CPUs). */
#ifndef MOTE_ARCH_X86_64_IDT_H
#define MOTE_ARCH_X86_64_IDT_H

/* Build the IDT (every vector on an IST stack) and load it on the boot CPU. */
void idt_init(void);
/* Load the IDT on an AP. */
void idt_load(void);

#endif /* MOTE_ARCH_X86_64_IDT_H */
