/* layout.h: every guest-physical address motevm uses on x86-64, in one place. */
#ifndef MOTE_VMM_ARCH_X86_64_LAYOUT_H
#define MOTE_VMM_ARCH_X86_64_LAYOUT_H

#include "abi/mote_abi.h"

/*
 * Guest-physical memory map (Firecracker-compatible where Firecracker defines an address):
 *
 *   0x0000_0000 +---------------------------+ RAM (e820 RAM [0, 0x9fc00))
 *               | real-mode IVT / BDA       |  left to the guest
 *   0x0000_0500 | GDT (4 entries)           |  Linux boot and PVH start state
 *   0x0000_0520 | IDT (empty, limit 0)      |
 *   0x0000_6000 | hvm_start_info (PVH)      |
 *   0x0000_6040 | PVH module list           |
 *   0x0000_7000 | zero page (Linux) or      |
 *               | PVH memory map            |
 *   0x0000_8ff0 | initial stack (Linux)     |  grows down
 *   0x0000_9000 | PML4                      |  Linux boot only: identity map of
 *   0x0000_a000 | PDPT                      |  the first 4 GiB with 2 MiB pages
 *   0x0000_b000 | 4 page directories        |  (0xb000-0xefff)
 *   0x0002_0000 | kernel command line       |  CMDLINE_MAX bytes
 *               |           ...             |
 *   0x0009_fc00 +---------------------------+ e820 reserved [0x9fc00, 0x100000)
 *               | MP table (EBDA)           |
 *   0x000a_0000 | (VGA/ROM window: RAM,     |
 *               |  unused)                  |
 *   0x0010_0000 +---------------------------+ e820 RAM [1 MiB, min(mem, 3 GiB))
 *               | kernel (ELF / bzImage)    |  loaded at its own physical addresses,
 *               |           ...             |  never below 1 MiB
 *               | initrd (top of low RAM,   |
 *               |  page-aligned)            |
 *   0xc000_0000 +---------------------------+ MMIO32 hole: no RAM in [3 GiB, 4 GiB)
 *               | boot timer (1 page)       |  MOTE_BOOT_TIMER_ADDR
 *   0xc000_1000 | virtio-mmio slots (later) |
 *   0xfec0_0000 | IOAPIC (in-kernel)        |
 *   0xfee0_0000 | LAPIC (in-kernel)         |
 *   0xfffb_d000 | KVM TSS (3 pages)         |
 *   0x1_0000_0000 +-------------------------+ RAM above 3 GiB of the guest continues here
 *
 * Port I/O: 0x3f8 COM1 (IRQ 4), 0x60-0x64 i8042 (IRQ 1), 0xf4 isa-debug-exit,
 * MOTE_EXIT_PORT (0x6d70) exit device; PIC, PIT and speaker port are in-kernel.
 */

#define GDT_ADDR 0x500ull
#define IDT_ADDR 0x520ull
#define PVH_INFO_ADDR 0x6000ull
#define PVH_MODLIST_ADDR 0x6040ull
#define PVH_MEMMAP_ADDR 0x7000ull
#define PVH_MEMMAP_MAX 64
#define ZERO_PAGE_ADDR 0x7000ull
#define BOOT_STACK_ADDR 0x8ff0ull
#define PML4_ADDR 0x9000ull
#define PDPT_ADDR 0xa000ull
#define PD_ADDR 0xb000ull /* 4 pages: 0xb000-0xefff */
#define PD_COUNT 4
#define CMDLINE_ADDR 0x20000ull
#define CMDLINE_MAX 2048 /* bytes including the terminating NUL (Firecracker's limit) */

#define EBDA_START 0x9fc00ull
#define MPTABLE_ADDR EBDA_START
#define SYSTEM_MEM_END 0x100000ull /* end of the reserved EBDA/ROM window */
#define HIMEM_START 0x100000ull	   /* lowest address a kernel may load at */

#define MMIO_HOLE_START 0xc0000000ull /* RAM stops at 3 GiB... */
#define MMIO_HOLE_END 0x100000000ull  /* ...and continues at 4 GiB */
#define BOOT_TIMER_ADDR ((unsigned long long)MOTE_BOOT_TIMER_ADDR)
#define BOOT_TIMER_LEN 0x1000ull
#define IOAPIC_ADDR 0xfec00000ull
#define LAPIC_ADDR 0xfee00000ull
#define KVM_TSS_ADDR 0xfffbd000ull

#define COM1_PORT 0x3f8
#define COM1_IRQ 4
#define I8042_PORT 0x60
#define I8042_IRQ 1

#define PAGE_SIZE_4K 0x1000ull
#define PAGE_SIZE_2M 0x200000ull

#endif /* MOTE_VMM_ARCH_X86_64_LAYOUT_H */
