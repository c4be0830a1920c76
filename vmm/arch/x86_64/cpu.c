/* cpu.c: x86-64 vCPU set-up (see cpu.h). */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "abi/mote_abi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/layout.h"
#include "kvm/memory.h"

#define PVM_MSR_IDENT 0x4b564d11u
#define PVM_IDENT_VALUE 0x4d5650u /* "PVM" */

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)

/* GDT slots, the same for both boot modes (selector = slot * 8). */
#define GDT_CODE 1
#define GDT_DATA 2
#define GDT_TSS 3
#define GDT_ENTRIES 4

struct msr_init {
	uint32_t index;
	uint64_t value;
};

static const struct msr_init boot_msrs[] = {
	{ MSR_IA32_SYSENTER_CS, 0 },
	{ MSR_IA32_SYSENTER_ESP, 0 },
	{ MSR_IA32_SYSENTER_EIP, 0 },
	{ MSR_STAR, 0 },
	{ MSR_CSTAR, 0 },
	{ MSR_KERNEL_GS_BASE, 0 },
	{ MSR_SYSCALL_MASK, 0 },
	{ MSR_LSTAR, 0 },
	{ MSR_IA32_MISC_ENABLE, 1 },	       /* fast strings */
	{ MSR_MTRR_DEF_TYPE, (1u << 11) | 6 }, /* MTRRs on, default write-back */
};

bool cpu_probe_pvm(int vcpu_fd)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = PVM_MSR_IDENT };

	return ioctl(vcpu_fd, KVM_GET_MSRS, &m) == 1 && m.e.data == PVM_IDENT_VALUE;
}

/* This machine's XCR0 (xgetbv), or 0 if the OS has not enabled XSAVE. */
static uint64_t host_xcr0(void)
{
	unsigned a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) /* OSXSAVE */
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

void cpu_log_xcr0(struct kvm_cpuid2 *supported)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(supported, 0xd, 0);
	uint64_t xcr0 = host_xcr0(), announced;

	if (!e || !xcr0)
		return;
	announced = ((uint64_t)e->edx << 32) | e->eax;
	log_debug("XCR0: the guest's is this machine's, %#llx; CPUID 0xd.0 announces %#llx, at "
		  "most %u bytes%s",
		  (unsigned long long)xcr0, (unsigned long long)announced, e->ecx,
		  xcr0 & ~announced ? " (XCR0 has more: size save areas from xgetbv's XCR0)" : "");
}

/* Replaces or appends leaf FN (no subleaves); C has room for it. */
static void put_leaf(struct kvm_cpuid2 *c, uint32_t fn, uint32_t a, uint32_t b, uint32_t cx,
		     uint32_t d)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, fn, 0);

	if (!e)
		e = &c->entries[c->nent++];
	*e = (struct kvm_cpuid_entry2){ .function = fn, .eax = a, .ebx = b, .ecx = cx, .edx = d };
}

/* Bits needed to number N things (0 for 1). */
static unsigned order(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

/* The numbers every topology leaf is built from. */
struct topo_bits {
	unsigned threads;     /* logical CPUs per core */
	unsigned thread_bits; /* APIC ID bits for the thread */
	unsigned pkg_bits;    /* APIC ID bits for the whole package */
};

/* Leaf 1 (APIC ID, logical CPU count, HTT, hypervisor) and Intel's leaf 4 (cores, sharing). */
static void topo_basic(struct kvm_cpuid2 *c, const struct cpu_topology *t,
		       const struct topo_bits *b)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 1, 0);

	if (e) {
		e->ebx = (e->ebx & 0x0000ffffu) | (t->id << 24) | ((1u << b->pkg_bits) << 16);
		if (t->nr > 1)
			e->edx |= 1u << 28; /* HTT: more than one logical CPU per package */
		e->ecx |= 1u << 31;	    /* running under a hypervisor */
	}
	for (uint32_t i = 0; i < c->nent; i++) {
		unsigned level, sharing;

		e = &c->entries[i];
		if (e->function != 4 || !(e->eax & 0x1f)) /* absent, or no more caches */
			continue;
		level = (e->eax >> 5) & 7;
		sharing = level <= 2 ? b->threads : 1u << b->pkg_bits;
		e->eax &= 0x00003fffu;
		e->eax |= ((1u << (b->pkg_bits - b->thread_bits)) - 1) << 26; /* cores - 1 */
		e->eax |= (sharing - 1) << 14; /* logical CPUs sharing this cache - 1 */
	}
}

