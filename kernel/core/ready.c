/* ready.c: the end of the boot sequence, measured (the benchmarks read both numbers). */
#include "core/ready.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/pvm.h"
#include "abi/mote_abi.h"
#include "core/mm/page.h"
#include "core/mm/vm.h"
#include "core/time.h"
#include "lib/printf.h"

uint64_t ready_us;

void ready_mark(void)
{
	uint64_t now = rdtsc(), ram = 0;

	ready_us = time_tsc_to_us(bootinfo.tsc0, now);
	/* The boot timer exists on motevm only (elsewhere the address may be RAM or nothing). */
	if (mote_present) {
		volatile uint8_t *bt = vm_map_mmio(MOTE_BOOT_TIMER_ADDR, 1);

		if (bt)
			*bt = MOTE_BOOT_TIMER_MAGIC;
	}
	for (uint32_t i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == E820_RAM)
			ram += bootinfo.mem[i].size;
	printk(LOG_INFO,
	       "mote: %s entry, %s path, %u CPUs (%s), %lu MiB RAM (%lu pages free), "
	       "clock %s, timer %s\n",
	       bootinfo.proto == BOOT_PVH ? "PVH" : "Linux 64-bit",
	       pvm_active ? "kvm_pvm PV" : "standard", MAX(platform.ncpus, 1u), platform.source,
	       (ram + (1 << 19)) >> 20, page_free_count(), time_source(), apic_timer_mode());
	printk(LOG_INFO, "mote: ready to exec in %lu us (first instruction to here)\n", ready_us);
}
