/* syscall.S: the application's way into the kernel. The application runs at CPL0, so the
 * syscall instruction enters syscall_entry with no privilege change: %rcx = return address,
 * %r11 = RFLAGS, %rsp still the application's (its red zone below is live: never pushed on).
 * The entry switches to the thread's kernel stack, builds a struct trapframe (traps.h; vector
 * TF_SYSCALL) and calls syscall_dispatch. The usual return restores the registers, RFLAGS and
 * %rsp and jumps to %rcx (no iretq: it would trap on kvm_pvm); when the handler changed the
 * frame beyond %rax (rt_sigreturn, a signal delivered, execve) it returns with iretq.
 *
 * The stack switch is two instructions that go through the per-CPU scratch slot. An interrupt
 * between them could move the thread to another CPU, so traps.c restarts an interrupted entry
 * (syscall_restart_begin..end): %rsp from this CPU's scratch slot, RIP back to syscall_entry. */
#include "arch/x86_64/layout.h"

#define GS_CPU(off) %gs:(PAGE_SIZE + (off))
#define TF_RIP (17 * 8)
#define TF_RFLAGS (19 * 8)
#define TF_RSP (20 * 8)

	.text
	.p2align 4
	.globl syscall_entry, syscall_restart_begin, syscall_restart_end
syscall_entry:
	movq %rsp, GS_CPU(CPU_SCRATCH)
syscall_restart_begin:
	movq GS_CPU(CPU_KSTACK_HI), %rsp
	pushq $SEL_KDATA		/* ss */
	pushq GS_CPU(CPU_SCRATCH)	/* rsp */
syscall_restart_end:
	pushq %r11			/* rflags */
	pushq $SEL_KCODE		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error: 0, the syscall instruction */
syscall_frame:
	pushq $-1			/* vector: TF_SYSCALL */
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
	xorl %ebp, %ebp
	movq %rsp, %rdi
	call syscall_dispatch
	testl %eax, %eax
	jnz user_return_iret
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
	/* 0: rip, 8: cs, 16: rflags, 24: rsp, 32: ss. Linux returns %rcx = RIP, %r11 = RFLAGS. */
	movq 0(%rsp), %rcx
	movq 16(%rsp), %r11
	pushq %r11
	popfq
	movq 24(%rsp), %rsp
	jmp *%rcx

/* The way in from a rewritten site (linux/syscall_patch.c): its stub did "mov $nr, %eax;
 * lea <after the syscall instruction>(%rip), %rcx; movabs $syscall_fast, %r11; jmp *%r11",
 * so %rcx is what the syscall instruction leaves there and nothing went on the application's
 * stack. RFLAGS are still the application's: %r11 gets them once on the kernel stack. The
 * frame's error word says which way the call came (1: here). The stack switch is restarted
 * as syscall_entry's is (traps.c). */
	.globl syscall_fast, syscall_fast_restart_begin, syscall_fast_restart_end
syscall_fast:
	movq %rsp, GS_CPU(CPU_SCRATCH)
syscall_fast_restart_begin:
	movq GS_CPU(CPU_KSTACK_HI), %rsp
	pushq $SEL_KDATA		/* ss */
	pushq GS_CPU(CPU_SCRATCH)	/* rsp */
syscall_fast_restart_end:
	pushfq
	popq %r11
	pushq %r11			/* rflags */
	pushq $SEL_KCODE		/* cs */
	pushq %rcx			/* rip */
	pushq $1			/* error: 1, a rewritten site */
	jmp syscall_frame

/* Restore every register of the frame at %rsp and iretq (CPL0 to CPL0: pops SS:RSP too). */
user_return_iret:
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

/* void arch_user_return(const struct trapframe *tf): copy tf to the top of this thread's
 * kernel stack and return into the application with it (new threads, exec). tf may lie
 * in that very area (a caller's local): the copy runs backwards when it must. */
	.globl arch_user_return
arch_user_return:
	movq GS_CPU(CPU_KSTACK_HI), %rax
	subq $(22 * 8), %rax
	movq %rdi, %rsi
	movq %rax, %rdi
	movl $22, %ecx
	cmpq %rsi, %rdi
	jbe 1f
	leaq (21 * 8)(%rsi), %rsi
	leaq (21 * 8)(%rdi), %rdi
	std
	rep movsq
	cld
	jmp 2f
1:	rep movsq
2:	movq %rax, %rsp
	jmp user_return_iret