/* Leaf FN (0xb or 0x1f), subleaves SMT, core and the terminating one. */
static void topo_extended(struct kvm_cpuid2 *c, uint32_t fn, const struct cpu_topology *t,
			  const struct topo_bits *b)
{
	static const uint32_t level_type[] = { 1 /* SMT */, 2 /* core */, 0 /* end */ };

	for (uint32_t sub = 0; sub < 3; sub++) {
		struct kvm_cpuid_entry2 *x = &c->entries[c->nent++];

		*x = (struct kvm_cpuid_entry2){
			.function = fn,
			.index = sub,
			.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
			.eax = sub == 0	  ? b->thread_bits
			       : sub == 1 ? b->pkg_bits
					  : 0,
			.ebx = sub == 0	  ? b->threads
			       : sub == 1 ? t->nr
					  : 0,
			.ecx = sub | (level_type[sub] << 8),
			.edx = t->id,
		};
	}
}

/* The CPUID leaves that describe the topology, for vCPU T->id of T->nr. */
static void set_topology(struct kvm_cpuid2 *c, const struct cpu_topology *t)
{
	struct topo_bits b = { .threads = t->smt && t->nr > 1 ? 2 : 1 };
	struct kvm_cpuid_entry2 *e;
	bool has_0b, has_1f;
	uint32_t j = 0;

	b.thread_bits = order(b.threads);
	b.pkg_bits = order(t->nr);
	topo_basic(c, t, &b);

	/* KVM passes the host's 0xb/0x1f through (zeros on many AMD parts): rebuild them. */
	e = cpuid_find(c, 0, 0);
	has_0b = e && e->eax >= 0xb;
	has_1f = cpuid_find(c, 0x1f, 0) != NULL;
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function != 0xb && c->entries[i].function != 0x1f)
			c->entries[j++] = c->entries[i];
	c->nent = j;
	if (has_0b)
		topo_extended(c, 0xb, t, &b);
	if (has_1f)
		topo_extended(c, 0x1f, t, &b);

	/* AMD: legacy core count, NC / ApicIdSize, and the extended APIC ID leaf. */
	if ((e = cpuid_find(c, 0x80000001, 0)) && t->nr > 1)
		e->ecx |= 1u << 1; /* CmpLegacy */
	if ((e = cpuid_find(c, 0x80000008, 0)))
		e->ecx = (e->ecx & ~0xf0ffu) | (b.pkg_bits << 12) | (t->nr - 1);
	if ((e = cpuid_find(c, 0x8000001e, 0))) {
		e->eax = t->id;
		e->ebx = ((b.threads - 1) << 8) | (t->id >> b.thread_bits);
		e->ecx = 0;
	}
}

int cpu_setup_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported,
		    const struct cpu_topology *topo, const struct cpu_cpuid_opts *o, bool *bad_edit)
{
	unsigned nr_edits = o->edits ? o->edits->n : 0;
	/* Mote's leaves, topology sub-leaves, one per edit at most */
	size_t n = supported->nent + 3 + 6 + nr_edits;
	struct kvm_cpuid2 *c = malloc(sizeof(*c) + n * sizeof(c->entries[0]));
	struct kvm_cpuid_entry2 *e;
	char err[256];
	int r = 0;

	*bad_edit = false;
	if (!c)
		return -ENOMEM;
	memcpy(c, supported, sizeof(*c) + supported->nent * sizeof(c->entries[0]));
	set_topology(c, topo);
	/* KVM emulates the TSC-deadline timer in its LAPIC whatever the host has, but lists it
	 * in KVM_GET_SUPPORTED_CPUID only since Linux 6.14; QEMU and Firecracker add it. */
	if (o->tsc_deadline && (e = cpuid_find(c, 1, 0)))
		e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
	put_leaf(c, MOTE_CPUID_SIGNATURE, MOTE_CPUID_CONSOLE, MOTE_CPUID_SIG_EBX,
		 MOTE_CPUID_SIG_ECX, MOTE_CPUID_SIG_EDX);
	put_leaf(c, MOTE_CPUID_INFO, MOTE_ABI_VERSION, o->ml.features, topo->nr, 0);
	put_leaf(c, MOTE_CPUID_CONSOLE, o->ml.ttys, o->ml.rows, o->ml.cols, 0);
	/* The test-only edits last, so that they can change anything motevm set. */
	if (nr_edits && cpuid_edit_apply(c, o->edits, err, sizeof(err))) {
		log_err("%s", err);
		*bad_edit = true;
		r = -EINVAL;
		goto out;
	}
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0) {
		r = -errno;
		if (nr_edits) {
			/* KVM checks some leaves (e.g. 0x80000008's address widths, 0xd's dynamic
			 * features): the edits are the likely cause. */
			log_err("vCPU %u: KVM_SET_CPUID2 refuses the table with the --cpuid/--cpu-hide "
				"edits: %s",
				topo->id, strerror(-r));
			*bad_edit = true;
		} else {
			log_err("vCPU %u: KVM_SET_CPUID2: %s", topo->id, strerror(-r));
		}
	}
out:
	free(c);
	return r;
}

int cpu_setup_msrs(int vcpu_fd)
{
	enum { N = sizeof(boot_msrs) / sizeof(boot_msrs[0]) };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[N];
	} m;
	unsigned i = 0;

	while (i < N) {
		unsigned k = N - i;
		int r;

		memset(&m, 0, sizeof(m));
		m.hdr.nmsrs = k;
		for (unsigned j = 0; j < k; j++) {
			m.e[j].index = boot_msrs[i + j].index;
			m.e[j].data = boot_msrs[i + j].value;
		}
		r = ioctl(vcpu_fd, KVM_SET_MSRS, &m);
		if (r < 0) {
			r = -errno;
			log_err("KVM_SET_MSRS: %s", strerror(-r));
			return r;
		}
		if ((unsigned)r >= k)
			break;
		/* KVM stops at the first MSR it refuses (a host may lack one): not fatal for a
		 * boot, but the ones after it must still be set. */
		log_debug("KVM_SET_MSRS: MSR %#x refused", m.e[r].index);
		i += (unsigned)r + 1;
	}
	return 0;
}

int cpu_setup_fpu(int vcpu_fd)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0) {
		int r = -errno;

		log_err("KVM_SET_FPU: %s", strerror(-r));
		return r;
	}
	return 0;
}

/* A GDT descriptor from the access/flags word (as in Linux's GDT_ENTRY), base and limit. */
static uint64_t gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf0ffu) << 40) |
	       ((uint64_t)(limit & 0x000f0000u) << 32) | ((uint64_t)(base & 0x00ffffffu) << 16) |
	       (limit & 0x0000ffffu);
}

static uint16_t code_flags(enum cpu_boot_mode mode)
{
	return mode == CPU_BOOT_LINUX ? 0xa09b /* 64-bit code */ : 0xc09b /* 32-bit code */;
}

int cpu_write_gdt(const struct guest_mem *mem, enum cpu_boot_mode mode)
{
	uint64_t gdt[GDT_ENTRIES] = {
		[GDT_CODE] = gdt_entry(code_flags(mode), 0, 0xfffff),
		[GDT_DATA] = gdt_entry(0xc093, 0, 0xfffff),
		[GDT_TSS] = gdt_entry(0x808b, 0, 0xfffff),
	};
	uint64_t idt = 0;

	if (mem_write(mem, GDT_ADDR, gdt, sizeof(gdt)) || mem_write(mem, IDT_ADDR, &idt, 8))
		return -EFAULT;
	return 0;
}

int cpu_write_page_tables(const struct guest_mem *mem, bool user_bit)
{
	uint64_t u = user_bit ? PTE_US : 0;
	uint64_t *pml4 = mem_ptr(mem, PML4_ADDR, PAGE_SIZE_4K);
	uint64_t *pdpt = mem_ptr(mem, PDPT_ADDR, PAGE_SIZE_4K);
	uint64_t *pd = mem_ptr(mem, PD_ADDR, PD_COUNT * PAGE_SIZE_4K);

	if (!pml4 || !pdpt || !pd)
		return -EFAULT;
	pml4[0] = PDPT_ADDR | PTE_P | PTE_RW | u;
	for (int i = 0; i < PD_COUNT; i++)
		pdpt[i] = (PD_ADDR + i * PAGE_SIZE_4K) | PTE_P | PTE_RW | u;
	for (uint64_t i = 0; i < PD_COUNT * 512; i++)
		pd[i] = (i * PAGE_SIZE_2M) | PTE_P | PTE_RW | PTE_PS | u;
	return 0;
}

static struct kvm_segment segment(unsigned slot, uint16_t flags)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff, /* 0xfffff pages: the descriptor has G set */
		.selector = (uint16_t)(slot * 8),
		.type = flags & 0xf,
		.present = (flags >> 7) & 1,
		.dpl = (flags >> 5) & 3,
		.db = (flags >> 14) & 1,
		.s = (flags >> 4) & 1,
		.l = (flags >> 13) & 1,
		.g = (flags >> 15) & 1,
	};
}

int cpu_set_boot_regs(int vcpu_fd, enum cpu_boot_mode mode, uint64_t entry)
{
	struct kvm_sregs s;
	struct kvm_regs regs = { .rip = entry, .rflags = 2 };
	int r;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0)
		goto err;
	s.cs = segment(GDT_CODE, code_flags(mode));
	s.ds = s.es = s.fs = s.gs = s.ss = segment(GDT_DATA, 0xc093);
	s.tr = segment(GDT_TSS, 0x808b);
	s.gdt.base = GDT_ADDR;
	s.gdt.limit = GDT_ENTRIES * 8 - 1;
	s.idt.base = IDT_ADDR;
	s.idt.limit = 7;
	if (mode == CPU_BOOT_LINUX) {
		s.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
		s.cr3 = PML4_ADDR;
		s.cr4 = CR4_PAE;
		s.efer = EFER_LME | EFER_LMA;
		regs.rsp = regs.rbp = BOOT_STACK_ADDR;
		regs.rsi = ZERO_PAGE_ADDR;
	} else {
		/* PVH: protected mode, paging off (the PVH ABI, as Firecracker sets it). */
		s.cr0 = CR0_PE | CR0_ET;
		s.cr3 = 0;
		s.cr4 = 0;
		s.efer = 0;
		regs.rbx = PVH_INFO_ADDR;
	}
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &s) < 0 || ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		goto err;
	return 0;
err:
	r = -errno;
	log_err("setting boot registers: %s", strerror(-r));
	return r;
}

void cpu_dump_regs(int vcpu_fd, enum log_level level)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0) {
		log_msg(level, __FILE__, __LINE__, "  (registers unavailable: %s)",
			strerror(errno));
		return;
	}
	log_msg(level, __FILE__, __LINE__, "  rip %016llx rsp %016llx rflags %08llx", r.rip, r.rsp,
		r.rflags);
	log_msg(level, __FILE__, __LINE__, "  rax %016llx rbx %016llx rcx %016llx rdx %016llx",
		r.rax, r.rbx, r.rcx, r.rdx);
	log_msg(level, __FILE__, __LINE__, "  rsi %016llx rdi %016llx rbp %016llx r8  %016llx",
		r.rsi, r.rdi, r.rbp, r.r8);
	log_msg(level, __FILE__, __LINE__, "  r9  %016llx r10 %016llx r11 %016llx r12 %016llx",
		r.r9, r.r10, r.r11, r.r12);
	log_msg(level, __FILE__, __LINE__, "  r13 %016llx r14 %016llx r15 %016llx", r.r13, r.r14,
		r.r15);
	log_msg(level, __FILE__, __LINE__,
		"  cs %04x (l=%u db=%u dpl=%u) ss %04x cr0 %08llx cr2 %016llx cr3 %016llx",
		s.cs.selector, s.cs.l, s.cs.db, s.cs.dpl, s.ss.selector, s.cr0, s.cr2, s.cr3);
	log_msg(level, __FILE__, __LINE__, "  cr4 %08llx efer %08llx gdt %llx/%x idt %llx/%x",
		s.cr4, s.efer, s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
}
