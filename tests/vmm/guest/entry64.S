/* entry64.S: the test guests' 64-bit entry (Linux 64-bit boot protocol: rsi = zero page). */
#define BOOT_LINUX 2

	.section .text.entry64, "ax"
	.code64
	.globl _start64
_start64:
	cli
	cld
	mov %rsp, entry_rsp(%rip)	/* for tests of the entry state */
	lea stack_top(%rip), %rsp
	mov $BOOT_LINUX, %edi
	/* rsi already holds the zero page */
	call guest_start
1:	hlt
	jmp 1b

	.section .bss
	.p2align 3
	.globl entry_rsp
entry_rsp:
	.quad 0
	.p2align 12
	.globl stack_bottom
stack_bottom:
	.skip 16384
	.globl stack_top
stack_top:
