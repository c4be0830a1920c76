/* vmm_exit_guest.S: the benchmark's trivial PVH guest: its first instructions end the VM
 * through isa-debug-exit (port 0xf4), which motevm and QEMU both implement. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a", @note
	.p2align 2
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long pvh_start32

	.text
	.code32
	.globl pvh_start32
pvh_start32:
	mov $21, %eax		/* exit status (21 << 1) | 1 = 43 on both VMMs */
	out %eax, $0xf4
1:	hlt
	jmp 1b
