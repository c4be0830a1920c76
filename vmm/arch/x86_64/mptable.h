/* mptable.h: the Intel MultiProcessor Specification 1.4 table that lists every vCPU. */
#ifndef MOTE_VMM_ARCH_X86_64_MPTABLE_H
#define MOTE_VMM_ARCH_X86_64_MPTABLE_H

struct guest_mem;

/*
 * Writes the MP floating pointer and configuration table at MPTABLE_ADDR: NR_VCPUS
 * processors (APIC IDs 0..NR_VCPUS-1, 0 the BSP), an ISA bus, the IOAPIC (ID NR_VCPUS)
 * with ISA IRQs 0-15 and GSIs up to 23 routed pin-for-pin, LINT0 ExtINT and LINT1 NMI.
 * 0, or -EINVAL / -EFAULT.
 */
int mptable_write(const struct guest_mem *mem, unsigned nr_vcpus);

#endif /* MOTE_VMM_ARCH_X86_64_MPTABLE_H */
