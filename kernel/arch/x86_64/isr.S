/* isr.S: the 256 interrupt stubs and the common trap path. Every vector arrives on an IST
 * stack (the application, at CPL0, may have a live red zone under its %rsp). The common
 * path saves the registers there, then copies the frame to the running thread's kernel
 * stack (below the interrupted %rsp if that was already on it, else at its top) and runs
 * the handler there, where it may nest or switch threads. NMI, #DF, #MC, faults taken
 * on an IST stack itself, and anything on a CPU that has no thread yet (an AP starting up)
 * are handled in place, so that they are reported as themselves. */
#include "arch/x86_64/layout.h"

#define TF_QWORDS 22
#define TF_SIZE (TF_QWORDS * 8)
#define TF_VECTOR (15 * 8)
#define TF_RSP (20 * 8)
#define GS_CPU(off) %gs:(PAGE_SIZE + (off))

	.text
	.p2align 4
	.globl isr_stubs
isr_stubs:
	.set v, 0
	.rept 256
	.p2align 4
	.if (v == 8) || (v >= 10 && v <= 14) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
	.else
	pushq $0
	.endif
	pushq $v
	jmp isr_common
	.set v, v + 1
	.endr

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rsi
	movq TF_VECTOR(%rsi), %rax
	cmpq $2, %rax
	je in_place
	cmpq $8, %rax
	je in_place
	cmpq $18, %rax
	je in_place
	movq TF_RSP(%rsi), %rax
	/* Interrupted on one of this CPU's IST stacks: a fault in a trap prologue. */
	cmpq GS_CPU(CPU_IST_LO), %rax
	jb 1f
	cmpq GS_CPU(CPU_IST_HI), %rax
	jb in_place
1:	cmpq $0, GS_CPU(CPU_KSTACK_HI)
	je in_place
	cmpq GS_CPU(CPU_KSTACK_LO), %rax
	jbe 2f
	cmpq GS_CPU(CPU_KSTACK_HI), %rax
	jbe 3f
2:	movq GS_CPU(CPU_KSTACK_HI), %rax
3:	subq $TF_SIZE, %rax
	andq $-16, %rax
	movq %rax, %rdi
	movl $TF_QWORDS, %ecx
	rep movsq
	movq %rax, %rsp
in_place:
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

/* int arch_probe_read(const void *addr, uint64_t *val) */
	.globl arch_probe_read
arch_probe_read:
1:	movq (%rdi), %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
2:	movl $-14, %eax
	ret
	.section .fixup_table, "a"
	.quad 1b, 2b
	.text

/* int arch_rdmsr_safe(uint32_t msr, uint64_t *val) */
	.globl arch_rdmsr_safe
arch_rdmsr_safe:
	movl %edi, %ecx
1:	rdmsr
	shlq $32, %rdx
	movl %eax, %eax
	orq %rdx, %rax
	movq %rax, (%rsi)
	xorl %eax, %eax
	ret
2:	movl $-14, %eax
	ret
	.section .fixup_table, "a"
	.quad 1b, 2b
	.text
