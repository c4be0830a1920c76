/* bzimage.S: a bzImage wrapper for a test guest: boot sector with the setup header (2.15),
 * one setup sector, then the guest as protected-mode kernel with its 64-bit entry at +0x200. */
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02

	.section .bzsetup, "a"
	.org 0x1f1
	.byte 1				/* setup_sects: one setup sector after this one */
	.word 0				/* root_flags */
	.long _syssize			/* syssize, in 16-byte units */
	.word 0				/* ram_size */
	.word 0xffff			/* vid_mode */
	.word 0				/* root_dev */
	.word 0xaa55			/* boot_flag */
	.byte 0xeb			/* jump: jmp short to the end of the header */
	.byte hdr_end - hdrs
hdrs:	.ascii "HdrS"
	.word 0x020f			/* version 2.15 */
	.long 0				/* realmode_swtch */
	.word 0				/* start_sys_seg */
	.word 0				/* kernel_version */
	.byte 0				/* type_of_loader */
	.byte LOADED_HIGH		/* loadflags */
	.word 0				/* setup_move_size */
	.long 0x100000			/* code32_start */
	.long 0				/* ramdisk_image */
	.long 0				/* ramdisk_size */
	.long 0				/* bootsect_kludge */
	.word 0				/* heap_end_ptr */
	.byte 0				/* ext_loader_ver */
	.byte 0				/* ext_loader_type */
	.long 0				/* cmd_line_ptr */
	.long 0x3ffffff			/* initrd_addr_max: 64 MiB, for the test to check */
	.long 0x200000			/* kernel_alignment */
	.byte 0				/* relocatable_kernel: no, load at pref_address */
	.byte 21			/* min_alignment */
	.word XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
	.long 255			/* cmdline_size: small, for the test to check */
	.long 0				/* hardware_subarch */
	.quad 0				/* hardware_subarch_data */
	.long 0				/* payload_offset */
	.long 0				/* payload_length */
	.quad 0				/* setup_data */
	.quad 0x100000			/* pref_address */
	.long _init_size		/* init_size */
	.long 0				/* handover_offset */
	.long 0				/* kernel_info_offset */
hdr_end:
	.org 1024

	/* The protected-mode kernel starts here: startup_32 at 0, the 64-bit entry at 0x200. */
	.section .head.text, "ax"
	.code32
	.globl startup_32
startup_32:
	ud2
	.org 0x200
	.code64
	.globl startup_64
startup_64:
	jmp _start64
