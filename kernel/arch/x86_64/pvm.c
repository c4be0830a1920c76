/* pvm.c: the whole PV difference for kvm_pvm hosts: detection, the VIF page (interrupt flag,
 * CR2), halt, CR3/TLB and CPUID through the host interface, the U bit in page-table entries.
 * The rest of the kernel calls the arch_*() hooks of cpu.h and does not know which path runs. */
#include "arch/x86_64/pvm.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/percpu.h"
#include "abi/mote_abi.h"

#define HC_SET_CR3 0x1001
#define HC_SET_CR4 0x1002
#define HC_FLUSH_TLB 0x1007
#define HC_FLUSH_TLB_ONE 0x1008
#define HC_HALT 0x1009
#define PTE_U 0x4
#define PTE_A 0x20
#define PTE_D 0x40

uint32_t pvm_active;
uint32_t mote_features;
uint32_t mote_present;

extern char cpu0_block[];
extern char pvm_halt_begin[], pvm_halt_end[];

static inline uint64_t hypercall1(uint64_t nr, uint64_t a)
{
	__asm__ volatile("int $0x1b" : "+a"(nr) : "b"(a) : "rcx", "rdx", "memory");
	return nr;
}

static inline void native_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* The #GP-guarded probe: a minimal IDT whose #GP gate skips the faulting rdmsr. */
static uint64_t early_idt[2 * 14] __aligned(16);
extern char early_gp[];
__asm__(".text\n"
	"early_gp:\n"
	"	addq $8, %rsp\n"   /* drop the error code */
	"	addq $2, (%rsp)\n" /* skip the 2-byte rdmsr */
	"	iretq\n");

static uint64_t probe_msr(void)
{
	uint64_t h = (uint64_t)early_gp;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(early_idt) - 1, (uint64_t)early_idt };
	uint32_t lo = 0, hi = 0;

	early_idt[26] = (h & 0xffff) | ((uint64_t)SEL_KCODE << 16) | (0x8eULL << 40) |
			((h >> 16 & 0xffff) << 48);
	early_idt[27] = h >> 32;
	__asm__ volatile("lidt %0" : : "m"(idtr));
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(PVM_MSR_DETECT));
	return ((uint64_t)hi << 32) | lo;
}

void pvm_early_init(void)
{
	uint32_t r[4];
	bool pv;

	native_cpuid(MOTE_CPUID_SIGNATURE, 0, r);
	if (r[1] == MOTE_CPUID_SIG_EBX && r[2] == MOTE_CPUID_SIG_ECX) {
		mote_present = 1;
		native_cpuid(MOTE_CPUID_INFO, 0, r);
		mote_features = r[1];
		pv = r[1] & MOTE_FEAT_PVM;
	} else {
		pv = probe_msr() == PVM_DETECT_MAGIC;
	}
	if (!pv)
		return;
	wrmsr(PVM_MSR_VIF, pvm_vif_msr_value(KV2P(cpu0_block)));
	pvm_active = 1;
}

uint64_t pvm_vif_msr_value(uint64_t vif_pa)
{
	return vif_pa | PVM_VIF_ENABLE;
}

/*
 * Halt with interrupts enabled. An interrupt taken between enabling and the hypercall would
 * be lost until the next one, so the trap path moves a RIP inside [pvm_halt_begin,
 * pvm_halt_end) to pvm_halt_end (pvm_trap_fixup): the halt is skipped, never slept through.
 */
static void pvm_idle_halt(void)
{
	__asm__ volatile("movb $1, %%gs:0\n"
			 ".globl pvm_halt_begin, pvm_halt_end\n"
			 "pvm_halt_begin:\n"
			 "	cmpb $0, %%gs:1\n"
			 "	jne 1f\n"
			 "	movl %0, %%eax\n"
			 "	int $0x1b\n"
			 "	jmp pvm_halt_end\n"
			 "1:	outb %%al, $0x80\n"
			 "pvm_halt_end:\n"
			 :
			 : "i"(HC_HALT)
			 : "rax", "rcx", "rdx", "memory");
}

void pvm_trap_fixup(uint64_t *rip)
{
	if (*rip >= (uint64_t)pvm_halt_begin && *rip < (uint64_t)pvm_halt_end)
		*rip = (uint64_t)pvm_halt_end;
}

void arch_idle_halt(void)
{
	if (pvm_active) {
		pvm_idle_halt();
		return;
	}
	__asm__ volatile("sti; hlt" ::: "memory");
}

void arch_halt_forever(void)
{
	for (;;) {
		arch_irq_disable();
		if (pvm_active)
			hypercall1(HC_HALT, 0); /* with the flag clear, nothing wakes it */
		else
			__asm__ volatile("cli; hlt" ::: "memory");
	}
}

void arch_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	if (!pvm_active) {
		native_cpuid(leaf, sub, r);
		return;
	}
	__asm__ volatile("int $0x1a"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

void arch_set_cr3(uint64_t pa)
{
	if (pvm_active)
		hypercall1(HC_SET_CR3, pa);
	else
		__asm__ volatile("mov %0, %%cr3" : : "r"(pa) : "memory");
}

uint64_t arch_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

void arch_write_cr4(uint64_t v)
{
	if (pvm_active)
		hypercall1(HC_SET_CR4, v);
	else
		__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

void arch_flush_tlb_all(void)
{
	if (pvm_active)
		hypercall1(HC_FLUSH_TLB, 0);
	else
		__asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}

void arch_flush_tlb_one(uint64_t va)
{
	if (pvm_active)
		hypercall1(HC_FLUSH_TLB_ONE, va);
	else
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* The VIF page has a CR2 field, but the hosts measured leave it 0 (mov from CR2 traps and
 * is emulated correctly): use the field when it is set, the instruction otherwise. */
uint64_t arch_read_cr2(void)
{
	uint64_t v = 0;

	if (pvm_active)
		__asm__ volatile("movq %%gs:8, %0" : "=r"(v));
	if (!v)
		__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* On kvm_pvm: U (the host requires it at every level), and Accessed and Dirty set up front
 * (the kernel reads neither): the host's shadow MMU then maps a writable page writable at
 * once rather than read-only until its first write, a VM exit saved per page. */
uint64_t arch_pte_extra(void)
{
	return pvm_active ? PTE_U | PTE_A | PTE_D : 0;
}
