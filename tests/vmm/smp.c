/* smp.c: every vCPU reports in: the guest finds each processor in motevm's MP table (and
 * checks the table's checksums, IOAPIC and interrupt entries), starts each AP through its
 * LAPIC with INIT-SIPI-SIPI (real mode -> long mode trampoline) and waits for it to check in
 * with its APIC ID; topology CPUID matches. The stopped APs sit in HLT with interrupts off:
 * motevm must still stop them at exit. */
#ifdef GUEST
#include "guest/guest.h"

#define TRAMPOLINE 0x3000 /* SIPI vector 3 */
#define LAPIC 0xfee00000ul
#define MAX_CPUS 32

/* Real mode -> protected mode -> long mode; runs at TRAMPOLINE, so addresses are fixed up. */
__asm__(".section .rodata\n"
	".globl ap_tramp_start, ap_tramp_end, ap_tramp_cr3, ap_tramp_stack, ap_tramp_entry\n"
	".code16\n"
	"ap_tramp_start:\n"
	"	cli\n"
	"	mov %cs, %ax\n"
	"	mov %ax, %ds\n"
	"	lgdtl ap_gdt_desc - ap_tramp_start\n"
	"	mov %cr0, %eax\n"
	"	or $1, %eax\n"
	"	mov %eax, %cr0\n"
	"	ljmpl $0x08, $(0x3000 + ap32 - ap_tramp_start)\n"
	".code32\n"
	"ap32:\n"
	"	mov $0x10, %ax\n"
	"	mov %ax, %ds\n"
	"	mov %ax, %es\n"
	"	mov %ax, %ss\n"
	"	mov (0x3000 + ap_tramp_cr3 - ap_tramp_start), %eax\n"
	"	mov %eax, %cr3\n"
	"	mov %cr4, %eax\n"
	"	or $0x20, %eax\n"
	"	mov %eax, %cr4\n"
	"	mov $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	or $0x100, %eax\n"
	"	wrmsr\n"
	"	mov %cr0, %eax\n"
	"	or $0x80000000, %eax\n"
	"	mov %eax, %cr0\n"
	"	ljmp $0x18, $(0x3000 + ap64 - ap_tramp_start)\n"
	".code64\n"
	"ap64:\n"
	"	mov (0x3000 + ap_tramp_stack - ap_tramp_start), %rsp\n"
	"	mov (0x3000 + ap_tramp_entry - ap_tramp_start), %rax\n"
	"	jmp *%rax\n"
	".p2align 3\n"
	"ap_gdt:\n"
	"	.quad 0\n"
	"	.quad 0x00cf9a000000ffff\n" /* 0x08 32-bit code */
	"	.quad 0x00cf92000000ffff\n" /* 0x10 data */
	"	.quad 0x00af9a000000ffff\n" /* 0x18 64-bit code */
	"ap_gdt_desc:\n"
	"	.word 31\n"
	"	.long 0x3000 + ap_gdt - ap_tramp_start\n"
	"ap_tramp_cr3: .long 0\n"
	".p2align 3\n"
	"ap_tramp_stack: .quad 0\n"
	"ap_tramp_entry: .quad 0\n"
	"ap_tramp_end:\n"
	".text\n");

extern const char ap_tramp_start[], ap_tramp_end[], ap_tramp_cr3[], ap_tramp_stack[],
	ap_tramp_entry[];

static volatile uint32_t checked_in, print_lock;
static volatile uint32_t seen_apic[MAX_CPUS];
static uint8_t ap_stacks[MAX_CPUS][4096] __attribute__((aligned(16)));

