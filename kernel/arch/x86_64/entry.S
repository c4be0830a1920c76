/* entry.S: the kernel's first instructions: the PVH entry (32-bit, paging off), the Linux
 * 64-bit boot protocol entry, the common high-half start, and the boot page tables.
 *
 * Everything here runs before the VIF page is registered, i.e. emulated (~1.5 M instr/s) on
 * kvm_pvm hosts: it is straight-line code, no loops. The page tables and the GDT are static
 * data in the image (U bit set: required by kvm_pvm, harmless elsewhere).
 */
#include "arch/x86_64/layout.h"

#define PA(sym) ((sym) - KERNEL_VBASE)
#define PTE_PRW_U 0x7		/* present, writable, user */
#define PTE_HUGE 0x80
#define CR4_PAE 0x20
#define CR4_LA57 0x1000
#define COM1 0x3f8
#define EXIT_PORT 0x6d70	/* MOTE_EXIT_PORT (abi/mote_abi.h): motevm's exit device */
#define DEBUG_EXIT_PORT 0xf4	/* MOTE_DEBUG_EXIT_PORT: QEMU's isa-debug-exit */
#define EXIT_BOOT_FAIL 3	/* core/panic.h */
#define EFER_LME 0x100
#define CR0_PE_PG 0x80000001

/* PVH: XEN_ELFNOTE_PHYS32_ENTRY (18), read by QEMU, Firecracker and motevm. */
	.section .note.pvh, "a", @note
	.p2align 2
	.long 4
	.long 8
	.long 18
	.asciz "Xen"
	.p2align 2
	.quad PA(pvh_entry32)

	.section .text.boot, "ax"
/* PVH entry: 32-bit protected mode, paging off, %ebx = physical address of hvm_start_info. */
	.code32
	.globl pvh_entry32
pvh_entry32:
	rdtsc
	movl %eax, PA(boot_tsc)
	movl %edx, PA(boot_tsc) + 4
	movl %ebx, PA(boot_info_pa)
	movl $BOOT_PVH, PA(boot_proto)
	lgdt PA(boot_gdtr32)
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $PA(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PE_PG, %eax
	movl %eax, %cr0
	ljmp $SEL_KCODE, $PA(entry64_low)

/* Linux 64-bit boot protocol entry (the ELF entry point, a physical address): long mode,
 * the low 1 GiB identity-mapped by the loader, %rsi = physical address of boot_params. */
	.code64
	.globl linux_entry64
linux_entry64:
	rdtsc
	movl %eax, boot_tsc(%rip)
	movl %edx, boot_tsc + 4(%rip)
	movq %rsi, boot_info_pa(%rip)
	movl $BOOT_LINUX64, boot_proto(%rip)
	/* 5-level paging cannot be left in long mode, and the kernel's tables are 4-level */
	movq %cr4, %rax
	testl $CR4_LA57, %eax
	jnz refuse_la57
	leaq boot_pml4(%rip), %rax
	movq %rax, %cr3
entry64_low:
	movabsq $entry64_high, %rax
	jmp *%rax

/* A clear boot error on the serial console, then the VM's end with EXIT_BOOT_FAIL. */
refuse_la57:
	leaq la57_msg(%rip), %rsi
	movw $COM1, %dx
1:	movb (%rsi), %al
	testb %al, %al
	jz 2f
	outb %al, %dx
	incq %rsi
	jmp 1b
2:	movl $EXIT_BOOT_FAIL, %eax
	movw $EXIT_PORT, %dx
	outl %eax, %dx
	movw $DEBUG_EXIT_PORT, %dx
	outl %eax, %dx
3:	hlt
	jmp 3b
la57_msg:
	.asciz "mote: booted with 5-level paging (CR4.LA57): the kernel needs 4-level paging; start it through its PVH entry or with 4-level page tables\r\n"

/* Now at the link address. */
entry64_high:
	leaq boot_stack_top(%rip), %rsp	/* PVH gives no stack */
	lgdt boot_gdtr64(%rip)
	pushq $SEL_KCODE
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	xorl %ebp, %ebp
	/* GS base = the boot CPU's per-CPU block (its first page is the VIF page). */
	leaq cpu0_block(%rip), %rax
	movq %rax, %rdx
	shrq $32, %rdx
	movl $0xc0000101, %ecx
	wrmsr
	call pvm_early_init		/* from here on, native on kvm_pvm */
	call kmain
2:	hlt
	jmp 2b

/* An AP arrives here from the trampoline (trampoline.S), in long mode at the link address,
 * with %rdi = its per-CPU block, %rsi = its stack top, %rdx = VIF MSR value (0: none),
 * %rcx = the kernel page table: loaded first (the boot tables map only the first GiB, its
 * stack may be above), while CR3 can still be written directly (before the VIF page). */
	.globl ap_entry64
ap_entry64:
	movq %rcx, %cr3
	lgdt boot_gdtr64(%rip)
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq %rsi, %rsp
	xorl %ebp, %ebp
	movq %rdi, %r12
	movq %rdx, %r13
	movq %rdi, %rax
	movq %rdi, %rdx
	shrq $32, %rdx
	movl $0xc0000101, %ecx
	wrmsr
	testq %r13, %r13
	jz 3f
	movq %r13, %rax
	movq %r13, %rdx
	shrq $32, %rdx
	movl $0x4b564d10, %ecx
	wrmsr
3:	movq %r12, %rdi
	call smp_ap_main
4:	hlt
	jmp 4b

	.data
	.p2align 3
	.globl boot_tsc, boot_info_pa, boot_proto
boot_tsc:	.quad 0
boot_info_pa:	.quad 0
boot_proto:	.long 0
	.p2align 4
	.globl boot_gdt
boot_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00af9a000000ffff	/* 0x10: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x18: data */
boot_gdt_end:
	.p2align 3
boot_gdtr32:
	.word boot_gdt_end - boot_gdt - 1
	.long PA(boot_gdt)
	.p2align 3
boot_gdtr64:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

/* Boot page tables: identity map and direct map of the first 1 GiB, and the kernel's
 * high mapping of it, all with 2 MiB pages. vm.c replaces them once memory is known; the
 * APs still start on them (the trampoline runs identity-mapped). */
	.section .data.boot_pt, "aw"
	.p2align 12
	.globl boot_pml4
boot_pml4:
	.quad PA(boot_pdpt_lo) + PTE_PRW_U
	.fill 271, 8, 0
	.quad PA(boot_pdpt_lo) + PTE_PRW_U	/* 272: PHYS_OFFSET */
	.fill 238, 8, 0
	.quad PA(boot_pdpt_hi) + PTE_PRW_U	/* 511: KERNEL_VBASE */
boot_pdpt_lo:
	.quad PA(boot_pd) + PTE_PRW_U
	.fill 511, 8, 0
boot_pdpt_hi:
	.fill 510, 8, 0
	.quad PA(boot_pd) + PTE_PRW_U
	.quad 0
boot_pd:
	.set i, 0
	.rept 512
	.quad (i << 21) + PTE_PRW_U + PTE_HUGE
	.set i, i + 1
	.endr

	.bss
	.p2align 12
	.globl cpu0_block, boot_stack, boot_stack_top
cpu0_block:
	.skip 2 * PAGE_SIZE
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
