/* layout.h: every fixed address, size and vector of the kernel, shared by C and assembly. */
#ifndef MOTE_ARCH_X86_64_LAYOUT_H
#define MOTE_ARCH_X86_64_LAYOUT_H

/*
 * Virtual address space (one page table for everything, the application included):
 *
 *   0x0000000000000000 +------------------------------+
 *                      | application (lower half):    |  left empty by this kernel
 *                      | ELF, heap, mmap, stacks      |
 *   0x00007fffffffffff +------------------------------+
 *                      | (non-canonical hole)         |
 *   0xffff800000000000 +------------------------------+
 *                      | (unused: PML4 slot 256 faults |
 *                      |  on kvm_pvm hosts, measured)  |
 *   0xffff880000000000 +------------------------------+  PHYS_OFFSET
 *                      | direct map of physical RAM   |  2 MiB pages; MMIO pages uncached
 *                      | (and the LAPIC/IOAPIC/boot   |
 *                      | timer MMIO pages, 4 KiB)     |
 *   0xffffffff80000000 +------------------------------+  KERNEL_VBASE
 *                      | kernel image (phys 0 + 1 MiB |  2 MiB pages, linked at
 *                      | load address) .text .rodata  |  KERNEL_VBASE + KERNEL_PHYS
 *                      | .ksyms .data .bss            |
 *   0xffffffffc0000000 +------------------------------+
 *
 * Physical memory (guest-physical, as PVH / the Linux boot protocol hand it over):
 *
 *   0x0000_0000  real-mode IVT/BDA (untouched)
 *   0x0000_8000  AP_TRAMPOLINE: the real-mode start-up code of the APs (one page)
 *   0x0009_fc00  MP table / EBDA (firmware, reserved by the memory map)
 *   0x0010_0000  KERNEL_PHYS: the kernel image, then its .bss
 *   ...          free RAM (buddy allocator), minus boot info, command line and initrd
 *   0xc000_0000  boot timer (motevm only; MOTE_BOOT_TIMER_ADDR)
 *   0xfec0_0000  IOAPIC
 *   0xfee0_0000  LAPIC (xAPIC)
 */
#define KERNEL_VBASE 0xffffffff80000000
#define KERNEL_HALF 0xffff800000000000 /* PML4 slots 256-511: shared by every root */
#define KERNEL_PHYS 0x100000
#define PHYS_OFFSET 0xffff880000000000 /* PML4 slot 272 */
#define AP_TRAMPOLINE 0x8000

#define PAGE_SIZE 4096
#define PAGE_SHIFT 12
#define HUGE_SIZE 0x200000
#define HUGE_SHIFT 21

/* Stacks. Every IDT vector runs on an IST stack first (see isr.S). */
#define KSTACK_ORDER 2 /* 16 KiB kernel stacks per thread */
#define KSTACK_SIZE (PAGE_SIZE << KSTACK_ORDER)
#define BOOT_STACK_SIZE 16384
#define IST_SIZE 4096
#define IST_IRQ 1   /* external interrupts and IPIs */
#define IST_EXC 2   /* CPU exceptions */
#define IST_FATAL 3 /* NMI, #DF, #MC: handled in place, never moved */
#define IST_COUNT 3

#define MAX_CPUS 32

/* GDT selectors (Linux's order, so a later SYSCALL/SYSRET setup fits). */
#define SEL_KCODE32 0x08
#define SEL_KCODE 0x10
#define SEL_KDATA 0x18
#define SEL_TSS 0x40

/* Interrupt vectors. */
#define VEC_IRQ_BASE 0x20    /* IOAPIC GSIs 0..23 */
#define VEC_TIMER 0xec	     /* LAPIC timer */
#define VEC_IPI_RESCHED 0xf0 /* wake an idle CPU / reschedule */
#define VEC_IPI_TLB 0xf1     /* TLB shootdown */
#define VEC_IPI_STOP 0xf2    /* stop this CPU (panic on another CPU) */
#define VEC_IPI_SIGNAL 0xf3  /* a signal for the application thread running here */
#define VEC_SPURIOUS 0xff

/* Boot protocols recorded by entry.S. */
#define BOOT_PVH 1
#define BOOT_LINUX64 2

/* Per-CPU block offsets used by assembly (must match struct cpu in percpu.h). */
#define CPU_SELF 0
#define CPU_KSTACK_LO 8
#define CPU_KSTACK_HI 16
#define CPU_IST_LO 24
#define CPU_IST_HI 32
#define CPU_SCRATCH 40

#ifndef __ASSEMBLY__
#define V2P(v) ((uint64_t)(v)-PHYS_OFFSET)
/* Physical address of a kernel-image or direct-map address. */
#define V2P_ANY(v) ((uint64_t)(v) >= KERNEL_VBASE ? KV2P(v) : V2P(v))
#define P2V(p) ((void *)((uint64_t)(p) + PHYS_OFFSET))
#define KV2P(v) ((uint64_t)(v)-KERNEL_VBASE)
#endif

#endif /* MOTE_ARCH_X86_64_LAYOUT_H */
