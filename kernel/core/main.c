/* main.c: the boot sequence, one step a line (xv6 style). entry.S calls kmain on the boot
 * CPU, already native on kvm_pvm hosts (VIF page registered), on the boot stack. */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/appcpu.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/pvm.h"
#include "arch/x86_64/smp.h"
#include "core/cmdline.h"
#include "core/mm/heap.h"
#include "core/mm/page.h"
#include "core/mm/vm.h"
#include "core/panic.h"
#include "core/ready.h"
#include "core/sched/futex.h"
#include "core/sched/sched.h"
#include "core/sched/timer.h"
#include "core/selftest.h"
#include "core/time.h"
#include "drivers/uart.h"
#include "drivers/virtio/mmio.h"
#include "linux/run.h"
#include "net/netif.h"
#include "net/procnet.h"
#include "lib/printf.h"

void kmain(void) __noreturn;

void kmain(void)
{
	percpu_init_boot();	  /* boot CPU's per-CPU block (GS base set by entry.S) */
	uart_init();		  /* console: printk works from here */
	gdt_init_cpu(this_cpu()); /* GDT, TSS with the IST stacks */
	idt_init();		  /* every vector on an IST stack: exceptions reported */
	boot_init();		  /* memory map, command line, initrd from PVH / boot_params */
	cmdline_init();		  /* options; a bad one ends the VM with status 2 */
	page_init();		  /* buddy allocator over the RAM the boot page tables map */
	vm_init();		  /* kernel page table: direct map, kernel image, 2 MiB pages */
	page_init_high();	  /* RAM above the first GiB */
	time_init();		  /* kvmclock, else TSC calibrated against the PIT */
	platform_init();	  /* CPUs and IOAPIC from the ACPI MADT or the MP table */
	apic_init();		  /* LAPIC, its timer, IOAPIC; PICs masked */
	smp_start();		  /* the first AP boots meanwhile */
	timer_init();		  /* timer interrupt, tickless */
	futex_init();		  /* futex hash buckets */
	sched_init();		  /* run queues; this context becomes thread "main" */
	appcpu_init_boot();	  /* FPU/SSE/AVX, FS base, syscall entry for applications */
	arch_irq_enable();	  /* interrupts on */
	smp_continue();		  /* the other APs come up in the background */
	virtio_init();		  /* virtio-mmio devices of the command line, their drivers */
	ready_mark();		  /* "ready to exec": boot timer, boot time */
	if (cmdline.selftest)
		kernel_exit(selftest_run(cmdline.selftest_names));
	if (!cmdline.argc)
		kernel_exit(EXIT_OK);
	procnet_init(); /* /proc/net's tables */
	net_init();	/* TCP/IP over virtio-net if there is one; DHCP in the background */
	linux_run();	/* mount /, start the program; its exit ends the VM */
}
