/* apic.c: xAPIC through MMIO at platform.lapic_pa (every access is a VM exit on KVM: the
 * callers keep them rare), the LAPIC timer, and the IOAPIC redirection table. */
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/platform.h"
#include "arch/x86_64/percpu.h"
#include "core/mm/vm.h"
#include "core/panic.h"
#include "core/time.h"
#include "lib/printf.h"

#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0
#define ICR_BUSY (1u << 12)
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_ASSERT 0x4000
#define ICR_OTHERS 0xc0000
#define LVT_MASKED (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)

static volatile uint32_t *lapic;
static volatile uint32_t *ioapic;
static bool tsc_deadline;
static bool virtual_apic; /* CPUID says: under a hypervisor */
static uint64_t lapic_khz;

static inline uint32_t rd(uint32_t reg)
{
	return lapic[reg / 4];
}

static inline void wr(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

uint32_t apic_id(void)
{
	return rd(LAPIC_ID) >> 24;
}

void apic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

/* Interrupts off. Each LAPIC access is a VM exit: the destination is written only when it
 * changes, and a hypervisor's LAPIC (never busy) is not polled. */
static void icr_send(uint32_t dest, uint32_t lo)
{
	struct cpu *c = this_cpu();

	if (!virtual_apic)
		for (int i = 0; i < 1000 && (rd(LAPIC_ICR_LO) & ICR_BUSY); i++)
			cpu_relax();
	if (c->icr_dest != dest) {
		wr(LAPIC_ICR_HI, dest << 24);
		c->icr_dest = dest;
	}
	wr(LAPIC_ICR_LO, lo);
}

void apic_send_ipi(uint32_t id, int vector)
{
	uint64_t f = arch_irq_save();

	icr_send(id, (uint32_t)vector | ICR_ASSERT);
	CPU_STAT_INC(ipis_out);
	arch_irq_restore(f);
}

void apic_send_ipi_others(int vector)
{
	uint64_t f = arch_irq_save();

	icr_send(0, (uint32_t)vector | ICR_ASSERT | ICR_OTHERS);
	CPU_STAT_INC(ipis_out);
	arch_irq_restore(f);
}

void apic_send_startup(uint32_t id, bool init, uint32_t addr)
{
	uint64_t f = arch_irq_save();

	icr_send(id, init ? ICR_INIT | ICR_ASSERT : ICR_STARTUP | ICR_ASSERT | (addr >> 12));
	arch_irq_restore(f);
}

void apic_timer_arm(uint64_t deadline_ns)
{
	if (tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, deadline_ns ? time_ns_to_tsc(deadline_ns) : 0);
		return;
	}
	if (!deadline_ns) {
		wr(LAPIC_TIMER_INIT, 0);
		return;
	}
	uint64_t now = time_ns();
	uint64_t ticks = deadline_ns > now ? (deadline_ns - now) * lapic_khz / 1000000 : 1;

	wr(LAPIC_TIMER_INIT, ticks > 0xffffffff ? 0xffffffff : ticks ? (uint32_t)ticks : 1);
}

const char *apic_timer_mode(void)
{
	return tsc_deadline ? "tsc-deadline" : "one-shot";
}

/* An AP after INIT: TPR is 0 already; its id came from the firmware tables. */
void apic_init_cpu(void)
{
	wr(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	if (!tsc_deadline)
		wr(LAPIC_TIMER_DIV, 0xb); /* divide by 1 */
	wr(LAPIC_LVT_TIMER, VEC_TIMER | (tsc_deadline ? LVT_TSC_DEADLINE : 0));
}

static void calibrate(void)
{
	uint64_t t0, t1;
	uint32_t left;

	wr(LAPIC_LVT_TIMER, VEC_TIMER | LVT_MASKED);
	wr(LAPIC_TIMER_INIT, 0xffffffff);
	t0 = time_ns();
	time_delay(2 * NSEC_PER_MSEC);
	left = rd(LAPIC_TIMER_CUR);
	t1 = time_ns();
	wr(LAPIC_TIMER_INIT, 0);
	lapic_khz = (0xffffffffULL - left) * 1000000 / (t1 - t0);
	if (!lapic_khz)
		panic("apic: the LAPIC timer does not count");
}

void apic_init(void)
{
	uint32_t r[4];

	/* Mask both 8259 PICs: the IOAPIC delivers device interrupts. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	lapic = vm_map_mmio(platform.lapic_pa, PAGE_SIZE);
	ioapic = vm_map_mmio(platform.ioapic_pa, PAGE_SIZE);
	if (!lapic || !ioapic)
		panic("apic: cannot map the LAPIC/IOAPIC");
	arch_cpuid(1, 0, r);
	tsc_deadline = r[2] & (1u << 24);
	virtual_apic = r[2] & (1u << 31);
	wr(LAPIC_TIMER_DIV, 0xb);
	if (!tsc_deadline)
		calibrate();
	wr(LAPIC_TPR, 0);
	apic_init_cpu();
	this_cpu()->apic_id = apic_id();
	printk(LOG_INFO, "apic: timer %s%s\n", apic_timer_mode(),
	       tsc_deadline ? "" : " (calibrated)");
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

void ioapic_route(int irq, int vector)
{
	uint32_t gsi = irq < NR_ISA_IRQS ? platform.isa_gsi[irq] : (uint32_t)irq;
	uint16_t fl = irq < NR_ISA_IRQS ? platform.isa_flags[irq] : 0;
	uint32_t pin = gsi - platform.ioapic_gsi_base, lo = (uint32_t)vector;

	if ((fl & 3) == 3) /* active low */
		lo |= 1u << 13;
	if (((fl >> 2) & 3) == 3) /* level triggered */
		lo |= 1u << 15;
	ioapic_write(0x10 + 2 * pin + 1, cpus[0]->apic_id << 24);
	ioapic_write(0x10 + 2 * pin, lo);
}
