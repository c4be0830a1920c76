/* cpu.h: x86-64 vCPU set-up: CPUID, MSRs, FPU, boot registers, GDT and identity page tables. */
#ifndef MOTE_VMM_ARCH_X86_64_CPU_H
#define MOTE_VMM_ARCH_X86_64_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

struct kvm_cpuid2;
struct cpuid_edits;
struct guest_mem;

/* The CPU state a kernel is entered in. */
enum cpu_boot_mode {
	CPU_BOOT_PVH,	/* 32-bit protected mode, paging off, ebx = hvm_start_info */
	CPU_BOOT_LINUX, /* 64-bit mode, identity-mapped, rsi = zero page */
};

/* The topology a vCPU reports: vCPU ID of NR, SMT (two threads per core) or not. */
struct cpu_topology {
	unsigned id;
	unsigned nr;
	bool smt;
};

/*
 * Asks KVM, from the host side, for the kvm_pvm identification MSR (0x4b564d11 = "PVM").
 * Returns true on a kvm_pvm host, false elsewhere (the read simply fails there).
 */
bool cpu_probe_pvm(int vcpu_fd);

/*
 * kvm_pvm hosts: a guest's xsetbv does not stick there, it runs with the XCR0 of the machine
 * motevm runs on. Logs (Debug) that XCR0 beside what SUPPORTED's leaf 0xd announces.
 */
void cpu_log_xcr0(struct kvm_cpuid2 *supported);

/* What Mote's CPUID leaves announce (include/abi/mote_abi.h). */
struct mote_leaves {
	uint32_t features;   /* MOTE_FEAT_* */
	uint32_t ttys;	     /* MOTE_TTY_*: which of stdin, stdout, stderr are terminals */
	uint32_t rows, cols; /* the terminal's size, 0 if unknown */
};

/* What cpu_setup_cpuid puts in besides KVM's supported leaves and the topology. */
struct cpu_cpuid_opts {
	struct mote_leaves ml;		 /* Mote's leaves */
	bool tsc_deadline;		 /* announce the TSC-deadline timer (KVM emulates it) */
	const struct cpuid_edits *edits; /* --cpuid/--cpu-hide (tests only), last; NULL: none */
};

/*
 * Sets the vCPU's CPUID: KVM's supported leaves, the topology leaves for TOPO, Mote's leaves
 * and the rest of O, in that order. 0 or -errno after logging; *BAD_EDIT tells whether the
 * failure is the edits' (an edit that cannot apply, or a table KVM refuses with edits in it).
 */
int cpu_setup_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported,
		    const struct cpu_topology *topo, const struct cpu_cpuid_opts *o,
		    bool *bad_edit);
/* MSRs and FPU as a firmware would leave them. 0 or -errno after logging. */
int cpu_setup_msrs(int vcpu_fd);
int cpu_setup_fpu(int vcpu_fd);

/* Writes the boot GDT and the (empty) IDT for MODE into guest memory. 0 or -EFAULT. */
int cpu_write_gdt(const struct guest_mem *mem, enum cpu_boot_mode mode);
/*
 * Writes identity page tables for the first 4 GiB (2 MiB pages); with USER_BIT every entry
 * also has the U bit, as kvm_pvm requires. 0 or -EFAULT.
 */
int cpu_write_page_tables(const struct guest_mem *mem, bool user_bit);
/* Sets the boot vCPU's registers for MODE, entering at ENTRY. 0 or -errno after logging. */
int cpu_set_boot_regs(int vcpu_fd, enum cpu_boot_mode mode, uint64_t entry);

/* Logs the vCPU's registers at LEVEL (for crashes and bad exits). */
void cpu_dump_regs(int vcpu_fd, enum log_level level);

#endif /* MOTE_VMM_ARCH_X86_64_CPU_H */
