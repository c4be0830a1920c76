/* traps.h: the trap frame isr.S builds, handler registration, and exception fix-ups. */
#ifndef MOTE_ARCH_X86_64_TRAPS_H
#define MOTE_ARCH_X86_64_TRAPS_H

#include "lib/types.h"

/* Pushed by isr.S (general registers) below the CPU's frame; 22 quadwords. */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*trap_handler_fn)(struct trapframe *tf);

/* Route vector (32..255) to fn; fn runs on the thread's kernel stack, interrupts off. */
void trap_set_handler(int vector, trap_handler_fn fn);
/* Called by isr.S for every vector. */
void trap_dispatch(struct trapframe *tf);

/*
 * Exception fix-ups: an instruction at a listed address that faults (#GP, #PF) resumes at
 * its fix-up address instead of panicking. arch_probe_read/arch_rdmsr_safe use it.
 */
struct fixup {
	uint64_t insn, fixup;
};

/* Read 8 bytes at addr; returns 0, or -EFAULT if the access faults. */
int arch_probe_read(const void *addr, uint64_t *val) __must_check;
/* rdmsr that returns -EFAULT instead of faulting on a missing MSR. */
int arch_rdmsr_safe(uint32_t msr, uint64_t *val) __must_check;

#endif /* MOTE_ARCH_X86_64_TRAPS_H */
