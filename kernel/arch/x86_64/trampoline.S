/* trampoline.S: the APs' start-up code. smp.c copies it to AP_TRAMPOLINE (a physical page
 * below 1 MiB) and fills its data block; INIT-SIPI-SIPI starts an AP there in real mode.
 * Runs emulated on kvm_pvm until ap_entry64 registers the VIF page: kept straight-line. */
#include "arch/x86_64/layout.h"

#define T(sym) (AP_TRAMPOLINE + (sym) - trampoline_start)

	.section .rodata.trampoline, "a"
	.code16
	.globl trampoline_start, trampoline_end
trampoline_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - trampoline_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $SEL_KCODE32, $T(tramp32)

	.code32
tramp32:
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %ss
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax
	movl %eax, %cr0
	ljmp $SEL_KCODE, $T(tramp64)

	.code64
tramp64:
	movq T(tramp_percpu), %rdi
	movq T(tramp_stack), %rsi
	movq T(tramp_vif), %rdx
	movq T(tramp_kcr3), %rcx
	movq T(tramp_entry), %rax
	jmp *%rax

	.p2align 3
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
tramp_gdtr:
	.word 31
	.long T(tramp_gdt)
	.p2align 3
	.globl tramp_data
tramp_data:
tramp_cr3:	.quad 0
tramp_entry:	.quad 0
tramp_percpu:	.quad 0
tramp_stack:	.quad 0
tramp_vif:	.quad 0
tramp_kcr3:	.quad 0
trampoline_end:
