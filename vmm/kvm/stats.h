/* stats.h: KVM's binary statistics (KVM_GET_STATS_FD) of a VM and its vCPUs, read by name. */
#ifndef MOTE_VMM_KVM_STATS_H
#define MOTE_VMM_KVM_STATS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The counters motevm reports, by KVM's names (Linux's Documentation/virt/kvm/api.rst, "The
 * binary statistics", and the descriptor tables in arch/x86/kvm/x86.c): id, name, and whose
 * they are: VCPU ones are summed over the vCPUs, VM ones are the VM's own. A host's KVM may
 * lack any of them (older kernels, other vendor modules); it is then absent, never an error.
 */
#define KVM_STATS_LIST(X)                                   \
	X(EXITS, "exits", VCPU)                             \
	X(IO_EXITS, "io_exits", VCPU)                       \
	X(MMIO_EXITS, "mmio_exits", VCPU)                   \
	X(HALT_EXITS, "halt_exits", VCPU)                   \
	X(IRQ_EXITS, "irq_exits", VCPU)                     \
	X(SIGNAL_EXITS, "signal_exits", VCPU)               \
	X(REQUEST_IRQ_EXITS, "request_irq_exits", VCPU)     \
	X(IRQ_WINDOW_EXITS, "irq_window_exits", VCPU)       \
	X(NMI_WINDOW_EXITS, "nmi_window_exits", VCPU)       \
	X(PF_TAKEN, "pf_taken", VCPU)                       \
	X(PF_FIXED, "pf_fixed", VCPU)                       \
	X(PF_GUEST, "pf_guest", VCPU)                       \
	X(PF_EMULATE, "pf_emulate", VCPU)                   \
	X(PF_SPURIOUS, "pf_spurious", VCPU)                 \
	X(HYPERCALLS, "hypercalls", VCPU)                   \
	X(INSN_EMULATION, "insn_emulation", VCPU)           \
	X(INSN_EMULATION_FAIL, "insn_emulation_fail", VCPU) \
	X(IRQ_INJECTIONS, "irq_injections", VCPU)           \
	X(NMI_INJECTIONS, "nmi_injections", VCPU)           \
	X(TLB_FLUSH, "tlb_flush", VCPU)                     \
	X(INVLPG, "invlpg", VCPU)                           \
	X(HOST_STATE_RELOAD, "host_state_reload", VCPU)     \
	X(FPU_RELOAD, "fpu_reload", VCPU)                   \
	X(HALT_WAKEUP, "halt_wakeup", VCPU)                 \
	X(REMOTE_TLB_FLUSH, "remote_tlb_flush", VM)         \
	X(MMU_SHADOW_ZAPPED, "mmu_shadow_zapped", VM)       \
	X(MMU_PTE_WRITE, "mmu_pte_write", VM)               \
	X(MMU_PDE_ZAPPED, "mmu_pde_zapped", VM)             \
	X(MMU_FLOODED, "mmu_flooded", VM)                   \
	X(MMU_RECYCLED, "mmu_recycled", VM)                 \
	X(MMU_CACHE_MISS, "mmu_cache_miss", VM)             \
	X(MMU_UNSYNC, "mmu_unsync", VM)                     \
	X(PAGES_4K, "pages_4k", VM)                         \
	X(PAGES_2M, "pages_2m", VM)                         \
	X(PAGES_1G, "pages_1g", VM)

#define KVM_STATS_ENUM(id, name, whose) KVM_STAT_##id,
enum kvm_stat { KVM_STATS_LIST(KVM_STATS_ENUM) KVM_STAT_NR };
#undef KVM_STATS_ENUM

struct kvm_stats_layout;

/* The open statistics files of one VM; all zero (as in a zeroed struct vmm) is "none". */
struct kvm_stats {
	struct kvm_stats_layout *vcpu; /* the vCPUs' file layout (one for all), NULL: none */
	struct kvm_stats_layout *vm;   /* the VM's, NULL: none */
	int *vcpu_fds;		       /* one stats fd per vCPU */
	unsigned nr_vcpus;
	int vm_fd; /* the VM's stats fd, when vm is set */
};

/* One reading of the listed counters. */
struct kvm_stats_sample {
	uint64_t value[KVM_STAT_NR];  /* VCPU ones summed over the vCPUs (a peak: the highest) */
	bool present[KVM_STAT_NR];    /* this host's KVM has it (and it could be read) */
	bool cumulative[KVM_STAT_NR]; /* counts events since creation (else a current value) */
	unsigned nr_vcpus;	      /* vCPUs summed (0: no vCPU statistics) */
};

/*
 * Opens the statistics of the VM (VM_FD) and of its N vCPUs (VCPU_FDS) and reads their
 * header and descriptors once. Never fails: on a KVM without KVM_GET_STATS_FD (before Linux
 * 5.14) or with files motevm does not understand, S stays empty (logged at Debug) and every
 * reading reports nothing. Opening the vCPUs' files needs all of them; the VM's are optional.
 * Call kvm_stats_close before the fds close.
 */
void kvm_stats_open(struct kvm_stats *s, int vm_fd, const int *vcpu_fds, unsigned n);
/* Whether any statistics are open. */
bool kvm_stats_available(const struct kvm_stats *s);
/*
 * Reads every listed counter into OUT (one pread per file; a file that fails to read
 * leaves its counters absent, logged at Debug). One thread at a time (the VMM thread):
 * the reads share a buffer. Counters that are not open are absent.
 */
void kvm_stats_read(const struct kvm_stats *s, struct kvm_stats_sample *out);
/*
 * Any statistic of KVM's by NAME, listed or not: for a vCPU one the sum over the vCPUs (a
 * peak value: the highest; a histogram: all its buckets added), else the VM's, in the unit
 * KVM gives (e.g. "halt_wait_ns" in ns). 0, or -ENOENT if this host's KVM has no such
 * statistic (or none is open), or -errno if a file could not be read. The VMM thread only.
 */
int kvm_stats_get(const struct kvm_stats *s, const char *name, uint64_t *value);
/* KVM's name of listed counter ID ("io_exits"). */
const char *kvm_stats_name(enum kvm_stat id);
/* Whether listed counter ID is a vCPU one (summed over the vCPUs). */
bool kvm_stats_per_vcpu(enum kvm_stat id);
/* Closes the files; S is empty again (idempotent). */
void kvm_stats_close(struct kvm_stats *s);

#endif /* MOTE_VMM_KVM_STATS_H */
