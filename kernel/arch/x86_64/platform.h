/* platform.h: what the firmware tables (ACPI MADT, else the MP table) say about the CPUs and
 * interrupt controllers. */
#ifndef MOTE_ARCH_X86_64_PLATFORM_H
#define MOTE_ARCH_X86_64_PLATFORM_H

#include "lib/types.h"
#include "arch/x86_64/layout.h"

#define LAPIC_DEFAULT 0xfee00000
#define IOAPIC_DEFAULT 0xfec00000
#define NR_ISA_IRQS 16

struct platform {
	const char *source; /* "ACPI MADT", "MP table" or "none" */
	uint32_t ncpus;
	uint32_t apic_ids[MAX_CPUS];
	uint64_t lapic_pa;
	uint64_t ioapic_pa; /* 0: none found */
	uint32_t ioapic_gsi_base;
	/* ISA IRQ -> GSI and polarity/trigger flags (MADT interrupt source overrides) */
	uint32_t isa_gsi[NR_ISA_IRQS];
	uint16_t isa_flags[NR_ISA_IRQS];
};

extern struct platform platform;

/* Fill platform from the ACPI MADT (RSDP from the boot info or the BIOS area scan); returns
 * 0 or -ENOENT. */
int acpi_parse(uint64_t rsdp_pa) __must_check;
/* Fill platform from the Intel MP table; returns 0 or -ENOENT. */
int mptable_parse(void) __must_check;
/* Find the firmware tables (ACPI first, the MP table as fallback); never fails: with none
 * the machine is taken to have the boot CPU only. */
void platform_init(void);

#endif /* MOTE_ARCH_X86_64_PLATFORM_H */