static void lock(void)
{
	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static void ap_main(void) __attribute__((noreturn, used));
static void ap_main(void)
{
	uint32_t a, b, c, d, id;

	cpuid(1, 0, &a, &b, &c, &d);
	id = b >> 24;
	lock();
	gprintf("cpu %u up\n", id);
	unlock();
	if (id < MAX_CPUS)
		seen_apic[id] = 1;
	__atomic_add_fetch(&checked_in, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* The MP floating pointer, where the MP spec says to look (EBDA, base memory end, BIOS). */
static const uint8_t *find_mpf(void)
{
	static const uint64_t areas[][2] = { { 0x9fc00, 0x400 }, { 0xf0000, 0x10000 } };

	for (unsigned a = 0; a < 2; a++)
		for (uint64_t p = areas[a][0]; p < areas[a][0] + areas[a][1]; p += 16)
			if (memcmp((const void *)p, "_MP_", 4) == 0 &&
			    sum((const void *)p, 16) == 0)
				return (const uint8_t *)p;
	return NULL;
}

/* Checks the MP table and returns the processors' APIC IDs (BSP first). */
static unsigned parse_mptable(uint8_t *apic_ids)
{
	const uint8_t *mpf = find_mpf(), *mpc, *e;
	unsigned ncpu = 0, nio = 0, nint = 0, count;
	uint32_t ptr;
	uint16_t len;

	GUEST_ASSERT(mpf, "no MP floating pointer");
	memcpy(&ptr, mpf + 4, 4);
	mpc = (const uint8_t *)(uint64_t)ptr;
	GUEST_ASSERT(memcmp(mpc, "PCMP", 4) == 0, "no MP configuration table");
	memcpy(&len, mpc + 4, 2);
	GUEST_ASSERT(sum(mpc, len) == 0, "MP configuration table checksum");
	memcpy(&count, mpc + 34, 2);
	count &= 0xffff;
	e = mpc + 44;
	for (unsigned i = 0; i < count; i++) {
		switch (e[0]) {
		case 0: /* processor */
			GUEST_ASSERT(e[3] & 1, "processor %u disabled", e[1]);
			GUEST_ASSERT(!!(e[3] & 2) == (ncpu == 0), "BSP flag on processor %u", e[1]);
			apic_ids[ncpu++] = e[1];
			e += 20;
			break;
		case 2: /* IOAPIC */
			GUEST_ASSERT(*(const uint32_t *)(e + 4) == 0xfec00000, "IOAPIC address");
			nio++;
			e += 8;
			break;
		case 3:
			nint++;
			e += 8;
			break;
		default:
			e += 8;
		}
	}
	GUEST_ASSERT(nio == 1 && nint >= 16, "%u IOAPICs, %u interrupt entries", nio, nint);
	return ncpu;
}

static void wait_cycles(uint64_t n)
{
	uint64_t t = rdtsc();

	while (rdtsc() - t < n)
		cpu_relax();
}

int guest_main(int kind, uint64_t info)
{
	uint8_t ids[MAX_CPUS];
	uint32_t a, b, c, d;
	unsigned n = parse_mptable(ids);
	uint64_t cr3 = READ_CR(3);

	cpuid(MOTE_CPUID_INFO, 0, &a, &b, &c, &d);
	gprintf("MP table: %u processors, CPUID says %u\n", n, c);
	GUEST_ASSERT(n == c && n == guest_arg_num("cpus", 0), "processor count");
	cpuid(1, 0, &a, &b, &c, &d);
	GUEST_ASSERT((b >> 24) == ids[0] && ids[0] == 0, "BSP APIC ID %u", b >> 24);
	if (n > 1)
		GUEST_ASSERT(d & (1u << 28), "HTT not set with %u CPUs", n);

	memcpy((void *)TRAMPOLINE, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	*(uint32_t *)(TRAMPOLINE + (ap_tramp_cr3 - ap_tramp_start)) = (uint32_t)cr3;
	*(uint64_t *)(TRAMPOLINE + (ap_tramp_entry - ap_tramp_start)) = (uint64_t)ap_main;
	mmio_write32(LAPIC + 0xf0, 0x1ff); /* software-enable the LAPIC */
	for (unsigned i = 1; i < n; i++) {
		uint32_t before = checked_in;

		*(uint64_t *)(TRAMPOLINE + (ap_tramp_stack - ap_tramp_start)) =
			(uint64_t)&ap_stacks[i][4096];
		mmio_write32(LAPIC + 0x310, (uint32_t)ids[i] << 24);
		mmio_write32(LAPIC + 0x300, 0x4500); /* INIT */
		wait_cycles(1000000);
		for (int sipi = 0; sipi < 2 && checked_in == before; sipi++) {
			mmio_write32(LAPIC + 0x310, (uint32_t)ids[i] << 24);
			mmio_write32(LAPIC + 0x300, 0x4600 | (TRAMPOLINE >> 12));
			wait_cycles(2000000);
		}
		for (uint64_t t = rdtsc(); checked_in == before && rdtsc() - t < 20000000000ul;)
			cpu_relax();
		GUEST_ASSERT(checked_in == before + 1, "AP with APIC ID %u did not start", ids[i]);
		GUEST_ASSERT(seen_apic[ids[i]], "AP reported a different APIC ID");
	}
	lock();
	gprintf("all %u CPUs up\n", checked_in + 1);
	unlock();
	return 0;
}
#else
#include <stdio.h>

#include "host/vmmtest.h"

static void run(unsigned cpus)
{
	char args[32], want[32];
	struct vm_result r;

	snprintf(args, sizeof(args), "cpus=%u", cpus);
	vmt_run_config(&r, vmt_config("smp.elf", args, cpus, 128), 60);
	printf("%u vCPUs: exit %d in %.2f s\n", cpus, r.status, r.secs);
	CHECK_STATUS(&r, 0);
	snprintf(want, sizeof(want), "all %u CPUs up", cpus);
	CHECK(vmt_contains(r.out, r.out_len, want), "not every vCPU reported in");
	for (unsigned i = 1; i < cpus; i++) {
		snprintf(want, sizeof(want), "cpu %u up", i);
		CHECK(vmt_contains(r.out, r.out_len, want), "vCPU %u did not report", i);
	}
	CHECK(r.secs < 20, "slow stop");
	vmt_result_free(&r);
}

int main(void)
{
	vmt_begin("smp");
	vmt_require_kvm();
	run(1);
	run(2); /* the host has 2 cores */
	run(4); /* more vCPUs than cores still boot */
	return vmt_end();
}
#endif
