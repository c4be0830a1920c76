/* switch.S: the context switch: a plain function-level register switch (no iretq, no
 * interrupt-flag change, no MSR write: nothing that traps on kvm_pvm). */
	.text
/* void arch_switch(uint64_t *save_rsp, uint64_t new_rsp): save the callee-saved registers
 * on this stack, store %rsp, load the other thread's %rsp and return into it. */
	.globl arch_switch
arch_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* A new thread's first return lands here (thread.c builds the frame): %r12 = the thread. */
	.globl arch_thread_start
arch_thread_start:
	movq %r12, %rdi
	xorl %ebp, %ebp
	call thread_start
	ud2
