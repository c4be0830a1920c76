/* pvh.S: the PVH ELF note and 32-bit entry of the test guests: into long mode, then C. */
#define BOOT_PVH 1
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PTE_PRESENT_RW_USER 0x7
#define PTE_LARGE 0x80

	.section .note.Xen, "a"
	.p2align 2
	.long 4			/* name size */
	.long 4			/* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start32

	.section .text.pvh, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	mov %ebx, %esi			/* hvm_start_info: kept for C */
	lgdt gdt_desc
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $0x20, %eax			/* PAE */
	mov %eax, %cr4
	mov $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	or $0x100, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax		/* PG | PE */
	mov %eax, %cr0
	ljmp $0x08, $long_mode

	.code64
long_mode:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	lea stack_top(%rip), %rsp
	mov %esi, %esi			/* zero-extend the start info address */
	mov $BOOT_PVH, %edi
	call guest_start
1:	hlt
	jmp 1b

	.section .rodata.pvh, "a"
	.p2align 3
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	/* Identity map of the first 4 GiB in 2 MiB pages, built at assembly time. */
	.section .data.pvh, "aw"
	.p2align 12
pml4:
	.quad pdpt + PTE_PRESENT_RW_USER
	.fill 511, 8, 0
pdpt:
	.quad pd + PTE_PRESENT_RW_USER
	.quad pd + 0x1000 + PTE_PRESENT_RW_USER
	.quad pd + 0x2000 + PTE_PRESENT_RW_USER
	.quad pd + 0x3000 + PTE_PRESENT_RW_USER
	.fill 508, 8, 0
pd:
	.set i, 0
	.rept 2048
	.quad (i << 21) + PTE_LARGE + PTE_PRESENT_RW_USER
	.set i, i + 1
	.endr
