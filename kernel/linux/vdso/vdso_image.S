/* vdso_image.S: the built vDSO (VDSO_SO, a path given by the build) inside the kernel image,
 * page-aligned so that its pages map into programs as they are. */
	.section .rodata.vdso, "a"
	.p2align 12
	.globl vdso_image, vdso_image_end
vdso_image:
	.incbin VDSO_SO
vdso_image_end:
	.p2align 12
