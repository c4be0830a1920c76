/* uaccess.S: fault-tolerant accesses to application memory. A fault the memory manager
 * cannot resolve (linux/vma.c) resumes at the fix-up, which returns -EFAULT. */
	.text
/* int arch_copy_user(void *dst, const void *src, size_t n) */
	.globl arch_copy_user
arch_copy_user:
	movq %rdx, %rcx
1:	rep movsb
	xorl %eax, %eax
	ret
2:	movl $-14, %eax
	ret

/* int arch_clear_user(void *dst, size_t n) */
	.globl arch_clear_user
arch_clear_user:
	movq %rsi, %rcx
	xorl %eax, %eax
3:	rep stosb
	ret
4:	movl $-14, %eax
	ret

/* long arch_strnlen_user(const char *s, size_t max): length (max if no NUL) or -EFAULT */
	.globl arch_strnlen_user
arch_strnlen_user:
	xorl %eax, %eax
5:	cmpq %rsi, %rax
	jae 7f
6:	cmpb $0, (%rdi,%rax)
	je 7f
	incq %rax
	jmp 5b
7:	ret
8:	movq $-14, %rax
	ret

/* int arch_cmpxchg_user32(uint32_t *p, uint32_t *old, uint32_t new): 0 (and *old = the
 * value found) or -EFAULT */
	.globl arch_cmpxchg_user32
arch_cmpxchg_user32:
	movl (%rsi), %eax
9:	lock cmpxchgl %edx, (%rdi)
	movl %eax, (%rsi)
	xorl %eax, %eax
	ret
10:	movl $-14, %eax
	ret

/* int arch_xchg_user32(uint32_t *p, uint32_t *val): swap, 0 or -EFAULT (futex wake-op) */
	.globl arch_xchg_user32
arch_xchg_user32:
	movl (%rsi), %eax
11:	xchgl %eax, (%rdi)
	movl %eax, (%rsi)
	xorl %eax, %eax
	ret
12:	movl $-14, %eax
	ret

	.section .fixup_table, "a"
	.quad 1b, 2b
	.quad 3b, 4b
	.quad 6b, 8b
	.quad 9b, 10b
	.quad 11b, 12b
	.text
